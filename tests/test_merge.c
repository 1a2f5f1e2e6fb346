// SPDX-License-Identifier: MIT
/*
 * o3 merge's report (src/report_merge*.c) from model summaries of two
 * machines, the report writers' frozen run (tests/data/reports/input.json:
 * hostile names, a model not measured) and a copy of it with other figures:
 * each machine's column holds its own figures, a model one machine lacks is
 * "absent", simulated machines are marked, differing suites are said in
 * every file, hostile text comes out escaped (Markdown tables hold, HTML
 * reads back as text through libxml2's parser, JSON parses, CSV rows have
 * the header's fields), and a failed write leaves the old file.
 * (o3 merge end to end on simulated machines: test_merge_sim.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "hostile_text.h"
#include "report_internal.h"
#include "report_merge.h"
#include "strbuf.h"
#include "banned.h"
#include "test_files.h"

static char tmp[64];
static cJSON *models_a, *models_b, *id_a, *id_b;
static struct report_merge_machine mc[2];
static struct report_merge rep;

static char *file(const char *name)
{
	char path[256], *s;
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	s = test_slurp(path, NULL);
	ck_assert_msg(s != NULL, "%s was not written", path);
	return s;
}

static cJSON *identity(int simulated, const char *profile)
{
	cJSON *id = cJSON_CreateObject(), *m;
	cJSON_AddStringToObject(id, "ollama_version", "0.33.0");
	cJSON_AddBoolToObject(id, "simulated", simulated);
	if (simulated)
		cJSON_AddStringToObject(id, "simulator", profile);
	m = cJSON_AddObjectToObject(id, "machine");
	cJSON_AddStringToObject(m, "gpu", "0x1002:0x1586 amdgpu");
	cJSON_AddNumberToObject(m, "memory_bytes", 68719476736.0);
	return id;
}

static void setup(void)
{
	const char *root = getenv("O3_SOURCE_ROOT");
	char path[1024], *text;
	size_t len;
	cJSON *in, *m;
	snprintf(tmp, sizeof(tmp), "/tmp/o3-merge-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/tests/data/reports/input.json", root ? root : ".");
	text = test_slurp(path, &len);
	ck_assert_ptr_nonnull(text);
	in = cJSON_ParseWithLength(text, len);
	free(text);
	ck_assert_ptr_nonnull(in);
	models_a = cJSON_DetachItemFromObject(in, "models");
	cJSON_Delete(in);
	ck_assert_int_eq(cJSON_GetArraySize(models_a), 3);
	/* machine b: twice as fast, a real server, and without the last model */
	models_b = cJSON_Duplicate(models_a, 1);
	cJSON_DeleteItemFromArray(models_b, 2);
	cJSON_ArrayForEach(m, models_b) {
		cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "presets"), "max_ctx");
		cJSON *d = cJSON_GetObjectItem(p, "decode_tps");
		if (cJSON_IsNumber(d))
			cJSON_SetNumberValue(d, d->valuedouble * 2);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(m, "identity"), "simulated",
					  cJSON_CreateFalse());
	}
	id_a = identity(1, "o3-sim; profile=strix-halo-64g");
	id_b = identity(0, NULL);
	memset(mc, 0, sizeof(mc));
	mc[0] = (struct report_merge_machine){ "strix", "results-a", "smoke", "2026-01-01T00:00:00", "h1",
					id_a, models_a };
	mc[1] = (struct report_merge_machine){ "halo-b", "results-b", "smoke", NULL, NULL, id_b, models_b };
	rep = (struct report_merge){ tmp, mc, 2, 0 };
}

static void teardown(void)
{
	static const char *const files[] = { "summary.md", "report.html", "summary.json",
					     "summary.csv" };
	char path[256];
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		unlink(path);
	}
	rmdir(tmp);
	cJSON_Delete(models_a);
	cJSON_Delete(models_b);
	cJSON_Delete(id_a);
	cJSON_Delete(id_b);
}

static cJSON *written_json(void)
{
	char *s = file("summary.json");
	cJSON *doc = cJSON_Parse(s);
	ck_assert_msg(doc != NULL, "summary.json does not parse");
	ck_assert_msg(report_utf8_valid(s), "summary.json is not UTF-8");
	free(s);
	return doc;
}

/* ---- CSV: RFC 4180 read back ------------------------------------------------------ */

/* The records of text, each an array of fields (strings). */
static cJSON *csv_read(const char *s)
{
	cJSON *rows = cJSON_CreateArray(), *row = cJSON_CreateArray();
	struct strbuf f = STRBUF_INIT;
	int quoted = 0;
	for (; *s; s++) {
		if (quoted) {
			if (*s == '"' && s[1] == '"')
				strbuf_addch(&f, *s++);
			else if (*s == '"')
				quoted = 0;
			else
				strbuf_addch(&f, *s);
		} else if (*s == '"') {
			quoted = 1;
		} else if (*s == ',' || (*s == '\r' && s[1] == '\n')) {
			cJSON_AddItemToArray(row, cJSON_CreateString(f.buf ? f.buf : ""));
			strbuf_reset(&f);
			if (*s == '\r') {
				cJSON_AddItemToArray(rows, row);
				row = cJSON_CreateArray();
				s++;
			}
		} else {
			ck_assert_msg(*s != '\n' && *s != '\r', "a bare line break outside quotes");
			strbuf_addch(&f, *s);
		}
	}
	ck_assert_msg(!quoted, "a quote left open");
	ck_assert_msg(!f.len && !cJSON_GetArraySize(row), "the last line has no CRLF");
	cJSON_Delete(row);
	strbuf_release(&f);
	return rows;
}

static int col(const cJSON *header, const char *name)
{
	int i;
	for (i = 0; i < cJSON_GetArraySize(header); i++)
		if (!strcmp(cJSON_GetArrayItem(header, i)->valuestring, name))
			return i;
	ck_abort_msg("no column %s", name);
	return -1;
}

static const char *field(const cJSON *rows, int r, const char *name)
{
	return cJSON_GetArrayItem(cJSON_GetArrayItem(rows, r),
				  col(cJSON_GetArrayItem(rows, 0), name))->valuestring;
}

static cJSON *written_csv(void)
{
	char *s = file("summary.csv");
	cJSON *rows = csv_read(s), *r;
	int n = cJSON_GetArraySize(cJSON_GetArrayItem(rows, 0));
	cJSON_ArrayForEach(r, rows)
		ck_assert_int_eq(cJSON_GetArraySize(r), n);
	free(s);
	return rows;
}

/* ---- Markdown ------------------------------------------------------------------------- */

/* Every table row has as many unescaped | as its header; no control byte. */
static void md_tables_hold(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, *p;
	int header = -1;
	ck_assert_msg(report_utf8_valid(text), "summary.md is not UTF-8");
	for (p = copy; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "control byte 0x%02x",
			      (unsigned char)*p);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int bars = 0;
		if (line[0] != '|') {
			header = -1;
			continue;
		}
		for (p = line; *p; p++)
			bars += *p == '|' && (p == line || p[-1] != '\\');
		if (header < 0)
			header = bars;
		ck_assert_msg(bars == header, "a row of %d cells under a header of %d: %s", bars - 1,
			      header - 1, line);
	}
	free(copy);
}

/* The line of summary.md's table of model n (1-based) that starts with
 * "| figure |". */
static char *md_row(const char *text, int n, const char *figure)
{
	const char *p = text, *end;
	char want[128];
	int k;
	for (k = 0; k < n; k++) {
		p = strstr(p + 1, "\n| figure |");
		ck_assert_ptr_nonnull(p);
	}
	snprintf(want, sizeof(want), "\n| %s |", figure);
	p = strstr(p, want);
	ck_assert_ptr_nonnull(p);
	end = strchr(p + 1, '\n');
	return strndup(p + 1, (size_t)(end - p - 1));
}

/* ---- HTML ------------------------------------------------------------------------------ */

static int is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, (const xmlChar *)name);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (n = n ? n->children : NULL; n && !is(n, name); n = n->next)
		;
	return n;
}

static htmlDocPtr html_read(size_t *scripts)
{
	size_t len;
	char path[256], *s;
	htmlDocPtr doc;
	const char *p;
	snprintf(path, sizeof(path), "%s/report.html", tmp);
	s = test_slurp(path, &len);
	ck_assert_ptr_nonnull(s);
	doc = htmlReadMemory(s, (int)len, "report.html", "UTF-8",
			     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(doc);
	for (*scripts = 0, p = s; (p = strstr(p, "<script")); p++)
		(*scripts)++;
	free(s);
	return doc;
}

/* The section of model n (1-based). */
static xmlNodePtr model_section(htmlDocPtr doc, int n)
{
	xmlNodePtr s = child(child(xmlDocGetRootElement(doc), "body"), "main");
	char id[32];
	snprintf(id, sizeof(id), "model-%d", n);
	for (s = s->children; s; s = s->next) {
		xmlChar *v = is(s, "section") ? xmlGetProp(s, (const xmlChar *)"id") : NULL;
		int hit = v && !strcmp((const char *)v, id);
		xmlFree(v);
		if (hit)
			return s;
	}
	ck_abort_msg("no section %s", id);
	return NULL;
}

static char *content(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = strdup((const char *)c);
	xmlFree(c);
	return s;
}

/* ---- the tests -------------------------------------------------------------------------- */

START_TEST(test_columns_are_each_machines)
{
	cJSON *doc, *row, *e, *csv;
	char *md, *line, want[256], a[32], b[32];
	int i, r;
	ck_assert_int_eq(report_merge_write(&rep), 0);
	doc = written_json();
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "schema")->valuestring, "o3.merge");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 3);
	i = 0;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(doc, "models")) {
		const cJSON *ma = cJSON_GetArrayItem(models_a, i), *mb = cJSON_GetArrayItem(models_b, i);
		cJSON *ka = report_key_figures(ma), *kb = mb ? report_key_figures(mb) : NULL;
		e = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "machines"), 0);
		ck_assert_str_eq(cJSON_GetObjectItem(e, "machine")->valuestring, "strix");
		ck_assert(cJSON_Compare(cJSON_GetObjectItem(e, "key_figures"), ka, 1));
		ck_assert_str_eq(cJSON_GetObjectItem(e, "verdict")->valuestring, report_verdict(ma));
		e = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "machines"), 1);
		ck_assert_str_eq(cJSON_GetObjectItem(e, "machine")->valuestring, "halo-b");
		if (mb) {
			ck_assert(cJSON_Compare(cJSON_GetObjectItem(e, "key_figures"), kb, 1));
			ck_assert(!cJSON_Compare(ka, kb, 1) || !cJSON_GetObjectItem(ma, "presets"));
		} else { /* the model machine b lacks */
			ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "measured")));
			ck_assert_str_eq(cJSON_GetObjectItem(e, "verdict")->valuestring, "absent");
		}
		cJSON_Delete(ka);
		cJSON_Delete(kb);
		i++;
	}
	/* Markdown: the first model's max_ctx decode, a's then b's */
	md = file("summary.md");
	md_tables_hold(md);
	{
		const cJSON *pa = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(models_a, 0),
									   "presets"), "max_ctx");
		const cJSON *pb = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(models_b, 0),
									   "presets"), "max_ctx");
		snprintf(a, sizeof(a), "%.1f", cJSON_GetObjectItem(pa, "decode_tps")->valuedouble);
		snprintf(b, sizeof(b), "%.1f", cJSON_GetObjectItem(pb, "decode_tps")->valuedouble);
		ck_assert_str_ne(a, b);
		snprintf(want, sizeof(want), "| max_ctx decode tok/s | %s | %s |", a, b);
		line = md_row(md, 1, "max_ctx decode tok/s");
		ck_assert_str_eq(line, want);
		free(line);
	}
	line = md_row(md, 3, "verdict");
	ck_assert_msg(strstr(line, "| absent (not in its results) |"), "%s", line);
	ck_assert_msg(!strncmp(line, "| verdict | not measured: ", strlen("| verdict | not measured: ")), "%s", line);
	free(line);
	/* a model not measured has no preset; that is not "none meets the criteria" */
	line = md_row(md, 3, "max_ctx options");
	ck_assert_str_eq(line, "| max_ctx options | - | - |");
	free(line);
	ck_assert_ptr_nonnull(strstr(md, "| figure | strix (SIMULATED) | halo-b |"));
	ck_assert_ptr_nonnull(strstr(md, "1 of the 2 machines ran against o3's simulator"));
	ck_assert_ptr_null(strstr(md, "SUITES DIFFER"));
	free(md);
	/* CSV: a row per model and machine, in the document's order */
	csv = written_csv();
	ck_assert_int_eq(cJSON_GetArraySize(csv), 1 + 3 * 2);
	for (r = 1; r <= 6; r++) {
		ck_assert_str_eq(field(csv, r, "machine"), r % 2 ? "strix" : "halo-b");
		ck_assert_str_eq(field(csv, r, "suites_differ"), "false");
	}
	ck_assert_str_eq(field(csv, 1, "simulated"), "true");
	ck_assert_str_eq(field(csv, 2, "simulated"), "false");
	ck_assert_str_eq(field(csv, 6, "verdict"), "absent");
	ck_assert_str_eq(field(csv, 6, "simulated"), "false");
	ck_assert(strtod(field(csv, 2, "max_ctx_decode_tps"), NULL) ==
		  2 * strtod(field(csv, 1, "max_ctx_decode_tps"), NULL));
	cJSON_Delete(csv);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_suites_differ_said_everywhere)
{
	cJSON *doc, *csv;
	char *md, *html;
	int r;
	mc[1].suite_name = "other";
	rep.suites_differ = 1;
	ck_assert_int_eq(report_merge_write(&rep), 0);
	doc = written_json();
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "suites_differ")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "suites")), 2);
	md = file("summary.md");
	ck_assert_ptr_nonnull(strstr(md, "# O3 merge: suite smoke and others, 2 machines"));
	ck_assert_ptr_nonnull(strstr(md, "**THE SUITES DIFFER** (merged with --force): strix ran "
				      "smoke; halo-b ran other."));
	html = file("report.html");
	ck_assert_ptr_nonnull(strstr(html, "THE SUITES DIFFER (merged with --force): strix ran smoke; "
					"halo-b ran other."));
	csv = written_csv();
	for (r = 1; r < cJSON_GetArraySize(csv); r++)
		ck_assert_str_eq(field(csv, r, "suites_differ"), "true");
	ck_assert_str_eq(field(csv, 2, "suite"), "other");
	cJSON_Delete(csv);
	free(md);
	free(html);
	cJSON_Delete(doc);
}
END_TEST

static struct hostile_rng rng = { 0x2545f4914f6cdd1dull };

static void random_text(char *out, size_t outlen)
{
	hostile_text(&rng, "<>&\"'|`*_[]#\n\r\t\x01\x1b\x7f\xc3\xa9\xed\xa0\x80\xef\xbf\xbe"
		     "\xf4\x90\x80\x80\xc0\xaf-=", out, outlen);
}

START_TEST(test_hostile_text_escaped)
{
	int iter;
	for (iter = 0; iter < 6; iter++) {
		char name[64], label[64], *md;
		struct strbuf want = STRBUF_INIT;
		cJSON *doc, *csv;
		htmlDocPtr h;
		xmlNodePtr sec;
		size_t scripts;
		char *got;
		random_text(name, sizeof(name));
		random_text(label, sizeof(label));
		if (!*label) /* a label is never empty */
			snprintf(label, sizeof(label), "x");
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(models_a, 0), "model",
					  cJSON_CreateString(name));
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(models_b, 0), "model",
					  cJSON_CreateString(name));
		mc[0].label = label;
		ck_assert_int_eq(report_merge_write(&rep), 0);
		/* Markdown: the heading is the escaped name, the tables hold */
		md = file("summary.md");
		md_tables_hold(md);
		strbuf_addstr(&want, "\n## ");
		report_md_text(&want, name);
		strbuf_addch(&want, '\n');
		ck_assert_msg(strstr(md, want.buf), "iteration %d: no heading %s", iter, want.buf);
		strbuf_reset(&want);
		free(md);
		/* HTML: the name and the label read back as text, one script */
		h = html_read(&scripts);
		ck_assert_uint_eq(scripts, 1);
		sec = model_section(h, 1);
		got = content(child(sec, "h2"));
		report_xml_clean(&want, name);
		ck_assert_msg(!strcmp(got, want.buf), "iteration %d: the name reads back as \"%s\"",
			      iter, got);
		free(got);
		strbuf_reset(&want);
		{
			xmlNodePtr th = child(child(child(child(child(sec, "div"), "table"), "thead"),
						    "tr"), "th");
			ck_assert_ptr_nonnull(th);
			got = content(th->next);
			report_xml_clean(&want, label);
			strbuf_addstr(&want, " SIMULATED");
			ck_assert_msg(!strcmp(got, want.buf), "iteration %d: the label reads \"%s\"",
				      iter, got);
			free(got);
		}
		xmlFreeDoc(h);
		strbuf_release(&want);
		/* JSON and CSV read back */
		doc = written_json();
		cJSON_Delete(doc);
		csv = written_csv();
		ck_assert_int_eq(cJSON_GetArraySize(csv), 7);
		cJSON_Delete(csv);
	}
}
END_TEST

/* A failed write leaves the old file as it was, and the others are written. */
START_TEST(test_failed_write_keeps_old)
{
	char path[256], *before, *after, *csv;
	ck_assert_int_eq(report_merge_write(&rep), 0);
	before = file("summary.md");
	/* the temporary file's name is taken by a folder */
	snprintf(path, sizeof(path), "%s/summary.md.%ld.tmp", tmp, (long)getpid());
	ck_assert_int_eq(mkdir(path, 0700), 0);
	mc[1].label = "renamed";
	ck_assert_int_eq(report_merge_write(&rep), -1);
	rmdir(path);
	after = file("summary.md");
	ck_assert_str_eq(after, before);
	csv = file("summary.csv");
	ck_assert_ptr_nonnull(strstr(csv, "renamed"));
	free(before);
	free(after);
	free(csv);
}
END_TEST

START_TEST(test_stability_verdicts)
{
	cJSON *m = cJSON_Parse("{\"model\":\"m\",\"complete\":true,\"stability\":[{}],\"gates\":["
			       "{\"name\":\"m/preset/fast\",\"pass\":false},"
			       "{\"name\":\"m/stability/fast/1-streams\",\"pass\":true}]}");
	ck_assert_str_eq(report_merge_stability(m), "pass");
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "gates"), 1), "pass",
				  cJSON_CreateFalse());
	ck_assert_str_eq(report_merge_stability(m), "fail");
	cJSON_DeleteItemFromArray(cJSON_GetObjectItem(m, "gates"), 1);
	ck_assert_str_eq(report_merge_stability(m), "not judged");
	cJSON_ReplaceItemInObject(m, "stability", cJSON_CreateArray());
	ck_assert_str_eq(report_merge_stability(m), "not run");
	cJSON_ReplaceItemInObject(m, "complete", cJSON_CreateFalse());
	ck_assert_str_eq(report_merge_stability(m), "not judged");
	cJSON_Delete(m);
}
END_TEST

static void knobs(cJSON *m, const char *kv)
{
	cJSON *k = cJSON_CreateObject();
	cJSON_AddStringToObject(k, "OLLAMA_KV_CACHE_TYPE", kv);
	cJSON_DeleteItemFromObject(m, "server_knobs");
	cJSON_AddItemToObject(m, "server_knobs", k);
}

/* Managed mode: a model under two server configurations is two rows. */
START_TEST(test_server_configurations_apart)
{
	cJSON *m0 = cJSON_GetArrayItem(models_a, 0), *q8 = cJSON_Duplicate(m0, 1), *doc, *row;
	char *md;
	int rows = 0;
	knobs(m0, "f16");
	knobs(q8, "q8_0");
	cJSON_AddItemToArray(models_a, q8);
	knobs(cJSON_GetArrayItem(models_b, 0), "f16");
	ck_assert_int_eq(report_merge_write(&rep), 0);
	doc = written_json();
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 4);
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(doc, "models")) {
		const cJSON *k = cJSON_GetObjectItem(row, "server_knobs");
		const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "machines"), 1);
		if (!k)
			continue;
		rows++;
		/* machine b measured the model under f16 only */
		ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(e, "measured")),
				 !strcmp(cJSON_GetObjectItem(k, "OLLAMA_KV_CACHE_TYPE")->valuestring, "f16"));
	}
	ck_assert_int_eq(rows, 2);
	md = file("summary.md");
	ck_assert_ptr_nonnull(strstr(md, "Server started by o3 with `OLLAMA_KV_CACHE_TYPE=q8_0`."));
	free(md);
	cJSON_Delete(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("report");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_columns_are_each_machines);
	tcase_add_test(tc, test_suites_differ_said_everywhere);
	tcase_add_test(tc, test_hostile_text_escaped);
	tcase_add_test(tc, test_failed_write_keeps_old);
	tcase_add_test(tc, test_stability_verdicts);
	tcase_add_test(tc, test_server_configurations_apart);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
