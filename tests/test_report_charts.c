// SPDX-License-Identifier: MIT
/*
 * Charts (chart.h, report_charts.h): the numbers in every chart equal those
 * in its table, in the Mermaid block and in the SVG (its data-x/data-y
 * attributes, read back with libxml2); every SVG is well-formed and has a
 * <title>; a chart with one point, none, and hostile labels.
 *
 * Input: tests/data/reports/charts-input.json, a model summary with depth
 * points, probes of every outcome, stability and a comparison, and its
 * records; the test gives the model a hostile name ("<>& and invalid
 * UTF-8). Its Markdown and SVGs are compared with
 * tests/data/reports/golden-charts/ (O3_UPDATE_GOLDEN=1 rewrites them).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "chart.h"
#include "record.h"
#include "report_charts.h"
#include "report_internal.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"
#include "test_files.h"

static const char hostile[] = "evil\"<model>&'\xff\xc3(:latest";

static const char *source_root(void)
{
	const char *r = getenv("O3_SOURCE_ROOT");
	return r ? r : ".";
}

static int update_golden(void)
{
	const char *v = getenv("O3_UPDATE_GOLDEN");
	return v && !strcmp(v, "1");
}

static void check_golden(const char *got_path, const char *rel)
{
	char want_path[4096], *got, *want;
	size_t ng, nw;
	snprintf(want_path, sizeof(want_path), "%s/tests/data/reports/golden-charts/%s", source_root(),
		 rel);
	got = test_slurp(got_path, &ng);
	ck_assert_msg(got != NULL, "%s was not written", rel);
	if (update_golden()) {
		FILE *fp;
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/tests/data/reports/golden-charts/charts", source_root());
		ck_assert_int_eq(record_mkdirs(dir, 0777), 0);
		fp = fopen(want_path, "wb");
		ck_assert_ptr_nonnull(fp);
		ck_assert_uint_eq(fwrite(got, 1, ng, fp), ng);
		fclose(fp);
	} else {
		want = test_slurp(want_path, &nw);
		ck_assert_msg(want != NULL, "%s: no golden file (O3_UPDATE_GOLDEN=1 writes it)", rel);
		ck_assert_msg(ng == nw && !memcmp(got, want, ng), "%s differs from its golden file", rel);
		free(want);
	}
	free(got);
}

/* ---- reading a table, a Mermaid block and an SVG back ---------------------------- */

#define MAXC 16
#define MAXR 32

struct table {
	int ncols, nrows;
	char cell[MAXR][MAXC][128];
};

/* One table row's cells, split at the | not escaped, trimmed. */
static int split_row(const char *line, char cells[MAXC][128])
{
	int n = 0;
	size_t k = 0;
	const char *p = line + 1;
	for (; *p; p++) {
		if (*p == '|' && p[-1] != '\\') {
			while (k && cells[n][k - 1] == ' ')
				k--;
			cells[n][k] = '\0';
			if (++n == MAXC)
				break;
			k = 0;
			continue;
		}
		if (k == 0 && *p == ' ')
			continue;
		if (k + 1 < 128)
			cells[n][k++] = *p;
	}
	return n;
}

/* The numbers of a "[a, b, c]" or "["a", "b"]" list after prefix, as text. */
static int list_of(const char *line, char out[MAXR][128])
{
	const char *p = strchr(line, '[');
	int n = 0;
	size_t k;
	ck_assert_ptr_nonnull(p);
	for (p++; *p && *p != ']' && n < MAXR; n++) {
		int quoted;
		while (*p == ' ' || *p == ',')
			p++;
		quoted = *p == '"';
		p += quoted;
		for (k = 0; *p && (quoted ? *p != '"' : (*p != ',' && *p != ']')); p++)
			if (k + 1 < 128)
				out[n][k++] = *p;
		out[n][k] = '\0';
		p += quoted && *p;
	}
	return n;
}

struct svg_points {
	int n;
	int series[256];
	char x[256][128], y[256][64];
};

static void collect(xmlNodePtr n, struct svg_points *sp)
{
	for (; n; n = n->next) {
		xmlChar *s = xmlGetProp(n, (const xmlChar *)"data-series");
		xmlChar *x = xmlGetProp(n, (const xmlChar *)"data-x");
		xmlChar *y = xmlGetProp(n, (const xmlChar *)"data-y");
		if (s && x && y && sp->n < 256) {
			sp->series[sp->n] = atoi((const char *)s);
			snprintf(sp->x[sp->n], sizeof(sp->x[0]), "%s", (const char *)x);
			snprintf(sp->y[sp->n], sizeof(sp->y[0]), "%s", (const char *)y);
			sp->n++;
		}
		xmlFree(s);
		xmlFree(x);
		xmlFree(y);
		collect(n->children, sp);
	}
}

/* The SVG parses, has a <title> first, and its points. */
static void read_svg(const char *path, struct svg_points *sp)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root, t;
	ck_assert_msg(doc != NULL, "%s is not well-formed XML", path);
	root = xmlDocGetRootElement(doc);
	ck_assert_str_eq((const char *)root->name, "svg");
	for (t = root->children; t && t->type != XML_ELEMENT_NODE; t = t->next)
		;
	ck_assert_msg(t && xmlStrEqual(t->name, (const xmlChar *)"title"), "%s: no <title>", path);
	memset(sp, 0, sizeof(*sp));
	collect(root->children, sp);
	xmlFreeDoc(doc);
}

static int numeric(const char *s)
{
	return *s && strspn(s, "0123456789.-") == strlen(s);
}

/* Every Mermaid block of the Markdown file against the table before it, and
 * against the SVG its link names; the number of blocks. */
static int check_charts(const char *dir, const char *md_name)
{
	char path[4096], *text, *line, *save = NULL;
	struct table tb;
	int blocks = 0, in_block = 0, next_is_series = 0, nseries = 0, ncat = 0, i;
	char cats[MAXR][128], vals[MAXR][128];

	snprintf(path, sizeof(path), "%s/%s", dir, md_name);
	text = test_slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	memset(&tb, 0, sizeof(tb));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!in_block && line[0] == '|') {
			char cells[MAXC][128];
			int n = split_row(line, cells);
			if (tb.nrows == -1 || tb.nrows >= MAXR) {
				memset(&tb, 0, sizeof(tb));
			}
			if (tb.nrows == 0)
				tb.ncols = n;
			memcpy(tb.cell[tb.nrows++], cells, sizeof(cells));
			continue;
		}
		if (!in_block && tb.nrows > 0 && line[0] != '`' && line[0] != '[')
			tb.nrows = -1;   /* a table ended: the next starts afresh */
		if (!strcmp(line, "```mermaid")) {
			ck_assert_msg(tb.nrows > 2, "%s: a chart with no table before it", md_name);
			in_block = 1;
			nseries = 0;
			continue;
		}
		if (in_block && !strcmp(line, "```")) {
			ck_assert_int_eq(nseries, tb.ncols - 1);
			in_block = 0;
			blocks++;
			continue;
		}
		if (in_block && strstr(line, "x-axis")) {
			ncat = list_of(line, cats);
			ck_assert_int_eq(ncat, tb.nrows - 2);
			for (i = 0; i < ncat; i++)
				if (numeric(cats[i]))
					ck_assert_str_eq(cats[i], tb.cell[i + 2][0]);
			continue;
		}
		if (in_block && strstr(line, "%% series")) {
			next_is_series = 1;
			continue;
		}
		if (in_block && next_is_series) {
			int n = list_of(line, vals);
			next_is_series = 0;
			nseries++;
			ck_assert_int_eq(n, ncat);
			for (i = 0; i < n; i++) {
				const char *cell = tb.cell[i + 2][nseries];
				ck_assert_msg(!strcmp(vals[i], cell) || (!strcmp(cell, "-") && !strcmp(vals[i], "0")),
					      "%s: series %d at %s: chart %s, table %s", md_name, nseries,
					      cats[i], vals[i], cell);
			}
			continue;
		}
		if (!in_block && !strncmp(line, "[The chart as SVG](charts/", 26)) {
			struct svg_points sp;
			char svg[4096];
			int s, r, k = 0;
			snprintf(svg, sizeof(svg), "%s/%.*s", dir, (int)(strlen(line + 19) - 1), line + 19);
			read_svg(svg, &sp);
			/* the points, series by series, are the table's cells that have a value */
			for (s = 0; s < tb.ncols - 1; s++)
				for (r = 2; r < tb.nrows; r++) {
					const char *cell = tb.cell[r][s + 1];
					if (!strcmp(cell, "-"))
						continue;
					ck_assert_msg(k < sp.n, "%s: fewer points than the table has", svg);
					ck_assert_int_eq(sp.series[k], s);
					ck_assert_str_eq(sp.y[k], cell);
					if (numeric(sp.x[k]))
						ck_assert_str_eq(sp.x[k], tb.cell[r][0]);
					k++;
				}
			ck_assert_int_eq(k, sp.n);
			tb.nrows = -1;
		}
	}
	free(text);
	return blocks;
}

/* ---- the writers on the fixture -------------------------------------------------- */

START_TEST(test_charts_equal_tables)
{
	char in_path[4096], dir[64], sub[256], *text, slug[256], name[600];
	cJSON *input, *models, *m;
	struct report_run run;
	const struct report_writer *const writers[] = { &report_writer_md_summary,
							 &report_writer_md_model, NULL };
	DIR *dp;
	struct dirent *de;
	int svgs = 0;

	snprintf(in_path, sizeof(in_path), "%s/tests/data/reports/charts-input.json", source_root());
	text = test_slurp(in_path, NULL);
	ck_assert_ptr_nonnull(text);
	input = cJSON_Parse(text);
	free(text);
	ck_assert_ptr_nonnull(input);
	m = cJSON_GetObjectItem(input, "model");
	cJSON_ReplaceItemInObject(m, "model", cJSON_CreateString(hostile));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(input, "comparisons"), 0),
				  "model", cJSON_CreateString(hostile));
	models = cJSON_CreateArray();
	cJSON_AddItemReferenceToArray(models, m);

	snprintf(dir, sizeof(dir), "/tmp/o3-charts-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&run, 0, sizeof(run));
	run.suite_name = "charts";
	run.dir = dir;
	run.records = cJSON_GetObjectItem(input, "records");
	run.comparisons = cJSON_GetObjectItem(input, "comparisons");
	ck_assert_int_eq(report_write_with(writers, &run, models, NULL), 0);

	o3_model_slug(hostile, slug, sizeof(slug));
	snprintf(sub, sizeof(sub), "%s/summaries", dir);
	snprintf(name, sizeof(name), "%s.md", slug);
	/* every chart: decode, TTFT, memory, depth, stability x2, baseline x2 */
	ck_assert_int_eq(check_charts(sub, name), 8);
	ck_assert_int_eq(check_charts(sub, "summary.md"), 8);
	snprintf(in_path, sizeof(in_path), "%s/%s", sub, name);
	check_golden(in_path, "model.md");
	snprintf(in_path, sizeof(in_path), "%s/charts", sub);
	dp = opendir(in_path);
	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp))) {
		char p[4400], rel[600];
		const char *chart;
		if (de->d_name[0] == '.')
			continue;
		ck_assert_msg(!strncmp(de->d_name, slug, strlen(slug)), "%s", de->d_name);
		chart = de->d_name + strlen(slug) + 1;
		snprintf(p, sizeof(p), "%s/%s", in_path, de->d_name);
		snprintf(rel, sizeof(rel), "charts/%s", chart);
		check_golden(p, rel);
		svgs++;
	}
	closedir(dp);
	ck_assert_int_eq(svgs, 8);
	/* the hostile name reads back in the titles, escaped */
	snprintf(in_path, sizeof(in_path), "%s/%s", sub, name);
	text = test_slurp(in_path, NULL);
	ck_assert(report_utf8_valid(text));
	free(text);
	snprintf(in_path, sizeof(in_path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(in_path), 0);
	cJSON_Delete(models);
	cJSON_Delete(input);
}
END_TEST

/* ---- the chart module alone ---------------------------------------------------------- */

static void svg_of(const struct chart *c, struct svg_points *sp, char **mermaid)
{
	struct strbuf sb = STRBUF_INIT;
	char path[] = "/tmp/o3-chart-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	chart_svg(&sb, c);
	ck_assert_int_eq(write(fd, sb.buf, sb.len), (ssize_t)sb.len);
	close(fd);
	read_svg(path, sp);
	unlink(path);
	strbuf_release(&sb);
	chart_mermaid(&sb, c);
	ck_assert(report_utf8_valid(sb.buf));
	*mermaid = strbuf_detach(&sb, NULL);
}

START_TEST(test_one_point_none_hostile)
{
	struct chart *c = chart_new(hostile, "x <&>", "y \"q\"");
	struct svg_points sp;
	char *mm, *p;
	int s;

	/* no points */
	svg_of(c, &sp, &mm);
	ck_assert_int_eq(sp.n, 0);
	ck_assert_ptr_nonnull(strstr(mm, "xychart-beta"));
	free(mm);
	/* one point, a hostile category */
	s = chart_series(c, "series \"<b>\" \x01\xff", CHART_LINE, 2);
	chart_set(c, s, chart_cat(c, "cat\"<&>\n\xc3("), 3.14159);
	chart_ref(c, "limit <&>", 5);
	svg_of(c, &sp, &mm);
	ck_assert_int_eq(sp.n, 1);
	ck_assert_str_eq(sp.y[0], "3.14");
	ck_assert_ptr_nonnull(strstr(mm, "    line [3.14]\n"));
	ck_assert_ptr_nonnull(strstr(mm, "    line [5]\n"));
	/* no quote inside a Mermaid string, no control character */
	for (p = strstr(mm, "title \""); *p; p++)
		ck_assert((unsigned char)*p >= 0x20 || *p == '\n');
	ck_assert_ptr_nonnull(strstr(mm, "title \"evil'<model>&'"));
	free(mm);
	/* a second series with a value missing: a bar in Mermaid, 0 there */
	s = chart_series(c, "points", CHART_POINTS, 0);
	chart_set(c, s, chart_cat(c, "2"), 7);
	svg_of(c, &sp, &mm);
	ck_assert_int_eq(sp.n, 2);
	ck_assert_ptr_nonnull(strstr(mm, "    bar [0, 7]\n"));
	ck_assert_ptr_nonnull(strstr(mm, "    bar [3.14, 0]\n"));
	free(mm);
	chart_free(c);
}
END_TEST

static Suite *charts_suite(void)
{
	Suite *s = suite_create("report_charts");
	TCase *tc = tcase_create("charts");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_charts_equal_tables);
	tcase_add_test(tc, test_one_point_none_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(charts_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
