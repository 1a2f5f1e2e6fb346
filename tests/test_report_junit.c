// SPDX-License-Identifier: MIT
/*
 * What junit.xml says (report_junit.c), on a small run made here with
 * records: one testsuite per model summary (and server configuration),
 * properties, errors for what could not be measured, verdicts of what was,
 * a probe past the edge as an expected pass, stability measured and judged
 * as one case, names unique and stable, time in the step's seconds; and
 * valid against the JUnit 10 schema.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "report_internal.h"
#include "util.h"
#include "banned.h"

static char tmp[64];
static xmlDocPtr doc;
static char *xml;

/* The run: m:1 (process mode) and m:2 under two server configurations. */
static const char *const models_json =
	"[{\"model\": \"m:1\", \"identity\": {\"simulated\": false, \"model_digest\": \"d1\","
	"  \"server_knobs\": {\"OLLAMA_NUM_PARALLEL\": \"2\"}, \"server_knobs_source\": \"process\","
	"  \"hash\": \"h1\"}, \"complete\": true,"
	"  \"ceiling\": {\"found\": 32768, \"usable\": {\"num_ctx\": 16384}},"
	"  \"trials\": [{\"id\": \"t1\", \"options\": {\"num_predict\": 16, \"num_ctx\": 4096},"
	"    \"ok\": true, \"meets\": false, \"why\": \"TTFT 3.1 s is above the criterion of 2 s\","
	"    \"decode_tps\": 41.5, \"ttft_ms\": 3100}],"
	"  \"presets\": {\"max_ctx\": {\"options\": {\"num_predict\": 16, \"num_ctx\": 4096},"
	"    \"decode_tps\": 41.5, \"ttft_ms\": 900}},"
	"  \"stability\": [{\"preset\": \"max_ctx\", \"streams\": 2, \"requests\": 100,"
	"    \"success_pct\": 100, \"oom\": 0, \"ttft_p99_ms\": 2500, \"ttft_p99_limit_ms\": 2000}],"
	"  \"gates\": [{\"name\": \"m:1/preset/max_ctx\", \"pass\": true},"
	"    {\"name\": \"m:1/stability/max_ctx/2-streams\", \"pass\": false, \"message\": \"TTFT p99"
	" 2.50 s is above the criterion of 2.00 s by 0.50 s under 2 streams\"}]},"
	" {\"model\": \"m:2\", \"server_knobs\": {\"OLLAMA_FLASH_ATTENTION\": \"0\"},"
	"  \"identity\": {\"hash\": \"h2a\"}, \"complete\": true,"
	"  \"gates\": [{\"name\": \"m:2/preset/max_ctx\", \"pass\": true}]},"
	" {\"model\": \"m:2\", \"server_knobs\": {\"OLLAMA_FLASH_ATTENTION\": \"1\"},"
	"  \"identity\": {\"hash\": \"h2b\"}, \"complete\": true,"
	"  \"gates\": [{\"name\": \"m:2/preset/max_ctx\", \"pass\": false, \"message\": \"none\"}]}]";

static const char *const records_json =
	"{\"k1|id=h1\": {\"id\": \"p1\", \"phase\": \"ceiling-probe\", \"status\": \"ok\", \"outcome\": \"fits\"},"
	" \"k2|id=h1\": {\"id\": \"p2\", \"phase\": \"ceiling-probe\", \"status\": \"error\", \"outcome\": \"oom\","
	"        \"error\": {\"class\": \"oom\", \"message\": \"model requires more system memory\"}},"
	" \"k3|id=h1\": {\"id\": \"p3\", \"phase\": \"ceiling-probe\", \"status\": \"ok\", \"outcome\": \"offload\"},"
	" \"k4|id=h1\": {\"id\": \"t1\", \"phase\": \"trial\", \"status\": \"ok\"},"
	" \"k5|id=h1\": {\"id\": \"t2\", \"phase\": \"trial\", \"status\": \"error\","
	"        \"error\": {\"class\": \"client_timeout\", \"message\": \"no first byte in 60 s\"}},"
	" \"k6|id=h1\": {\"id\": \"s1\", \"phase\": \"stability\", \"status\": \"ok\"}}";

#define STEP(name, key, status, msg, t, g) \
	"{\"name\": \"" name "\", \"key\": \"" key "\", \"status\": \"" status "\", \"message\": \"" \
	msg "\", \"time_s\": " #t ", \"gating\": " g "}"

static const char *const steps_json =
	"[" STEP("m:1/ceiling-probe/num_ctx=4096", "k1|id=h1", "ok", "", 1.25, "false")
	"," STEP("m:1/ceiling-probe/num_ctx=65536", "k2|id=h1", "error",
		 "oom: model requires more system memory", 0.5, "false")
	"," STEP("m:1/ceiling-probe/num_ctx=32768", "k3|id=h1", "ok", "", 0.75, "false")
	"," STEP("m:1/trial/num_predict=16,num_ctx=4096", "k4|id=h1", "ok", "", 2, "false")
	"," STEP("m:1/trial/num_predict=16,num_ctx=8192", "k5|id=h1", "error",
		 "client_timeout: no first byte in 60 s", 60, "false")
	"," STEP("m:1/stability/max_ctx,streams=2", "k6|id=h1", "ok", "", 12.5, "false")
	"," STEP("m:1/trial/num_predict=16,num_ctx=4096", "k4|id=h1", "reused", "", 0, "false")
	",{\"name\": \"m:1/preset/max_ctx\", \"status\": \"ok\", \"time_s\": 0, \"gating\": true}"
	",{\"name\": \"m:1/stability/max_ctx/2-streams\", \"status\": \"failed\", \"message\":"
	"  \"TTFT p99 2.50 s is above the criterion of 2.00 s by 0.50 s under 2 streams\","
	"  \"time_s\": 0, \"gating\": true}"
	"," STEP("m:2/OLLAMA_FLASH_ATTENTION=0/ceiling-probe/num_ctx=4096", "k1|id=h2a", "ok", "", 1, "false")
	",{\"name\": \"m:2/preset/max_ctx\", \"status\": \"ok\", \"time_s\": 0, \"gating\": true}"
	"," STEP("m:2/OLLAMA_FLASH_ATTENTION=1/ceiling-probe/num_ctx=4096", "k1|id=h2b", "ok", "", 1, "false")
	",{\"name\": \"m:2/preset/max_ctx\", \"status\": \"failed\", \"message\": \"none\","
	"  \"time_s\": 0, \"gating\": true}"
	"]";

static void setup(void)
{
	const struct report_writer *const only[] = { &report_writer_junit, NULL };
	cJSON *models = cJSON_Parse(models_json), *records = cJSON_Parse(records_json);
	cJSON *steps = cJSON_Parse(steps_json), *props = cJSON_CreateObject();
	struct report_run run;
	char path[128];
	FILE *fp;
	long n;
	ck_assert_ptr_nonnull(models);
	ck_assert_ptr_nonnull(records);
	ck_assert_ptr_nonnull(steps);
	snprintf(tmp, sizeof(tmp), "/tmp/o3-junit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	cJSON_AddStringToObject(props, "o3_version", "0.1.0");
	cJSON_AddStringToObject(props, "ollama_version", "0.33.0");
	cJSON_AddBoolToObject(props, "simulated", 0);
	memset(&run, 0, sizeof(run));
	run.suite_name = "s";
	run.dir = tmp;
	run.properties = props;
	run.records = records;
	run.timestamp = "2026-01-01T00:00:00";
	run.hostname = "h";
	ck_assert_int_eq(report_write_with(only, &run, models, steps), 0);
	snprintf(path, sizeof(path), "%s/junit.xml", tmp);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	xml = xcalloc((size_t)n + 1, 1);
	ck_assert_int_eq((long)fread(xml, 1, (size_t)n, fp), n);
	fclose(fp);
	unlink(path);
	rmdir(tmp);
	doc = xmlReadMemory(xml, (int)n, "junit.xml", NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	cJSON_Delete(models);
	cJSON_Delete(records);
	cJSON_Delete(steps);
	cJSON_Delete(props);
}

static void teardown(void)
{
	xmlFreeDoc(doc);
	free(xml);
}

/* The XPath expression's string value (malloced). */
static char *xs(const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	xmlChar *s;
	char *out;
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	s = xmlXPathCastToString(o);
	out = xstrdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return out;
}

/* on a failure the document goes to stderr (too long for Check's message) */
#define XEQ(expr, want) do { char *got_ = xs(expr); \
	if (strcmp(got_, want)) \
		fputs(xml, stderr); \
	ck_assert_msg(!strcmp(got_, want), "%s: \"%.200s\", not \"%s\"", expr, got_, want); \
	free(got_); } while (0)
#define XHAS(expr, part) do { char *got_ = xs(expr); \
	if (!strstr(got_, part)) \
		fputs(xml, stderr); \
	ck_assert_msg(strstr(got_, part) != NULL, "%s: \"%.200s\" lacks \"%s\"", expr, got_, part); \
	free(got_); } while (0)

#define CASE(suite, name) "//testsuite[@name='" suite "']/testcase[@name='" name "']"

START_TEST(test_validates)
{
	char xsd[4096];
	const char *root = getenv("O3_SOURCE_ROOT");
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vc;
	snprintf(xsd, sizeof(xsd), "%s/fixtures/schemas/junit-10.xsd", root ? root : ".");
	pc = xmlSchemaNewParserCtxt(xsd);
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	ck_assert_ptr_nonnull(schema);
	vc = xmlSchemaNewValidCtxt(schema);
	ck_assert_msg(xmlSchemaValidateDoc(vc, doc) == 0, "junit.xml does not validate");
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
}
END_TEST

START_TEST(test_one_suite_per_model)
{
	XEQ("count(//testsuite)", "3");
	XEQ("//testsuite[1]/@name", "m:1");
	XEQ("//testsuite[2]/@name", "m:2 [OLLAMA_FLASH_ATTENTION=0]");
	XEQ("//testsuite[3]/@name", "m:2 [OLLAMA_FLASH_ATTENTION=1]");
	/* the cases of a suite carry its classname: reporters group by it */
	XEQ("count(//testsuite[1]/testcase[@classname!='m:1'])", "0");
	XEQ("count(//testsuite[3]/testcase[@classname!='m:2 [OLLAMA_FLASH_ATTENTION=1]'])", "0");
	/* the gates of one model under two configurations: each its own */
	XEQ("//testsuite[2]/@failures", "0");
	XEQ("//testsuite[3]/@failures", "1");
	XEQ("count(//testsuite[3]/testcase[@name='preset max_ctx']/failure)", "1");
	XEQ("//testsuites/@tests", "12");
	XEQ("//testsuites/@failures", "2");
	XEQ("//testsuites/@errors", "1");
	/* where and what was measured */
	XEQ("//testsuite[1]/properties/property[@name='model_digest']/@value", "d1");
	XEQ("//testsuite[1]/properties/property[@name='server_knobs']/@value", "OLLAMA_NUM_PARALLEL=2");
	XEQ("//testsuite[1]/properties/property[@name='server_knobs_source']/@value", "process");
	XEQ("//testsuite[1]/properties/property[@name='identity_hash']/@value", "h1");
	XEQ("//testsuite[1]/properties/property[@name='ollama_version']/@value", "0.33.0");
	XEQ("//testsuite[1]/properties/property[@name='simulated']/@value", "false");
	XEQ("//testsuite[2]/properties/property[@name='server_knobs']/@value", "OLLAMA_FLASH_ATTENTION=0");
}
END_TEST

START_TEST(test_verdicts)
{
	/* measured and fits */
	XEQ(CASE("m:1", "ceiling-probe num_ctx=4096") "/@time", "1.250");
	XEQ("count(" CASE("m:1", "ceiling-probe num_ctx=4096") "/*[self::error or self::failure])", "0");
	/* past the edge: a pass that says it was expected, oom or offload */
	XEQ("count(" CASE("m:1", "ceiling-probe num_ctx=65536") "/*[self::error or self::failure])", "0");
	XHAS(CASE("m:1", "ceiling-probe num_ctx=65536") "/system-out", "expected: past the edge of memory");
	XHAS(CASE("m:1", "ceiling-probe num_ctx=65536") "/system-out", "oom");
	XHAS(CASE("m:1", "ceiling-probe num_ctx=32768") "/system-out", "outcome: offload; expected");
	/* a trial that was measured and missed a criterion: a pass with its verdict */
	XEQ("count(" CASE("m:1", "trial num_predict=16 num_ctx=4096") "/*[self::error or self::failure])", "0");
	XHAS(CASE("m:1", "trial num_predict=16 num_ctx=4096") "/system-out",
	     "does not meet the criteria: TTFT 3.1 s is above the criterion of 2 s");
	/* a trial that could not be measured: an error with its class */
	XEQ(CASE("m:1", "trial num_predict=16 num_ctx=8192") "/error/@type", "client_timeout");
	XHAS(CASE("m:1", "trial num_predict=16 num_ctx=8192") "/error/@message", "no first byte");
	XEQ(CASE("m:1", "trial num_predict=16 num_ctx=8192") "/@time", "60.000");
	/* the same step again: its own name, said to be taken from before */
	XHAS(CASE("m:1", "trial num_predict=16 num_ctx=4096 #2") "/system-out", "not measured again");
	/* stability: measured and judged, one case with the step's time and the
	 * gate's verdict, naming criterion, value, limit and margin */
	XEQ("count(//testcase[starts-with(@name, 'stability')])", "1");
	XEQ(CASE("m:1", "stability max_ctx streams=2") "/@time", "12.500");
	XEQ(CASE("m:1", "stability max_ctx streams=2") "/failure/@type", "criterion");
	XHAS(CASE("m:1", "stability max_ctx streams=2") "/failure/@message",
	     "TTFT p99 2.50 s is above the criterion of 2.00 s by 0.50 s");
	XHAS(CASE("m:1", "stability max_ctx streams=2") "/system-out", "TTFT p99 ms 2500.0, limit ms 2000");
	/* a preset gate that passes says which options */
	XHAS(CASE("m:1", "preset max_ctx") "/system-out", "options: num_predict=16 num_ctx=4096");
}
END_TEST

START_TEST(test_names_unique)
{
	/* no two cases of a suite share a name (preceding-sibling with the same name) */
	XEQ("count(//testcase[@name = preceding-sibling::testcase/@name])", "0");
	/* no id, no time in a name */
	XEQ("count(//testcase[contains(@name, 'h1') or contains(@name, '|')])", "0");
}
END_TEST

static Suite *junit_suite(void)
{
	Suite *s = suite_create("report_junit");
	TCase *tc = tcase_create("junit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_validates);
	tcase_add_test(tc, test_one_suite_per_model);
	tcase_add_test(tc, test_verdicts);
	tcase_add_test(tc, test_names_unique);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(junit_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
