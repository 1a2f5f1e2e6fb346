// SPDX-License-Identifier: MIT
/*
 * o3 merge's summary.md (report_merge.h): the machines, then per model a
 * table with a row per figure and a column per machine. Every text from a
 * server, a suite or the command line (model names, labels, folders,
 * messages) is escaped by report_internal.h's Markdown functions, as in
 * o3 run's summary.md.
 */
#include <stdio.h>
#include <string.h>

#include "report_internal.h"
#include "record.h"
#include "report_merge.h"
#include "util.h"
#include "banned.h"

/* "label (SIMULATED)" as a cell */
static void machine_cell(struct strbuf *sb, const cJSON *mj)
{
	report_md_cell(sb, rec_str_or(mj, "label", "?"));
	if (cJSON_IsTrue(rec_get(mj, "simulated")))
		strbuf_addstr(sb, " (SIMULATED)");
}

static void banners(struct strbuf *sb, const cJSON *doc)
{
	const cJSON *mj, *machines = rec_get(doc, "machines");
	int n = cJSON_GetArraySize(machines), sim = 0, first = 1;
	cJSON_ArrayForEach(mj, machines)
		sim += cJSON_IsTrue(rec_get(mj, "simulated"));
	if (sim)
		strbuf_addf(sb, "> **SIMULATED RESULTS.** %d of the %d machines ran against o3's "
			    "simulator (marked SIMULATED): no number of theirs was measured on real "
			    "hardware, and no preset of theirs is to be applied.\n\n", sim, n);
	if (!cJSON_IsTrue(rec_get(doc, "suites_differ")))
		return;
	strbuf_addstr(sb, "> **THE SUITES DIFFER** (merged with --force):");
	cJSON_ArrayForEach(mj, machines) {
		strbuf_addstr(sb, first ? " " : "; ");
		first = 0;
		report_md_text(sb, rec_str_or(mj, "label", "?"));
		strbuf_addstr(sb, " ran ");
		report_md_text(sb, rec_str_or(mj, "suite", "?"));
	}
	strbuf_addstr(sb, ". Their figures were measured and judged by different suites.\n\n");
}

static void machines_table(struct strbuf *sb, const cJSON *doc)
{
	const cJSON *mj;
	strbuf_addstr(sb, "## Machines\n\n| machine | server | hardware | suite | results | run started |\n"
		      "|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(mj, rec_get(doc, "machines")) {
		struct strbuf t = STRBUF_INIT;
		strbuf_addstr(sb, "| ");
		machine_cell(sb, mj);
		strbuf_addstr(sb, " | ");
		report_merge_server(&t, mj);
		report_md_cell(sb, t.buf);
		strbuf_addstr(sb, " | ");
		strbuf_reset(&t);
		report_merge_hardware(&t, mj);
		report_md_cell(sb, t.buf);
		strbuf_release(&t);
		strbuf_addstr(sb, " | ");
		report_md_cell(sb, rec_str_or(mj, "suite", "?"));
		strbuf_addstr(sb, " | ");
		report_md_code(sb, rec_str_or(mj, "results", "?"), 1);
		strbuf_addstr(sb, " | ");
		if (rec_get(mj, "time")) {
			report_md_cell(sb, rec_str_or(mj, "time", ""));
			strbuf_addstr(sb, " UTC");
			if (rec_get(mj, "hostname")) {
				strbuf_addstr(sb, " on ");
				report_md_cell(sb, rec_str_or(mj, "hostname", ""));
			}
		} else {
			strbuf_addch(sb, '-');
		}
		strbuf_addstr(sb, " |\n");
	}
	strbuf_addstr(sb, "\nEach column below holds the figures of the machine at its head, from "
		      "its own results.\n");
}

static void cell(struct strbuf *sb, const cJSON *e, const struct report_merge_fig *f, const char *model)
{
	const cJSON *v;
	struct strbuf t = STRBUF_INIT;
	if (cJSON_IsFalse(rec_get(e, "measured")) && f->kind != MF_TEXT) {
		strbuf_addch(sb, '-');
		return;
	}
	v = report_merge_fig_value(e, f);
	switch (f->kind) {
	case MF_NUM:
		if (cJSON_IsNumber(v))
			strbuf_addf(sb, "%.*f", f->decimals, v->valuedouble * f->scale);
		else
			strbuf_addch(sb, '-');
		break;
	case MF_OPTIONS:
		if (v) {
			report_options_text(&t, v);
			report_md_code(sb, t.buf, 1);
		} else {
			strbuf_addstr(sb, report_merge_judged(e) ? "none meets the criteria" : "-");
		}
		break;
	default:
		report_merge_fig_text(&t, e, f, model);
		report_md_cell(sb, t.buf);
	}
	strbuf_release(&t);
}

static void model_md(struct strbuf *sb, const cJSON *row, const cJSON *machines)
{
	const char *model = rec_str_or(row, "model", "?");
	const cJSON *e, *mj;
	size_t i;
	int findings = 0;
	strbuf_addstr(sb, "\n## ");
	report_md_text(sb, model);
	strbuf_addstr(sb, "\n\n");
	if (rec_get(row, "server_knobs")) {
		struct strbuf t = STRBUF_INIT;
		report_options_text(&t, rec_get(row, "server_knobs"));
		strbuf_addstr(sb, "Server started by o3 with ");
		report_md_code(sb, t.buf, 0);
		strbuf_addstr(sb, ".\n\n");
		strbuf_release(&t);
	}
	strbuf_addstr(sb, "| figure |");
	cJSON_ArrayForEach(mj, machines) {
		strbuf_addch(sb, ' ');
		machine_cell(sb, mj);
		strbuf_addstr(sb, " |");
	}
	strbuf_addstr(sb, "\n|---|");
	cJSON_ArrayForEach(mj, machines)
		strbuf_addstr(sb, "---|");
	strbuf_addch(sb, '\n');
	for (i = 0; i < report_merge_n_figs; i++) {
		strbuf_addf(sb, "| %s |", report_merge_figs[i].name);
		cJSON_ArrayForEach(e, rec_get(row, "machines")) {
			strbuf_addch(sb, ' ');
			cell(sb, e, &report_merge_figs[i], model);
			strbuf_addstr(sb, " |");
		}
		strbuf_addch(sb, '\n');
	}
	cJSON_ArrayForEach(e, rec_get(row, "machines"))
		if (rec_get(e, "finding")) {
			if (!findings++)
				strbuf_addch(sb, '\n');
			strbuf_addstr(sb, "- Finding on ");
			report_md_text(sb, rec_str_or(e, "machine", "?"));
			strbuf_addstr(sb, ": ");
			report_md_text(sb, rec_str_or(e, "finding", ""));
			strbuf_addch(sb, '\n');
		}
}

int report_merge_md(const char *path, const cJSON *doc)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *row, *machines = rec_get(doc, "machines");
	int n = cJSON_GetArraySize(machines);
	strbuf_addstr(&sb, "# O3 merge: suite ");
	report_md_text(&sb, rec_str_or(doc, "suite", "?"));
	if (cJSON_IsTrue(rec_get(doc, "suites_differ")))
		strbuf_addstr(&sb, " and others");
	strbuf_addf(&sb, ", %d machine%s\n\n", n, n == 1 ? "" : "s");
	banners(&sb, doc);
	machines_table(&sb, doc);
	cJSON_ArrayForEach(row, rec_get(doc, "models"))
		model_md(&sb, row, machines);
	if (!cJSON_GetArraySize(rec_get(doc, "models")))
		strbuf_addstr(&sb, "\nNo machine measured a model.\n");
	return report_file_write_sb(path, &sb);
}
