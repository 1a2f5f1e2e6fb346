// SPDX-License-Identifier: MIT
/*
 * The report writers (report.h) on a fixed run, byte for byte against golden
 * files, and what they promise whatever a server sends.
 *
 * Input: tests/data/reports/input.json (a smoke run against o3-sim, frozen,
 * with hostile strings added: invalid UTF-8, control characters, |,
 * backticks, <&>"', newlines; see tests/data/reports/README.md) and, as the
 * run's records, tests/data/reports/records.json. The driver
 * writes into a temporary folder, and every file it writes must equal the
 * one under tests/data/reports/golden/ (the same relative path), and no
 * golden file may be missing. JUnit's timestamp and hostname come from the
 * input; nothing else in the reports may vary between runs.
 *
 * After a deliberate change to a report, regenerate the golden files and
 * review their diff before committing:
 *
 *   O3_UPDATE_GOLDEN=1 meson test -C build test_report_writers
 *   git diff tests/data/reports/golden/
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "hostile_text.h"
#include "record.h"
#include "report_internal.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"
#include "test_files.h"

static char tmp[64];
static char cwd[4096];
static cJSON *input;

static const char *source_root(void)
{
	const char *r = getenv("O3_SOURCE_ROOT");
	return r ? r : ".";
}

/* The file's bytes (malloced, NUL-terminated), or NULL. */
static void spit(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	ck_assert_msg(fp != NULL, "cannot write %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Every file under root, as paths relative to it ("summaries/summary.md"),
 * sorted, into a cJSON array of strings. */
static void list_files(const char *root, const char *rel, cJSON *out)
{
	char path[8400], sub[4096];
	struct dirent *de;
	struct stat st;
	DIR *dp;
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	dp = opendir(path);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			list_files(root, sub, out);
		else
			cJSON_AddItemToArray(out, cJSON_CreateString(sub));
	}
	closedir(dp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names; *n their count. Free with free_names. */
static char **files_of(const char *root, size_t *n)
{
	cJSON *arr = cJSON_CreateArray(), *it;
	char **names;
	size_t i = 0;
	list_files(root, "", arr);
	*n = (size_t)cJSON_GetArraySize(arr);
	names = xcalloc(*n + 1, sizeof(*names));
	cJSON_ArrayForEach(it, arr)
		names[i++] = xstrdup(it->valuestring);
	cJSON_Delete(arr);
	qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

static void free_names(char **names)
{
	size_t i;
	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static void setup(void)
{
	char path[4096], *text;
	snprintf(tmp, sizeof(tmp), "/tmp/o3-writers-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/tests/data/reports/input.json", source_root());
	text = test_slurp(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	input = cJSON_Parse(text);
	ck_assert_msg(input != NULL, "%s is not JSON", path);
	free(text);
	/* the run's records (trial records of the input's models), for the
	 * writers that read raw figures */
	snprintf(path, sizeof(path), "%s/tests/data/reports/records.json", source_root());
	text = test_slurp(path, NULL);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	if (!cJSON_GetObjectItemCaseSensitive(input, "records")) {
		cJSON *records = cJSON_Parse(text);
		ck_assert_msg(records != NULL, "%s is not JSON", path);
		cJSON_AddItemToObject(input, "records", records);
	}
	free(text);
}

static void teardown(void)
{
	if (chdir(cwd))
		perror(cwd);
	test_rm_rf(tmp);
	cJSON_Delete(input);
	input = NULL;
}

static const char *in_str(const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(input, k));
}

static void run_of_input(struct report_run *run, const char *dir)
{
	memset(run, 0, sizeof(*run));
	run->suite_name = in_str("suite_name");
	run->dir = dir;
	run->env = cJSON_GetObjectItemCaseSensitive(input, "env");
	run->properties = cJSON_GetObjectItemCaseSensitive(input, "properties");
	run->timestamp = in_str("timestamp");
	run->hostname = in_str("hostname");
	run->records = cJSON_GetObjectItemCaseSensitive(input, "records");
}

/* The driver over the input, into <tmp>/results, as the relative folder
 * "results" (the Modelfiles name their own path: a relative one is the same
 * on every machine). */
static int write_input(void)
{
	struct report_run run;
	int rc;
	ck_assert_int_eq(chdir(tmp), 0);
	run_of_input(&run, "results");
	rc = report_write_all(&run, cJSON_GetObjectItemCaseSensitive(input, "models"),
			      cJSON_GetObjectItemCaseSensitive(input, "steps"));
	ck_assert_int_eq(chdir(cwd), 0);
	return rc;
}

static int update_golden(void)
{
	const char *v = getenv("O3_UPDATE_GOLDEN");
	return v && !strcmp(v, "1");
}

/* Compare (or, with O3_UPDATE_GOLDEN=1, rewrite) one file. */
static void check_golden(const char *results, const char *golden, const char *rel)
{
	char a[4096], b[4096], *got, *want, *slash;
	size_t nget, nwant, i;
	snprintf(a, sizeof(a), "%s/%s", results, rel);
	snprintf(b, sizeof(b), "%s/%s", golden, rel);
	got = test_slurp(a, &nget);
	ck_assert_msg(got != NULL, "%s was not written", rel);
	if (update_golden()) {
		slash = strrchr(b, '/');
		*slash = '\0';
		ck_assert_int_eq(record_mkdirs(b, 0777), 0);
		*slash = '/';
		spit(b, got, nget);
		free(got);
		return;
	}
	want = test_slurp(b, &nwant);
	ck_assert_msg(want != NULL, "%s: no golden file (O3_UPDATE_GOLDEN=1 writes it)", rel);
	for (i = 0; i < nget && i < nwant && got[i] == want[i]; i++)
		;
	ck_assert_msg(nget == nwant && i == nget,
		      "%s differs from its golden file at byte %zu (%zu bytes, golden %zu): "
		      "got \"%.60s\", golden \"%.60s\"", rel, i, nget, nwant,
		      got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
	free(got);
	free(want);
}

START_TEST(test_golden)
{
	char results[128], golden[4096];
	char **got, **want;
	size_t ngot, nwant, i;

	ck_assert_int_eq(write_input(), 0);
	snprintf(results, sizeof(results), "%s/results", tmp);
	snprintf(golden, sizeof(golden), "%s/tests/data/reports/golden", source_root());
	got = files_of(results, &ngot);
	ck_assert_uint_gt(ngot, 10);
	if (update_golden()) {
		/* golden files that are no longer written go */
		want = files_of(golden, &nwant);
		for (i = 0; i < nwant; i++) {
			char p[8192];
			snprintf(p, sizeof(p), "%s/%s", golden, want[i]);
			if (!bsearch(&want[i], got, ngot, sizeof(*got), cmp_str))
				unlink(p);
		}
		free_names(want);
	}
	for (i = 0; i < ngot; i++)
		check_golden(results, golden, got[i]);
	want = files_of(golden, &nwant);
	for (i = 0; i < nwant; i++)
		ck_assert_msg(bsearch(&want[i], got, ngot, sizeof(*got), cmp_str) != NULL,
			      "golden file %s was not written", want[i]);
	ck_assert_uint_eq(ngot, nwant);
	free_names(got);
	free_names(want);
}
END_TEST

/* ---- JUnit: well-formed and valid whatever the bytes -------------------------- */

static xmlSchemaPtr junit_schema(void)
{
	char xsd[4096];
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	snprintf(xsd, sizeof(xsd), "%s/fixtures/schemas/junit-10.xsd", source_root());
	pc = xmlSchemaNewParserCtxt(xsd);
	ck_assert_ptr_nonnull(pc);
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	ck_assert_ptr_nonnull(schema);
	return schema;
}

/* The document, parsed strictly (NULL when not well-formed), and whether it
 * validates. */
static xmlDocPtr parse_valid(const char *xml, size_t len, xmlSchemaPtr schema, int *valid)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSchemaValidCtxtPtr vc;
	*valid = 0;
	if (!doc)
		return NULL;
	vc = xmlSchemaNewValidCtxt(schema);
	*valid = xmlSchemaValidateDoc(vc, doc) == 0;
	xmlSchemaFreeValidCtxt(vc);
	return doc;
}

START_TEST(test_junit_validates)
{
	char path[4096], *xml;
	size_t len;
	int valid;
	xmlSchemaPtr schema = junit_schema();
	xmlDocPtr doc;
	ck_assert_int_eq(write_input(), 0);
	snprintf(path, sizeof(path), "%s/results/junit.xml", tmp);
	xml = test_slurp(path, &len);
	ck_assert_ptr_nonnull(xml);
	doc = parse_valid(xml, len, schema, &valid);
	ck_assert_msg(doc != NULL, "junit.xml is not well-formed");
	ck_assert_msg(valid, "junit.xml does not validate against junit-10.xsd");
	ck_assert_ptr_nonnull(strstr(xml, " [SIMULATED]\" tests=\""));
	xmlFreeDoc(doc);
	xmlSchemaFree(schema);
	free(xml);
}
END_TEST

static struct hostile_rng rng = { 0x9e3779b97f4a7c15ull };

/* Up to 40 bytes, none NUL; half the time from a hostile alphabet. */
static void random_text(char *out, size_t outlen)
{
	hostile_text(&rng, "<>&\"'|`\n\r\t\x01\x1b\x7f\xc3\xa9\xed\xa0\x80\xef\xbf\xbe"
			     "\xf4\x90\x80\x80\xc0\xaf]]>", out, outlen);
}

START_TEST(test_junit_any_bytes)
{
	xmlSchemaPtr schema = junit_schema();
	const struct report_writer *const only[] = { &report_writer_junit, NULL };
	int iter;
	for (iter = 0; iter < 300; iter++) {
		char suite[64], pname[64], pval[64], name[64], msg[64], path[4096], *xml;
		struct report_run run;
		struct strbuf want = STRBUF_INIT;
		cJSON *props = cJSON_CreateObject(), *steps = cJSON_CreateArray(), *s;
		xmlDocPtr doc;
		xmlNodePtr n;
		xmlChar *got;
		size_t len;
		int valid;

		random_text(suite, sizeof(suite));
		random_text(pname, sizeof(pname));
		random_text(pval, sizeof(pval));
		random_text(name, sizeof(name));
		random_text(msg, sizeof(msg));
		cJSON_AddStringToObject(props, pname, pval);
		cJSON_AddBoolToObject(props, "simulated", iter & 1);
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", name);
		cJSON_AddStringToObject(s, "status", "failed");
		cJSON_AddStringToObject(s, "message", msg);
		cJSON_AddNumberToObject(s, "time_s", 1.5);
		cJSON_AddBoolToObject(s, "gating", 1);
		cJSON_AddItemToArray(steps, s);
		memset(&run, 0, sizeof(run));
		run.suite_name = suite;
		run.dir = tmp;
		run.properties = props;
		run.timestamp = "2026-01-01T00:00:00";
		run.hostname = "h";
		ck_assert_int_eq(report_write_with(only, &run, NULL, steps), 0);
		snprintf(path, sizeof(path), "%s/junit.xml", tmp);
		xml = test_slurp(path, &len);
		doc = parse_valid(xml, len, schema, &valid);
		ck_assert_msg(doc != NULL, "iteration %d: not well-formed:\n%s", iter, xml);
		ck_assert_msg(valid, "iteration %d: does not validate:\n%s", iter, xml);
		/* the message reads back as what report_xml_clean made of it */
		report_xml_clean(&want, msg);
		n = xmlDocGetRootElement(doc)->children;
		while (n && !xmlStrEqual(n->name, (const xmlChar *)"testsuite"))
			n = n->next;
		for (n = n->children; n && !xmlStrEqual(n->name, (const xmlChar *)"testcase"); n = n->next)
			;
		for (n = n->children; n && !xmlStrEqual(n->name, (const xmlChar *)"failure"); n = n->next)
			;
		ck_assert_ptr_nonnull(n);
		got = xmlGetProp(n, (const xmlChar *)"message");
		ck_assert_str_eq((const char *)got, want.buf);
		xmlFree(got);
		got = xmlNodeGetContent(n);
		ck_assert_str_eq((const char *)got, want.buf);
		xmlFree(got);
		strbuf_release(&want);
		xmlFreeDoc(doc);
		free(xml);
		cJSON_Delete(props);
		cJSON_Delete(steps);
	}
	xmlSchemaFree(schema);
}
END_TEST

/* ---- Markdown ------------------------------------------------------------------ */

static char *md(void (*f)(struct strbuf *, const char *), const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	f(&sb, s);
	return strbuf_detach(&sb, NULL);
}

static char *code(const char *s, int in_table)
{
	struct strbuf sb = STRBUF_INIT;
	report_md_code(&sb, s, in_table);
	return strbuf_detach(&sb, NULL);
}

#define EXPECT(expr, want) do { char *got_ = (expr); ck_assert_str_eq(got_, want); free(got_); } while (0)

START_TEST(test_md_escaping)
{
	EXPECT(md(report_md_cell, "a|b\nc\r\nd"), "a\\|b<br>c<br>d");
	EXPECT(md(report_md_text, "a|b\nc"), "a\\|b c");
	EXPECT(md(report_md_text, "x\x01y\x1b[2Jz\x7f\xc2\x85!"), "xy\\[2Jz!");
	EXPECT(md(report_md_text, "bad \xff\xc3( end\xe2\x82"), "bad \xef\xbf\xbd\xef\xbf\xbd( end\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT(md(report_md_text, "<b>&amp;</b> *s* [l](x) `c` # $m$ ~t~ \\"),
	       "\\<b\\>\\&amp;\\</b\\> \\*s\\* \\[l\\](x) \\`c\\` \\# \\$m\\$ \\~t\\~ \\\\");
	EXPECT(md(report_md_text, "max_ctx _em_ a_"), "max_ctx \\_em\\_ a\\_");
	EXPECT(md(report_md_text, "- item"), "\\- item");
	EXPECT(md(report_md_text, "12. item"), "12\\. item");
	EXPECT(md(report_md_text, "0.33.0"), "0.33.0");
	EXPECT(md(report_md_cell, "-"), "-");
	EXPECT(md(report_md_text, "caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
	EXPECT(code("num_ctx=8192", 0), "`num_ctx=8192`");
	EXPECT(code("a`b", 0), "``a`b``");
	EXPECT(code("a``b`", 0), "``` a``b` ```");
	EXPECT(code("`x`", 1), "`` `x` ``");
	EXPECT(code("a|b", 1), "`a\\|b`");
	EXPECT(code("a|b", 0), "`a|b`");
	EXPECT(code("a\nb\x01", 1), "`a b`");
	EXPECT(code(" x ", 0), "`  x  `");
	EXPECT(code("", 1), "");
}
END_TEST

/* Issue 12 item 14: options print as integers, never 1e+06 */
START_TEST(test_options_integers)
{
	cJSON *models = cJSON_Parse("[{\"model\":\"m\",\"presets\":{\"max_ctx\":{\"options\":"
				    "{\"num_ctx\":1000000,\"num_batch\":512,\"temperature\":0.7}}}}]");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(models);
	report_terminal(f, models);
	fclose(f);
	ck_assert_msg(strstr(text, "num_ctx=1000000 num_batch=512 temperature=0.7"), "%s", text);
	ck_assert_ptr_null(strstr(text, "e+06"));
	free(text);
	/* the Markdown, HTML and JUnit writers share report_options_text */
	{
		struct strbuf sb = STRBUF_INIT;
		cJSON *o = cJSON_Parse("{\"num_ctx\":1000000,\"top_p\":0.9,\"huge\":1e300,\"f\":false,\"s\":\"x\"}");
		report_options_text(&sb, o);
		ck_assert_str_eq(sb.buf, "num_ctx=1000000 top_p=0.9 huge=1e+300 f=false s=x");
		strbuf_release(&sb);
		cJSON_Delete(o);
	}
	cJSON_Delete(models);
}
END_TEST

/* Every table row has as many cell separators (| not escaped) as its
 * header; no control character but the newline; valid UTF-8. */
static void check_markdown(const char *path)
{
	char *text = test_slurp(path, NULL), *line, *save = NULL, *p;
	int header = -1;
	ck_assert_msg(text != NULL, "%s", path);
	ck_assert_msg(report_utf8_valid(text), "%s is not valid UTF-8", path);
	for (p = text; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "%s: control byte 0x%02x", path,
			      (unsigned char)*p);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int bars = 0;
		if (line[0] != '|') {
			header = -1;
			continue;
		}
		for (p = line; *p; p++)
			bars += *p == '|' && (p == line || p[-1] != '\\');
		if (header < 0)
			header = bars;
		ck_assert_msg(bars == header, "%s: a row with %d cells where the header has %d: %s",
			      path, bars - 1, header - 1, line);
	}
	free(text);
}

START_TEST(test_markdown_tables_hold)
{
	char path[4096];
	ck_assert_int_eq(write_input(), 0);
	snprintf(path, sizeof(path), "%s/results/summaries/summary.md", tmp);
	check_markdown(path);
	snprintf(path, sizeof(path), "%s/results/summaries/qwen2.5_3b-instruct.md", tmp);
	check_markdown(path);
}
END_TEST

START_TEST(test_json_is_utf8)
{
	char path[4096], *text;
	cJSON *doc;
	ck_assert_int_eq(write_input(), 0);
	snprintf(path, sizeof(path), "%s/results/summaries/summary.json", tmp);
	text = test_slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert(report_utf8_valid(text));
	doc = cJSON_Parse(text);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "schema")), "o3.summary");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "schema_version")), 1);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "run"), "simulated")));
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "run"), "time")),
			 "2026-12-01T23:33:57");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 3);
	{
		const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "model")), "qwen2.5:3b-instruct");
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "verdict")), "fail");
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "file")),
				 "qwen2.5_3b-instruct.json");
		/* the whole summary is there */
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(m, "trials"));
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(m, "identity"));
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 2), "verdict")), "not measured");
	}
	cJSON_Delete(doc);
	free(text);
	/* one file per model, with the same shape */
	snprintf(path, sizeof(path), "%s/results/summaries/qwen2.5_3b-instruct.json", tmp);
	text = test_slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	doc = cJSON_Parse(text);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "schema")), "o3.summary");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0), "model")), "qwen2.5:3b-instruct");
	cJSON_Delete(doc);
	free(text);
}
END_TEST

/* A writer that fails leaves the old file, says so, and the others run. */
START_TEST(test_failure_keeps_old_and_others_run)
{
	char path[4096], golden[4096], *text;
	char **names;
	size_t n, i;

	snprintf(path, sizeof(path), "%s/results/summaries", tmp);
	ck_assert_int_eq(record_mkdirs(path, 0777), 0);
	/* the summary's temporary file cannot be created; junit.xml cannot
	 * be renamed into place */
	snprintf(path, sizeof(path), "%s/results/summaries/summary.md", tmp);
	spit(path, "old\n", 4);
	snprintf(path, sizeof(path), "%s/results/summaries/summary.md.%ld.tmp", tmp, (long)getpid());
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/results/junit.xml", tmp);
	ck_assert_int_eq(mkdir(path, 0777), 0);

	ck_assert_int_eq(write_input(), -1);

	snprintf(path, sizeof(path), "%s/results/summaries/summary.md", tmp);
	text = test_slurp(path, NULL);
	ck_assert_str_eq(text, "old\n");
	free(text);
	/* everything else as on a good day */
	snprintf(path, sizeof(path), "%s/results", tmp);
	snprintf(golden, sizeof(golden), "%s/tests/data/reports/golden", source_root());
	names = files_of(path, &n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(!strstr(names[i], ".tmp"), "left behind: %s", names[i]);
		if (strcmp(names[i], "summaries/summary.md") && !update_golden())
			check_golden(path, golden, names[i]);
	}
	ck_assert_uint_gt(n, 10);
	free_names(names);
}
END_TEST

static Suite *writers_suite(void)
{
	Suite *s = suite_create("report_writers");
	TCase *tc = tcase_create("writers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_junit_validates);
	tcase_add_test(tc, test_junit_any_bytes);
	tcase_add_test(tc, test_md_escaping);
	tcase_add_test(tc, test_options_integers);
	tcase_add_test(tc, test_markdown_tables_hold);
	tcase_add_test(tc, test_json_is_utf8);
	tcase_add_test(tc, test_failure_keeps_old_and_others_run);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(writers_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
