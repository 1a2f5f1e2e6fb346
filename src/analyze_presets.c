// SPDX-License-Identifier: MIT
/* Choosing presets among measured trials (analyze_presets.h). Pure. */
#include "analyze_presets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "stats_compare.h"
#include "util.h"
#include "banned.h"

static double opt_num(const cJSON *t, const char *k)
{
	return rec_option(t, k, 0);
}


/* Options a trial sets away from Ollama's defaults (num_ctx aside). */
int analyze_changed_defaults(const cJSON *t)
{
	static const struct { const char *name; double value; } defaults[] = {
		{ "num_batch", 512 }, { "num_predict", -1 }, { "num_gpu", -1 }, { "num_thread", 0 },
		{ "temperature", 0.8 }, { "top_k", 40 }, { "top_p", 0.9 }, { "repeat_penalty", 1.1 },
	};
	const cJSON *o;
	int n = 0;
	size_t i;
	cJSON_ArrayForEach(o, rec_get(t, "options")) {
		int same = 0;
		if (!strcmp(o->string, "num_ctx"))
			continue;
		for (i = 0; i < ARRAY_SIZE(defaults); i++)
			if (!strcmp(o->string, defaults[i].name) && cJSON_IsNumber(o) &&
			    fabs(o->valuedouble - defaults[i].value) < 1e-9)
				same = 1;
		n += !same;
	}
	return n;
}

static size_t samples_of(const cJSON *t, double *v, size_t max)
{
	const cJSON *x;
	size_t n = 0;
	cJSON_ArrayForEach(x, rec_get(t, "decode_samples"))
		if (cJSON_IsNumber(x) && n < max)
			v[n++] = x->valuedouble;
	return n;
}

/* b before a in a tie: more context, then fewer changed defaults, then the
 * faster median */
static int tie_better(const cJSON *b, const cJSON *a)
{
	double vb = 0, va = 0;
	if (opt_num(b, "num_ctx") != opt_num(a, "num_ctx"))
		return opt_num(b, "num_ctx") > opt_num(a, "num_ctx");
	if (analyze_changed_defaults(b) != analyze_changed_defaults(a))
		return analyze_changed_defaults(b) < analyze_changed_defaults(a);
	rec_num(b, "decode_tps", &vb);
	rec_num(a, "decode_tps", &va);
	return vb > va;
}

/*
 * The fast preset: the fastest trial that meets every criterion, unless
 * another one is not slower than it beyond the noise (stats_decide over the
 * raw decode samples: WORSE needs a loss of more than FAST_MIN_GAIN that is
 * significant at FAST_ALPHA); those tie with it, and the tie keeps more
 * context and changes fewer defaults. The choice and its statistics go into
 * the preset ("choice").
 */
const cJSON *analyze_pick_fast(const cJSON *trials, cJSON *why)
{
	const cJSON *t, *fastest = NULL, *pick = NULL;
	double a[64], b[64], v = 0, w;
	size_t na, nb;
	int tied = 0, inconclusive = 0;
	cJSON *arr;
	cJSON_ArrayForEach(t, trials)
		if (cJSON_IsTrue(rec_get(t, "meets")) && rec_num(t, "decode_tps", &v) &&
		    (!fastest || (rec_num(fastest, "decode_tps", &w) && v > w)))
			fastest = t;
	if (!fastest)
		return NULL;
	na = samples_of(fastest, a, ARRAY_SIZE(a));
	arr = cJSON_AddArrayToObject(why, "compared");
	cJSON_ArrayForEach(t, trials) {
		struct stats_decision d;
		cJSON *o;
		if (!cJSON_IsTrue(rec_get(t, "meets")) || !rec_num(t, "decode_tps", &v))
			continue;
		if (t != fastest) {
			nb = samples_of(t, b, ARRAY_SIZE(b));
			stats_decide(a, na, b, nb, 1, FAST_MIN_GAIN, FAST_ALPHA, &d);
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", cJSON_GetStringValue(rec_get(t, "id")) ?
						cJSON_GetStringValue(rec_get(t, "id")) : "");
			cJSON_AddNumberToObject(o, "num_ctx", opt_num(t, "num_ctx"));
			cJSON_AddStringToObject(o, "verdict", stats_verdict_name(d.verdict));
			cJSON_AddStringToObject(o, "explanation", d.explanation);
			cJSON_AddItemToArray(arr, o);
			if (d.verdict == STATS_WORSE)
				continue;
			tied++;
			inconclusive += d.verdict == STATS_INCONCLUSIVE;
		}
		if (!pick || tie_better(t, pick))
			pick = t;
	}
	cJSON_AddStringToObject(why, "fastest_id", cJSON_GetStringValue(rec_get(fastest, "id")) ?
				cJSON_GetStringValue(rec_get(fastest, "id")) : "");
	rec_num(fastest, "decode_tps", &v);
	cJSON_AddNumberToObject(why, "fastest_decode_tps", v);
	cJSON_AddNumberToObject(why, "tied", tied);
	cJSON_AddNumberToObject(why, "inconclusive", inconclusive);
	cJSON_AddNumberToObject(why, "min_gain", FAST_MIN_GAIN);
	{
		char text[600];
		if (!tied)
			snprintf(text, sizeof(text), "the fastest: every other qualifying trial is slower "
				 "by more than %.0f %%, beyond the noise", FAST_MIN_GAIN * 100);
		else if (pick == fastest)
			snprintf(text, sizeof(text), "the fastest; %d other qualifying trial%s within the "
				 "noise (%d inconclusive) keep%s no more context", tied, tied == 1 ? "" : "s",
				 inconclusive, tied == 1 ? "s" : "");
		else
			snprintf(text, sizeof(text), "a tie with the fastest (num_ctx=%.0f, %.1f tok/s): not "
				 "slower beyond the noise and the %.0f %% minimum gain, so the tie keeps more "
				 "context and fewer changed defaults%s", opt_num(fastest, "num_ctx"), v,
				 FAST_MIN_GAIN * 100, inconclusive ? "; some trials had too few samples to tell "
				 "apart (more repetitions would decide)" : "");
		cJSON_AddStringToObject(why, "choice", text);
	}
	return pick;
}

