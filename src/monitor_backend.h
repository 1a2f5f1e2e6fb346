/* SPDX-License-Identifier: MIT */
#ifndef O3_MONITOR_BACKEND_H
#define O3_MONITOR_BACKEND_H
/*
 * What a monitor backend is, and the sample it fills.
 *
 * Every figure carries the backend that produced it; a figure nobody reported
 * has backend == NULL and is absent from every output (never 0). Units are
 * in the field names: bytes, millidegrees C (_mc), MHz, milliwatts, percent.
 *
 * The sampler owns all backends: open() before the thread starts, sample()
 * from the sampler thread (or monitor_sample_once, never both at once), and
 * close() after the thread is joined (rocm_smi needs this order).
 */
#include <stddef.h>
#include <stdint.h>

struct monitor_settings;

#define MONITOR_MAX_DEVICES 8
#define MONITOR_MAX_PROCS 16

enum monitor_dev_field {
	MON_VRAM_USED,   /* bytes */
	MON_VRAM_TOTAL,  /* bytes */
	MON_GTT_USED,    /* bytes */
	MON_GTT_TOTAL,   /* bytes */
	MON_TEMP_MC,     /* millidegrees C */
	MON_SCLK_MHZ,    /* shader / graphics / SM clock */
	MON_MCLK_MHZ,    /* memory clock */
	MON_POWER_MW,    /* on APUs this is socket power (CPU included) */
	MON_BUSY_PCT,
	MON_DEV__COUNT
};

enum monitor_sys_field {
	MON_RAM_TOTAL,       /* bytes, /proc/meminfo MemTotal */
	MON_RAM_AVAIL,       /* bytes, MemAvailable */
	MON_RUNNER_PID,      /* first runner found */
	MON_RUNNER_COUNT,
	MON_RUNNER_RSS,      /* bytes, VmRSS summed over runners */
	MON_RUNNER_HWM,      /* bytes, VmHWM summed over runners */
	MON_RUNNER_GPU_VRAM, /* bytes, fdinfo drm-memory-vram of the runners */
	MON_RUNNER_GPU_GTT,  /* bytes, fdinfo drm-memory-gtt of the runners */
	MON_RUNNER_GPU_MEM,  /* bytes, NVML per-process memory of the runners */
	MON_PS_MODELS,       /* /api/ps: loaded models */
	MON_PS_SIZE,         /* bytes, summed over loaded models */
	MON_PS_SIZE_VRAM,    /* bytes, summed */
	MON_PS_CTX,          /* context_length of the first model (absent before v0.10) */
	MON_SYS__COUNT
};

struct monitor_value {
	int64_t v;
	const char *backend; /* NULL = absent; a static string */
};

struct monitor_proc_mem {
	uint32_t pid;
	int64_t bytes;
};

struct monitor_device {
	char id[32];        /* "card0", "nvml0" */
	char pci[32];       /* "0000:c5:00.0"; "" when unknown (then never merged) */
	char name[96];      /* "" when unknown */
	const char *backend; /* the backend that found it */
	int unified;        /* -1 unknown, 0 discrete memory, 1 unified memory */
	char unified_why[112];
	struct monitor_value f[MON_DEV__COUNT];
	unsigned n_procs;   /* GPU memory per process (NVML), for runner lookup */
	struct monitor_proc_mem procs[MONITOR_MAX_PROCS];
};

struct monitor_sample {
	uint64_t t_ns; /* clock_now_ns() */
	unsigned n_devices;
	struct monitor_device dev[MONITOR_MAX_DEVICES];
	struct monitor_value sys[MON_SYS__COUNT];
};

struct monitor_backend {
	const char *name;
	/* Probe and set up; 0, or -1 with the reason in why ("no amdgpu card
	 * under /sys/class/drm"). On success *state is the backend's own. */
	int (*open)(const struct monitor_settings *s, void **state, char *why, size_t whylen);
	/* What it found, for --list-backends: "card0, 0000:c5:00.0". */
	void (*describe)(void *state, char *out, size_t outlen);
	/* Add this tick's figures to out (fields already set are kept: the
	 * first backend in the list wins). Reads small files only; no
	 * allocation on the normal path. 0, or -1 when nothing could be read. */
	int (*sample)(void *state, struct monitor_sample *out);
	void (*close)(void *state);
};

extern const struct monitor_backend monitor_backend_nvml;
extern const struct monitor_backend monitor_backend_amdgpu;
extern const struct monitor_backend monitor_backend_rocm_smi;
extern const struct monitor_backend monitor_backend_procfs;
extern const struct monitor_backend monitor_backend_ollama_ps;
/* rocm_smi's check before it loads the library: sysfs_root/class/kfd and an
 * amdgpu card under sysfs_root/class/drm. 0, or -1 with the reason in why. */
int monitor_rocm_smi_precheck(const char *sysfs_root, char *why, size_t whylen);

/* Set v unless a backend already did. */
void monitor_value_set(struct monitor_value *v, int64_t x, const char *backend);
/* The device with this PCI address (when pci is not ""), else a new one
 * (NULL when MONITOR_MAX_DEVICES are in use). A new device gets id, pci,
 * backend and unified = -1. */
struct monitor_device *monitor_sample_device(struct monitor_sample *s, const char *id,
					     const char *pci, const char *backend);
void monitor_sample_clear(struct monitor_sample *s);

/* Small file helpers shared by the sysfs and procfs readers (no allocation).
 * Read a whole small file into buf (NUL-terminated); bytes read or -1. */
long monitor_read_file(const char *path, char *buf, size_t buflen);
/* A file holding one non-negative decimal integer (trailing newline ok).
 * 0, or -1 when missing, empty or malformed. */
int monitor_read_u64(const char *path, uint64_t *out);
/* Path join into out: "a" + "/" + "b"; -1 when it does not fit. */
int monitor_path(char *out, size_t outlen, const char *a, const char *b);

/* ---- what "GPU memory" means (monitor_memory.c) ------------------------ */

struct monitor_memory {
	const char *definition; /* see monitor.h; NULL when nothing is known */
	int device;             /* index in the sample, -1 for system_ram */
	const char *backend;    /* backend of the used figure */
	int64_t used_bytes;     /* GPU-mapped (or RAM) memory in use */
	int64_t capacity_bytes;
	int64_t headroom_bytes; /* what can still be allocated */
	double pct;             /* 100 * (capacity - headroom) / capacity */
};

/* AMD: 1 when the card is an APU with unified memory, else 0; why gets the
 * evidence. metrics_format is the gpu_metrics header's format_revision
 * (1 dGPU, 2 or 3 APU), -1 when unreadable; totals -1 when unknown. */
int monitor_memory_amd_unified(int64_t vram_total, int64_t gtt_total, int metrics_format,
			       char *why, size_t whylen);
/* The figure for one device; 0, or -1 when its pools are not known. */
int monitor_memory_of_device(const struct monitor_device *d, const struct monitor_value *sys,
			     struct monitor_memory *out);
/* The figure for a sample: the device with the highest percentage, else
 * system RAM when no device has one; 0, or -1 when nothing is known. */
int monitor_memory_of_sample(const struct monitor_sample *s, struct monitor_memory *out);

#endif
