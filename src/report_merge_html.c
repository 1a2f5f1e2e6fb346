// SPDX-License-Identifier: MIT
/*
 * o3 merge's report.html (report_merge.h): report.html's page (its style,
 * script and escaping: report_internal.h's page functions) with the
 * machines, then per model a card whose table has a row per figure and a
 * column per machine. One file: nothing is fetched when it is viewed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "report_merge.h"
#include "util.h"
#include "banned.h"

static void banners(struct report_html_page *p, const cJSON *doc)
{
	const cJSON *mj, *machines = rec_get(doc, "machines");
	struct strbuf sb = STRBUF_INIT;
	int n = cJSON_GetArraySize(machines), sim = 0;
	cJSON_ArrayForEach(mj, machines)
		sim += cJSON_IsTrue(rec_get(mj, "simulated"));
	if (sim) {
		strbuf_addf(&sb, "SIMULATED RESULTS. %d of the %d machines ran against o3's simulator "
			    "(marked SIMULATED): no number of theirs was measured on real hardware, "
			    "and no preset of theirs is to be applied.", sim, n);
		report_html_start(p, "div", "banner");
		report_html_attr(p, "role", "alert");
		report_html_text(p, sb.buf);
		report_html_end(p);
		report_html_newline(p);
	}
	if (cJSON_IsTrue(rec_get(doc, "suites_differ"))) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "THE SUITES DIFFER (merged with --force):");
		cJSON_ArrayForEach(mj, machines)
			strbuf_addf(&sb, "%s%s ran %s", mj == machines->child ? " " : "; ",
				    rec_str_or(mj, "label", "?"), rec_str_or(mj, "suite", "?"));
		strbuf_addstr(&sb, ". Their figures were measured and judged by different suites.");
		report_html_start(p, "div", "banner");
		report_html_attr(p, "role", "alert");
		report_html_text(p, sb.buf);
		report_html_end(p);
		report_html_newline(p);
	}
	strbuf_release(&sb);
}

/* <th>label <span class="warn">SIMULATED</span></th> */
static void machine_th(struct report_html_page *p, const cJSON *mj)
{
	report_html_start(p, "th", NULL);
	report_html_attr(p, "title", rec_str_or(mj, "description", ""));
	report_html_text(p, rec_str_or(mj, "label", "?"));
	if (cJSON_IsTrue(rec_get(mj, "simulated"))) {
		report_html_text(p, " ");
		report_html_elem(p, "span", "warn", "SIMULATED");
	}
	report_html_end(p);
}

static void machines_table(struct report_html_page *p, const cJSON *doc)
{
	static const char *const cols[] = { "machine", "server", "hardware", "suite", "results",
					    "run started", "#models", NULL };
	const cJSON *mj;
	report_html_start(p, "section", "card");
	report_html_attr(p, "id", "machines");
	report_html_elem(p, "h2", NULL, "Machines");
	report_html_table_head(p, "machines", cols);
	cJSON_ArrayForEach(mj, rec_get(doc, "machines")) {
		struct strbuf sb = STRBUF_INIT;
		report_html_start(p, "tr", NULL);
		report_html_start(p, "td", NULL);
		report_html_text(p, rec_str_or(mj, "label", "?"));
		if (cJSON_IsTrue(rec_get(mj, "simulated"))) {
			report_html_text(p, " ");
			report_html_elem(p, "span", "warn", "SIMULATED");
		}
		report_html_end(p);
		report_merge_server(&sb, mj);
		report_html_elem(p, "td", NULL, sb.buf);
		strbuf_reset(&sb);
		report_merge_hardware(&sb, mj);
		report_html_elem(p, "td", NULL, sb.buf);
		strbuf_reset(&sb);
		report_html_elem(p, "td", NULL, rec_str_or(mj, "suite", "?"));
		report_html_start(p, "td", NULL);
		report_html_elem(p, "code", NULL, rec_str_or(mj, "results", "?"));
		report_html_end(p);
		if (rec_get(mj, "time")) {
			strbuf_addf(&sb, "%s UTC", rec_str_or(mj, "time", ""));
			if (rec_get(mj, "hostname"))
				strbuf_addf(&sb, " on %s", rec_str_or(mj, "hostname", ""));
		}
		report_html_elem(p, "td", NULL, sb.len ? sb.buf : "-");
		report_html_num_cell(p, cJSON_GetNumberValue(rec_get(mj, "models")), 0);
		report_html_end(p);
		report_html_newline(p);
		strbuf_release(&sb);
	}
	report_html_table_end(p);
	report_html_elem(p, "p", "muted", "Each column of a model's table holds the figures of the "
			 "machine at its head, from its own results.");
	report_html_end(p);
	report_html_newline(p);
}

static void cell(struct report_html_page *p, const cJSON *e, const struct report_merge_fig *f,
		 const char *model)
{
	const cJSON *v = report_merge_fig_value(e, f);
	struct strbuf t = STRBUF_INIT;
	const char *cls = NULL;
	if (cJSON_IsFalse(rec_get(e, "measured")) && f->kind != MF_TEXT) {
		report_html_elem(p, "td", "muted", "-");
		return;
	}
	switch (f->kind) {
	case MF_NUM:
		report_html_num_cell(p, cJSON_IsNumber(v) ? v->valuedouble * f->scale : NAN,
				     f->decimals);
		break;
	case MF_OPTIONS:
		report_html_start(p, "td", NULL);
		if (v)
			report_html_options(p, v);
		else
			report_html_text(p, report_merge_judged(e) ? "none meets the criteria" : "-");
		report_html_end(p);
		break;
	default:
		report_merge_fig_text(&t, e, f, model);
		if (!strncmp(t.buf, "pass", 4))
			cls = "pass";
		else if (!strncmp(t.buf, "fail", 4) || !strncmp(t.buf, "FAIL", 4))
			cls = "fail";
		report_html_start(p, "td", NULL);
		report_html_elem(p, "span", cls ? cls : "msg", t.buf);
		report_html_end(p);
	}
	strbuf_release(&t);
}

static void model_card(struct report_html_page *p, const cJSON *row, const cJSON *machines, int n)
{
	const char *model = rec_str_or(row, "model", "?");
	const cJSON *e, *mj;
	char id[32];
	size_t i;
	int findings = 0;
	snprintf(id, sizeof(id), "model-%d", n);
	report_html_start(p, "section", "card model");
	report_html_attr(p, "id", id);
	report_html_newline(p);
	report_html_elem(p, "h2", NULL, model);
	if (rec_get(row, "server_knobs")) {
		report_html_start(p, "p", NULL);
		report_html_text(p, "Server started by o3 with ");
		report_html_options(p, rec_get(row, "server_knobs"));
		report_html_text(p, ".");
		report_html_end(p);
	}
	report_html_start(p, "div", "table-wrap");
	report_html_start(p, "table", "merged");
	report_html_start(p, "thead", NULL);
	report_html_start(p, "tr", NULL);
	report_html_elem(p, "th", NULL, "figure");
	cJSON_ArrayForEach(mj, machines)
		machine_th(p, mj);
	report_html_end(p);
	report_html_end(p);
	report_html_start(p, "tbody", NULL);
	report_html_newline(p);
	for (i = 0; i < report_merge_n_figs; i++) {
		report_html_start(p, "tr", NULL);
		report_html_elem(p, "th", NULL, report_merge_figs[i].name);
		cJSON_ArrayForEach(e, rec_get(row, "machines"))
			cell(p, e, &report_merge_figs[i], model);
		report_html_end(p);
		report_html_newline(p);
	}
	report_html_end(p); /* tbody */
	report_html_end(p); /* table */
	report_html_end(p); /* div */
	report_html_newline(p);
	cJSON_ArrayForEach(e, rec_get(row, "machines"))
		if (rec_get(e, "finding")) {
			if (!findings++)
				report_html_start(p, "ul", NULL);
			report_html_start(p, "li", NULL);
			report_html_elem(p, "strong", NULL, "Finding on ");
			report_html_text(p, rec_str_or(e, "machine", "?"));
			report_html_text(p, ": ");
			report_html_elem(p, "span", "msg", rec_str_or(e, "finding", ""));
			report_html_end(p);
		}
	if (findings)
		report_html_end(p);
	report_html_end(p); /* section */
	report_html_newline(p);
}

int report_merge_html(const char *path, const cJSON *doc)
{
	const cJSON *row, *machines = rec_get(doc, "machines");
	struct strbuf title = STRBUF_INIT;
	struct report_html_page *p;
	int n = cJSON_GetArraySize(machines), k = 0;
	strbuf_addf(&title, "O3 merge: suite %s%s, %d machine%s", rec_str_or(doc, "suite", "?"),
		    cJSON_IsTrue(rec_get(doc, "suites_differ")) ? " and others" : "", n,
		    n == 1 ? "" : "s");
	p = report_html_page_begin(title.buf);
	strbuf_release(&title);
	if (!p) {
		warning("cannot write '%s': the HTML writer failed", path);
		return -1;
	}
	banners(p, doc);
	report_html_end(p); /* header */
	report_html_newline(p);
	report_html_start(p, "main", NULL);
	report_html_newline(p);
	machines_table(p, doc);
	cJSON_ArrayForEach(row, rec_get(doc, "models"))
		model_card(p, row, machines, ++k);
	if (!k)
		report_html_elem(p, "p", "note", "No machine measured a model.");
	report_html_end(p); /* main */
	report_html_newline(p);
	return report_html_page_end(p, path);
}
