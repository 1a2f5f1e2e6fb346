// SPDX-License-Identifier: MIT
/* The gates of a model's summary and its stability table (analyze.h). Pure. */
#include <stdio.h>
#include <string.h>

#include "analyze_internal.h"
#include "record.h"
#include "util.h"
#include "banned.h"

void analyze_gate_add(cJSON *gates, const char *model, const char *what, int pass, const char *msg)
{
	char name[512];
	cJSON *g = cJSON_CreateObject();
	snprintf(name, sizeof(name), "%s/%s", model, what);
	cJSON_AddStringToObject(g, "name", name);
	cJSON_AddBoolToObject(g, "pass", pass);
	if (msg && *msg)
		cJSON_AddStringToObject(g, "message", msg);
	cJSON_AddItemToArray(gates, g);
}

void analyze_gates_unavailable(cJSON *sum, const struct analyze_input *in)
{
	cJSON *gates = cJSON_AddArrayToObject(sum, "gates");
	analyze_gate_add(gates, in->model, "available", 0, rec_error_message(in->facts));
}

int analyze_stream_levels(const struct suite *s, int parallel, int *out, int max)
{
	int n = 0, i, j;
	size_t k;
	for (k = 0; k < s->stability.n_streams && n < max; k++) {
		long v = s->stability.streams[k].count ? s->stability.streams[k].count :
			 s->stability.streams[k].per_slot * (parallel > 0 ? parallel : 1);
		if (v > 0)
			out[n++] = (int)v;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	for (i = 0, j = 0; i < n; i++)
		if (!j || out[j - 1] != out[i])
			out[j++] = out[i];
	return j;
}

/* Why no trial qualified: the best trial's own reason. */
static void best_miss(const cJSON *trials, int throughput_only, char *msg, size_t len)
{
	const cJSON *t, *best = NULL;
	double v, w;
	cJSON_ArrayForEach(t, trials)
		if (rec_num(t, "decode_tps", &v) && (!best || (rec_num(best, "decode_tps", &w) && v > w)))
			best = t;
	if (!best) {
		snprintf(msg, len, "no trial produced a measurement");
		return;
	}
	snprintf(msg, len, "no configuration meets %s; the fastest (num_ctx=%.0f) missed: %s",
		 throughput_only ? "the throughput floor, the memory limit and full GPU offload" :
		 "every criterion",
		 rec_option(best, "num_ctx", 0), rec_str(best, "why") ? rec_str(best, "why") : "TTFT");
}

/*
 * The TTFT p99 limit of one stability level, in ms: the model's ttft_s, as
 * for trials, with one allowance. On the client's clock a TTFT includes the
 * wait for a free slot: above the server's parallel slots a request may wait
 * for the k - 1 requests ahead of it in its slot (k = ceil(streams /
 * parallel) waves), each of which holds the slot for its own TTFT and then
 * for the rest of its answer, so the limit there is k x ttft_s plus (k - 1)
 * x the level's median decode time (first content chunk to the final one).
 * The server's durations never hold that wait (prefill plus one token), so
 * on the server's clock the plain criterion holds at every level.
 * *waves gets k, or 1 where no allowance applies.
 */
static double ttft_limit_ms(double ttft_s, int streams, int parallel, double decode_ms,
			    int on_server, int *waves)
{
	*waves = on_server ? 1 : (streams + parallel - 1) / parallel;
	if (*waves < 1)
		*waves = 1;
	return (double)*waves * ttft_s * 1000.0 + (double)(*waves - 1) * decode_ms;
}

/* The gate's verdict on TTFT p99; msg empty when it passes. */
static void ttft_verdict(const struct suite_criteria *crit, int on_server, int streams,
			 int parallel, int waves, double p99, double limit, double decode,
			 double samples, char *msg, size_t len)
{
	const char *basis = on_server ? "server" : "client";
	char why[200];
	if (p99 < limit)
		return;
	if (waves == 1)
		snprintf(why, sizeof(why), "the criterion of %.2f s", crit->ttft_s);
	else
		snprintf(why, sizeof(why),
			 "the limit of %.2f s (%d streams on %d slots: %d x %.2f s + %d x the median "
			 "decode of %.2f s, for the requests ahead)", limit / 1000.0, streams, parallel,
			 waves, crit->ttft_s, waves - 1, decode / 1000.0);
	snprintf(msg, len, "TTFT p99 %.2f s (p99 of %.0f requests, %s clock) is above %s by %.2f s "
		 "under %d streams", p99 / 1000.0, samples, basis, why, (p99 - limit) / 1000.0, streams);
}

/* The stability record of a preset's options at a level, or NULL. */
static const cJSON *stability_record(const struct analyze_input *in, const cJSON *options,
				     int streams)
{
	size_t i;
	double s;
	for (i = 0; i < in->n_records; i++)
		if (rec_is_phase(in->records[i], RP_STABILITY) &&
		    rec_num(in->records[i], "streams", &s) && (int)s == streams &&
		    cJSON_Compare(rec_get(in->records[i], RK_OPTIONS), options, 1))
			return in->records[i];
	return NULL;
}

/*
 * Each preset at each stream level. The gate: no OOM, the success rate, and
 * TTFT p99 (on the clock trials are judged on) against the model's ttft_s,
 * with the allowance for queueing above the server's slots. A p99 over fewer
 * requests than the suite's min_samples is judged all the same, and the
 * message says so.
 */
static void stability(cJSON *sum, const struct analyze_input *in, const struct suite_criteria *crit,
		      cJSON *gates)
{
	static const char *const which[] = { "max_ctx", "fast" };
	const cJSON *presets = rec_get(sum, "presets");
	cJSON *arr = cJSON_AddArrayToObject(sum, "stability");
	int levels[16], nl = analyze_stream_levels(in->suite, in->parallel, levels, 16), i;
	int parallel = in->parallel > 0 ? in->parallel : 1;
	const int on_server = in->ttft_on_server;
	const char *ttft_key = on_server ? "ttft_server_ms" : "ttft_ms";
	long min_samples = in->suite->stability.min_samples;
	size_t w;

	for (w = 0; w < ARRAY_SIZE(which); w++) {
		const cJSON *p = rec_get(presets, which[w]);
		if (!p)
			continue;
		for (i = 0; i < nl; i++) {
			const cJSON *rec = stability_record(in, rec_get(p, RK_OPTIONS), levels[i]);
			char msg[600], what[128];
			double ok = 0, oom = 0, p99 = 0, samples = 0, decode = 0, limit, v;
			int has_p99, waves, judged;
			cJSON *o;
			if (!rec)
				continue;
			rec_num(rec, "success_pct", &ok);
			rec_num(rec, "oom", &oom);
			has_p99 = rec_num(rec_get(rec, ttft_key), "p99", &p99);
			rec_num(rec_get(rec, ttft_key), "n", &samples);
			rec_num(rec_get(rec, "decode_ms"), "median", &decode);
			limit = ttft_limit_ms(crit->ttft_s, levels[i], parallel, decode, on_server, &waves);
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "preset", which[w]);
			cJSON_AddNumberToObject(o, "streams", levels[i]);
			if (rec_num(rec, "requests", &v))
				cJSON_AddNumberToObject(o, "requests", v);
			cJSON_AddNumberToObject(o, "success_pct", ok);
			cJSON_AddNumberToObject(o, "oom", oom);
			cJSON_AddStringToObject(o, "ttft_basis", on_server ? "server" : "client");
			cJSON_AddNumberToObject(o, "samples", samples);
			if (has_p99)
				cJSON_AddNumberToObject(o, "ttft_p99_ms", p99);
			cJSON_AddNumberToObject(o, "ttft_p99_limit_ms", limit);
			if (rec_num(rec, "errors", &v))
				cJSON_AddNumberToObject(o, "errors", v);
			cJSON_AddItemToArray(arr, o);
			if (!gates)
				continue;
			msg[0] = '\0';
			judged = 0;
			if (oom > 0)
				snprintf(msg, sizeof(msg), "%.0f out-of-memory failures under %d streams", oom,
					 levels[i]);
			else if (ok < crit->stability_success_min_pct)
				snprintf(msg, sizeof(msg), "success %.1f%% is below %.1f%% under %d streams (%s)",
					 ok, crit->stability_success_min_pct, levels[i],
					 rec_str(rec_get(rec, "first_error"), "message") ?
					 rec_str(rec_get(rec, "first_error"), "message") : "errors");
			else if (!has_p99)
				snprintf(msg, sizeof(msg), "no TTFT was measured under %d streams (%s clock)",
					 levels[i], on_server ? "server" : "client");
			else {
				judged = 1;
				ttft_verdict(crit, on_server, levels[i], parallel, waves, p99, limit, decode,
					     samples, msg, sizeof(msg));
			}
			snprintf(what, sizeof(what), "stability/%s/%d-streams", which[w], levels[i]);
			{
				int pass = !msg[0];
				if (judged && samples < (double)min_samples) {
					/* judged all the same, and said: such a p99 is about the maximum */
					size_t n = strlen(msg);
					snprintf(msg + n, sizeof(msg) - n, "%s%.0f TTFT samples are fewer than "
						 "the suite's min_samples (%ld): such a p99 is about their maximum",
						 n ? "; " : "", samples, min_samples);
				}
				analyze_gate_add(gates, in->model, what, pass, msg);
			}
		}
	}
}

void analyze_gates(cJSON *sum, const struct analyze_input *in, const struct suite_criteria *crit)
{
	const cJSON *presets = rec_get(sum, "presets"), *c = rec_get(sum, "ceiling");
	cJSON *gates = cJSON_AddArrayToObject(sum, "gates");
	char msg[512];
	if (!in->complete) {
		/* an unfinished model is reported, not judged */
		stability(sum, in, crit, NULL);
		return;
	}
	msg[0] = '\0';
	if (!rec_get(presets, "max_ctx") && in->suite->search.ceiling &&
	    !(cJSON_GetNumberValue(rec_get(c, "confirmed")) > 0))
		snprintf(msg, sizeof(msg), "no context was confirmed with a filled request: %s",
			 rec_str(c, "fill_confirm_miss") ? rec_str(c, "fill_confirm_miss") :
			 "no context loaded fully on the GPU");
	else if (!rec_get(presets, "max_ctx"))
		best_miss(rec_get(sum, "trials"), 1, msg, sizeof(msg));
	analyze_gate_add(gates, in->model, "preset/max_ctx", rec_get(presets, "max_ctx") != NULL, msg);
	msg[0] = '\0';
	if (!rec_get(presets, "fast"))
		best_miss(rec_get(sum, "trials"), 0, msg, sizeof(msg));
	analyze_gate_add(gates, in->model, "preset/fast", rec_get(presets, "fast") != NULL, msg);
	stability(sum, in, crit, gates);
}
