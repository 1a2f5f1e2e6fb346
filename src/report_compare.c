// SPDX-License-Identifier: MIT
/* The comparison with the baselines as Markdown (report.h): what changed,
 * then per model the ceilings and every preset's metrics with their
 * verdict, change, p-value and interval. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "report.h"
#include "report_charts.h"
#include "report_internal.h"
#include "strbuf.h"
#include "banned.h"

/* A number cell: decimals digits (or, negative, %.4g), with a sign and a
 * unit when asked. */
static void num_cell(struct strbuf *sb, const cJSON *o, const char *k, int decimals, int sign,
		     const char *unit)
{
	double v;
	if (!rec_num(o, k, &v))
		strbuf_addstr(sb, "-");
	else if (decimals < 0)
		strbuf_addf(sb, "%.4g%s", v, unit);
	else if (sign)
		strbuf_addf(sb, "%+.*f%s", decimals, v, unit);
	else
		strbuf_addf(sb, "%.*f%s", decimals, v, unit);
	strbuf_addstr(sb, " | ");
}

static const char *mark(const char *verdict)
{
	if (!verdict)
		return "";
	if (!strcmp(verdict, "regression"))
		return "**REGRESSION**";
	if (!strcmp(verdict, "improvement"))
		return "improvement";
	if (!strcmp(verdict, "inconclusive"))
		return "*inconclusive*";
	return "pass";
}

/* Each preset's medians, baseline against now, as a table and a chart. */
static void baseline_charts(struct strbuf *sb, const cJSON *c)
{
	static const char *const metrics[] = { "decode", "ttft" };
	size_t i;
	for (i = 0; i < 2; i++) {
		char *caption = NULL;
		struct chart *ch = report_chart_baseline(c, metrics[i], &caption);
		if (!ch)
			continue;
		strbuf_addch(sb, '\n');
		report_md_text(sb, caption);
		strbuf_addstr(sb, "\n\n");
		chart_md_table(sb, ch);
		strbuf_addch(sb, '\n');
		chart_mermaid(sb, ch);
		chart_free(ch);
		free(caption);
	}
}

int report_compare_md(const char *path, const char *baseline_dir, const cJSON *comparisons,
		      const cJSON *missing)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *c, *v, *m;
	strbuf_addstr(&sb, "# O3: comparison with the baselines\n\n");
	strbuf_addstr(&sb, "Baselines: ");
	report_md_code(&sb, baseline_dir, 0);
	strbuf_addstr(&sb, ". A metric regresses when it is worse than the baseline by more than its "
		      "tolerance and the difference is significant over the raw samples (Mann-Whitney U, "
		      "and a bootstrap 95 % interval of the ratio of medians); too few samples or noise "
		      "larger than the tolerance is inconclusive.\n");
	cJSON_ArrayForEach(m, missing) {
		strbuf_addstr(&sb, "\n- no baseline: ");
		report_md_text(&sb, cJSON_GetStringValue(m));
	}
	if (cJSON_GetArraySize(missing))
		strbuf_addstr(&sb, "\n");
	cJSON_ArrayForEach(c, comparisons) {
		strbuf_addstr(&sb, "\n## ");
		report_md_text(&sb, rec_str(c, "model"));
		strbuf_addstr(&sb, "\n\nProfile ");
		report_md_code(&sb, rec_str(c, "profile") ? rec_str(c, "profile") : "", 0);
		strbuf_addstr(&sb, ", baseline of ");
		report_md_text(&sb, rec_str(c, "baseline_date") ? rec_str(c, "baseline_date") : "?");
		strbuf_addstr(&sb, ". Changed since the baseline: ");
		report_md_text(&sb, rec_str(c, "identity_change"));
		strbuf_addf(&sb, ".\n\n%.0f regressions, %.0f improvements, %.0f inconclusive.\n\n",
			    cJSON_GetNumberValue(rec_get(c, "regressions")),
			    cJSON_GetNumberValue(rec_get(c, "improvements")),
			    cJSON_GetNumberValue(rec_get(c, "inconclusive")));
		strbuf_addstr(&sb, "| ceiling | baseline | now | verdict |\n|---|---|---|---|\n");
		cJSON_ArrayForEach(v, rec_get(c, "ceilings")) {
			strbuf_addstr(&sb, "| ");
			report_md_cell(&sb, rec_str(v, "what"));
			strbuf_addstr(&sb, " | ");
			num_cell(&sb, v, "baseline", 0, 0, "");
			num_cell(&sb, v, "now", 0, 0, "");
			strbuf_addf(&sb, "%s |\n", mark(rec_str(v, "verdict")));
		}
		strbuf_addstr(&sb, "\n| preset | metric | baseline (median) | now (median) | change | "
			      "tolerance | p | 95 % interval | n | verdict |\n"
			      "|---|---|---|---|---|---|---|---|---|---|\n");
		cJSON_ArrayForEach(v, rec_get(c, "verdicts")) {
			const cJSON *iv = rec_get(v, "interval");
			strbuf_addstr(&sb, "| ");
			report_md_cell(&sb, rec_str(v, "preset"));
			strbuf_addstr(&sb, " | ");
			report_md_cell(&sb, rec_str(v, "metric"));
			strbuf_addstr(&sb, " | ");
			if (rec_str(v, "metric") && !strcmp(rec_str(v, "metric"), "memory")) {
				/* bytes, as GiB */
				double b = 0, n = 0;
				rec_num(v, "baseline_median", &b);
				rec_num(v, "median", &n);
				strbuf_addf(&sb, "%.3f GiB | %.3f GiB | ", b / 1073741824.0, n / 1073741824.0);
			} else {
				num_cell(&sb, v, "baseline_median", -1, 0, "");
				num_cell(&sb, v, "median", -1, 0, "");
			}
			num_cell(&sb, v, "change_pct", 1, 1, " %");
			num_cell(&sb, v, "tolerance_pct", 0, 0, " %");
			num_cell(&sb, v, "p", -1, 0, "");
			if (cJSON_GetArraySize(iv) == 2)
				strbuf_addf(&sb, "%.3f–%.3f | ", cJSON_GetNumberValue(cJSON_GetArrayItem(iv, 0)),
					    cJSON_GetNumberValue(cJSON_GetArrayItem(iv, 1)));
			else
				strbuf_addstr(&sb, "- | ");
			strbuf_addf(&sb, "%.0f / %.0f | %s", cJSON_GetNumberValue(rec_get(v, "n_baseline")),
				    cJSON_GetNumberValue(rec_get(v, "n")), mark(rec_str(v, "verdict")));
			if (rec_get(v, "suggested_n"))
				strbuf_addf(&sb, " (about %.0f repetitions would decide)",
					    cJSON_GetNumberValue(rec_get(v, "suggested_n")));
			strbuf_addstr(&sb, " |\n");
		}
		baseline_charts(&sb, c);
	}
	return report_file_write_sb(path, &sb);
}
