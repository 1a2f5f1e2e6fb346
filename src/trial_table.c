// SPDX-License-Identifier: MIT
/* The readable table of one trial record (trial.h: trial_print_table). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "trial.h"
#include "banned.h"

static int num(const cJSON *o, const char *k, double *v)
{
	const cJSON *x = rec_get(o, k);
	if (!cJSON_IsNumber(x))
		return 0;
	*v = x->valuedouble;
	return 1;
}

static void human_bytes(double b, char *out, size_t len)
{
	if (b >= 1073741824.0)
		snprintf(out, len, "%.2f GiB", b / 1073741824.0);
	else
		snprintf(out, len, "%.0f MiB", b / 1048576.0);
}

static void row(FILE *out, const cJSON *summary, const char *field, const char *label,
		const char *unit)
{
	const cJSON *s = rec_get(summary, field);
	double med, mn, mx, sd = 0;
	if (!s || !num(s, "median", &med) || !num(s, "min", &mn) || !num(s, "max", &mx))
		fprintf(out, "  %-22s %10s %10s %10s %9s  %s\n", label, "-", "-", "-", "-", unit);
	else {
		num(s, "stddev", &sd);
		fprintf(out, "  %-22s %10.1f %10.1f %10.1f %9.1f  %s\n", label, med, mn, mx, sd, unit);
	}
}

/* The monitor's peak memory and the hottest figures, when sampled. */
static void print_monitor(FILE *out, const cJSON *mon)
{
	const cJSON *mem = rec_get(mon, "memory"), *peaks = rec_get(mon, "peaks");
	double used, cap, pct, v;
	char a[32], b[32];
	if (!mem || !num(mem, "peak_used_bytes", &used) || !num(mem, "capacity_bytes", &cap) ||
	    !num(mem, "peak_pct", &pct))
		return;
	human_bytes(used, a, sizeof(a));
	human_bytes(cap, b, sizeof(b));
	fprintf(out, "  peak:    %s of %s GPU memory (%.1f%%, %s)", a, b, pct,
		rec_str_or(mem, "definition", "?"));
	if (num(rec_get(peaks, "temp_c"), "value", &v))
		fprintf(out, ", %.0f C", v);
	if (num(rec_get(peaks, "power_w"), "value", &v))
		fprintf(out, ", %.0f W", v);
	if (num(rec_get(peaks, "sclk_mhz"), "value", &v))
		fprintf(out, ", %.0f MHz", v);
	if (cJSON_IsTrue(rec_get(rec_get(mon, "alert"), "crossed")))
		fprintf(out, "  ALERT");
	fputc('\n', out);
}

void trial_print_table(const cJSON *rec, FILE *out)
{
	const cJSON *opts = rec_get(rec, "options"), *o, *load = rec_get(rec, "load"), *ps = rec_get(rec, "ps");
	const cJSON *summary = rec_get(rec, "summary"), *err = rec_get(rec, "error"), *itl;
	const char *status = rec_str(rec, "status");
	double v, w;
	char a[32], b[32];

	fprintf(out, "\n%s  (%s)\n", rec_str(rec, "model"),
		rec_str(rec, "id"));
	fprintf(out, "  options:");
	cJSON_ArrayForEach(o, opts) {
		if (cJSON_IsNumber(o))
			fprintf(out, " %s=%g", o->string, o->valuedouble);
		else if (cJSON_IsBool(o))
			fprintf(out, " %s=%s", o->string, cJSON_IsTrue(o) ? "true" : "false");
		else if (cJSON_IsString(o))
			fprintf(out, " %s=%s", o->string, o->valuestring);
	}
	fputc('\n', out);
	if (load && num(load, "load_ms", &v)) {
		const cJSON *rl = rec_get(load, "reloaded");
		fprintf(out, "  load:    %.2f s%s\n", v / 1000.0,
			cJSON_IsBool(rl) ? (cJSON_IsTrue(rl) ? " (reloaded)" : " (already loaded)") : "");
	}
	if (ps && num(ps, "size_bytes", &v) && num(ps, "size_vram_bytes", &w)) {
		human_bytes(v, a, sizeof(a));
		human_bytes(w, b, sizeof(b));
		fprintf(out, "  memory:  %s, %s on GPU (%.0f%%)%s", a, b, v > 0 ? 100.0 * w / v : 0.0,
			cJSON_IsTrue(rec_get(ps, "offload")) ? ", PARTLY OFFLOADED TO CPU" : "");
		if (num(ps, "context_length", &v))
			fprintf(out, ", context %.0f", v);
		fputc('\n', out);
	}
	print_monitor(out, rec_get(rec, "monitor"));
	if (summary && rec_get(summary, "prompt_tokens") && num(rec_get(summary, "prompt_tokens"), "median", &v))
		fprintf(out, "  prompt:  %.0f tokens (target %.0f)%s\n", v,
			cJSON_GetNumberValue(rec_get(rec, "prompt_tokens_target")),
			cJSON_IsTrue(rec_get(rec, "truncated")) ? ", TRUNCATED by the server" : "");
	if (summary) {
		fprintf(out, "  %-22s %10s %10s %10s %9s\n", "metric", "median", "min", "max", "stddev");
		row(out, summary, "ttft_ms", "TTFT", "ms");
		row(out, summary, "ttfb_ms", "time to first byte", "ms");
		row(out, summary, "tpot_ms", "TPOT", "ms");
		row(out, summary, "decode_tps_server", "decode (server)", "tok/s");
		row(out, summary, "decode_tps_client", "decode (client)", "tok/s");
		row(out, summary, "prefill_tps", "prefill", "tok/s");
		row(out, summary, "e2e_ms", "end-to-end", "ms");
		itl = rec_get(summary, "itl_ms");
		if (itl && num(itl, "p50", &v)) {
			double p90 = 0, p99 = 0;
			num(itl, "p90", &p90);
			num(itl, "p99", &p99);
			fprintf(out, "  %-22s %10.1f %10.1f %10.1f  ms (p50 p90 p99)\n", "ITL", v, p90, p99);
		}
	}
	if (status && !strcmp(status, "error") && err)
		fprintf(out, "  FAILED at %s: %s: %s\n", rec_str(err, "stage"),
			rec_str(err, "class"), rec_str(err, "message"));
}
