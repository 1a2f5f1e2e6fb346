// SPDX-License-Identifier: MIT
/*
 * junit.xml (report.h): one testsuite, its properties (the run's identity),
 * and one testcase per step and per gate, written with libxml2's
 * xmlTextWriter. A failed gating step is a <failure>, a gating step that
 * could not run an <error>; a configuration that failed during the search is
 * a finding (in <system-out>), not a failure of the run.
 *
 * The writer escapes markup but passes bytes through: every string is first
 * made valid UTF-8 holding only characters XML 1.0 allows
 * (report_xml_clean), so the file is well-formed whatever a server sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

struct junit_state {
	const struct report_run *run;
	char path[4200];
	cJSON *steps; /* references to the step results */
};

static const char *str(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static int gating(const cJSON *r)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "gating"));
}

static double time_s(const cJSON *r)
{
	double t = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "time_s"));
	return t == t ? t : 0; /* NaN when absent */
}

/* An attribute or text from a server, cleaned for XML. <0 on error. */
static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;
	report_xml_clean(&sb, value);
	rc = sb.toobig ? -1 :
	     xmlTextWriterWriteAttribute(w, (const xmlChar *)name, (const xmlChar *)sb.buf);
	strbuf_release(&sb);
	return rc;
}

static int text(xmlTextWriterPtr w, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;
	report_xml_clean(&sb, value);
	rc = sb.toobig ? -1 : xmlTextWriterWriteString(w, (const xmlChar *)sb.buf);
	strbuf_release(&sb);
	return rc;
}

static int start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, (const xmlChar *)name);
}

/* <name message="msg" type="type">msg</name>, or <system-out>: prefix msg */
static int outcome(xmlTextWriterPtr w, const char *name, const char *type, const char *msg)
{
	int bad = 0;
	if (type) {
		bad |= start(w, name) < 0 || attr(w, "message", msg) < 0 || attr(w, "type", type) < 0;
		bad |= text(w, msg) < 0;
	} else {
		bad |= start(w, "system-out") < 0 || text(w, name) < 0 || text(w, msg) < 0;
	}
	bad |= xmlTextWriterEndElement(w) < 0;
	return bad ? -1 : 0;
}

static int testcase(xmlTextWriterPtr w, const cJSON *r)
{
	const char *full = str(r, "name"), *last = strrchr(full, '/');
	const char *st = str(r, "status"), *msg = str(r, "message");
	char *cls = last ? xstrndup(full, (size_t)(last - full)) : xstrdup("o3");
	int bad;
	/* "model/phase/label": classname "model/phase", name "label" */
	bad = start(w, "testcase") < 0 || attr(w, "classname", cls) < 0 ||
	      attr(w, "name", last ? last + 1 : full) < 0 ||
	      xmlTextWriterWriteFormatAttribute(w, (const xmlChar *)"time", "%.3f", time_s(r)) < 0;
	free(cls);
	if (bad)
		return -1;
	if (!strcmp(st, "failed"))
		bad = outcome(w, "failure", "criterion", msg);
	else if (!strcmp(st, "error") && gating(r))
		bad = outcome(w, "error", "error", msg);
	else if (!strcmp(st, "error"))
		/* a configuration that failed during the search is a finding, not a
		 * failure of the run: reported, not counted */
		bad = outcome(w, "finding: ", NULL, msg);
	else if (!strcmp(st, "reused"))
		bad = outcome(w, "taken from the log of an earlier run", NULL, "");
	return bad || xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int write_doc(xmlTextWriterPtr w, const struct junit_state *js)
{
	const struct report_run *run = js->run;
	const cJSON *r, *p;
	int tests = 0, failures = 0, errors = 0, bad;
	double total = 0;
	char stamp[32], host[256] = "localhost", name[64];
	struct strbuf sname = STRBUF_INIT;

	cJSON_ArrayForEach(r, js->steps) {
		const char *st = str(r, "status");
		tests++;
		if (!strcmp(st, "failed"))
			failures++;
		else if (!strcmp(st, "error") && gating(r))
			errors++;
		total += time_s(r);
	}
	if (!run->timestamp) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (!run->hostname)
		gethostname(host, sizeof(host) - 1);
	/* simulated results say so where every CI dashboard shows them */
	strbuf_addf(&sname, "o3.%s%s", run->suite_name ? run->suite_name : "",
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run->properties, "simulated")) ?
		    " [SIMULATED]" : "");

	bad = xmlTextWriterSetIndent(w, 1) < 0 ||
	      xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") < 0 ||
	      xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	      start(w, "testsuites") < 0 || start(w, "testsuite") < 0 ||
	      attr(w, "name", sname.buf) < 0;
	strbuf_release(&sname);
	snprintf(name, sizeof(name), "%d", tests);
	bad = bad || attr(w, "tests", name) < 0;
	snprintf(name, sizeof(name), "%d", failures);
	bad = bad || attr(w, "failures", name) < 0;
	snprintf(name, sizeof(name), "%d", errors);
	bad = bad || attr(w, "errors", name) < 0;
	bad = bad || xmlTextWriterWriteFormatAttribute(w, (const xmlChar *)"time", "%.3f", total) < 0 ||
	      attr(w, "timestamp", run->timestamp ? run->timestamp : stamp) < 0 ||
	      attr(w, "hostname", run->hostname ? run->hostname : host) < 0 ||
	      attr(w, "id", "0") < 0 || attr(w, "package", "o3") < 0 ||
	      start(w, "properties") < 0;
	cJSON_ArrayForEach(p, run->properties) {
		if (bad)
			break;
		bad = start(w, "property") < 0 || attr(w, "name", p->string) < 0 ||
		      attr(w, "value", cJSON_IsString(p) ? p->valuestring :
			   cJSON_IsTrue(p) ? "true" : cJSON_IsFalse(p) ? "false" : "") < 0 ||
		      xmlTextWriterEndElement(w) < 0;
	}
	bad = bad || xmlTextWriterEndElement(w) < 0;
	cJSON_ArrayForEach(r, js->steps) {
		if (bad)
			break;
		bad = testcase(w, r) < 0;
	}
	bad = bad || start(w, "system-out") < 0 || xmlTextWriterEndElement(w) < 0 ||
	      start(w, "system-err") < 0 || xmlTextWriterEndElement(w) < 0 ||
	      xmlTextWriterEndDocument(w) < 0; /* closes testsuite and testsuites */
	return bad ? -1 : 0;
}

static int junit_begin(const struct report_run *run, void **state)
{
	struct junit_state *st = xcalloc(1, sizeof(*st));
	int n;
	st->run = run;
	n = snprintf(st->path, sizeof(st->path), "%s/%s", run->dir,
		     run->junit_name ? run->junit_name : "junit.xml");
	if (n < 0 || (size_t)n >= sizeof(st->path) || record_mkdirs(run->dir, 0777)) {
		warning("cannot write '%s/%s': %s", run->dir, run->junit_name ? run->junit_name : "junit.xml",
			n < 0 || (size_t)n >= sizeof(st->path) ? "the path is too long" : strerror(errno));
		free(st);
		return -1;
	}
	st->steps = cJSON_CreateArray();
	*state = st;
	return 0;
}

static int junit_step(void *state, const cJSON *r)
{
	struct junit_state *st = state;
	if (cJSON_IsObject(r))
		cJSON_AddItemToArray(st->steps, cJSON_CreateObjectReference(r->child));
	return 0;
}

static int junit_end(void *state)
{
	struct junit_state *st = state;
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int rc = -1;
	if (w && write_doc(w, st) == 0) {
		xmlFreeTextWriter(w); /* flushes into buf */
		w = NULL;
		rc = report_file_write(st->path, (const char *)xmlBufferContent(buf),
				       (size_t)xmlBufferLength(buf));
	} else {
		warning("cannot write '%s': the XML writer failed", st->path);
	}
	if (w)
		xmlFreeTextWriter(w);
	if (buf)
		xmlBufferFree(buf);
	return rc;
}

static void junit_release(void *state)
{
	struct junit_state *st = state;
	cJSON_Delete(st->steps);
	free(st);
}

const struct report_writer report_writer_junit = {
	.name = "junit",
	.begin = junit_begin,
	.model = NULL,
	.step = junit_step,
	.end = junit_end,
	.release = junit_release,
};
