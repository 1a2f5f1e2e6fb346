/* SPDX-License-Identifier: MIT */
#ifndef O3_CEILING_H
#define O3_CEILING_H
#include <stddef.h>

/*
 * The context-ceiling search: the largest num_ctx that loads fully on the GPU
 * and keeps memory under the limit, found with load-only probes (Ollama
 * allocates the whole KV cache at load, so an empty-prompt load tells whether
 * a context fits, in seconds). The size Ollama reports for a load (/api/ps)
 * grows linearly with num_ctx, so the loads made so far give the line of
 * size against num_ctx and bounds on the memory limit: the search probes the
 * start and the trained context, then where the line meets the limit, each
 * probe narrowing both the bracket of num_ctx and the bounds of the limit,
 * down to the resolution, never above the model's trained context. Without
 * sizes it bisects, and so it does where the line points outside the
 * bracket or its predictions stop halving it. Where the line bends
 * (sliding-window layers, a compute buffer that steps with num_batch), a
 * prediction costs probes, never the answer: the bracket holds whatever the
 * line says.
 *
 * The probe is a callback, so the search is tested on known thresholds and
 * run against the simulator or a real server by the caller.
 */
enum ceiling_outcome {
	CEILING_FITS,      /* loaded, fully on the GPU, under the memory limit */
	CEILING_OFFLOAD,   /* loaded, but layers spilled to the CPU (size_vram < size) */
	CEILING_OVER_LIMIT,/* loaded, but GPU memory use above the limit */
	CEILING_OOM,       /* the load failed for lack of memory */
	CEILING_FAILED,    /* another failure (crash, timeout, ...): not a size verdict */
};

const char *ceiling_outcome_name(enum ceiling_outcome o);

struct ceiling_probe {
	long num_ctx;
	enum ceiling_outcome outcome;
	double size_bytes; /* Ollama's size of the load (/api/ps size); 0 unknown */
	double gpu_bytes;  /* the part of it on the GPU (size_vram); 0 unknown */
	double room_bytes; /* a fit: the largest size the memory left free (and the
			    * memory limit) would have taken, an estimate from above
			    * (the server keeps a margin of its own); 0 unknown */
};

/* Probe p->num_ctx; return 0 with p->outcome set (and the sizes, where
 * known: they are 0 on entry), or -1 to abort the search (server gone). */
typedef int (*ceiling_probe_fn)(struct ceiling_probe *p, void *data);

struct ceiling_params {
	long start;       /* first value tried; default 4096 */
	long resolution;  /* bisect until good and bad are this close; default 1024 */
	long max_ctx;     /* the model's trained context (never probed above) */
	int max_probes;   /* safety stop; default 64 */
};

struct ceiling_result {
	long ceiling;     /* largest context that fits; 0 when even the smallest did not */
	long first_bad;   /* smallest context seen not to fit; 0 when none (ceiling = max_ctx) */
	enum ceiling_outcome bad_outcome; /* why first_bad did not fit */
	struct ceiling_probe probes[64];  /* in the order made */
	int n_probes;
	int aborted;      /* the probe asked to stop */
	int predicted;    /* probes placed by the line (the others: start, trained context, bisection) */
};

void ceiling_params_default(struct ceiling_params *p);
/* Returns 0 when the search ran to its end, -1 when it was aborted or the
 * parameters are invalid. A CEILING_FAILED probe counts as "does not fit"
 * for the search, so that a flaky size is never picked as the ceiling. */
int ceiling_search(const struct ceiling_params *p, ceiling_probe_fn probe, void *data,
		   struct ceiling_result *out);

#endif
