// SPDX-License-Identifier: MIT
/*
 * The sections of a suite file: each key, its type, its valid values. Walks
 * the node tree built by suite_yaml.c and stops at the first mistake, with
 * the node's line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

/* Caps that keep every check fast on hostile input. */
#define MAX_MODELS 1024
#define MAX_SIZE_CLASSES 32
#define MAX_STREAMS 64
#define MAX_MIN_SAMPLES 100000

/* ---- criteria ---------------------------------------------------------------- */

static int f_ttft(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_TTFT;
	return suite_get_double(c, k->value, v, 0, 1, 1e9, "above 0", &p->v.ttft_s);
}

static int f_decode(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_DECODE;
	return suite_get_double(c, k->value, v, 0, 0, 1e9, "at least 0", &p->v.decode_tps_min);
}

static int f_gpu_mem(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_GPU_MEM;
	return suite_get_double(c, k->value, v, 0, 1, 100, "above 0, at most 100",
				&p->v.gpu_memory_max_pct);
}

static int f_oom(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_OOM;
	return suite_get_long(c, k->value, v, 0, &p->v.oom_allowed);
}

static int f_needle(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_NEEDLE;
	return suite_get_bool(c, k->value, v, &p->v.needle);
}

static int f_stab_pct(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch *p = dst;
	p->set |= SUITE_CRIT_STABILITY;
	return suite_get_double(c, k->value, v, 0, 1, 100, "above 0, at most 100",
				&p->v.stability_success_min_pct);
}

static const struct field criteria_fields[] = {
	{ "ttft_s", f_ttft },
	{ "decode_tps_min", f_decode },
	{ "gpu_memory_max_pct", f_gpu_mem },
	{ "oom_allowed", f_oom },
	{ "needle", f_needle },
	{ "stability_success_min_pct", f_stab_pct },
};

static int parse_criteria(struct pctx *c, const struct ynode *v, struct suite_criteria_patch *p)
{
	return suite_walk(c, "criteria", v, criteria_fields, ARRAY_SIZE(criteria_fields), p, NULL);
}

/* ---- regression --------------------------------------------------------------- */

#define MAX_REPETITIONS 1000

#define TOLERANCE_FIELD(fn, bit, member)                                                     \
	static int fn(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst) \
	{                                                                                      \
		struct suite_regression_patch *p = dst;                                        \
		p->set |= bit;                                                                 \
		return suite_get_double(c, k->value, v, 0, 1, 100, "above 0, at most 100",     \
					&p->v.member);                                         \
	}
TOLERANCE_FIELD(f_tol_decode, SUITE_REG_DECODE, decode_pct)
TOLERANCE_FIELD(f_tol_ttft, SUITE_REG_TTFT, ttft_pct)
TOLERANCE_FIELD(f_tol_prefill, SUITE_REG_PREFILL, prefill_pct)
TOLERANCE_FIELD(f_tol_memory, SUITE_REG_MEMORY, memory_pct)
TOLERANCE_FIELD(f_tol_decode_fill, SUITE_REG_DECODE_AT_FILL, decode_at_fill_pct)
TOLERANCE_FIELD(f_tol_ttft_fill, SUITE_REG_TTFT_AT_FILL, ttft_at_fill_pct)
TOLERANCE_FIELD(f_tol_p99, SUITE_REG_STABILITY_P99, stability_p99_pct)
#undef TOLERANCE_FIELD

static const struct field tolerance_fields[] = {
	{ "decode", f_tol_decode },
	{ "ttft", f_tol_ttft },
	{ "prefill", f_tol_prefill },
	{ "memory", f_tol_memory },
	{ "decode_at_fill", f_tol_decode_fill },
	{ "ttft_at_fill", f_tol_ttft_fill },
	{ "stability_p99", f_tol_p99 },
};

static int f_reg_tolerances(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_walk(c, "tolerances", v, tolerance_fields, ARRAY_SIZE(tolerance_fields), dst,
			  NULL);
}

static int f_reg_alpha(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_regression_patch *p = dst;
	p->set |= SUITE_REG_ALPHA;
	return suite_get_double(c, k->value, v, 0, 1, 0.5, "above 0, at most 0.5", &p->v.alpha);
}

/* A number of requests, or auto (0). */
static int f_reg_repetitions(struct pctx *c, const struct ynode *k, const struct ynode *v,
			     void *dst)
{
	struct suite_regression_patch *p = dst;
	long l;

	p->set |= SUITE_REG_REPETITIONS;
	p->repetitions_line = v->line;
	p->repetitions_column = v->column;
	if (suite_is_text(v) && !strcmp(v->value, "auto")) {
		p->v.repetitions = 0;
		return 0;
	}
	if (!suite_is_text(v) || o3_parse_long(v->value, &l))
		return suite_wrong_type(c, "repetitions", v, "a number of requests or 'auto'");
	if (l < 1 || l > MAX_REPETITIONS) {
		suite_error_set(c->err, v, "'repetitions': %ld is out of range (1 to %d, or auto)", l,
				MAX_REPETITIONS);
		return -1;
	}
	p->v.repetitions = l;
	return 0;
}

static int f_reg_max_repetitions(struct pctx *c, const struct ynode *k, const struct ynode *v,
				 void *dst)
{
	struct suite_regression_patch *p = dst;
	p->set |= SUITE_REG_MAX_REPETITIONS;
	p->max_repetitions_line = v->line;
	p->max_repetitions_column = v->column;
	return suite_get_long_range(c, "max_repetitions", v, 3, MAX_REPETITIONS,
				    &p->v.max_repetitions);
}

static int f_reg_strict(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_regression_patch *p = dst;
	p->set |= SUITE_REG_STRICT;
	return suite_get_bool(c, "strict", v, &p->v.strict);
}

static const struct field regression_fields[] = {
	{ "tolerances", f_reg_tolerances },
	{ "alpha", f_reg_alpha },
	{ "repetitions", f_reg_repetitions },
	{ "max_repetitions", f_reg_max_repetitions },
	{ "strict", f_reg_strict },
};

static int parse_regression(struct pctx *c, const struct ynode *v,
			    struct suite_regression_patch *p)
{
	return suite_walk(c, "regression", v, regression_fields, ARRAY_SIZE(regression_fields), p,
			  NULL);
}

/* ---- top-level sections ------------------------------------------------------- */

#define SUITE_OF(dst) ((struct suite *)(dst))

static int valid_model_name(const char *m)
{
	if (!*m)
		return 0;
	for (; *m; m++)
		if ((unsigned char)*m <= ' ' || *m == 0x7f)
			return 0;
	return 1;
}

static int f_models(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	size_t i, j;

	if (suite_is_text(v) && !strcmp(v->value, "all")) {
		s->all_models = 1;
		return 0;
	}
	if (v->type != YNODE_SEQUENCE)
		return suite_wrong_type(c, "models", v, "a list of model names or 'all'");
	if (!v->n) {
		suite_error_set(c->err, v, "'models': the list is empty; name at least one model, "
				"or write 'models: all' for every pulled model");
		return -1;
	}
	if (v->n > MAX_MODELS) {
		suite_error_set(c->err, v, "'models': more than %d models", MAX_MODELS);
		return -1;
	}
	s->models = xcalloc(v->n, sizeof(*s->models));
	for (i = 0; i < v->n; i++) {
		const struct ynode *m = v->items[i];
		if (!suite_is_text(m))
			return suite_wrong_type(c, "models", m, "a model name");
		if (!valid_model_name(m->value)) {
			suite_error_set(c->err, m, "'models': '%s' is not a model name", m->value);
			return -1;
		}
		for (j = 0; j < s->n_models; j++)
			if (!strcmp(s->models[j], m->value)) {
				suite_error_set(c->err, m, "'models': '%s' is listed twice", m->value);
				return -1;
			}
		s->models[s->n_models++] = xstrdup(m->value);
	}
	return 0;
}

static int f_knobs(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_knobs_parse(c->s, v, &SUITE_OF(dst)->knobs, c->err);
}

static int f_criteria(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_criteria_patch p;
	memset(&p, 0, sizeof(p));
	if (parse_criteria(c, v, &p))
		return -1;
	suite_criteria_apply(&SUITE_OF(dst)->criteria, &p);
	return 0;
}

static int f_regression(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite_regression_patch p;
	memset(&p, 0, sizeof(p));
	if (parse_regression(c, v, &p))
		return -1;
	suite_regression_merge(&SUITE_OF(dst)->regression, &p);
	return 0;
}

/* size_classes: {name: {min_params_b, max_params_b, criteria, knobs, regression}} */
static int f_sc_min(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_double(c, k->value, v, 0, 0, 1e6, "at least 0",
			  &((struct suite_size_class *)dst)->min_params_b);
}

static int f_sc_max(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_double(c, k->value, v, 0, 1, 1e6, "above 0",
			  &((struct suite_size_class *)dst)->max_params_b);
}

static int f_sc_criteria(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return parse_criteria(c, v, &((struct suite_size_class *)dst)->criteria);
}

static int f_sc_knobs(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_knobs_parse(c->s, v, &((struct suite_size_class *)dst)->knobs, c->err);
}

static int f_sc_regression(struct pctx *c, const struct ynode *k, const struct ynode *v,
			   void *dst)
{
	return parse_regression(c, v, &((struct suite_size_class *)dst)->regression);
}

static const struct field size_class_fields[] = {
	{ "min_params_b", f_sc_min },
	{ "max_params_b", f_sc_max },
	{ "criteria", f_sc_criteria },
	{ "knobs", f_sc_knobs },
	{ "regression", f_sc_regression },
};

static int f_size_classes(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	size_t i, j;

	suite_size_classes_release(s); /* the file's classes replace the default one */
	if (suite_yaml_is_null(v))
		return 0;
	if (v->type != YNODE_MAPPING)
		return suite_wrong_type(c, "size_classes", v, "a mapping of class names to classes");
	if (v->n / 2 > MAX_SIZE_CLASSES) {
		suite_error_set(c->err, v, "'size_classes': more than %d classes", MAX_SIZE_CLASSES);
		return -1;
	}
	s->size_classes = xcalloc(v->n / 2 + 1, sizeof(*s->size_classes));
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *name = v->items[i], *body = v->items[i + 1];
		struct suite_size_class *sc = &s->size_classes[s->n_size_classes];
		if (!suite_is_text(name))
			return suite_wrong_type(c, "size_classes", name, "a class name");
		for (j = 0; j < s->n_size_classes; j++)
			if (!strcmp(s->size_classes[j].name, name->value)) {
				suite_error_set(c->err, name, "duplicate size class '%s'", name->value);
				return -1;
			}
		sc->name = xstrdup(name->value);
		sc->max_params_b = -1;
		s->n_size_classes++;
		if (suite_walk(c, name->value, body, size_class_fields, ARRAY_SIZE(size_class_fields), sc,
			 NULL))
			return -1;
		if (sc->max_params_b >= 0 && sc->max_params_b <= sc->min_params_b) {
			suite_error_set(c->err, suite_map_get(body, "max_params_b"),
					"size class '%s': max_params_b %g is not above "
					"min_params_b %g", sc->name, sc->max_params_b, sc->min_params_b);
			return -1;
		}
	}
	return 0;
}

/* overrides: {model: {criteria, knobs, regression}} */
static int f_ov_criteria(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return parse_criteria(c, v, &((struct suite_override *)dst)->criteria);
}

static int f_ov_knobs(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_knobs_parse(c->s, v, &((struct suite_override *)dst)->knobs, c->err);
}

static int f_ov_regression(struct pctx *c, const struct ynode *k, const struct ynode *v,
			   void *dst)
{
	return parse_regression(c, v, &((struct suite_override *)dst)->regression);
}

static const struct field override_fields[] = {
	{ "criteria", f_ov_criteria },
	{ "knobs", f_ov_knobs },
	{ "regression", f_ov_regression },
};

static int f_overrides(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	size_t i, j;

	if (suite_yaml_is_null(v))
		return 0;
	if (v->type != YNODE_MAPPING)
		return suite_wrong_type(c, "overrides", v, "a mapping of model names to settings");
	if (v->n / 2 > MAX_MODELS) {
		suite_error_set(c->err, v, "'overrides': more than %d models", MAX_MODELS);
		return -1;
	}
	s->overrides = xcalloc(v->n / 2 + 1, sizeof(*s->overrides));
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *name = v->items[i], *body = v->items[i + 1];
		struct suite_override *o = &s->overrides[s->n_overrides];
		if (!suite_is_text(name))
			return suite_wrong_type(c, "overrides", name, "a model name");
		for (j = 0; j < s->n_overrides; j++)
			if (!strcmp(s->overrides[j].model, name->value)) {
				suite_error_set(c->err, name, "duplicate override for model '%s' "
						"(first at line %d)", name->value, s->overrides[j].line);
				return -1;
			}
		o->model = xstrdup(name->value);
		o->line = name->line;
		o->column = name->column;
		s->n_overrides++;
		if (suite_walk(c, name->value, body, override_fields, ARRAY_SIZE(override_fields), o, NULL))
			return -1;
	}
	return 0;
}

static int f_prompt_tokens(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long(c, k->value, v, 1, &SUITE_OF(dst)->scenarios.interactive_prompt_tokens);
}

static int f_fill_ratio(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_double(c, k->value, v, 0, 1, 1, "above 0, at most 1",
			  &SUITE_OF(dst)->scenarios.fill_ratio);
}

static const struct field scenario_fields[] = {
	{ "interactive_prompt_tokens", f_prompt_tokens },
	{ "fill_ratio", f_fill_ratio },
};

static int f_scenarios(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_walk(c, "scenarios", v, scenario_fields, ARRAY_SIZE(scenario_fields), dst, NULL);
}

static int f_repetitions(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long_range(c, "repetitions", v, 1, SUITE_MAX_REPETITIONS,
				    &SUITE_OF(dst)->repetitions);
}

static int f_warmup(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long_range(c, "warmup", v, 0, SUITE_MAX_WARMUP, &SUITE_OF(dst)->warmup);
}

static int f_ceiling(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_bool(c, "ceiling", v, &SUITE_OF(dst)->search.ceiling);
}

static int f_start(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long(c, "start", v, 1, &SUITE_OF(dst)->search.start);
}

static int f_resolution(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long(c, "resolution", v, 1, &SUITE_OF(dst)->search.resolution);
}

static int f_max(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	if (suite_is_text(v) && !strcmp(v->value, "trained")) {
		s->search.max = 0;
		return 0;
	}
	if (!suite_is_text(v) || o3_parse_long(v->value, &s->search.max))
		return suite_wrong_type(c, "max", v, "a number of tokens or 'trained'");
	if (s->search.max < 1) {
		suite_error_set(c->err, v, "'max': %s is out of range (at least 1)", v->value);
		return -1;
	}
	return 0;
}

static const struct field search_fields[] = {
	{ "ceiling", f_ceiling },
	{ "start", f_start },
	{ "resolution", f_resolution },
	{ "max", f_max },
};

static int f_search(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	if (suite_walk(c, "search", v, search_fields, ARRAY_SIZE(search_fields), dst, NULL))
		return -1;
	if (s->search.max && s->search.max < s->search.start) {
		suite_error_set(c->err, suite_map_get(v, "max"), "'max': %ld is below start %ld",
				s->search.max,
				s->search.start);
		return -1;
	}
	return 0;
}

#define TIMEOUT_FIELD(fn, member)                                                         \
	static int fn(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst) \
	{                                                                                      \
		return suite_get_seconds(c, k->value, v, &SUITE_OF(dst)->timeouts.member);          \
	}
TIMEOUT_FIELD(f_connect, connect_ms)
TIMEOUT_FIELD(f_first_byte, first_byte_ms)
TIMEOUT_FIELD(f_stall, stall_ms)
TIMEOUT_FIELD(f_total, total_ms)
TIMEOUT_FIELD(f_trial, trial_ms)
#undef TIMEOUT_FIELD

static const struct field timeout_fields[] = {
	{ "connect_s", f_connect },
	{ "first_byte_s", f_first_byte },
	{ "stall_s", f_stall },
	{ "total_s", f_total },
	{ "trial_s", f_trial },
};

static int f_timeouts(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_walk(c, "timeouts", v, timeout_fields, ARRAY_SIZE(timeout_fields), dst, NULL);
}

/* streams: [parallel, 2x, 8]: per slot, N times the slots, or a count */
static int parse_stream(struct pctx *c, const struct ynode *n, struct suite_streams *out)
{
	size_t len;
	long l;
	char *num;

	out->count = out->per_slot = 0;
	if (!suite_is_text(n))
		return suite_wrong_type(c, "streams", n, "a number of streams, 'parallel' or 'Nx'");
	if (!strcmp(n->value, "parallel")) {
		out->per_slot = 1;
		return 0;
	}
	if (!o3_parse_long(n->value, &l)) {
		if (l < 1 || l > SUITE_MAX_STREAMS) {
			suite_error_set(c->err, n, "'streams': %ld is out of range (1 to %d)", l,
					SUITE_MAX_STREAMS);
			return -1;
		}
		out->count = l;
		return 0;
	}
	len = strlen(n->value);
	if (len < 2 || n->value[len - 1] != 'x')
		return suite_wrong_type(c, "streams", n, "a number of streams, 'parallel' or 'Nx'");
	num = xstrndup(n->value, len - 1);
	if (o3_parse_long(num, &l) || l < 1) {
		free(num);
		return suite_wrong_type(c, "streams", n, "a number of streams, 'parallel' or 'Nx'");
	}
	if (l > SUITE_MAX_STREAMS) {
		free(num);
		suite_error_set(c->err, n, "'streams': %ldx is out of range (1x to %dx)", l,
				SUITE_MAX_STREAMS);
		return -1;
	}
	free(num);
	out->per_slot = l;
	return 0;
}

static int f_streams(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	struct suite *s = SUITE_OF(dst);
	size_t i, j;

	if (v->type != YNODE_SEQUENCE)
		return suite_wrong_type(c, "streams", v, "a list such as [parallel, 2x]");
	if (v->n > MAX_STREAMS) {
		suite_error_set(c->err, v, "'streams': more than %d levels", MAX_STREAMS);
		return -1;
	}
	FREE_AND_NULL(s->stability.streams);
	s->stability.n_streams = 0;
	s->stability.streams = xcalloc(v->n + 1, sizeof(*s->stability.streams));
	for (i = 0; i < v->n; i++) {
		struct suite_streams st;
		if (parse_stream(c, v->items[i], &st))
			return -1;
		for (j = 0; j < s->stability.n_streams; j++)
			if (s->stability.streams[j].count == st.count &&
			    s->stability.streams[j].per_slot == st.per_slot) {
				suite_error_set(c->err, v->items[i], "'streams': '%s' given twice",
						v->items[i]->value);
				return -1;
			}
		s->stability.streams[s->stability.n_streams++] = st;
	}
	return 0;
}

static int f_requests(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_long_range(c, "requests", v, 1, SUITE_MAX_REQUESTS,
				    &SUITE_OF(dst)->stability.requests);
}

static int f_min_samples(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	long n;
	if (suite_get_long(c, "min_samples", v, 1, &n))
		return -1;
	if (n > MAX_MIN_SAMPLES) {
		suite_error_set(c->err, v, "'min_samples': %ld is out of range (at most %d)", n,
				MAX_MIN_SAMPLES);
		return -1;
	}
	SUITE_OF(dst)->stability.min_samples = n;
	return 0;
}

static const struct field stability_fields[] = {
	{ "streams", f_streams },
	{ "requests", f_requests },
	{ "min_samples", f_min_samples },
};

static int f_stability(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_walk(c, "stability", v, stability_fields, ARRAY_SIZE(stability_fields), dst, NULL);
}

static int f_mode(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	static const char *const modes[] = { "external", "managed" };
	struct suite *s = SUITE_OF(dst);
	const char *near;

	if (!suite_is_text(v))
		return suite_wrong_type(c, "mode", v, "'external' or 'managed'");
	if (!strcmp(v->value, "external")) {
		s->server.mode = SUITE_SERVER_EXTERNAL;
	} else if (!strcmp(v->value, "managed")) {
		s->server.mode = SUITE_SERVER_MANAGED;
	} else {
		near = o3_nearest(v->value, modes, 2);
		if (near)
			suite_error_set(c->err, v, "'mode': unknown mode '%s'; did you mean '%s'?",
					v->value, near);
		else
			suite_error_set(c->err, v, "'mode': unknown mode '%s' (external or managed)",
					v->value);
		return -1;
	}
	return 0;
}

static int f_binary(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_string(c, "binary", v, &SUITE_OF(dst)->server.binary);
}

static const struct field server_fields[] = {
	{ "mode", f_mode },
	{ "binary", f_binary },
};

static int f_server(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_walk(c, "server", v, server_fields, ARRAY_SIZE(server_fields), dst, NULL);
}

static int f_name(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_string(c, "name", v, &SUITE_OF(dst)->name);
}

static int f_description(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	return suite_get_string(c, "description", v, &SUITE_OF(dst)->description);
}

static int f_version(struct pctx *c, const struct ynode *k, const struct ynode *v, void *dst)
{
	long ver;
	if (suite_get_long(c, "version", v, 1, &ver))
		return -1;
	if (ver != 1) {
		suite_error_set(c->err, v, "'version': this o3 reads suite format 1, not %ld", ver);
		return -1;
	}
	return 0;
}

enum { TOP_MODELS = 1 }; /* bit of "models" in the walk's seen mask */

static const struct field top_fields[] = {
	{ "version", f_version },
	{ "models", f_models },
	{ "name", f_name },
	{ "description", f_description },
	{ "knobs", f_knobs },
	{ "criteria", f_criteria },
	{ "regression", f_regression },
	{ "size_classes", f_size_classes },
	{ "overrides", f_overrides },
	{ "scenarios", f_scenarios },
	{ "repetitions", f_repetitions },
	{ "warmup", f_warmup },
	{ "search", f_search },
	{ "timeouts", f_timeouts },
	{ "stability", f_stability },
	{ "server", f_server },
};

/* Where a level of the resolution gives repetitions / max_repetitions. */
static void note_levels(const struct suite_regression_patch *p, int level, int *rep_level,
			int *max_level)
{
	if (p->set & SUITE_REG_REPETITIONS)
		*rep_level = level;
	if (p->set & SUITE_REG_MAX_REPETITIONS)
		*max_level = level;
}

/*
 * A number of repetitions above max_repetitions, both given in the file, is
 * an error for every model it can reach: each override (or none) over each
 * set of size classes that a parameter count selects (the set changes only
 * at the classes' bounds). The model's size is unknown here, so an override
 * is checked with every class. The key of the later level is blamed (in one
 * section, the one written later).
 */
static int check_repetitions(struct pctx *c, struct suite *s)
{
	double points[2 * MAX_SIZE_CLASSES + 1];
	unsigned all = s->regression.set;
	size_t np = 0, i, o, p;

	for (i = 0; i < s->n_size_classes; i++)
		all |= s->size_classes[i].regression.set;
	for (i = 0; i < s->n_overrides; i++)
		all |= s->overrides[i].regression.set;
	if (!(all & SUITE_REG_REPETITIONS) || !(all & SUITE_REG_MAX_REPETITIONS))
		return 0;
	points[np++] = -1; /* unknown size: no class */
	for (i = 0; i < s->n_size_classes && np + 2 <= ARRAY_SIZE(points); i++) {
		points[np++] = s->size_classes[i].min_params_b;
		if (s->size_classes[i].max_params_b >= 0)
			points[np++] = s->size_classes[i].max_params_b;
	}
	for (o = 0; o <= s->n_overrides; o++) {
		/* an override without either key resolves as no override does */
		if (o && !(s->overrides[o - 1].regression.set &
			   (SUITE_REG_REPETITIONS | SUITE_REG_MAX_REPETITIONS)))
			continue;
		for (p = 0; p < np; p++) {
			struct suite_regression_patch m = s->regression;
			struct ynode at = { .type = YNODE_SCALAR };
			int level = 0, rep_level = 0, max_level = 0;

			for (i = 0; i < s->n_size_classes; i++) {
				if (!suite_class_holds(&s->size_classes[i], points[p]))
					continue;
				note_levels(&s->size_classes[i].regression, ++level, &rep_level,
					    &max_level);
				suite_regression_merge(&m, &s->size_classes[i].regression);
			}
			if (o) {
				note_levels(&s->overrides[o - 1].regression, ++level, &rep_level,
					    &max_level);
				suite_regression_merge(&m, &s->overrides[o - 1].regression);
			}
			if (!(m.set & SUITE_REG_REPETITIONS) || !(m.set & SUITE_REG_MAX_REPETITIONS) ||
			    !m.v.repetitions || m.v.max_repetitions >= m.v.repetitions)
				continue;
			if (max_level > rep_level ||
			    (max_level == rep_level &&
			     (m.max_repetitions_line > m.repetitions_line ||
			      (m.max_repetitions_line == m.repetitions_line &&
			       m.max_repetitions_column > m.repetitions_column)))) {
				at.line = m.max_repetitions_line;
				at.column = m.max_repetitions_column;
				suite_error_set(c->err, &at, "'max_repetitions': %ld is below "
						"repetitions %ld (line %d)", m.v.max_repetitions,
						m.v.repetitions, m.repetitions_line);
			} else {
				at.line = m.repetitions_line;
				at.column = m.repetitions_column;
				suite_error_set(c->err, &at, "'repetitions': %ld is above "
						"max_repetitions %ld (line %d)", m.v.repetitions,
						m.v.max_repetitions, m.max_repetitions_line);
			}
			return -1;
		}
	}
	return 0;
}

/* Checks that need the whole file: server mode, override names, repetitions. */
static int check_whole(struct pctx *c, struct suite *s)
{
	struct ynode at = { .type = YNODE_SCALAR };
	size_t i;
	const char *near;

	if (suite_knobs_check_mode(s, &s->knobs, c->err))
		return -1;
	for (i = 0; i < s->n_size_classes; i++)
		if (suite_knobs_check_mode(s, &s->size_classes[i].knobs, c->err))
			return -1;
	for (i = 0; i < s->n_overrides; i++) {
		struct suite_override *o = &s->overrides[i];
		if (suite_knobs_check_mode(s, &o->knobs, c->err))
			return -1;
		if (suite_has_model(s, o->model))
			continue;
		at.line = o->line;
		at.column = o->column;
		near = o3_nearest(o->model, (const char *const *)s->models, s->n_models);
		if (near)
			suite_error_set(c->err, &at, "override for model '%s', which is not in "
					"'models'; did you mean '%s'?", o->model, near);
		else
			suite_error_set(c->err, &at, "override for model '%s', which is not in 'models'",
					o->model);
		return -1;
	}
	return check_repetitions(c, s);
}

int suite_parse_tree(struct suite *s, const struct ynode *root, struct suite_error *err)
{
	struct pctx c = { s, err };
	unsigned seen = 0;

	if (!root) {
		snprintf(err->message, sizeof(err->message),
			 "the file is empty; a suite needs at least 'models'");
		return -1;
	}
	if (root->type != YNODE_MAPPING)
		return suite_wrong_type(&c, "suite", root,
					"a mapping of sections (models, knobs, criteria, ...)");
	if (suite_walk(&c, "suite", root, top_fields, ARRAY_SIZE(top_fields), s, &seen))
		return -1;
	if (!(seen & (1u << TOP_MODELS))) {
		suite_error_set(err, root, "missing key 'models' (a list of model names, or 'all')");
		return -1;
	}
	return check_whole(&c, s);
}
