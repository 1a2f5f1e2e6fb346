/* SPDX-License-Identifier: MIT */
#ifndef O3_SUITE_H
#define O3_SUITE_H
/*
 * Suite files: what o3 optimizes and how (YAML, read with libyaml).
 * The format is documented in suites/README.md.
 *
 * Files: suite.c (loading, resolution of criteria, knobs and regression
 * settings), suite_data.c (defaults, release, patches), suite_diag.c (errors, warnings), suite_yaml.c
 * (libyaml events -> a small node tree with marks), suite_read.c (typed
 * values, mappings with known keys), suite_parse.c (the sections),
 * suite_knobs.c (knobs: the client's option table and the server knobs,
 * values, old spellings), suite_range.c (llama-bench style ranges).
 * suite_internal.h is shared by these files only, and lists their layers.
 *
 * Conventions: functions return 0 on success and -1 on failure, filling the
 * struct suite_error they are given with the file, the 1-based line and
 * column of the offending node and a message. Nothing is printed: warnings
 * (old spellings that were converted) are collected in struct suite.
 * Durations are milliseconds in the struct (seconds in the file).
 */
#include <stddef.h>

/* ---- errors ------------------------------------------------------------ */

struct suite_error {
	char file[256];    /* the name given to the loader ("suites/x.yaml") */
	int line;          /* 1-based; 0 when the error has no position */
	int column;        /* 1-based; 0 when the error has no position */
	char message[512]; /* "unknown key 'critera'; did you mean 'criteria'?" */
};

/* "file:line:col: message" (or "file: message" without a position) into buf;
 * returns buf. */
const char *suite_error_format(const struct suite_error *err, char *buf, size_t len);

/* ---- ranges ------------------------------------------------------------ */

/* Most values one range (or one knob) may expand to. */
#define SUITE_RANGE_MAX_VALUES 4096

/*
 * Expand a llama-bench style integer list: comma-separated items, each a
 * number ("8192", "-1"), a range with step 1 ("1-4"), an adding range
 * ("8192-32768+4096": 8192, 12288, ..., 32768) or a multiplying range
 * ("4096-65536*2": 4096, 8192, ..., 65536). The end is included when the
 * steps reach it, never passed. *values is malloced (free()); on failure it
 * is NULL, *n is 0 and msg says what is wrong ("bad range '4096-1024*2':
 * start 4096 is above end 1024").
 */
int suite_expand_range(const char *text, long **values, size_t *n, char *msg, size_t msglen);

/* ---- knobs ------------------------------------------------------------- */

enum suite_knob_kind {
	SUITE_KNOB_REQUEST, /* per request, no reload (num_predict, sampling) */
	SUITE_KNOB_LOAD,    /* Ollama reloads the model (num_ctx, num_batch, ...) */
	SUITE_KNOB_SERVER,  /* environment of `ollama serve`: a restart (managed mode) */
};
const char *suite_knob_kind_name(enum suite_knob_kind kind); /* "request", "load", "server" */

enum suite_value_type { SUITE_VAL_INT, SUITE_VAL_FLOAT, SUITE_VAL_BOOL, SUITE_VAL_STRING };

struct suite_knob {
	char *name;                 /* today's name (after "batch" -> "num_batch"); malloced */
	enum suite_knob_kind kind;
	enum suite_value_type type;
	size_t n_values;            /* >= 1 */
	char **values;              /* as sent: "8192", "0.7", "true", "q8_0", "1"; malloced */
	long *ints;                 /* INT and BOOL (0/1) knobs: the numbers; else NULL */
	int line, column;           /* where the knob was named */
	int from_f16_kv;            /* converted from the handoff's f16_kv */
};

struct suite_knobset {
	struct suite_knob *items;   /* malloced */
	size_t n;
};

/* Most distinct knobs one model can have (the knob table is smaller). */
#define SUITE_KNOBS_MAX 48

/* ---- criteria ---------------------------------------------------------- */

struct suite_criteria {
	double ttft_s;                    /* TTFT of the interactive prompt below this; default 2.0 */
	double decode_tps_min;            /* decode tok/s above this; default 20 (10 at >= 20B) */
	double gpu_memory_max_pct;        /* peak GPU memory below this percent; default 90 */
	long oom_allowed;                 /* OOMs tolerated in a recommended configuration; default 0 */
	int needle;                       /* 1: the fill-confirm must retrieve the needle; default 1 */
	double stability_success_min_pct; /* concurrent streams: success rate at least; default 100 */
};

/* Which fields of a partial set of criteria (an override) are given. */
enum {
	SUITE_CRIT_TTFT = 1u << 0,
	SUITE_CRIT_DECODE = 1u << 1,
	SUITE_CRIT_GPU_MEM = 1u << 2,
	SUITE_CRIT_OOM = 1u << 3,
	SUITE_CRIT_NEEDLE = 1u << 4,
	SUITE_CRIT_STABILITY = 1u << 5,
};

struct suite_criteria_patch {
	unsigned set;          /* SUITE_CRIT_* bits */
	struct suite_criteria v;
};

/* ---- the regression gate (o3 compare) ------------------------------------ */

/*
 * What `o3 compare` calls a regression of a model against its baseline: a
 * metric whose median is worse than the baseline's by more than its
 * tolerance AND whose difference is significant (at alpha) over the raw
 * samples. Tolerances are relative, in percent as written in the file
 * (5 = 5 %), each in (0, 100]. A step down of the context ceiling, a new OOM
 * or a failed stability level is a regression whatever the tolerances (there
 * is nothing to configure for those).
 */
struct suite_regression {
	double decode_pct;          /* decode tok/s lower (worse) by more than; default 5 */
	double ttft_pct;            /* TTFT higher (worse) by more than; default 10 */
	double prefill_pct;         /* prefill tok/s lower by more than; default 10 */
	double memory_pct;          /* peak memory higher by more than; default 5 */
	double decode_at_fill_pct;  /* decode tok/s at the usable context's fill; default 10 */
	double ttft_at_fill_pct;    /* TTFT at that fill; default 15 */
	double stability_p99_pct;   /* the stability levels' TTFT p99; default 20 */
	double alpha;               /* significance level of the tests, in (0, 0.5]; default 0.05 */
	long repetitions;           /* timed requests of a gated preset's trial, 1 to 1000;
				       0 = auto (default): planned from the baseline's noise so
				       that a regression of the tolerance is decided */
	long max_repetitions;       /* the most auto may plan, 3 to 1000; default 30 */
	int strict;                 /* 1: an inconclusive comparison fails the gate too; default 0 */
};

/* Which fields of a partial set of regression settings are given. */
enum {
	SUITE_REG_DECODE = 1u << 0,
	SUITE_REG_TTFT = 1u << 1,
	SUITE_REG_PREFILL = 1u << 2,
	SUITE_REG_MEMORY = 1u << 3,
	SUITE_REG_DECODE_AT_FILL = 1u << 4,
	SUITE_REG_TTFT_AT_FILL = 1u << 5,
	SUITE_REG_STABILITY_P99 = 1u << 6,
	SUITE_REG_ALPHA = 1u << 7,
	SUITE_REG_REPETITIONS = 1u << 8,
	SUITE_REG_MAX_REPETITIONS = 1u << 9,
	SUITE_REG_STRICT = 1u << 10,
};

struct suite_regression_patch {
	unsigned set;               /* SUITE_REG_* bits */
	struct suite_regression v;
	/* where repetitions and max_repetitions were given (0 when not): the
	 * check that max_repetitions is not below repetitions names them */
	int repetitions_line, repetitions_column;
	int max_repetitions_line, max_repetitions_column;
};

/* A size class: criteria (and knobs, regression settings) for models whose
 * parameter count, in billions, is in [min_params_b, max_params_b). */
struct suite_size_class {
	char *name;            /* malloced */
	double min_params_b;   /* inclusive; default 0 */
	double max_params_b;   /* exclusive; < 0 = no upper bound (default) */
	struct suite_criteria_patch criteria;
	struct suite_knobset knobs;
	struct suite_regression_patch regression;
};

/* Settings for one model, by its name as the user types it. */
struct suite_override {
	char *model;           /* malloced */
	struct suite_criteria_patch criteria;
	struct suite_knobset knobs;
	struct suite_regression_patch regression;
	int line, column;
};

/* ---- the suite --------------------------------------------------------- */

enum suite_server_mode {
	SUITE_SERVER_EXTERNAL, /* the running server, its knobs recorded as found (default) */
	SUITE_SERVER_MANAGED,  /* o3 starts `ollama serve` per combination of server knobs */
};

/* One stability level: count streams, or per_slot times the server's
 * parallel slots (per_slot > 0, count 0). "parallel" is per_slot 1. */
struct suite_streams {
	long count;
	long per_slot;
};

/* What a suite may ask for: beyond these a number is a typo, and would
 * overflow an int or allocate gigabytes. */
#define SUITE_MAX_REPETITIONS 1000
#define SUITE_MAX_WARMUP 100
#define SUITE_MAX_REQUESTS 100000
#define SUITE_MAX_STREAMS 1024

struct suite {
	char *file;                 /* name used in messages; malloced */
	char *name;                 /* "name:" or the file's base name without .yaml; malloced */
	char *description;          /* NULL or malloced */

	int all_models;             /* "models: all": every pulled model */
	char **models;              /* the listed models, in order; malloced */
	size_t n_models;

	struct suite_knobset knobs; /* in file order */
	struct suite_criteria criteria;          /* the base criteria, defaults filled */
	struct suite_size_class *size_classes;   /* applied in order; malloced */
	size_t n_size_classes;
	struct suite_override *overrides;        /* malloced */
	size_t n_overrides;
	/* the base regression settings: v has every default filled, set says
	 * which keys the file's 'regression' section gave */
	struct suite_regression_patch regression;

	struct {
		long interactive_prompt_tokens;  /* default 512 */
		double fill_ratio;               /* fill-confirm fills this much of num_ctx; default 0.9 */
	} scenarios;
	long repetitions;           /* timed requests per trial; default 5 */
	long warmup;                /* untimed requests first; default 1 */
	struct {
		int ceiling;            /* search the context ceiling; default 1 */
		long start;             /* first num_ctx probed; default 4096 */
		long resolution;        /* bisect to this many tokens; default 1024 */
		long max;               /* never probe above; 0 = the model's trained context (default) */
	} search;
	struct {                    /* 0 = no limit */
		long connect_ms;        /* default 5000 */
		long first_byte_ms;     /* default 600000 (a load can be slow) */
		long stall_ms;          /* default 120000 */
		long total_ms;          /* one request; default 0 */
		long trial_ms;          /* one trial (its Check test case); default 1800000 */
	} timeouts;
	struct {
		struct suite_streams *streams; /* malloced; default [parallel, 2x] */
		size_t n_streams;
		long requests;          /* requests per stream; default 4 */
		long min_samples;       /* each level sends at least this many requests in
					   all (requests per stream raised to
					   ceil(min_samples / streams)), so that its TTFT p99
					   means something; 1 to 100000, default 100 */
	} stability;
	struct {
		enum suite_server_mode mode;
		char *binary;           /* managed: the ollama binary; default "ollama"; malloced */
	} server;

	char **warnings;            /* "file:line:col: text", in the order found; malloced */
	size_t n_warnings;
};

/* A suite with every default filled and no models (all_models 0). */
void suite_init(struct suite *s);
void suite_release(struct suite *s);

/*
 * Load a suite. name is used in messages (and, without its directory and
 * ".yaml", as the suite's default name). On failure, return -1 with *out
 * released (empty) and err filled; never print.
 */
int suite_load_file(const char *path, struct suite *out, struct suite_error *err);
int suite_load_string(const char *name, const char *text, size_t len, struct suite *out,
		      struct suite_error *err);

/* 1 when the suite runs model (listed, or "all"). */
int suite_has_model(const struct suite *s, const char *model);

/*
 * The effective criteria for model: the base criteria, then every size class
 * whose range holds params_billion (in file order), then the model's
 * override. params_billion < 0 means unknown: no size class applies (the
 * base criteria, the stricter ones, hold). Returns 0.
 */
int suite_criteria_for(const struct suite *s, const char *model, double params_billion,
		       struct suite_criteria *out);

/*
 * The effective knobs for model, resolved the same way (a knob given by a
 * size class or an override replaces the base knob of that name; new names
 * are added). Fills out (pointers into s) and returns the count, at most max.
 */
size_t suite_knobs_for(const struct suite *s, const char *model, double params_billion,
		       const struct suite_knob **out, size_t max);

/*
 * The effective regression settings for model, resolved like its criteria:
 * the base 'regression' section (defaults filled), then every size class
 * whose range holds params_billion (in file order), then the model's
 * override; each replaces only the keys it gives (a tolerance at a time).
 * Returns 0.
 */
int suite_regression_for(const struct suite *s, const char *model, double params_billion,
			 struct suite_regression *out);

/* The knob of that name in a set, or NULL. */
const struct suite_knob *suite_knob_find(const struct suite_knobset *set, const char *name);

#endif
