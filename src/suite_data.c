// SPDX-License-Identifier: MIT
/*
 * The struct suite itself: its defaults, its release, criteria and
 * regression patches, size classes and the model list. Below the section parser (suite_parse.c), which fills it,
 * and above the knobs (suite_knobs.c), whose sets it releases.
 */
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

static void default_criteria(struct suite_criteria *c)
{
	c->ttft_s = 2.0;
	c->decode_tps_min = 20.0;
	c->gpu_memory_max_pct = 90.0;
	c->oom_allowed = 0;
	c->needle = 1;
	c->stability_success_min_pct = 100.0;
}

/* The gate: decode 5 %, TTFT 10 %, prefill 10 %, peak memory 5 %. */
static void default_regression(struct suite_regression *r)
{
	r->decode_pct = 5.0;
	r->ttft_pct = 10.0;
	r->prefill_pct = 10.0;
	r->memory_pct = 5.0;
	r->decode_at_fill_pct = 10.0;
	r->ttft_at_fill_pct = 15.0;
	r->stability_p99_pct = 20.0;
	r->alpha = 0.05;
	r->repetitions = 0; /* auto */
	r->max_repetitions = 30;
	r->strict = 0;
}

void suite_init(struct suite *s)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("suite");
	default_criteria(&s->criteria);
	default_regression(&s->regression.v);
	/* the mission's size-class rule: decode > 10 tok/s at 20B parameters and more */
	s->size_classes = xcalloc(1, sizeof(*s->size_classes));
	s->n_size_classes = 1;
	s->size_classes[0].name = xstrdup("large");
	s->size_classes[0].min_params_b = 20;
	s->size_classes[0].max_params_b = -1;
	s->size_classes[0].criteria.set = SUITE_CRIT_DECODE;
	s->size_classes[0].criteria.v.decode_tps_min = 10.0;
	s->scenarios.interactive_prompt_tokens = 512;
	s->scenarios.fill_ratio = 0.9;
	s->repetitions = 5;
	s->warmup = 1;
	s->search.ceiling = 1;
	s->search.start = 4096;
	s->search.resolution = 1024;
	s->search.max = 0;
	s->timeouts.connect_ms = 5000;
	s->timeouts.first_byte_ms = 600000;
	s->timeouts.stall_ms = 120000;
	s->timeouts.total_ms = 0;
	s->timeouts.trial_ms = 1800000;
	s->stability.streams = xcalloc(2, sizeof(*s->stability.streams));
	s->stability.streams[0].per_slot = 1;
	s->stability.streams[1].per_slot = 2;
	s->stability.n_streams = 2;
	s->stability.requests = 4;
	s->stability.min_samples = 100;
	s->server.mode = SUITE_SERVER_EXTERNAL;
	s->server.binary = xstrdup("ollama");
}

void suite_size_classes_release(struct suite *s)
{
	size_t i;
	for (i = 0; i < s->n_size_classes; i++) {
		free(s->size_classes[i].name);
		suite_knobset_release(&s->size_classes[i].knobs);
	}
	FREE_AND_NULL(s->size_classes);
	s->n_size_classes = 0;
}

void suite_release(struct suite *s)
{
	size_t i;
	free(s->file);
	free(s->name);
	free(s->description);
	for (i = 0; i < s->n_models; i++)
		free(s->models[i]);
	free(s->models);
	suite_knobset_release(&s->knobs);
	suite_size_classes_release(s);
	for (i = 0; i < s->n_overrides; i++) {
		free(s->overrides[i].model);
		suite_knobset_release(&s->overrides[i].knobs);
	}
	free(s->overrides);
	free(s->stability.streams);
	free(s->server.binary);
	for (i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	memset(s, 0, sizeof(*s));
}

void suite_criteria_apply(struct suite_criteria *c, const struct suite_criteria_patch *p)
{
	if (p->set & SUITE_CRIT_TTFT)
		c->ttft_s = p->v.ttft_s;
	if (p->set & SUITE_CRIT_DECODE)
		c->decode_tps_min = p->v.decode_tps_min;
	if (p->set & SUITE_CRIT_GPU_MEM)
		c->gpu_memory_max_pct = p->v.gpu_memory_max_pct;
	if (p->set & SUITE_CRIT_OOM)
		c->oom_allowed = p->v.oom_allowed;
	if (p->set & SUITE_CRIT_NEEDLE)
		c->needle = p->v.needle;
	if (p->set & SUITE_CRIT_STABILITY)
		c->stability_success_min_pct = p->v.stability_success_min_pct;
}

void suite_regression_apply(struct suite_regression *r, const struct suite_regression_patch *p)
{
	if (p->set & SUITE_REG_DECODE)
		r->decode_pct = p->v.decode_pct;
	if (p->set & SUITE_REG_TTFT)
		r->ttft_pct = p->v.ttft_pct;
	if (p->set & SUITE_REG_PREFILL)
		r->prefill_pct = p->v.prefill_pct;
	if (p->set & SUITE_REG_MEMORY)
		r->memory_pct = p->v.memory_pct;
	if (p->set & SUITE_REG_DECODE_AT_FILL)
		r->decode_at_fill_pct = p->v.decode_at_fill_pct;
	if (p->set & SUITE_REG_TTFT_AT_FILL)
		r->ttft_at_fill_pct = p->v.ttft_at_fill_pct;
	if (p->set & SUITE_REG_STABILITY_P99)
		r->stability_p99_pct = p->v.stability_p99_pct;
	if (p->set & SUITE_REG_ALPHA)
		r->alpha = p->v.alpha;
	if (p->set & SUITE_REG_REPETITIONS)
		r->repetitions = p->v.repetitions;
	if (p->set & SUITE_REG_MAX_REPETITIONS)
		r->max_repetitions = p->v.max_repetitions;
	if (p->set & SUITE_REG_STRICT)
		r->strict = p->v.strict;
}

void suite_regression_merge(struct suite_regression_patch *into,
			    const struct suite_regression_patch *p)
{
	suite_regression_apply(&into->v, p);
	into->set |= p->set;
	if (p->set & SUITE_REG_REPETITIONS) {
		into->repetitions_line = p->repetitions_line;
		into->repetitions_column = p->repetitions_column;
	}
	if (p->set & SUITE_REG_MAX_REPETITIONS) {
		into->max_repetitions_line = p->max_repetitions_line;
		into->max_repetitions_column = p->max_repetitions_column;
	}
}

int suite_class_holds(const struct suite_size_class *sc, double params_billion)
{
	if (params_billion < 0)
		return 0;
	return params_billion >= sc->min_params_b &&
	       (sc->max_params_b < 0 || params_billion < sc->max_params_b);
}

int suite_has_model(const struct suite *s, const char *model)
{
	size_t i;
	if (s->all_models)
		return 1;
	for (i = 0; i < s->n_models; i++)
		if (!strcmp(s->models[i], model))
			return 1;
	return 0;
}
