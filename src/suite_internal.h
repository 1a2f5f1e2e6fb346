/* SPDX-License-Identifier: MIT */
#ifndef O3_SUITE_INTERNAL_H
#define O3_SUITE_INTERNAL_H
/*
 * Shared by the suite_*.c files only; not part of the API (see suite.h).
 *
 * The files are layers: each calls only into the layers below it, never up
 * ("the parser calls down into readers, never back up"), so the graph of
 * calls among them has no cycle. tests/check_suite_layers.py checks it on the
 * built library from the list below (one layer a line, lowest first; the
 * files of one layer call none of each other).
 *
 * layers:
 *   0 suite_diag.c                 errors and warnings
 *   1 suite_yaml.c                 the YAML tree (libyaml)
 *   2 suite_read.c suite_range.c   readers of values, mappings and ranges
 *   3 suite_knobs.c                knobs (the client's table of Ollama options)
 *   4 suite_data.c                 the struct: defaults, release, patches
 *   5 suite_parse.c                the sections of a suite file
 *   6 suite.c                      loading, and a model's criteria, knobs, regression
 */
#include <stdarg.h>
#include <stddef.h>

#include "suite.h"

/* ---- the YAML tree (suite_yaml.c) --------------------------------------- */

enum ynode_type { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING };

struct ynode {
	enum ynode_type type;
	int line, column;       /* 1-based start mark */
	char *value;            /* scalar text, NUL-terminated; NULL for collections */
	int plain;              /* an unquoted scalar (so "" / "~" / "null" mean nothing) */
	struct ynode **items;   /* sequence: items; mapping: key, value, key, value, ... */
	size_t n;               /* number of entries in items */
};

/* Most nested collections in a suite file. */
#define SUITE_YAML_MAX_DEPTH 32

/*
 * Parse one YAML document with libyaml's event API into a tree. Aliases are
 * refused (a suite has no use for them, and they make cycles); a second
 * document is refused. *root is NULL for an empty stream. Returns 0, or -1
 * with err's line, column and message set (libyaml's own problem text for
 * syntax errors).
 */
int suite_yaml_parse(const char *text, size_t len, struct ynode **root, struct suite_error *err);
void suite_yaml_free(struct ynode *node);
/* "a mapping", "a list", "nothing", "'text'" for messages. */
void suite_yaml_describe(const struct ynode *node, char *buf, size_t len);
/* 1 for a plain null scalar ("", "~", "null"). */
int suite_yaml_is_null(const struct ynode *node);

/* ---- errors and warnings (suite_diag.c) -------------------------------------- */

void suite_error_set(struct suite_error *err, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void suite_error_vset(struct suite_error *err, const struct ynode *at, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));
void suite_warn(struct suite *s, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- readers of values and mappings (suite_read.c) ------------------------ */

/* What every section reader gets. */
struct pctx {
	struct suite *s;
	struct suite_error *err;
};

typedef int (*field_fn)(struct pctx *c, const struct ynode *key, const struct ynode *val,
			void *dst);
struct field {
	const char *key;
	field_fn fn;
};

int suite_wrong_type(struct pctx *c, const char *key, const struct ynode *v, const char *expected);
int suite_is_text(const struct ynode *v);
int suite_get_long(struct pctx *c, const char *key, const struct ynode *v, long min, long *out);
/* An integer in [min, max]. */
int suite_get_long_range(struct pctx *c, const char *key, const struct ynode *v, long min,
			 long max, long *out);
/* A number in (min, max] when min_open, else [min, max]; range says so in words. */
int suite_get_double(struct pctx *c, const char *key, const struct ynode *v, double min,
		     int min_open, double max, const char *range, double *out);
int suite_get_bool(struct pctx *c, const char *key, const struct ynode *v, int *out);
int suite_get_string(struct pctx *c, const char *key, const struct ynode *v, char **out);
/* Seconds in the file, milliseconds in the struct; 0 = no limit. */
int suite_get_seconds(struct pctx *c, const char *key, const struct ynode *v, long *ms);
/*
 * Walk a mapping whose keys are the names in fields (at most 32): a null
 * value is an empty mapping; unknown keys get the nearest name; a key given
 * twice is an error. seen (optional) receives a bit per field found.
 */
/* The value of key in a mapping, or NULL. */
const struct ynode *suite_map_get(const struct ynode *map, const char *key);
int suite_walk(struct pctx *c, const char *what, const struct ynode *map, const struct field *f,
	       size_t nf, void *dst, unsigned *seen);

/* ---- knobs (suite_knobs.c) ------------------------------------------------ */

/* Parse a "knobs:" mapping into set. Server knobs are accepted here; the
 * mode check is suite_knobs_check_mode's, once the whole file is read. */
int suite_knobs_parse(struct suite *s, const struct ynode *map, struct suite_knobset *set,
		      struct suite_error *err);
/* External mode: a server knob is an error; a converted f16_kv is dropped
 * with a warning. Managed mode: a converted f16_kv gets its warning. */
int suite_knobs_check_mode(struct suite *s, struct suite_knobset *set, struct suite_error *err);
void suite_knobset_release(struct suite_knobset *set);

/* ---- the struct (suite_data.c) -------------------------------------------- */

void suite_size_classes_release(struct suite *s);
void suite_criteria_apply(struct suite_criteria *c, const struct suite_criteria_patch *p);
/* The fields p gives replace those of r. */
void suite_regression_apply(struct suite_regression *r, const struct suite_regression_patch *p);
/* Merge patch p over patch into (its set bits and marks too). */
void suite_regression_merge(struct suite_regression_patch *into,
			    const struct suite_regression_patch *p);
/* 1 when the class's [min_params_b, max_params_b) holds params_billion
 * (never for an unknown size, < 0). */
int suite_class_holds(const struct suite_size_class *sc, double params_billion);

/* ---- sections (suite_parse.c) ------------------------------------------- */

/* Fill s (already suite_init'ed, with s->file set) from the document. */
int suite_parse_tree(struct suite *s, const struct ynode *root, struct suite_error *err);

#endif
