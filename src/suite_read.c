// SPDX-License-Identifier: MIT
/*
 * Readers shared by the sections of a suite file: typed scalars with their
 * limits, and mappings with known keys (unknown keys get a suggestion,
 * duplicates are refused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

/* ---- scalar readers -------------------------------------------------------- */

int suite_wrong_type(struct pctx *c, const char *key, const struct ynode *v, const char *expected)
{
	char what[64];
	suite_yaml_describe(v, what, sizeof(what));
	suite_error_set(c->err, v, "'%s': expected %s, found %s", key, expected, what);
	return -1;
}

int suite_is_text(const struct ynode *v)
{
	return v->type == YNODE_SCALAR && !suite_yaml_is_null(v);
}

int suite_get_long(struct pctx *c, const char *key, const struct ynode *v, long min, long *out)
{
	long l;
	if (!suite_is_text(v) || o3_parse_long(v->value, &l))
		return suite_wrong_type(c, key, v, "an integer");
	if (l < min) {
		suite_error_set(c->err, v, "'%s': %ld is out of range (at least %ld)", key, l, min);
		return -1;
	}
	*out = l;
	return 0;
}

int suite_get_long_range(struct pctx *c, const char *key, const struct ynode *v, long min,
			 long max, long *out)
{
	long l;
	if (!suite_is_text(v) || o3_parse_long(v->value, &l))
		return suite_wrong_type(c, key, v, "an integer");
	if (l < min || l > max) {
		suite_error_set(c->err, v, "'%s': %ld is out of range (%ld to %ld)", key, l, min, max);
		return -1;
	}
	*out = l;
	return 0;
}

/* A number in (min, max] when min_open, else [min, max]; range says so in words. */
int suite_get_double(struct pctx *c, const char *key, const struct ynode *v, double min,
		      int min_open, double max, const char *range, double *out)
{
	double d;
	if (!suite_is_text(v) || o3_parse_double(v->value, &d))
		return suite_wrong_type(c, key, v, "a number");
	if (d < min || (min_open && d <= min) || d > max) {
		suite_error_set(c->err, v, "'%s': %s is out of range (%s)", key, v->value, range);
		return -1;
	}
	*out = d;
	return 0;
}

int suite_get_bool(struct pctx *c, const char *key, const struct ynode *v, int *out)
{
	if (suite_is_text(v) && (!strcmp(v->value, "true") || !strcmp(v->value, "True")))
		*out = 1;
	else if (suite_is_text(v) && (!strcmp(v->value, "false") || !strcmp(v->value, "False")))
		*out = 0;
	else
		return suite_wrong_type(c, key, v, "true or false");
	return 0;
}

int suite_get_string(struct pctx *c, const char *key, const struct ynode *v, char **out)
{
	if (!suite_is_text(v))
		return suite_wrong_type(c, key, v, "a string");
	free(*out);
	*out = xstrdup(v->value);
	return 0;
}

/* Seconds in the file, milliseconds in the struct; 0 = no limit. */
int suite_get_seconds(struct pctx *c, const char *key, const struct ynode *v, long *ms)
{
	double d;
	if (!suite_is_text(v) || o3_parse_double(v->value, &d))
		return suite_wrong_type(c, key, v, "a number of seconds");
	if (d < 0 || d > 1e9) {
		suite_error_set(c->err, v, "'%s': %s is out of range (at least 0; 0 = no limit)",
				key, v->value);
		return -1;
	}
	*ms = (long)(d * 1000.0 + 0.5);
	return 0;
}

/* ---- mappings ---------------------------------------------------------------- */

/*
 * Walk a mapping whose keys are the names in fields: a null value is an
 * empty mapping; unknown keys get the nearest name; a key given twice is an
 * error. seen (optional) receives a bit per field found.
 */
int suite_walk(struct pctx *c, const char *what, const struct ynode *map, const struct field *f,
		size_t nf, void *dst, unsigned *seen)
{
	int first_line[32] = { 0 };
	const char *names[32];
	unsigned mask = 0;
	size_t i, j;

	if (suite_yaml_is_null(map))
		goto done;
	if (map->type != YNODE_MAPPING)
		return suite_wrong_type(c, what, map, "a mapping");
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *key = map->items[i];
		if (!suite_is_text(key))
			return suite_wrong_type(c, what, key, "a key name");
		for (j = 0; j < nf && strcmp(f[j].key, key->value); j++)
			;
		if (j == nf) {
			const char *near;
			for (j = 0; j < nf; j++)
				names[j] = f[j].key;
			near = o3_nearest(key->value, names, nf);
			if (near)
				suite_error_set(c->err, key, "unknown key '%s'; did you mean '%s'?",
						key->value, near);
			else
				suite_error_set(c->err, key, "unknown key '%s' in '%s'", key->value, what);
			return -1;
		}
		if (mask & (1u << j)) {
			suite_error_set(c->err, key, "duplicate key '%s' (first at line %d)", key->value,
					first_line[j]);
			return -1;
		}
		mask |= 1u << j;
		first_line[j] = key->line;
		if (f[j].fn(c, key, map->items[i + 1], dst))
			return -1;
	}
done:
	if (seen)
		*seen = mask;
	return 0;
}


const struct ynode *suite_map_get(const struct ynode *map, const char *key)
{
	size_t i;
	if (!map || map->type != YNODE_MAPPING)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->type == YNODE_SCALAR && !strcmp(map->items[i]->value, key))
			return map->items[i + 1];
	return NULL;
}
