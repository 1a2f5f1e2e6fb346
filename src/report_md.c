// SPDX-License-Identifier: MIT
/* The Markdown summary of a run and the terminal summary (report.h). */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "banned.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void options_text(const cJSON *opts, char *out, size_t len)
{
	const cJSON *o;
	size_t n = 0;
	out[0] = '\0';
	cJSON_ArrayForEach(o, opts) {
		int w;
		if (cJSON_IsNumber(o))
			w = snprintf(out + n, len - n, "%s%s=%g", n ? " " : "", o->string, o->valuedouble);
		else if (cJSON_IsBool(o))
			w = snprintf(out + n, len - n, "%s%s=%s", n ? " " : "", o->string,
				     cJSON_IsTrue(o) ? "true" : "false");
		else
			w = snprintf(out + n, len - n, "%s%s=%s", n ? " " : "", o->string,
				     cJSON_GetStringValue(o) ? cJSON_GetStringValue(o) : "?");
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

/* "12.3" or "-" when absent */
static const char *fmt(const cJSON *o, const char *k, int decimals, char *buf, size_t len)
{
	const cJSON *x = get(o, k);
	if (!cJSON_IsNumber(x))
		return "-";
	snprintf(buf, len, "%.*f", decimals, x->valuedouble);
	return buf;
}

static const char *outcome_words(const char *o)
{
	if (!o)
		return "did not fit";
	if (!strcmp(o, "offload"))
		return "spilled layers to the CPU";
	if (!strcmp(o, "over_limit"))
		return "went over the memory limit (or was refused under it)";
	if (!strcmp(o, "oom"))
		return "ran out of memory";
	return "failed for another reason (see the log)";
}

/* "loads up to L; usable up to U: X tok/s decode at 90 % fill" and why */
static void ceiling_md(FILE *fp, const cJSON *c)
{
	const cJSON *u = get(c, "usable");
	char a[32], b[32], d[32], e[32];
	double usable = cJSON_GetNumberValue(get(u, "num_ctx"));
	double fill = cJSON_GetNumberValue(get(u, "fill_ratio"));
	const char *limited = cJSON_GetStringValue(get(u, "limited_by"));
	if (!c)
		return;
	fprintf(fp, "**Loads up to** %s tokens (load-only probes, %s",
		fmt(c, "loads_up_to", 0, a, sizeof(a)),
		get(c, "memory") ? cJSON_GetStringValue(get(c, "memory")) : "GPU memory");
	if (get(c, "first_bad"))
		fprintf(fp, "; at %s tokens the probe %s).", fmt(c, "first_bad", 0, b, sizeof(b)),
			outcome_words(cJSON_GetStringValue(get(c, "bad_outcome"))));
	else
		fprintf(fp, "; every context up to the search's maximum of %s fits).",
			fmt(c, "max_probed", 0, b, sizeof(b)));
	if (get(c, "placement") && strcmp(cJSON_GetStringValue(get(c, "placement")), "gpu"))
		fprintf(fp, " Placement: %s.", cJSON_GetStringValue(get(c, "placement")));
	if (!(usable > 0)) {
		fprintf(fp, "\n**Usable up to**: none proven: %s.\n\n",
			cJSON_GetStringValue(get(c, "fill_confirm_miss")) ?
			cJSON_GetStringValue(get(c, "fill_confirm_miss")) : "no fill-confirm ran");
		return;
	}
	fprintf(fp, "\n**Usable up to** %s tokens: %s tok/s decode and TTFT %s s at %.0f %% fill "
		    "(%s tokens, needle found)",
		fmt(u, "num_ctx", 0, a, sizeof(a)), fmt(u, "decode_tps_at_fill", 1, b, sizeof(b)),
		get(u, "ttft_server_ms_at_fill") ?
		(snprintf(d, sizeof(d), "%.1f",
			  cJSON_GetNumberValue(get(u, "ttft_server_ms_at_fill")) / 1000.0), d) :
		get(u, "ttft_ms_at_fill") ?
		(snprintf(d, sizeof(d), "%.1f", cJSON_GetNumberValue(get(u, "ttft_ms_at_fill")) / 1000.0), d) :
		"-", fill * 100, fmt(u, "fill_tokens", 0, e, sizeof(e)));
	if (limited && !strcmp(limited, "speed"))
		fprintf(fp, "; beyond it decode at fill falls below the floor of %s tok/s",
			fmt(u, "floor_tps", 1, b, sizeof(b)));
	else if (limited && !strcmp(limited, "needle"))
		fprintf(fp, "; beyond it the needle was lost");
	if (get(u, "predicted"))
		fprintf(fp, " (the line through %d measured depths predicted %s)",
			cJSON_GetArraySize(get(c, "depth_points")), fmt(u, "predicted", 0, b, sizeof(b)));
	fprintf(fp, ".\n");
	if (get(c, "usable_note"))
		fprintf(fp, "%s.\n", cJSON_GetStringValue(get(c, "usable_note")));
	fprintf(fp, "\n");
}

/* Where and under what the numbers were measured. */
static void identity_md(FILE *fp, const cJSON *m)
{
	const cJSON *id = get(m, "identity"), *ch = get(m, "identity_change");
	const cJSON *k;
	if (!id)
		return;
	if (cJSON_IsTrue(get(id, "simulated")))
		fprintf(fp, "> **SIMULATED**: measured on %s, not on a real server.\n\n",
			cJSON_GetStringValue(get(id, "simulator")) ? cJSON_GetStringValue(get(id, "simulator")) :
			"o3-sim");
	fprintf(fp, "Measured under Ollama %s, model digest %.19s, GPU %s, server knobs (%s):",
		cJSON_GetStringValue(get(id, "ollama_version")) ? cJSON_GetStringValue(get(id, "ollama_version")) : "?",
		cJSON_GetStringValue(get(id, "model_digest")) ? cJSON_GetStringValue(get(id, "model_digest")) : "unknown",
		cJSON_GetStringValue(get(get(id, "machine"), "gpu")) ?
		cJSON_GetStringValue(get(get(id, "machine"), "gpu")) : "none",
		cJSON_GetStringValue(get(id, "server_knobs_source")) ?
		cJSON_GetStringValue(get(id, "server_knobs_source")) : "unknown");
	if (!cJSON_GetArraySize(get(id, "server_knobs")))
		fprintf(fp, " none known");
	cJSON_ArrayForEach(k, get(id, "server_knobs"))
		fprintf(fp, " `%s=%s`", k->string, cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "?");
	fprintf(fp, " (identity %s).\n\n", cJSON_GetStringValue(get(id, "hash")) ?
		cJSON_GetStringValue(get(id, "hash")) : "?");
	if (ch)
		fprintf(fp, "Measured again: %s (%.0f steps).\n\n",
			cJSON_GetStringValue(get(ch, "what")) ? cJSON_GetStringValue(get(ch, "what")) : "",
			cJSON_GetNumberValue(get(ch, "steps_measured_again")));
	if (get(m, "finding"))
		fprintf(fp, "**Finding**: %s\n\n", cJSON_GetStringValue(get(m, "finding")));
}

static void model_md(FILE *fp, const cJSON *m)
{
	const cJSON *c = get(m, "ceiling"), *p = get(m, "presets"), *t, *g, *s;
	char a[32], b[32], d[32], e[32], f[32], opts[512];
	static const char *const which[] = { "max_ctx", "fast" };
	size_t i;

	fprintf(fp, "\n## %s\n\n", cJSON_GetStringValue(get(m, "model")));
	if (get(m, "server_knobs")) {
		options_text(get(m, "server_knobs"), opts, sizeof(opts));
		fprintf(fp, "Server started by o3 with `%s`.\n\n", opts);
	}
	if (get(m, "error")) {
		fprintf(fp, "Not measured: %s\n", cJSON_GetStringValue(get(m, "error")));
		return;
	}
	identity_md(fp, m);
	if (cJSON_IsFalse(get(m, "complete")))
		fprintf(fp, "**Not finished** (the run was interrupted or the server went away): what "
			    "follows is partial, and no gate was judged. Run the same command again to "
			    "finish.\n\n");
	fprintf(fp, "Parameters %sB, trained context %s. Criteria: TTFT < %s s, decode > %s tok/s, "
		    "peak memory < %s %%.\n\n",
		fmt(m, "params_b", 1, a, sizeof(a)), fmt(m, "trained_context", 0, b, sizeof(b)),
		fmt(get(m, "criteria"), "ttft_s", 1, d, sizeof(d)),
		fmt(get(m, "criteria"), "decode_tps_min", 0, e, sizeof(e)),
		fmt(get(m, "criteria"), "gpu_memory_max_pct", 0, f, sizeof(f)));
	ceiling_md(fp, c);
	fprintf(fp, "| preset | options | decode tok/s | TTFT ms | decode tok/s at fill | TTFT s at fill "
		    "| evidence |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < 2; i++) {
		const cJSON *pr = get(p, which[i]);
		char fill_ttft[32];
		if (!pr) {
			fprintf(fp, "| %s | none meets the criteria | | | | | |\n", which[i]);
			continue;
		}
		options_text(get(pr, "options"), opts, sizeof(opts));
		if (get(pr, "ttft_ms_at_fill"))
			snprintf(fill_ttft, sizeof(fill_ttft), "%.1f",
				 cJSON_GetNumberValue(get(pr, "ttft_ms_at_fill")) / 1000.0);
		fprintf(fp, "| %s | `%s` | %s | %s | %s | %s | %s |\n", which[i], opts,
			fmt(pr, "decode_tps", 1, a, sizeof(a)), fmt(pr, "ttft_ms", 1, b, sizeof(b)),
			fmt(pr, "decode_tps_at_fill", 1, d, sizeof(d)),
			get(pr, "ttft_ms_at_fill") ? fill_ttft : "-",
			cJSON_GetStringValue(cJSON_GetArrayItem(get(pr, "evidence"), 0)));
	}
	if (cJSON_GetStringValue(get(get(get(p, "fast"), "choice"), "choice")))
		fprintf(fp, "\nfast: %s.\n", cJSON_GetStringValue(get(get(get(p, "fast"), "choice"), "choice")));
	fprintf(fp, "\nRollback: Ollama's defaults (no options).\n\n### Trials\n\n"
		    "| options | decode tok/s | TTFT ms | GPU %% | verdict |\n|---|---|---|---|---|\n");
	cJSON_ArrayForEach(t, get(m, "trials")) {
		options_text(get(t, "options"), opts, sizeof(opts));
		fprintf(fp, "| `%s` | %s | %s | %s | %s |\n", opts,
			fmt(t, "decode_tps", 1, a, sizeof(a)), fmt(t, "ttft_ms", 1, b, sizeof(b)),
			fmt(t, "gpu_pct", 1, d, sizeof(d)),
			cJSON_IsTrue(get(t, "meets")) ? "meets every criterion" :
			(cJSON_GetStringValue(get(t, "why")) ? cJSON_GetStringValue(get(t, "why")) : "-"));
	}
	if (cJSON_GetArraySize(get(m, "stability"))) {
		fprintf(fp, "\n### Stability\n\n| preset | streams | requests | success %% | OOM | "
			    "TTFT p99 ms | limit ms |\n|---|---|---|---|---|---|---|\n");
		cJSON_ArrayForEach(s, get(m, "stability")) {
			char p99[160], lim[32], n[32];
			const char *basis = cJSON_GetStringValue(get(s, "ttft_basis"));
			if (get(s, "ttft_p99_ms"))
				snprintf(p99, sizeof(p99), "%s (p99 of %s, %s clock)",
					 fmt(s, "ttft_p99_ms", 0, lim, sizeof(lim)),
					 fmt(s, "samples", 0, n, sizeof(n)), basis ? basis : "?");
			else
				snprintf(p99, sizeof(p99), "-");
			fprintf(fp, "| %s | %s | %s | %s | %s | %s | %s |\n",
				cJSON_GetStringValue(get(s, "preset")), fmt(s, "streams", 0, a, sizeof(a)),
				fmt(s, "requests", 0, f, sizeof(f)), fmt(s, "success_pct", 1, b, sizeof(b)),
				fmt(s, "oom", 0, d, sizeof(d)), p99,
				fmt(s, "ttft_p99_limit_ms", 0, lim, sizeof(lim)));
		}
		fprintf(fp, "\nTTFT p99 is judged on the clock trials are judged on (the server's "
			    "durations under a time scale, else the client's), over the requests that "
			    "succeeded; above the server's parallel slots the limit allows for the "
			    "requests ahead in a slot.\n");
	}
	fprintf(fp, "\n### Gates\n\n");
	cJSON_ArrayForEach(g, get(m, "gates"))
		fprintf(fp, "- %s **%s**%s%s\n", cJSON_IsTrue(get(g, "pass")) ? "PASS" : "FAIL",
			cJSON_GetStringValue(get(g, "name")), get(g, "message") ? ": " : "",
			get(g, "message") ? cJSON_GetStringValue(get(g, "message")) : "");
}

int report_md_write(const char *path, const char *suite_name, const cJSON *models,
		    const cJSON *env)
{
	FILE *fp = fopen(path, "w");
	const cJSON *m;
	if (!fp)
		return -1;
	fprintf(fp, "# O3 run: suite %s\n\n", suite_name);
	if (cJSON_IsTrue(get(get(env, "ollama"), "simulated")))
		fprintf(fp, "> **SIMULATED RESULTS.** The server was %s, o3's simulator: no number "
			    "below was measured on real hardware, and no preset here is to be applied.\n\n",
			cJSON_GetStringValue(get(get(env, "ollama"), "simulator")) ?
			cJSON_GetStringValue(get(get(env, "ollama"), "simulator")) : "o3-sim");
	if (env)
		fprintf(fp, "Ollama %s at %s; %s; %s.\n",
			cJSON_GetStringValue(get(get(env, "ollama"), "version")) ?
			cJSON_GetStringValue(get(get(env, "ollama"), "version")) : "?",
			cJSON_GetStringValue(get(get(env, "ollama"), "url")) ?
			cJSON_GetStringValue(get(get(env, "ollama"), "url")) : "?",
			cJSON_GetStringValue(get(get(env, "cpu"), "model")) ?
			cJSON_GetStringValue(get(get(env, "cpu"), "model")) : "CPU unknown",
			cJSON_GetStringValue(get(env, "distribution")) ?
			cJSON_GetStringValue(get(env, "distribution")) : "");
	cJSON_ArrayForEach(m, models)
		model_md(fp, m);
	return fclose(fp) ? -1 : 0;
}

void report_terminal(FILE *out, const cJSON *models)
{
	const cJSON *m, *g;
	char opts[512], a[32], b[32], c[32];
	int simulated = 0;
	cJSON_ArrayForEach(m, models)
		simulated |= cJSON_IsTrue(get(get(m, "identity"), "simulated"));
	if (simulated)
		fprintf(out, "\nSIMULATED: these results come from o3-sim, not from a real server.\n");
	fprintf(out, "\n%-32s %9s %9s  %-8s %-36s %8s\n", "model", "loads to", "usable", "preset",
		"options", "tok/s");
	cJSON_ArrayForEach(m, models) {
		static const char *const which[] = { "max_ctx", "fast" };
		const cJSON *ceil = get(m, "ceiling"), *u = get(ceil, "usable");
		size_t i;
		const char *name = cJSON_GetStringValue(get(m, "model"));
		if (get(m, "error")) {
			fprintf(out, "%-32s not measured: %s\n", name, cJSON_GetStringValue(get(m, "error")));
			continue;
		}
		if (cJSON_IsFalse(get(m, "complete"))) {
			fprintf(out, "%-32s not finished: run the same command again to finish\n", name);
			continue;
		}
		if (get(m, "server_knobs")) {
			options_text(get(m, "server_knobs"), opts, sizeof(opts));
			fprintf(out, "%s  (server: %s)\n", name, opts);
			name = "";
		}
		for (i = 0; i < 2; i++) {
			const cJSON *pr = get(get(m, "presets"), which[i]);
			if (pr)
				options_text(get(pr, "options"), opts, sizeof(opts));
			fprintf(out, "%-32s %9s %9s  %-8s %-36s %8s\n", i ? "" : name,
				i ? "" : fmt(ceil, "loads_up_to", 0, a, sizeof(a)),
				i ? "" : fmt(ceil, "confirmed", 0, c, sizeof(c)), which[i],
				pr ? opts : "(none meets the criteria)",
				pr ? fmt(pr, "decode_tps", 1, b, sizeof(b)) : "");
		}
		if (get(u, "decode_tps_at_fill")) {
			const cJSON *tt = get(u, "ttft_server_ms_at_fill") ? get(u, "ttft_server_ms_at_fill") :
					  get(u, "ttft_ms_at_fill");
			fprintf(out, "    usable up to %s: %s tok/s decode", fmt(u, "num_ctx", 0, a, sizeof(a)),
				fmt(u, "decode_tps_at_fill", 1, b, sizeof(b)));
			if (cJSON_IsNumber(tt))
				fprintf(out, ", TTFT %.1f s", tt->valuedouble / 1000.0);
			fprintf(out, " at %.0f %% fill\n", cJSON_GetNumberValue(get(u, "fill_ratio")) * 100);
		}
		if (get(m, "finding"))
			fprintf(out, "    finding: %s\n", cJSON_GetStringValue(get(m, "finding")));
		cJSON_ArrayForEach(g, get(m, "gates"))
			if (!cJSON_IsTrue(get(g, "pass")))
				fprintf(out, "    FAIL %s: %s\n", cJSON_GetStringValue(get(g, "name")),
					get(g, "message") ? cJSON_GetStringValue(get(g, "message")) : "");
	}
}
