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
	if (cJSON_IsFalse(get(m, "complete")))
		fprintf(fp, "**Not finished** (the run was interrupted or the server went away): what "
			    "follows is partial, and no gate was judged. Run the same command again to "
			    "finish.\n\n");
	fprintf(fp, "Parameters %sB, trained context %s. Criteria: TTFT < %s s, decode > %s tok/s, "
		    "GPU memory < %s %%.\n\n",
		fmt(m, "params_b", 1, a, sizeof(a)), fmt(m, "trained_context", 0, b, sizeof(b)),
		fmt(get(m, "criteria"), "ttft_s", 1, d, sizeof(d)),
		fmt(get(m, "criteria"), "decode_tps_min", 0, e, sizeof(e)),
		fmt(get(m, "criteria"), "gpu_memory_max_pct", 0, f, sizeof(f)));
	if (c && !(cJSON_GetNumberValue(get(c, "confirmed")) > 0))
		fprintf(fp, "**Context ceiling**: none confirmed. The load-only search found %s tokens; "
			    "the fill-confirm missed: %s.\n\n", fmt(c, "found", 0, a, sizeof(a)),
			cJSON_GetStringValue(get(c, "fill_confirm_miss")) ?
			cJSON_GetStringValue(get(c, "fill_confirm_miss")) : "not run");
	else if (c && get(c, "first_bad"))
		fprintf(fp, "**Context ceiling**: %s tokens, confirmed with a filled context (the "
			    "load-only search found %s; at %s tokens the probe %s).\n\n",
			fmt(c, "confirmed", 0, a, sizeof(a)), fmt(c, "found", 0, b, sizeof(b)),
			fmt(c, "first_bad", 0, d, sizeof(d)), outcome_words(cJSON_GetStringValue(get(c, "bad_outcome"))));
	else if (c)
		fprintf(fp, "**Context ceiling**: %s tokens, confirmed with a filled context (every "
			    "context up to the search's maximum of %s fits).\n\n",
			fmt(c, "confirmed", 0, a, sizeof(a)), fmt(c, "max_probed", 0, b, sizeof(b)));
	fprintf(fp, "| preset | options | decode tok/s | TTFT ms | evidence |\n|---|---|---|---|---|\n");
	for (i = 0; i < 2; i++) {
		const cJSON *pr = get(p, which[i]);
		if (!pr) {
			fprintf(fp, "| %s | none meets the criteria | | | |\n", which[i]);
			continue;
		}
		options_text(get(pr, "options"), opts, sizeof(opts));
		fprintf(fp, "| %s | `%s` | %s | %s | %s |\n", which[i], opts,
			fmt(pr, "decode_tps", 1, a, sizeof(a)), fmt(pr, "ttft_ms", 1, b, sizeof(b)),
			cJSON_GetStringValue(cJSON_GetArrayItem(get(pr, "evidence"), 0)));
	}
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
	char opts[512], a[32], b[32];
	fprintf(out, "\n%-32s %9s  %-8s %-40s %8s\n", "model", "ceiling", "preset", "options", "tok/s");
	cJSON_ArrayForEach(m, models) {
		static const char *const which[] = { "max_ctx", "fast" };
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
			fprintf(out, "%-32s %9s  %-8s %-40s %8s\n", i ? "" : name,
				i ? "" : fmt(get(m, "ceiling"), "confirmed", 0, a, sizeof(a)), which[i],
				pr ? opts : "(none meets the criteria)",
				pr ? fmt(pr, "decode_tps", 1, b, sizeof(b)) : "");
		}
		cJSON_ArrayForEach(g, get(m, "gates"))
			if (!cJSON_IsTrue(get(g, "pass")))
				fprintf(out, "    FAIL %s: %s\n", cJSON_GetStringValue(get(g, "name")),
					get(g, "message") ? cJSON_GetStringValue(get(g, "message")) : "");
	}
}
