// SPDX-License-Identifier: MIT
/*
 * The struct suite itself: its defaults, its release, criteria patches and
 * the model list. Below the section parser (suite_parse.c), which fills it,
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

void suite_init(struct suite *s)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("suite");
	default_criteria(&s->criteria);
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
