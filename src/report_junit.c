// SPDX-License-Identifier: MIT
/* JUnit XML of a run: one testcase per step and per gate (report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

char *report_xml_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': strbuf_addstr(&sb, "&amp;"); break;
		case '<': strbuf_addstr(&sb, "&lt;"); break;
		case '>': strbuf_addstr(&sb, "&gt;"); break;
		case '"': strbuf_addstr(&sb, "&quot;"); break;
		case '\'': strbuf_addstr(&sb, "&apos;"); break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n')
				strbuf_addch(&sb, (char)c);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static const char *str(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

/* "model/phase/label" -> classname "model.phase", name "label" */
static void split_name(const char *full, char **classname, char **name)
{
	const char *last = strrchr(full, '/');
	if (!last) {
		*classname = xstrdup("o3");
		*name = xstrdup(full);
		return;
	}
	*classname = xstrndup(full, (size_t)(last - full));
	*name = xstrdup(last + 1);
}

int report_junit_write(const char *path, const char *suite_name, const cJSON *results,
		       const cJSON *properties)
{
	FILE *fp = fopen(path, "w");
	const cJSON *r;
	int tests = 0, failures = 0, errors = 0;
	double total = 0;
	char stamp[32], host[256] = "localhost";
	time_t now = time(NULL);
	struct tm tm;
	char *esc;

	if (!fp)
		return -1;
	cJSON_ArrayForEach(r, results) {
		const char *st = str(r, "status");
		tests++;
		if (!strcmp(st, "failed"))
			failures++;
		else if (!strcmp(st, "error") && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "gating")))
			errors++;
		total += cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "time_s"));
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	gethostname(host, sizeof(host) - 1);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	esc = report_xml_escape(suite_name);
	/* simulated results say so where every CI dashboard shows them */
	fprintf(fp, "  <testsuite name=\"o3.%s%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
		    "time=\"%.3f\" timestamp=\"%s\" hostname=\"%s\" id=\"0\" package=\"o3\">\n",
		esc, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(properties, "simulated")) ?
		" [SIMULATED]" : "", tests, failures, errors, total, stamp, host);
	free(esc);
	if (cJSON_GetArraySize(properties)) {
		const cJSON *p;
		fprintf(fp, "    <properties>\n");
		cJSON_ArrayForEach(p, properties) {
			char *pn = report_xml_escape(p->string);
			char *pv = report_xml_escape(cJSON_IsString(p) ? p->valuestring :
						     cJSON_IsTrue(p) ? "true" : cJSON_IsFalse(p) ? "false" : "");
			fprintf(fp, "      <property name=\"%s\" value=\"%s\"/>\n", pn, pv);
			free(pn);
			free(pv);
		}
		fprintf(fp, "    </properties>\n");
	} else {
		fprintf(fp, "    <properties/>\n");
	}
	cJSON_ArrayForEach(r, results) {
		char *cls, *name, *ecls, *ename, *emsg;
		const char *st = str(r, "status");
		split_name(str(r, "name"), &cls, &name);
		ecls = report_xml_escape(cls);
		ename = report_xml_escape(name);
		emsg = report_xml_escape(str(r, "message"));
		fprintf(fp, "    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">", ecls, ename,
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "time_s")));
		if (!strcmp(st, "failed"))
			fprintf(fp, "\n      <failure message=\"%s\" type=\"criterion\">%s</failure>\n    ",
				emsg, emsg);
		else if (!strcmp(st, "error") && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "gating")))
			fprintf(fp, "\n      <error message=\"%s\" type=\"error\">%s</error>\n    ", emsg, emsg);
		else if (!strcmp(st, "error"))
			/* a configuration that failed during the search is a finding, not a
			 * failure of the run: reported, not counted */
			fprintf(fp, "\n      <system-out>finding: %s</system-out>\n    ", emsg);
		else if (!strcmp(st, "reused"))
			fprintf(fp, "\n      <system-out>taken from the log of an earlier run</system-out>\n    ");
		fprintf(fp, "</testcase>\n");
		free(cls);
		free(name);
		free(ecls);
		free(ename);
		free(emsg);
	}
	fprintf(fp, "    <system-out/>\n    <system-err/>\n  </testsuite>\n</testsuites>\n");
	return fclose(fp) ? -1 : 0;
}
