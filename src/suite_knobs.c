// SPDX-License-Identifier: MIT
/*
 * The knobs a suite may sweep: their kind, value type and valid values, the
 * handoff's old spellings (batch, f16_kv) and the options Ollama removed.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"
#include "suite_internal.h"
#include "util.h"
#include "banned.h"

static const char *const kv_cache_types[] = { "f16", "q8_0", "q4_0", NULL };

struct knob_def {
	const char *name;
	enum suite_knob_kind kind;
	enum suite_value_type type;
	long imin, imax;          /* INT */
	double fmin, fmax;        /* FLOAT */
	const char *const *choices; /* STRING */
};

#define INT_KNOB(n, k, lo) { n, k, SUITE_VAL_INT, lo, LONG_MAX, 0, 0, NULL }
#define BOOL_KNOB(n, k) { n, k, SUITE_VAL_BOOL, 0, 1, 0, 0, NULL }

/*
 * The server knobs o3 can set on a managed `ollama serve`. The options (the
 * request and load knobs) are the client's: its table (ollama_options())
 * gives their names, types, kinds and ranges, and knob_lookup() reads it.
 */
static const struct knob_def server_knobs[] = {
	{ "OLLAMA_KV_CACHE_TYPE", SUITE_KNOB_SERVER, SUITE_VAL_STRING, 0, 0, 0, 0, kv_cache_types },
	BOOL_KNOB("OLLAMA_FLASH_ATTENTION", SUITE_KNOB_SERVER),
	INT_KNOB("OLLAMA_NUM_PARALLEL", SUITE_KNOB_SERVER, 1),
	INT_KNOB("OLLAMA_CONTEXT_LENGTH", SUITE_KNOB_SERVER, 0), /* 0: the VRAM-tier default */
};

const char *suite_knob_kind_name(enum suite_knob_kind kind)
{
	switch (kind) {
	case SUITE_KNOB_REQUEST: return "request";
	case SUITE_KNOB_LOAD: return "load";
	case SUITE_KNOB_SERVER: return "server";
	}
	return "?";
}

/* A knob o3 can sweep: a server knob, or a current Ollama option of one
 * value (a list, like stop, is not swept), from the client's table. */
static int knob_lookup(const char *name, struct knob_def *out)
{
	const struct ollama_option *o = ollama_option_find(name);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(server_knobs); i++)
		if (!strcmp(server_knobs[i].name, name)) {
			*out = server_knobs[i];
			return 0;
		}
	if (!o || o->type == OLLAMA_OPT_STRINGS)
		return -1;
	memset(out, 0, sizeof(*out));
	out->name = o->name;
	out->kind = o->kind == OLLAMA_KNOB_LOAD ? SUITE_KNOB_LOAD : SUITE_KNOB_REQUEST;
	switch (o->type) {
	case OLLAMA_OPT_INT:
		out->type = SUITE_VAL_INT;
		out->imin = o->min > -OLLAMA_OPT_NO_BOUND ? (long)o->min : LONG_MIN;
		out->imax = o->max < OLLAMA_OPT_NO_BOUND ? (long)o->max : LONG_MAX;
		break;
	case OLLAMA_OPT_FLOAT:
		out->type = SUITE_VAL_FLOAT;
		out->fmin = o->min;
		out->fmax = o->max;
		break;
	case OLLAMA_OPT_BOOL:
	case OLLAMA_OPT_STRINGS:
		out->type = SUITE_VAL_BOOL;
		out->imax = 1;
		break;
	}
	return 0;
}

const struct suite_knob *suite_knob_find(const struct suite_knobset *set, const char *name)
{
	size_t i;
	for (i = 0; i < set->n; i++)
		if (!strcmp(set->items[i].name, name))
			return &set->items[i];
	return NULL;
}

static void knob_release(struct suite_knob *k)
{
	size_t i;
	for (i = 0; i < k->n_values; i++)
		free(k->values[i]);
	free(k->values);
	free(k->ints);
	free(k->name);
	memset(k, 0, sizeof(*k));
}

void suite_knobset_release(struct suite_knobset *set)
{
	size_t i;
	for (i = 0; i < set->n; i++)
		knob_release(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

/* ---- values ------------------------------------------------------------ */

struct vctx {
	struct suite_knob *k;
	const struct knob_def *def;
	const char *key;          /* the name as written, for messages */
	struct suite_error *err;
};

static int add_value(struct vctx *c, const struct ynode *at, const char *text, long iv, double fv)
{
	struct suite_knob *k = c->k;
	size_t i;

	for (i = 0; i < k->n_values; i++) {
		int same = k->type == SUITE_VAL_FLOAT ? atof(k->values[i]) == fv
			 : k->ints ? k->ints[i] == iv : !strcmp(k->values[i], text);
		if (same) {
			suite_error_set(c->err, at, "'%s': value %s given twice", c->key, text);
			return -1;
		}
	}
	if (k->n_values >= SUITE_RANGE_MAX_VALUES) {
		suite_error_set(c->err, at, "'%s': more than %d values", c->key,
				SUITE_RANGE_MAX_VALUES);
		return -1;
	}
	k->values = xrealloc(k->values, (k->n_values + 1) * sizeof(*k->values));
	if (k->type == SUITE_VAL_INT || k->type == SUITE_VAL_BOOL) {
		k->ints = xrealloc(k->ints, (k->n_values + 1) * sizeof(*k->ints));
		k->ints[k->n_values] = iv;
	}
	k->values[k->n_values++] = xstrdup(text);
	return 0;
}

static int parse_bool(const char *t, int allow_digits, long *out)
{
	if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE") ||
	    (allow_digits && !strcmp(t, "1")))
		*out = 1;
	else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE") ||
		 (allow_digits && !strcmp(t, "0")))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_one(struct vctx *c, const struct ynode *n)
{
	const struct knob_def *d = c->def;
	char what[64], num[32];
	const char *t = n->value;

	if (n->type != YNODE_SCALAR || suite_yaml_is_null(n)) {
		suite_yaml_describe(n, what, sizeof(what));
		suite_error_set(c->err, n, "'%s': expected a value%s, found %s", c->key,
				d->type == SUITE_VAL_INT ? " or a range" : "", what);
		return -1;
	}
	switch (d->type) {
	case SUITE_VAL_INT: {
		long *v;
		size_t nv, i;
		char msg[256];
		if (suite_expand_range(t, &v, &nv, msg, sizeof(msg))) {
			suite_error_set(c->err, n, "'%s': %s", c->key, msg);
			return -1;
		}
		for (i = 0; i < nv; i++) {
			snprintf(num, sizeof(num), "%ld", v[i]);
			if (v[i] < d->imin || v[i] > d->imax) {
				suite_error_set(c->err, n, "'%s': %ld is out of range (at least %ld)",
						c->key, v[i], d->imin);
				free(v);
				return -1;
			}
			if (add_value(c, n, num, v[i], 0)) {
				free(v);
				return -1;
			}
		}
		free(v);
		return 0;
	}
	case SUITE_VAL_FLOAT: {
		double f;
		if (o3_parse_double(t, &f)) {
			suite_error_set(c->err, n, "'%s': expected a number, found '%s'", c->key, t);
			return -1;
		}
		if (f < d->fmin || f > d->fmax) {
			suite_error_set(c->err, n, "'%s': %s is out of range (%g to %g)", c->key, t,
					d->fmin, d->fmax);
			return -1;
		}
		return add_value(c, n, t, 0, f);
	}
	case SUITE_VAL_BOOL: {
		long b;
		int server = d->kind == SUITE_KNOB_SERVER;
		if (parse_bool(t, server, &b)) {
			suite_error_set(c->err, n, "'%s': expected %s, found '%s'", c->key,
					server ? "0, 1, true or false" : "true or false", t);
			return -1;
		}
		return add_value(c, n, server ? (b ? "1" : "0") : (b ? "true" : "false"), b, 0);
	}
	case SUITE_VAL_STRING: {
		size_t nc = 0;
		const char *near;
		while (d->choices[nc] && strcmp(d->choices[nc], t))
			nc++;
		if (d->choices[nc])
			return add_value(c, n, t, 0, 0);
		for (nc = 0; d->choices[nc]; nc++)
			;
		near = o3_nearest(t, d->choices, nc);
		if (near)
			suite_error_set(c->err, n, "'%s': unknown value '%s'; did you mean '%s'?",
					c->key, t, near);
		else
			suite_error_set(c->err, n, "'%s': unknown value '%s' (f16, q8_0 or q4_0)",
					c->key, t);
		return -1;
	}
	}
	return -1;
}

static int parse_values(struct vctx *c, const struct ynode *v)
{
	size_t i;
	if (v->type == YNODE_MAPPING) {
		suite_error_set(c->err, v, "'%s': expected a value, a list%s, found a mapping",
				c->key, c->def->type == SUITE_VAL_INT ? " or a range" : "");
		return -1;
	}
	if (v->type == YNODE_SCALAR)
		return parse_one(c, v);
	if (!v->n) {
		suite_error_set(c->err, v, "'%s': the list of values is empty", c->key);
		return -1;
	}
	for (i = 0; i < v->n; i++)
		if (parse_one(c, v->items[i]))
			return -1;
	return 0;
}

/* f16_kv: true/false became the server knob OLLAMA_KV_CACHE_TYPE f16/q8_0. */
static void f16_kv_convert(struct suite_knob *k)
{
	size_t i;
	for (i = 0; i < k->n_values; i++) {
		free(k->values[i]);
		k->values[i] = xstrdup(k->ints[i] ? "f16" : "q8_0");
	}
	FREE_AND_NULL(k->ints);
	free(k->name);
	k->name = xstrdup("OLLAMA_KV_CACHE_TYPE");
	k->kind = SUITE_KNOB_SERVER;
	k->type = SUITE_VAL_STRING;
	k->from_f16_kv = 1;
}

static const struct knob_def f16_kv_def = BOOL_KNOB("f16_kv", SUITE_KNOB_LOAD);

/* Most names the suggestions are chosen from: the options and the server knobs. */
#define MAX_KNOB_NAMES 64

static int unknown_knob(const struct ynode *key, struct suite_error *err)
{
	const char *names[MAX_KNOB_NAMES], *near, *removed_in;
	const struct ollama_option *opts, *o;
	size_t i, n = 0, n_opts;

	opts = ollama_options(&n_opts);

	o = ollama_option_find(key->value);
	if (o && o->type == OLLAMA_OPT_STRINGS) {
		suite_error_set(err, key, "knob '%s' is a list of %s strings and cannot be swept",
				key->value, key->value);
		return -1;
	}
	removed_in = ollama_option_removed_in(key->value);
	if (removed_in) {
		suite_error_set(err, key,
				"knob '%s' was removed from Ollama in %s (the server would ignore it)",
				key->value, removed_in);
		return -1;
	}
	for (i = 0; i < n_opts && n < MAX_KNOB_NAMES; i++)
		if (opts[i].type != OLLAMA_OPT_STRINGS)
			names[n++] = opts[i].name;
	for (i = 0; i < ARRAY_SIZE(server_knobs) && n < MAX_KNOB_NAMES; i++)
		names[n++] = server_knobs[i].name;
	near = o3_nearest(key->value, names, n);
	if (near)
		suite_error_set(err, key, "unknown knob '%s'; did you mean '%s'?", key->value, near);
	else
		suite_error_set(err, key, "unknown knob '%s' (see suites/README.md for the knobs)",
				key->value);
	return -1;
}

int suite_knobs_parse(struct suite *s, const struct ynode *map, struct suite_knobset *set,
		      struct suite_error *err)
{
	size_t i;
	char what[64];

	if (suite_yaml_is_null(map))
		return 0;
	if (map->type != YNODE_MAPPING) {
		suite_yaml_describe(map, what, sizeof(what));
		suite_error_set(err, map, "'knobs': expected a mapping of knob names to values, found %s",
				what);
		return -1;
	}
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *key = map->items[i], *val = map->items[i + 1];
		struct knob_def found;
		const struct knob_def *def = &found;
		const struct suite_knob *prev;
		struct vctx c;
		struct suite_knob *k;
		int is_f16_kv = 0;

		if (key->type != YNODE_SCALAR) {
			suite_yaml_describe(key, what, sizeof(what));
			suite_error_set(err, key, "expected a knob name, found %s", what);
			return -1;
		}
		if (!strcmp(key->value, "batch")) {
			knob_lookup("num_batch", &found);
			suite_warn(s, key->line, key->column,
				   "'batch' is not an Ollama option (the server would ignore it); it became 'num_batch'");
		} else if (!strcmp(key->value, "f16_kv")) {
			def = &f16_kv_def;
			is_f16_kv = 1;
		} else if (knob_lookup(key->value, &found)) {
			return unknown_knob(key, err);
		}
		prev = suite_knob_find(set, is_f16_kv ? "OLLAMA_KV_CACHE_TYPE" : def->name);
		if (prev && !strcmp(prev->name, key->value)) {
			suite_error_set(err, key, "duplicate knob '%s' (first at line %d)", key->value,
					prev->line);
			return -1;
		} else if (prev) {
			suite_error_set(err, key, "knob '%s' is '%s' today, which is already given at line %d",
					key->value, prev->name, prev->line);
			return -1;
		}
		set->items = xrealloc(set->items, (set->n + 1) * sizeof(*set->items));
		k = &set->items[set->n++];
		memset(k, 0, sizeof(*k));
		k->name = xstrdup(def->name);
		k->kind = def->kind;
		k->type = def->type;
		k->line = key->line;
		k->column = key->column;
		c.k = k;
		c.def = def;
		c.key = key->value;
		c.err = err;
		if (parse_values(&c, val))
			return -1;
		if (is_f16_kv)
			f16_kv_convert(k);
	}
	return 0;
}

static void join_values(const struct suite_knob *k, char *buf, size_t len)
{
	size_t i, off = 0;
	buf[0] = '\0';
	for (i = 0; i < k->n_values && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", k->values[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int suite_knobs_check_mode(struct suite *s, struct suite_knobset *set, struct suite_error *err)
{
	size_t i = 0;
	char vals[256];

	while (i < set->n) {
		struct suite_knob *k = &set->items[i];
		if (k->kind != SUITE_KNOB_SERVER) {
			i++;
			continue;
		}
		if (!k->from_f16_kv) {
			if (s->server.mode == SUITE_SERVER_EXTERNAL) {
				struct ynode at = { .type = YNODE_SCALAR };
				at.line = k->line;
				at.column = k->column;
				suite_error_set(err, &at, "server knob '%s' needs 'server: {mode: managed}' "
						"(o3 restarts its own ollama serve for it); in external mode "
						"the running server's settings are recorded as found", k->name);
				return -1;
			}
			i++;
			continue;
		}
		join_values(k, vals, sizeof(vals));
		if (s->server.mode == SUITE_SERVER_MANAGED) {
			suite_warn(s, k->line, k->column,
				   "'f16_kv' was removed from Ollama in v0.7.0; it became the server knob "
				   "'OLLAMA_KV_CACHE_TYPE: [%s]' (true -> f16; false asked for a 32-bit cache, and o3 measures the smaller q8_0 cache instead, today's precision trade-off)", vals);
			i++;
			continue;
		}
		suite_warn(s, k->line, k->column,
			   "'f16_kv' was removed from Ollama in v0.7.0; it became the server knob "
			   "'OLLAMA_KV_CACHE_TYPE: [%s]' (true -> f16; false asked for a 32-bit cache, and o3 measures the smaller q8_0 cache instead, today's precision trade-off), which needs "
			   "'server: {mode: managed}'; ignored in external mode (the running "
			   "server's KV cache type is recorded)", vals);
		knob_release(k);
		memmove(k, k + 1, (set->n - i - 1) * sizeof(*k));
		set->n--;
	}
	return 0;
}
