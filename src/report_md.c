// SPDX-License-Identifier: MIT
/*
 * Markdown reports (report.h): the run's summary (summaries/summary.md, every
 * model) and one file per model (summaries/<model>.md); and the terminal
 * summary. Text that came from a server or a suite (names, messages, option
 * values) is escaped (report_internal.h): it can neither break a table nor
 * turn into markup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_charts.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

/* The options as a code span (in a table cell or not). */
static void options_code(struct strbuf *sb, const cJSON *opts, int in_table)
{
	struct strbuf t = STRBUF_INIT;
	report_options_text(&t, opts);
	report_md_code(sb, t.buf, in_table);
	strbuf_release(&t);
}

/* "12.3" or "-" when absent */
static const char *fmt(const cJSON *o, const char *k, int decimals, char *buf, size_t len)
{
	const cJSON *x = rec_get(o, k);
	if (!cJSON_IsNumber(x))
		return "-";
	snprintf(buf, len, "%.*f", decimals, x->valuedouble);
	return buf;
}

/* "loads up to L; usable up to U: X tok/s decode at 90 % fill" and why */
static void ceiling_md(struct strbuf *sb, const cJSON *c)
{
	const cJSON *u = rec_get(c, "usable");
	char a[32], b[32], d[32], e[32];
	double usable = cJSON_GetNumberValue(rec_get(u, "num_ctx"));
	double fill = cJSON_GetNumberValue(rec_get(u, "fill_ratio"));
	const char *limited = rec_str(u, "limited_by");
	if (!c)
		return;
	strbuf_addf(sb, "**Loads up to** %s tokens (load-only probes, ",
		    fmt(c, "loads_up_to", 0, a, sizeof(a)));
	report_md_text(sb, rec_str_or(c, "memory", "GPU memory"));
	if (rec_get(c, "first_bad"))
		strbuf_addf(sb, "; at %s tokens the probe %s).", fmt(c, "first_bad", 0, b, sizeof(b)),
			    report_outcome_words(rec_str(c, "bad_outcome")));
	else
		strbuf_addf(sb, "; every context up to the search's maximum of %s fits).",
			    fmt(c, "max_probed", 0, b, sizeof(b)));
	if (rec_str(c, "placement") && strcmp(rec_str_or(c, "placement", ""), "gpu")) {
		strbuf_addstr(sb, " Placement: ");
		report_md_text(sb, rec_str_or(c, "placement", ""));
		strbuf_addch(sb, '.');
	}
	if (!(usable > 0)) {
		strbuf_addstr(sb, "\n**Usable up to**: none proven: ");
		report_md_text(sb, rec_str_or(c, "fill_confirm_miss", "no fill-confirm ran"));
		strbuf_addstr(sb, ".\n\n");
		return;
	}
	if (rec_get(u, "ttft_server_ms_at_fill"))
		snprintf(d, sizeof(d), "%.1f", cJSON_GetNumberValue(rec_get(u, "ttft_server_ms_at_fill")) / 1000.0);
	else if (rec_get(u, "ttft_ms_at_fill"))
		snprintf(d, sizeof(d), "%.1f", cJSON_GetNumberValue(rec_get(u, "ttft_ms_at_fill")) / 1000.0);
	else
		snprintf(d, sizeof(d), "-");
	strbuf_addf(sb, "\n**Usable up to** %s tokens: %s tok/s decode and TTFT %s s at %.0f %% fill "
		    "(%s tokens, needle found)",
		    fmt(u, "num_ctx", 0, a, sizeof(a)), fmt(u, "decode_tps_at_fill", 1, b, sizeof(b)), d,
		    fill * 100, fmt(u, "fill_tokens", 0, e, sizeof(e)));
	if (limited && !strcmp(limited, "speed"))
		strbuf_addf(sb, "; beyond it decode at fill falls below the floor of %s tok/s",
			    fmt(u, "floor_tps", 1, b, sizeof(b)));
	else if (limited && !strcmp(limited, "needle"))
		strbuf_addstr(sb, "; beyond it the needle was lost");
	if (rec_get(u, "predicted"))
		strbuf_addf(sb, " (the line through %d measured depths predicted %s)",
			    cJSON_GetArraySize(rec_get(c, "depth_points")), fmt(u, "predicted", 0, b, sizeof(b)));
	strbuf_addstr(sb, ".\n\n");
}

/* Where and under what the numbers were measured. */
static void identity_md(struct strbuf *sb, const cJSON *m)
{
	const cJSON *id = rec_get(m, "identity");
	const cJSON *k;
	char *digest;
	if (!id)
		return;
	if (cJSON_IsTrue(rec_get(id, "simulated"))) {
		strbuf_addstr(sb, "> **SIMULATED**: measured on ");
		report_md_text(sb, rec_str_or(id, "simulator", "o3-sim"));
		strbuf_addstr(sb, ", not on a real server.\n\n");
	}
	strbuf_addstr(sb, "Measured under Ollama ");
	report_md_text(sb, rec_str_or(id, "ollama_version", "?"));
	strbuf_addstr(sb, ", model digest ");
	digest = xstrndup(rec_str_or(id, "model_digest", "unknown"), 19);
	report_md_text(sb, digest);
	free(digest);
	strbuf_addstr(sb, ", GPU ");
	report_md_text(sb, rec_str_or(rec_get(id, "machine"), "gpu", "none"));
	strbuf_addstr(sb, ", server knobs (");
	report_md_text(sb, rec_str_or(id, "server_knobs_source", "unknown"));
	strbuf_addstr(sb, "):");
	if (!cJSON_GetArraySize(rec_get(id, "server_knobs")))
		strbuf_addstr(sb, " none known");
	cJSON_ArrayForEach(k, rec_get(id, "server_knobs")) {
		struct strbuf kv = STRBUF_INIT;
		strbuf_addf(&kv, "%s=%s", k->string ? k->string : "?",
			    cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "?");
		strbuf_addch(sb, ' ');
		report_md_code(sb, kv.buf, 0);
		strbuf_release(&kv);
	}
	strbuf_addstr(sb, " (identity ");
	report_md_text(sb, rec_str_or(id, "hash", "?"));
	strbuf_addstr(sb, ").\n\n");
}

/* What the run found: the finding, what changed since the last
 * measurements, the fill's notes. */
static void findings_md(struct strbuf *sb, const cJSON *m)
{
	const cJSON *ch = rec_get(m, "identity_change"), *c = rec_get(m, "ceiling");
	if (!ch && !rec_get(m, "finding") && !rec_str(c, "usable_note"))
		return;
	strbuf_addstr(sb, "### Findings\n\n");
	if (rec_get(m, "finding")) {
		strbuf_addstr(sb, "**Finding**: ");
		report_md_text(sb, rec_str_or(m, "finding", ""));
		strbuf_addstr(sb, "\n\n");
	}
	if (ch) {
		strbuf_addstr(sb, "Measured again: ");
		report_md_text(sb, rec_str_or(ch, "what", ""));
		strbuf_addf(sb, " (%.0f steps).\n\n",
			    cJSON_GetNumberValue(rec_get(ch, "steps_measured_again")));
	}
	if (rec_str(c, "usable_note")) {
		strbuf_addstr(sb, "**Fill**: ");
		report_md_text(sb, rec_str_or(c, "usable_note", ""));
		strbuf_addstr(sb, ".\n\n");
	}
}

/* A chart next to its table: the caption, the table of its numbers, the
 * Mermaid block, the link to its SVG (charts/<stem>.<name>.svg). */
static void chart_md(struct strbuf *sb, const struct report_charts *rc, enum report_chart_id id,
		     const char *stem)
{
	if (!rc->chart[id])
		return;
	strbuf_addch(sb, '\n');
	report_md_text(sb, rc->caption[id] ? rc->caption[id] : "");
	strbuf_addstr(sb, "\n\n");
	chart_md_table(sb, rc->chart[id]);
	strbuf_addch(sb, '\n');
	chart_mermaid(sb, rc->chart[id]);
	if (stem)
		strbuf_addf(sb, "\n[The chart as SVG](charts/%s.%s.svg)\n", stem, report_chart_names[id]);
}

static void model_md(struct strbuf *sb, const struct report_run *run, const cJSON *m,
		     const char *stem)
{
	const cJSON *c = rec_get(m, "ceiling"), *p = rec_get(m, "presets"), *t, *g, *s;
	struct report_charts rc;
	char a[32], b[32], d[32], e[32], f[32];
	static const char *const which[] = { "max_ctx", "fast" };
	size_t i;

	strbuf_addstr(sb, "\n## ");
	report_md_text(sb, rec_str_or(m, "model", "?"));
	strbuf_addstr(sb, "\n\n");
	if (rec_get(m, "server_knobs")) {
		strbuf_addstr(sb, "Server started by o3 with ");
		options_code(sb, rec_get(m, "server_knobs"), 0);
		strbuf_addstr(sb, ".\n\n");
	}
	if (rec_get(m, "error")) {
		strbuf_addstr(sb, "Not measured: ");
		report_md_text(sb, rec_str_or(m, "error", ""));
		strbuf_addch(sb, '\n');
		return;
	}
	identity_md(sb, m);
	if (cJSON_IsFalse(rec_get(m, "complete")))
		strbuf_addstr(sb, "**Not finished** (the run was interrupted or the server went away): "
			      "what follows is partial, and no gate was judged. Run the same command "
			      "again to finish.\n\n");
	report_charts_build(&rc, run, m);
	ceiling_md(sb, c);
	strbuf_addstr(sb, "| preset | options | decode tok/s | TTFT ms | decode tok/s at fill "
		      "| TTFT s at fill | evidence |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < 2; i++) {
		const cJSON *pr = rec_get(p, which[i]);
		char fill_ttft[32];
		if (!pr) {
			strbuf_addf(sb, "| %s | none meets the criteria | | | | | |\n", which[i]);
			continue;
		}
		snprintf(fill_ttft, sizeof(fill_ttft), "-");
		if (rec_get(pr, "ttft_ms_at_fill"))
			snprintf(fill_ttft, sizeof(fill_ttft), "%.1f",
				 cJSON_GetNumberValue(rec_get(pr, "ttft_ms_at_fill")) / 1000.0);
		strbuf_addf(sb, "| %s | ", which[i]);
		options_code(sb, rec_get(pr, "options"), 1);
		strbuf_addf(sb, " | %s | %s | %s | %s | ",
			    fmt(pr, "decode_tps", 1, a, sizeof(a)), fmt(pr, "ttft_ms", 1, b, sizeof(b)),
			    fmt(pr, "decode_tps_at_fill", 1, d, sizeof(d)), fill_ttft);
		report_md_cell(sb, cJSON_GetStringValue(cJSON_GetArrayItem(rec_get(pr, "evidence"), 0)));
		strbuf_addstr(sb, " |\n");
	}
	if (cJSON_GetStringValue(rec_get(rec_get(rec_get(p, "fast"), "choice"), "choice"))) {
		strbuf_addstr(sb, "\nfast: ");
		report_md_text(sb, rec_str_or(rec_get(rec_get(p, "fast"), "choice"), "choice", ""));
		strbuf_addstr(sb, ".\n");
	}
	strbuf_addstr(sb, "\nRollback: Ollama's defaults (no options).\n\n");
	findings_md(sb, m);
	strbuf_addf(sb, "### Details\n\nParameters %sB, trained context %s. Criteria: TTFT < %s s, "
		    "decode > %s tok/s, peak memory < %s %%.\n\n",
		    fmt(m, "params_b", 1, a, sizeof(a)), fmt(m, "trained_context", 0, b, sizeof(b)),
		    fmt(rec_get(m, "criteria"), "ttft_s", 1, d, sizeof(d)),
		    fmt(rec_get(m, "criteria"), "decode_tps_min", 0, e, sizeof(e)),
		    fmt(rec_get(m, "criteria"), "gpu_memory_max_pct", 0, f, sizeof(f)));
	strbuf_addstr(sb, "#### Trials\n\n| options | decode tok/s | TTFT ms | GPU % | verdict |\n|---|---|---|---|---|\n");
	cJSON_ArrayForEach(t, rec_get(m, "trials")) {
		strbuf_addstr(sb, "| ");
		options_code(sb, rec_get(t, "options"), 1);
		strbuf_addf(sb, " | %s | %s | %s | ",
			    fmt(t, "decode_tps", 1, a, sizeof(a)), fmt(t, "ttft_ms", 1, b, sizeof(b)),
			    fmt(t, "gpu_pct", 1, d, sizeof(d)));
		report_md_cell(sb, cJSON_IsTrue(rec_get(t, "meets")) ? "meets every criterion" :
			       rec_str_or(t, "why", "-"));
		strbuf_addstr(sb, " |\n");
	}
	chart_md(sb, &rc, RC_DECODE, stem);
	chart_md(sb, &rc, RC_TTFT, stem);
	if (rc.chart[RC_MEMORY]) {
		strbuf_addstr(sb, "\n#### Memory at load\n");
		chart_md(sb, &rc, RC_MEMORY, stem);
	}
	if (rc.chart[RC_DEPTH]) {
		strbuf_addstr(sb, "\n#### Decode as the context fills\n");
		chart_md(sb, &rc, RC_DEPTH, stem);
	}
	if (cJSON_GetArraySize(rec_get(m, "stability"))) {
		strbuf_addstr(sb, "\n#### Stability\n\n| preset | streams | requests | success % | OOM | "
			      "TTFT p99 ms | limit ms |\n|---|---|---|---|---|---|---|\n");
		cJSON_ArrayForEach(s, rec_get(m, "stability")) {
			char lim[32], n[32];
			strbuf_addstr(sb, "| ");
			report_md_cell(sb, rec_str_or(s, "preset", ""));
			strbuf_addf(sb, " | %s | %s | %s | %s | ", fmt(s, "streams", 0, a, sizeof(a)),
				    fmt(s, "requests", 0, f, sizeof(f)),
				    fmt(s, "success_pct", 1, b, sizeof(b)), fmt(s, "oom", 0, d, sizeof(d)));
			if (rec_get(s, "ttft_p99_ms")) {
				strbuf_addf(sb, "%s (p99 of %s, ", fmt(s, "ttft_p99_ms", 0, lim, sizeof(lim)),
					    fmt(s, "samples", 0, n, sizeof(n)));
				report_md_cell(sb, rec_str_or(s, "ttft_basis", "?"));
				strbuf_addstr(sb, " clock)");
			} else {
				strbuf_addch(sb, '-');
			}
			strbuf_addf(sb, " | %s |\n", fmt(s, "ttft_p99_limit_ms", 0, lim, sizeof(lim)));
		}
		strbuf_addstr(sb, "\nTTFT p99 is judged on the clock trials are judged on (the server's "
			      "durations under a time scale, else the client's), over the requests that "
			      "succeeded; above the server's parallel slots the limit allows for the "
			      "requests ahead in a slot.\n");
		chart_md(sb, &rc, RC_STABILITY_TTFT, stem);
		chart_md(sb, &rc, RC_STABILITY_SUCCESS, stem);
	}
	if (rc.chart[RC_BASELINE_DECODE] || rc.chart[RC_BASELINE_TTFT]) {
		strbuf_addstr(sb, "\n#### Against the baseline\n");
		chart_md(sb, &rc, RC_BASELINE_DECODE, stem);
		chart_md(sb, &rc, RC_BASELINE_TTFT, stem);
	}
	report_charts_free(&rc);
	strbuf_addstr(sb, "\n#### Gates\n\n");
	cJSON_ArrayForEach(g, rec_get(m, "gates")) {
		strbuf_addf(sb, "- %s **", cJSON_IsTrue(rec_get(g, "pass")) ? "PASS" : "FAIL");
		report_md_text(sb, rec_str_or(g, "name", "?"));
		strbuf_addstr(sb, "**");
		if (rec_str(g, "message")) {
			strbuf_addstr(sb, ": ");
			report_md_text(sb, rec_str_or(g, "message", ""));
		}
		strbuf_addch(sb, '\n');
	}
}

/* The top of every Markdown file: the suite, SIMULATED, the server. */
static void header_md(struct strbuf *sb, const struct report_run *run)
{
	const cJSON *env = run->env, *srv = rec_get(env, "ollama");
	strbuf_addstr(sb, "# O3 run: suite ");
	report_md_text(sb, run->suite_name ? run->suite_name : "?");
	strbuf_addstr(sb, "\n\n");
	if (cJSON_IsTrue(rec_get(srv, "simulated"))) {
		strbuf_addstr(sb, "> **SIMULATED RESULTS.** The server was ");
		report_md_text(sb, rec_str_or(srv, "simulator", "o3-sim"));
		strbuf_addstr(sb, ", o3's simulator: no number below was measured on real hardware, "
			      "and no preset here is to be applied.\n\n");
	}
	if (env) {
		strbuf_addstr(sb, "Ollama ");
		report_md_text(sb, rec_str_or(srv, "version", "?"));
		strbuf_addstr(sb, " at ");
		report_md_text(sb, rec_str_or(srv, "url", "?"));
		strbuf_addstr(sb, "; ");
		report_md_text(sb, rec_str_or(rec_get(env, "cpu"), "model", "CPU unknown"));
		strbuf_addstr(sb, "; ");
		report_md_text(sb, rec_str_or(env, "distribution", ""));
		strbuf_addstr(sb, ".\n");
	}
}

/* ---- the writers ------------------------------------------------------------ */

struct md_state {
	const struct report_run *run;
	char dir[4096];
	struct strbuf sb;   /* md_summary: the file so far */
	cJSON *models;      /* md_model: references to the summaries, by file */
	cJSON *seen;        /* md_summary: summaries so far, by slug */
};

/* The stem of a summary's chart files: its slug, then ".2", ".3", ... for
 * the second and later summaries of one model (managed mode). */
static void chart_stem(char *out, size_t len, const char *slug, int nth)
{
	if (nth > 1)
		snprintf(out, len, "%s.%d", slug, nth);
	else
		snprintf(out, len, "%s", slug);
}

static int md_begin(const struct report_run *run, void **state)
{
	struct md_state *st = xcalloc(1, sizeof(*st));
	st->run = run;
	strbuf_init(&st->sb, 0);
	if (report_folder(run, "summaries", st->dir, sizeof(st->dir))) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static void md_release(void *state)
{
	struct md_state *st = state;
	strbuf_release(&st->sb);
	cJSON_Delete(st->models);
	cJSON_Delete(st->seen);
	free(st);
}

static int summary_begin(const struct report_run *run, void **state)
{
	if (md_begin(run, state))
		return -1;
	header_md(&((struct md_state *)*state)->sb, run);
	return 0;
}

static int summary_model(void *state, const cJSON *m)
{
	struct md_state *st = state;
	char slug[256], stem[300];
	cJSON *n;
	o3_model_slug(rec_str_or(m, "model", "unknown"), slug, sizeof(slug));
	if (!st->seen)
		st->seen = cJSON_CreateObject();
	if (!(n = cJSON_GetObjectItemCaseSensitive(st->seen, slug)))
		n = cJSON_AddNumberToObject(st->seen, slug, 0);
	cJSON_SetNumberValue(n, n->valuedouble + 1);
	chart_stem(stem, sizeof(stem), slug, (int)n->valuedouble);
	model_md(&st->sb, st->run, m, rec_get(m, "error") ? NULL : stem);
	return 0;
}

static int summary_end(void *state)
{
	struct md_state *st = state;
	char path[4200];
	snprintf(path, sizeof(path), "%s/summary.md", st->dir);
	return report_file_write_sb(path, &st->sb);
}

const struct report_writer report_writer_md_summary = {
	.name = "md_summary",
	.begin = summary_begin,
	.model = summary_model,
	.end = summary_end,
	.release = md_release,
};

/* One file per model: <slug>.md. The summaries of one model under several
 * server configurations (managed mode) share the file, in the run's order. */
static int per_model_model(void *state, const cJSON *m)
{
	struct md_state *st = state;
	char slug[256];
	cJSON *list;
	o3_model_slug(rec_str_or(m, "model", "unknown"), slug, sizeof(slug));
	if (!st->models)
		st->models = cJSON_CreateObject();
	list = cJSON_GetObjectItemCaseSensitive(st->models, slug);
	if (!list)
		list = cJSON_AddArrayToObject(st->models, slug);
	cJSON_AddItemToArray(list, cJSON_CreateObjectReference(m->child));
	return 0;
}

/* The model's charts as summaries/charts/<stem>.<name>.svg. */
static int charts_write(struct md_state *st, const cJSON *m, const char *stem)
{
	struct report_charts rc;
	char dir[4096], path[4600];
	int i, ret = 0, made = 0;
	if (rec_get(m, "error"))
		return 0;
	report_charts_build(&rc, st->run, m);
	for (i = 0; i < RC_COUNT; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (!rc.chart[i])
			continue;
		if (!made++ && report_folder(st->run, "summaries/charts", dir, sizeof(dir))) {
			ret = -1;
			break;
		}
		chart_svg(&sb, rc.chart[i]);
		snprintf(path, sizeof(path), "%s/%s.%s.svg", dir, stem, report_chart_names[i]);
		ret |= report_file_write_sb(path, &sb);
	}
	report_charts_free(&rc);
	return ret;
}

static int per_model_end(void *state)
{
	struct md_state *st = state;
	const cJSON *list, *m;
	char path[4400];
	int rc = 0;
	cJSON_ArrayForEach(list, st->models) {
		struct strbuf sb = STRBUF_INIT;
		int nth = 0;
		header_md(&sb, st->run);
		cJSON_ArrayForEach(m, list) {
			char stem[300];
			chart_stem(stem, sizeof(stem), list->string, ++nth);
			model_md(&sb, st->run, m, rec_get(m, "error") ? NULL : stem);
			rc |= charts_write(st, m, stem);
		}
		snprintf(path, sizeof(path), "%s/%s.md", st->dir, list->string);
		rc |= report_file_write_sb(path, &sb);
	}
	return rc;
}

const struct report_writer report_writer_md_model = {
	.name = "md_model",
	.begin = md_begin,
	.model = per_model_model,
	.end = per_model_end,
	.release = md_release,
};

/* ---- the terminal ------------------------------------------------------------ */

/* Text from a server for a terminal: no control character (an escape
 * sequence could rewrite the screen), invalid UTF-8 as U+FFFD. Malloced. */
static char *term(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned cp;
	size_t n;
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp))) {
			strbuf_addstr(&sb, "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (cp == '\t' || cp == '\n' || cp == '\r')
			strbuf_addch(&sb, ' ');
		else if (!(cp < 0x20 || (cp >= 0x7f && cp < 0xa0)))
			strbuf_add(&sb, s, n);
		s += n;
	}
	return strbuf_detach(&sb, NULL);
}

static char *term_options(const cJSON *opts)
{
	struct strbuf sb = STRBUF_INIT;
	char *t;
	report_options_text(&sb, opts);
	t = term(sb.buf);
	strbuf_release(&sb);
	return t;
}

void report_terminal(FILE *out, const cJSON *models)
{
	const cJSON *m, *g;
	char a[32], b[32], c[32];
	int simulated = 0;
	cJSON_ArrayForEach(m, models)
		simulated |= cJSON_IsTrue(rec_get(rec_get(m, "identity"), "simulated"));
	if (simulated)
		fprintf(out, "\nSIMULATED: these results come from o3-sim, not from a real server.\n");
	fprintf(out, "\n%-32s %9s %9s  %-8s %-36s %8s\n", "model", "loads to", "usable", "preset",
		"options", "tok/s");
	cJSON_ArrayForEach(m, models) {
		static const char *const which[] = { "max_ctx", "fast" };
		const cJSON *ceil = rec_get(m, "ceiling"), *u = rec_get(ceil, "usable");
		size_t i;
		char *name = term(rec_str_or(m, "model", "?")), *t;
		if (rec_get(m, "error")) {
			t = term(rec_str_or(m, "error", ""));
			fprintf(out, "%-32s not measured: %s\n", name, t);
			free(t);
			free(name);
			continue;
		}
		if (cJSON_IsFalse(rec_get(m, "complete"))) {
			fprintf(out, "%-32s not finished: run the same command again to finish\n", name);
			free(name);
			continue;
		}
		if (rec_get(m, "server_knobs")) {
			t = term_options(rec_get(m, "server_knobs"));
			fprintf(out, "%s  (server: %s)\n", name, t);
			free(t);
			name[0] = '\0';
		}
		for (i = 0; i < 2; i++) {
			const cJSON *pr = rec_get(rec_get(m, "presets"), which[i]);
			t = pr ? term_options(rec_get(pr, "options")) : NULL;
			fprintf(out, "%-32s %9s %9s  %-8s %-36s %8s\n", i ? "" : name,
				i ? "" : fmt(ceil, "loads_up_to", 0, a, sizeof(a)),
				i ? "" : fmt(ceil, "confirmed", 0, c, sizeof(c)), which[i],
				pr ? t : "(none meets the criteria)",
				pr ? fmt(pr, "decode_tps", 1, b, sizeof(b)) : "");
			free(t);
		}
		free(name);
		if (rec_get(u, "decode_tps_at_fill")) {
			const cJSON *tt = rec_get(u, "ttft_server_ms_at_fill");
			if (!tt)
				tt = rec_get(u, "ttft_ms_at_fill");
			fprintf(out, "    usable up to %s: %s tok/s decode", fmt(u, "num_ctx", 0, a, sizeof(a)),
				fmt(u, "decode_tps_at_fill", 1, b, sizeof(b)));
			if (cJSON_IsNumber(tt))
				fprintf(out, ", TTFT %.1f s", tt->valuedouble / 1000.0);
			fprintf(out, " at %.0f %% fill\n", cJSON_GetNumberValue(rec_get(u, "fill_ratio")) * 100);
		}
		if (rec_get(m, "finding")) {
			t = term(rec_str_or(m, "finding", ""));
			fprintf(out, "    finding: %s\n", t);
			free(t);
		}
		cJSON_ArrayForEach(g, rec_get(m, "gates"))
			if (!cJSON_IsTrue(rec_get(g, "pass"))) {
				char *gn = term(rec_str_or(g, "name", "?"));
				t = term(rec_str_or(g, "message", ""));
				fprintf(out, "    FAIL %s: %s\n", gn, t);
				free(gn);
				free(t);
			}
	}
}
