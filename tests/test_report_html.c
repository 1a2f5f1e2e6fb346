// SPDX-License-Identifier: MIT
/*
 * report.html (src/report_html.c) on a rich run (tests/report_html_fixture.c):
 * byte for byte against tests/data/reports/html/report.html, and read back
 * with libxml2's HTML parser: one file that fetches nothing (no URL in any
 * attribute, no external script or style sheet, no url() in the style), every
 * string from a server text and never markup, a card per model, the
 * comparison, SIMULATED only when simulated. (The shared fixture's
 * report.html is among test_report_writers' golden files; the page in a real
 * browser: test_report_html_browser.)
 *
 *   O3_UPDATE_GOLDEN=1 meson test -C build test_report_html
 */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "hostile_text.h"
#include "record.h"
#include "report_html_fixture.h"
#include "report_internal.h"
#include "strbuf.h"
#include "banned.h"

static char tmp[64];
static cJSON *in;

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/o3-html-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	in = html_fixture();
	ck_assert_ptr_nonnull(in);
}

static void teardown(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/report.html", tmp);
	unlink(path);
	rmdir(tmp);
	cJSON_Delete(in);
}

/* report.html of in, its bytes. */
static char *written(size_t *len)
{
	char path[128], *s;
	ck_assert_int_eq(html_fixture_write(in, tmp), 0);
	snprintf(path, sizeof(path), "%s/report.html", tmp);
	s = html_fixture_slurp(path, len);
	ck_assert_ptr_nonnull(s);
	return s;
}

static htmlDocPtr parse(const char *s, size_t len)
{
	htmlDocPtr doc = htmlReadMemory(s, (int)len, "report.html", "UTF-8",
					HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static int has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

struct walk {
	int scripts, styles, model_cards, evil_heading, banner, comparison;
	struct strbuf text; /* every text node outside script and style */
};

static int is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, (const xmlChar *)name);
}

static int has_class(xmlNodePtr n, const char *cls)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"class");
	int yes = v && strstr((const char *)v, cls) != NULL;
	xmlFree(v);
	return yes;
}

static void walk(xmlNodePtr n, struct walk *w)
{
	static const char *const banned_elems[] = { "link", "iframe", "img", "object", "embed", "base",
						    "frame", "audio", "video", "source", "image", "use",
						    "foreignobject", "form", NULL };
	for (; n; n = n->next) {
		xmlAttrPtr a;
		size_t i;
		if (n->type == XML_TEXT_NODE && n->content) {
			strbuf_addstr(&w->text, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; banned_elems[i]; i++)
			ck_assert_msg(!is(n, banned_elems[i]), "a <%s> element", n->name);
		for (a = n->properties; a; a = a->next) {
			xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
			const char *s = (const char *)v;
			ck_assert_msg(strncasecmp((const char *)a->name, "on", 2),
				      "an event handler: %s", a->name);
			ck_assert_msg(xmlStrcasecmp(a->name, (const xmlChar *)"src"), "a src attribute");
			ck_assert_msg(!has_ci(s, "http:") && !has_ci(s, "https:") &&
				      !has_ci(s, "javascript:") && !has_ci(s, "url(") &&
				      strncmp(s ? s : "", "//", 2),
				      "<%s %s=\"%s\">", n->name, a->name, s);
			if (!xmlStrcasecmp(a->name, (const xmlChar *)"href"))
				ck_assert_msg(s && s[0] == '#', "href=\"%s\" leaves the page", s);
			xmlFree(v);
		}
		if (is(n, "script") || is(n, "style")) {
			xmlChar *v = xmlNodeGetContent(n);
			const char *s = (const char *)v;
			ck_assert(!has_ci(s, "http") && !has_ci(s, "url(") && !has_ci(s, "@import") &&
				  !has_ci(s, "fetch(") && !has_ci(s, "XMLHttpRequest") &&
				  !has_ci(s, "import(") && !has_ci(s, "src"));
			if (is(n, "script"))
				w->scripts++;
			else
				w->styles++;
			xmlFree(v);
			continue;
		}
		if (is(n, "section") && has_class(n, "model"))
			w->model_cards++;
		if (is(n, "section") && has_class(n, "comparison"))
			w->comparison++;
		if (is(n, "div") && has_class(n, "banner"))
			w->banner++;
		if (is(n, "h2")) {
			xmlChar *v = xmlNodeGetContent(n);
			w->evil_heading += !strcmp((const char *)v, "<script>alert(1)</script>");
			xmlFree(v);
		}
		walk(n->children, w);
	}
}

static void check_page(const char *s, size_t len, struct walk *w)
{
	htmlDocPtr doc = parse(s, len);
	memset(w, 0, sizeof(*w));
	strbuf_init(&w->text, 0);
	walk(xmlDocGetRootElement(doc), w);
	xmlFreeDoc(doc);
	ck_assert_int_eq(w->scripts, 1);
	ck_assert_int_eq(w->styles, 1);
	/* whatever says http in the file is text on the page (the server's URL) */
	ck_assert_int_eq(count(s, "http:"), count(w->text.buf, "http:"));
	ck_assert_int_eq(count(s, "https:"), count(w->text.buf, "https:"));
	ck_assert(report_utf8_valid(s));
	ck_assert(!strncmp(s, "<!DOCTYPE html>\n<html lang=\"en\">", 31));
	ck_assert_ptr_nonnull(strstr(s, "<meta charset=\"utf-8\"/>"));
	ck_assert_ptr_nonnull(strstr(s, "<meta name=\"viewport\""));
	ck_assert_ptr_nonnull(strstr(s, "@media print"));
}

START_TEST(test_golden)
{
	char golden[4096], *got, *want;
	size_t nget, nwant;
	const char *root = getenv("O3_SOURCE_ROOT"), *upd = getenv("O3_UPDATE_GOLDEN");
	got = written(&nget);
	snprintf(golden, sizeof(golden), "%s/tests/data/reports/html/report.html", root ? root : ".");
	if (upd && !strcmp(upd, "1")) {
		FILE *fp = fopen(golden, "wb");
		ck_assert_ptr_nonnull(fp);
		ck_assert_uint_eq(fwrite(got, 1, nget, fp), nget);
		ck_assert_int_eq(fclose(fp), 0);
	}
	want = html_fixture_slurp(golden, &nwant);
	ck_assert_msg(want != NULL, "no %s (O3_UPDATE_GOLDEN=1 writes it)", golden);
	ck_assert_msg(nget == nwant && !memcmp(got, want, nget),
		      "report.html differs from tests/data/reports/html/report.html "
		      "(%zu bytes, golden %zu)", nget, nwant);
	free(got);
	free(want);
}
END_TEST

START_TEST(test_offline_and_escaped)
{
	size_t len;
	char *s = written(&len);
	struct walk w;
	check_page(s, len, &w);
	ck_assert_int_eq(w.model_cards, cJSON_GetArraySize(cJSON_GetObjectItem(in, "models")));
	ck_assert_int_eq(w.evil_heading, 1);
	ck_assert_int_eq(w.comparison, 1);
	ck_assert_int_eq(w.banner, 1);
	/* the markup a server sent is text */
	ck_assert_ptr_nonnull(strstr(w.text.buf, "<img src=x onerror=alert(2)>"));
	ck_assert_ptr_nonnull(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(w.text.buf, "<b>bold</b>\xef\xbf\xbd"));
	/* the charts: four per measured model, the memory lines, the probes */
	ck_assert_int_eq(count(s, "<svg class=\"chart\""), 4 * 3);
	ck_assert_ptr_nonnull(strstr(s, "probe num_ctx 16384: oom, memory 93.5 %"));
	ck_assert_ptr_null(strstr(s, "memory 12.0 %")); /* another identity's probe */
	ck_assert_ptr_nonnull(strstr(s, ">85 %</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">90 % (limit)</text>"));
	ck_assert_ptr_nonnull(strstr(s, "depth 2048: 79.0 tok/s"));
	ck_assert_ptr_nonnull(strstr(s, "class=\"sortable trials\""));
	strbuf_release(&w.text);
	free(s);
}
END_TEST

START_TEST(test_not_simulated)
{
	const cJSON *m;
	size_t len;
	char *s;
	struct walk w;
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(in, "properties"), "simulated", cJSON_CreateFalse());
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(in, "env"), "ollama"),
				  "simulated", cJSON_CreateFalse());
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(in, "models"))
		if (cJSON_GetObjectItem(m, "identity"))
			cJSON_ReplaceItemInObject(cJSON_GetObjectItem(m, "identity"), "simulated",
						  cJSON_CreateFalse());
	cJSON_DeleteItemFromObject(in, "comparisons");
	s = written(&len);
	check_page(s, len, &w);
	ck_assert_int_eq(w.banner, 0);
	ck_assert_int_eq(w.comparison, 0);
	ck_assert_ptr_null(strstr(s, "SIMULATED"));
	strbuf_release(&w.text);
	free(s);
}
END_TEST

static struct hostile_rng rng = { 0x9e3779b97f4a7c15ull };

static void random_text(char *out, size_t outlen)
{
	hostile_text(&rng, "<>&\"'/=`\n\r\t\x01\x1b\x7f\xc3\xa9\xed\xa0\x80\xef\xbf\xbe"
			     "\xf4\x90\x80\x80\xc0\xaf]]>-!script", out, outlen);
}

/* Whatever the bytes of a model's name and finding, the page parses to
 * the same scripts and styles, and the name reads back as report_xml_clean
 * made it. */
START_TEST(test_any_bytes)
{
	int iter;
	for (iter = 0; iter < 30; iter++) {
		char name[64], finding[64];
		cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(in, "models"), 0);
		struct strbuf want = STRBUF_INIT;
		struct walk w;
		size_t len;
		char *s;
		random_text(name, sizeof(name));
		random_text(finding, sizeof(finding));
		cJSON_ReplaceItemInObject(m, "model", cJSON_CreateString(name));
		cJSON_ReplaceItemInObject(m, "finding", cJSON_CreateString(finding));
		s = written(&len);
		check_page(s, len, &w);
		ck_assert_int_eq(w.model_cards, 4);
		report_xml_clean(&want, name);
		{
			htmlDocPtr doc = parse(s, len);
			xmlNodePtr n = xmlDocGetRootElement(doc);
			xmlChar *got;
			/* html > body > main > section#model-1 > h2 */
			for (n = n->children; n && !is(n, "body"); n = n->next)
				;
			for (n = n->children; n && !is(n, "main"); n = n->next)
				;
			for (n = n->children; n && !is(n, "section"); n = n->next)
				;
			for (n = n->children; n && !is(n, "h2"); n = n->next)
				;
			ck_assert_ptr_nonnull(n);
			got = xmlNodeGetContent(n);
			ck_assert_msg(!strcmp((const char *)got, want.buf),
				      "iteration %d: the name reads back as \"%s\", not \"%s\"", iter,
				      got, want.buf);
			xmlFree(got);
			xmlFreeDoc(doc);
		}
		strbuf_release(&want);
		strbuf_release(&w.text);
		free(s);
	}
}
END_TEST

static Suite *html_suite(void)
{
	Suite *s = suite_create("report_html");
	TCase *tc = tcase_create("html");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_offline_and_escaped);
	tcase_add_test(tc, test_not_simulated);
	tcase_add_test(tc, test_any_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(html_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
