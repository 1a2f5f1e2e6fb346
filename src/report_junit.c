// SPDX-License-Identifier: MIT
/*
 * junit.xml (report.h), written with libxml2's xmlTextWriter: a test report
 * that tells what was measured, where, and what it means.
 *
 *   <testsuites name="o3.<suite>[ [SIMULATED]]">  the run, its totals
 *     <testsuite name="<model>[ [K=V ...]][ [SIMULATED]]">  one per model
 *       summary (and server configuration, in managed mode), with
 *       <properties>: the run's identity (o3 and Ollama versions,
 *       simulated or not, GPU, kernel), the model's (digest, server knobs
 *       and where they came from, identity hash) and its key figures
 *       (ceiling, usable context, presets, gates failed)
 *       <testcase classname="<model>[ [K=V ...]]" name="<phase> <label>">
 *         one per step and per gate, in the run's order
 *
 * Case names are stable across runs: the phase and the step's label (the
 * options in the order the records hold them and the Markdown prints them,
 * "trial num_predict=16 num_ctx=8192"), never an id or a time; a name that
 * repeats within a model gets " #2", " #3". time is the step's real
 * seconds (step.c), 0 for a verdict and for a step taken from the log.
 *
 * What a case says:
 *   - a step whose measurement could not be made (a timeout, a crash, a
 *     protocol error, an unreachable or busy server, an interruption: any
 *     error class but the verdicts below) is an <error type="<class>">;
 *   - a step that was measured is a pass whose <system-out> holds its
 *     verdict: a trial that does not meet the criteria, a configuration that
 *     ran out of memory (class oom) or that o3 refused to load (refused) is
 *     a finding about the model, not a failure of the job; a ceiling probe
 *     past the edge of memory (oom, offload, over the limit) is what the
 *     search looks for, and says so ("expected");
 *   - a gate (gating: presets, stability, regressions, availability) fails
 *     with a <failure type="criterion"> whose message names the criterion,
 *     the value, the limit and the margin (the gate's own message).
 *
 * Stability is measured by one step and judged by one gate: they are one
 * test case ("stability max_ctx streams=2"), which carries the step's time
 * and record and the gate's verdict, so that the same thing is neither
 * counted twice nor shown under two names. A level measured but not judged
 * (an unfinished model) or judged without a step of its own keeps the same
 * name.
 *
 * Steps are grouped by model through the step's key (which ends in the
 * model's identity hash) or the model's gates; what belongs to no model
 * summary (o3 compare's gates, which come without summaries) is grouped by
 * the model name its step name starts with ("<model>/<phase>/..."), and the
 * rest under "o3".
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
#include "ollama.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

struct jcase {
	const cJSON *step; /* the measurement (a step result), or NULL */
	const cJSON *gate; /* the verdict (a gating result), or NULL */
	char *name;
};

struct jsuite {
	const cJSON *summary; /* NULL: steps of no model summary */
	char *model;          /* the model's name (malloced) */
	char *knobs;          /* managed mode: "K=V,K=V" as step names hold it; else NULL */
	char *classname;      /* the model, and its knobs */
	char *name;           /* the classname, [SIMULATED] when so */
	const char *hash;     /* the identity hash, or NULL */
	int *gate_used;       /* per gate of the summary: taken by a result */
	struct jcase *cases;
	size_t n, cap;
};

struct junit_state {
	const struct report_run *run;
	char path[4200];
	cJSON *models; /* references to the summaries */
	cJSON *steps;  /* references to the step results */
	struct jsuite *suites;
	size_t n, cap;
};

static const char *str(const cJSON *o, const char *k)
{
	const char *v = rec_str(o, k);
	return v ? v : "";
}

static int gating(const cJSON *r)
{
	return cJSON_IsTrue(rec_get(r, "gating"));
}

static double time_s(const cJSON *r)
{
	double t = cJSON_GetNumberValue(rec_get(r, "time_s"));
	return t == t && t > 0 ? t : 0; /* NaN when absent */
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- grouping -------------------------------------------------------------- */

/* "K=V,K=V": the server knobs as search.c writes them into step names. */
static char *knobs_text(const cJSON *knobs, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *k;
	cJSON_ArrayForEach(k, knobs)
		strbuf_addf(&sb, "%s%s=%s", sb.len ? sep : "", k->string ? k->string : "?",
			    cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "?");
	return strbuf_detach(&sb, NULL);
}

static struct jsuite *add_suite(struct junit_state *st, const cJSON *summary, const char *model)
{
	struct jsuite *s;
	const cJSON *knobs = rec_get(summary, "server_knobs");
	int simulated = summary && rec_get(summary, "identity") ?
			cJSON_IsTrue(rec_get(rec_get(summary, "identity"), "simulated")) :
			cJSON_IsTrue(rec_get(st->run->properties, "simulated"));
	struct strbuf sb = STRBUF_INIT;
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 8;
		st->suites = xrealloc(st->suites, st->cap * sizeof(*st->suites));
	}
	s = &st->suites[st->n++];
	memset(s, 0, sizeof(*s));
	s->summary = summary;
	s->model = xstrdup(model);
	s->hash = cJSON_GetStringValue(rec_get(rec_get(summary, "identity"), "hash"));
	strbuf_addstr(&sb, model);
	if (cJSON_GetArraySize(knobs)) {
		char *spaced = knobs_text(knobs, " ");
		s->knobs = knobs_text(knobs, ",");
		strbuf_addf(&sb, " [%s]", spaced);
		free(spaced);
	}
	s->classname = xstrdup(sb.buf);
	if (simulated)
		strbuf_addstr(&sb, " [SIMULATED]");
	s->name = strbuf_detach(&sb, NULL);
	if (cJSON_GetArraySize(rec_get(summary, "gates")))
		s->gate_used = xcalloc((size_t)cJSON_GetArraySize(rec_get(summary, "gates")), sizeof(int));
	return s;
}

/* The phases a step or gate name holds after its model ("<model>/<phase>..."). */
static const char *const phases[] = {
	RP_PROBE, RP_DEPTH, RP_FILL, RP_TRIAL, RP_STABILITY, "preset", "regression", "available",
	NULL,
};

/* Where the phase starts in name ("model/phase/..."): the first "/" followed
 * by a known phase (and a "/" or the end); NULL when there is none. */
static const char *phase_start(const char *name)
{
	const char *p;
	size_t i;
	for (p = strchr(name, '/'); p; p = strchr(p + 1, '/'))
		for (i = 0; phases[i]; i++) {
			size_t n = strlen(phases[i]);
			if (!strncmp(p + 1, phases[i], n) && (p[1 + n] == '/' || !p[1 + n]))
				return p + 1;
		}
	return NULL;
}

/* The suite of a model summary whose name (and knobs) the step name starts
 * with; among equals the last one used (the steps of a model come
 * together). */
static struct jsuite *by_prefix(struct junit_state *st, const char *name, struct jsuite *last)
{
	struct jsuite *best = NULL;
	size_t i, best_len = 0;
	for (i = 0; i < st->n; i++) {
		struct jsuite *s = &st->suites[i];
		size_t n = strlen(s->model);
		if (!s->summary || strncmp(name, s->model, n) || name[n] != '/')
			continue;
		if (s->knobs) {
			size_t k = strlen(s->knobs);
			if (!strncmp(name + n + 1, s->knobs, k) && name[n + 1 + k] == '/')
				n += 1 + k;
		}
		if (n > best_len || (n == best_len && s == last)) {
			best = s;
			best_len = n;
		}
	}
	return best;
}

/* The suite a step result belongs to. */
static struct jsuite *suite_of(struct junit_state *st, const cJSON *r, struct jsuite *last)
{
	const char *name = str(r, "name"), *key = rec_str(r, "key"), *id;
	const char *ps;
	struct jsuite *s;
	size_t i;
	/* a step's key ends in its model's identity hash */
	if (key && (id = strstr(key, "|id=")))
		for (i = 0; i < st->n; i++)
			if (st->suites[i].hash && !strcmp(st->suites[i].hash, id + 4))
				return &st->suites[i];
	/* a gate is one of a summary's gates (the first one not yet taken:
	 * in managed mode one model has several summaries with the same gates) */
	if (gating(r))
		for (i = 0; i < st->n; i++) {
			const cJSON *g;
			int k = 0;
			s = &st->suites[i];
			cJSON_ArrayForEach(g, rec_get(s->summary, "gates")) {
				if (!s->gate_used[k] && !strcmp(str(g, "name"), name)) {
					s->gate_used[k] = 1;
					return s;
				}
				k++;
			}
		}
	if ((s = by_prefix(st, name, last)))
		return s;
	/* no summary: by the model name the step name starts with */
	ps = phase_start(name);
	{
		char *model = ps ? xstrndup(name, (size_t)(ps - 1 - name)) : xstrdup("o3");
		for (i = 0; i < st->n; i++)
			if (!st->suites[i].summary && !strcmp(st->suites[i].model, model))
				break;
		s = i < st->n ? &st->suites[i] : add_suite(st, NULL, model);
		free(model);
	}
	return s;
}

/* The step name after its model (and knobs): "phase/label". */
static const char *rest_of(const struct jsuite *s, const char *name)
{
	size_t n = strlen(s->model);
	const char *ps;
	if (!strncmp(name, s->model, n) && name[n] == '/') {
		name += n + 1;
		if (s->knobs && starts_with(name, s->knobs) && name[strlen(s->knobs)] == '/')
			name += strlen(s->knobs) + 1;
		return name;
	}
	ps = phase_start(name);
	return ps ? ps : name;
}

/*
 * The case's name from "phase/label": "/" and (in a step's label) the ","
 * between options become spaces, as the Markdown lists options. A stability
 * gate ("stability/max_ctx/2-streams") takes the name of its step
 * ("stability/max_ctx,streams=2"): "stability max_ctx streams=2".
 */
static char *case_name(const char *rest, int is_gate)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	if (is_gate && starts_with(rest, "stability/")) {
		const char *preset = rest + strlen("stability/"), *slash = strrchr(preset, '/');
		char *end;
		long n = slash ? strtol(slash + 1, &end, 10) : 0;
		if (slash && slash > preset && n > 0 && !strcmp(end, "-streams")) {
			strbuf_addstr(&sb, "stability ");
			strbuf_add(&sb, preset, (size_t)(slash - preset));
			strbuf_addf(&sb, " streams=%ld", n);
			return strbuf_detach(&sb, NULL);
		}
	}
	for (p = rest; *p; p++)
		strbuf_addch(&sb, *p == '/' || (*p == ',' && !is_gate) ? ' ' : *p);
	return strbuf_detach(&sb, NULL);
}

static void add_case(struct jsuite *s, const cJSON *r)
{
	struct jcase *c;
	char *name = case_name(rest_of(s, str(r, "name")), gating(r));
	size_t i;
	if (gating(r) && starts_with(name, "stability "))
		/* the gate of a stability level measured by a step of this model */
		for (i = 0; i < s->n; i++)
			if (s->cases[i].step && !s->cases[i].gate && !strcmp(s->cases[i].name, name)) {
				s->cases[i].gate = r;
				free(name);
				return;
			}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->cases = xrealloc(s->cases, s->cap * sizeof(*s->cases));
	}
	c = &s->cases[s->n++];
	c->step = gating(r) ? NULL : r;
	c->gate = gating(r) ? r : NULL;
	c->name = name;
}

/* Names unique within a suite: a repeat gets " #2", " #3". */
static void unique_names(struct jsuite *s)
{
	size_t i, j;
	for (i = 1; i < s->n; i++) {
		int k = 1;
		for (j = 0; j < i; j++)
			if (!strcmp(s->cases[j].name, s->cases[i].name))
				break;
		while (j < i) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "%s #%d", s->cases[i].name, ++k);
			for (j = 0; j < i && strcmp(s->cases[j].name, sb.buf); j++)
				;
			if (j == i) {
				free(s->cases[i].name);
				s->cases[i].name = strbuf_detach(&sb, NULL);
			} else {
				strbuf_release(&sb);
			}
		}
	}
}

static void group(struct junit_state *st)
{
	const cJSON *m, *r;
	struct jsuite *last = NULL;
	size_t i;
	cJSON_ArrayForEach(m, st->models)
		add_suite(st, m, rec_str(m, "model") ?
			  rec_str(m, "model") : "?");
	cJSON_ArrayForEach(r, st->steps) {
		/* add_suite may move the suites: index, not pointer, across it */
		size_t li = last ? (size_t)(last - st->suites) : 0;
		struct jsuite *s = suite_of(st, r, last ? &st->suites[li] : NULL);
		add_case(s, r);
		last = s;
	}
	for (i = 0; i < st->n; i++)
		unique_names(&st->suites[i]);
}

/* ---- what a case says ------------------------------------------------------ */

/* The step's record (run->records by its key), or NULL. */
static const cJSON *record_of(const struct report_run *run, const cJSON *step)
{
	const char *key = rec_str(step, "key");
	return key && run->records ? cJSON_GetObjectItemCaseSensitive(run->records, key) : NULL;
}

/* The error class of a step that ended in an error: its record's, or the
 * "class: message" its result holds; NULL when neither says. */
static const char *error_class(const struct report_run *run, const cJSON *step, char *buf,
			       size_t len)
{
	const char *cls = cJSON_GetStringValue(rec_get(rec_get(record_of(run, step), RK_ERROR), "class"));
	const char *msg = str(step, "message"), *colon = strstr(msg, ": ");
	if (cls)
		return cls;
	if (colon && (size_t)(colon - msg) < len) {
		memcpy(buf, msg, (size_t)(colon - msg));
		buf[colon - msg] = '\0';
		if (ollama_err_class_from_name(buf) >= 0)
			return buf;
	}
	return NULL;
}

/* A class that is a verdict on the configuration (it was measured, and did
 * not fit), not a measurement that could not be made. */
static int verdict_class(const char *cls)
{
	return cls && (!strcmp(cls, "oom") || !strcmp(cls, "refused"));
}

/* ", label 12.3" (decimals 1) or ", label 12" (0), when o has k */
static void num(struct strbuf *sb, const char *label, const cJSON *o, const char *k, int decimals)
{
	const cJSON *x = rec_get(o, k);
	if (cJSON_IsNumber(x))
		strbuf_addf(sb, "%s%s %.*f", sb->len && sb->buf[sb->len - 1] != ' ' ? ", " : "",
			    label, decimals, x->valuedouble);
}

/* The summary's trial measured by this record, or NULL. */
static const cJSON *trial_of(const cJSON *summary, const cJSON *rec)
{
	const char *id = rec_str(rec, RK_ID);
	const cJSON *t;
	if (!id)
		return NULL;
	cJSON_ArrayForEach(t, rec_get(summary, "trials"))
		if (!strcmp(str(t, "id"), id))
			return t;
	return NULL;
}

/* The summary's stability level of a case named "stability <preset> streams=<n>". */
static const cJSON *stability_of(const cJSON *summary, const char *name)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, rec_get(summary, "stability")) {
		char want[300];
		snprintf(want, sizeof(want), "stability %s streams=%.0f", str(s, "preset"),
			 cJSON_GetNumberValue(rec_get(s, "streams")));
		if (!strcmp(want, name))
			return s;
	}
	return NULL;
}

enum verdict { V_PASS, V_FAILURE, V_ERROR };

struct outcome {
	enum verdict v;
	char type[64];
	const char *message;
	struct strbuf out; /* <system-out> */
};

static void line(struct strbuf *sb, const char *s)
{
	if (sb->len)
		strbuf_addch(sb, '\n');
	strbuf_addstr(sb, s);
}

static void judge(const struct report_run *run, const struct jsuite *s, const struct jcase *c,
		  struct outcome *o)
{
	const cJSON *step = c->step, *gate = c->gate, *rec = step ? record_of(run, step) : NULL;
	const char *phase = step ? rest_of(s, str(step, "name")) : "";
	const char *st = step ? str(step, "status") : "";
	char buf[64];
	const char *cls = NULL;
	struct strbuf t = STRBUF_INIT;

	memset(o, 0, sizeof(*o));
	strbuf_init(&o->out, 0);
	if (!strcmp(st, "reused"))
		line(&o->out, "taken from an earlier measurement (the log, or the same step earlier in "
			     "this run): not measured again, time 0");
	if (!strcmp(st, "error")) {
		cls = error_class(run, step, buf, sizeof(buf));
		if (!verdict_class(cls)) {
			/* the measurement could not be made */
			o->v = V_ERROR;
			snprintf(o->type, sizeof(o->type), "%s", cls ? cls : "error");
			o->message = str(step, "message");
		}
	}
	if (starts_with(phase, RP_PROBE "/")) {
		const char *oc = rec_str(rec, RK_OUTCOME);
		if (!oc && verdict_class(cls))
			oc = cls;
		if (oc && strcmp(oc, "fits")) {
			strbuf_addf(&t, "outcome: %s", oc);
			if (verdict_class(cls))
				strbuf_addf(&t, " (%s)", str(step, "message"));
			strbuf_addstr(&t, "; expected: past the edge of memory (the ceiling search "
				      "probes beyond the largest context that fits, to find it)");
			line(&o->out, t.buf);
			cls = NULL; /* said */
		} else if (oc) {
			strbuf_addf(&t, "outcome: %s", oc);
			line(&o->out, t.buf);
		}
	} else if (starts_with(phase, RP_TRIAL "/")) {
		const cJSON *tr = trial_of(s->summary, rec);
		if (tr && cJSON_IsTrue(rec_get(tr, "meets")))
			strbuf_addstr(&t, "verdict: meets every criterion");
		else if (tr && o->v == V_PASS && !verdict_class(cls))
			strbuf_addf(&t, "verdict: does not meet the criteria: %s",
				    *str(tr, "why") ? str(tr, "why") : "-");
		if (tr) {
			num(&t, "decode tok/s", tr, "decode_tps", 1);
			num(&t, "TTFT ms", tr, "ttft_ms", 1);
			num(&t, "GPU %", tr, "gpu_pct", 1);
			line(&o->out, t.buf);
		}
	}
	strbuf_reset(&t);
	if (verdict_class(cls)) {
		strbuf_addf(&t, "verdict: measured, and it does not fit: %s", str(step, "message"));
		line(&o->out, t.buf);
		strbuf_reset(&t);
	}
	if (gate) {
		const char *gs = str(gate, "status"), *msg = str(gate, "message");
		if (!strcmp(gs, "failed") && o->v == V_PASS) {
			o->v = V_FAILURE;
			snprintf(o->type, sizeof(o->type), "criterion");
			o->message = msg;
		} else if (!strcmp(gs, "failed")) {
			/* the verdict of a level that could not be measured */
			strbuf_addf(&t, "gate: %s", msg);
			line(&o->out, t.buf);
		} else if (!strcmp(gs, "error") && o->v == V_PASS) {
			o->v = V_ERROR;
			snprintf(o->type, sizeof(o->type), "%s",
				 error_class(run, gate, buf, sizeof(buf)) ?
				 error_class(run, gate, buf, sizeof(buf)) : "error");
			o->message = msg;
		} else if (!strcmp(gs, "ok")) {
			strbuf_addf(&t, "verdict: pass%s%s", *msg ? ": " : "", msg);
			line(&o->out, t.buf);
		}
		strbuf_reset(&t);
	}
	if (starts_with(c->name, "stability ")) {
		const cJSON *lv = stability_of(s->summary, c->name);
		if (lv) {
			num(&t, "success %", lv, "success_pct", 1);
			num(&t, "TTFT p99 ms", lv, "ttft_p99_ms", 1);
			num(&t, "limit ms", lv, "ttft_p99_limit_ms", 0);
			num(&t, "requests", lv, "requests", 0);
			num(&t, "OOM", lv, "oom", 0);
			line(&o->out, t.buf);
		}
	} else if (starts_with(c->name, "preset ")) {
		const cJSON *p = rec_get(rec_get(s->summary, "presets"), c->name + strlen("preset "));
		if (p) {
			strbuf_addstr(&t, "options: ");
			report_options_text(&t, rec_get(p, RK_OPTIONS));
			num(&t, "decode tok/s", p, "decode_tps", 1);
			num(&t, "TTFT ms", p, "ttft_ms", 1);
			num(&t, "decode tok/s at fill", p, "decode_tps_at_fill", 1);
			line(&o->out, t.buf);
		}
	}
	strbuf_release(&t);
}

/* ---- the document ------------------------------------------------------------ */

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

static int end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w);
}

static int attr_int(xmlTextWriterPtr w, const char *name, int v)
{
	return xmlTextWriterWriteFormatAttribute(w, (const xmlChar *)name, "%d", v);
}

static int attr_time(xmlTextWriterPtr w, double t)
{
	return xmlTextWriterWriteFormatAttribute(w, (const xmlChar *)"time", "%.3f", t);
}

static int property(xmlTextWriterPtr w, const char *name, const char *value)
{
	return start(w, "property") < 0 || attr(w, "name", name) < 0 ||
	       attr(w, "value", value) < 0 || end(w) < 0 ? -1 : 0;
}

static int property_json(xmlTextWriterPtr w, const char *name, const cJSON *v)
{
	char num_s[64];
	if (!v)
		return 0;
	if (cJSON_IsNumber(v)) {
		snprintf(num_s, sizeof(num_s), "%g", v->valuedouble);
		return property(w, name, num_s);
	}
	return property(w, name, cJSON_IsString(v) ? v->valuestring : cJSON_IsTrue(v) ? "true" :
			cJSON_IsFalse(v) ? "false" : "");
}

/* The run's identity, then the model's and its key figures. */
static int properties(xmlTextWriterPtr w, const struct report_run *run, const struct jsuite *s)
{
	const cJSON *p, *m = s->summary, *id = rec_get(m, "identity");
	const char *which[] = { "max_ctx", "fast" };
	int bad = start(w, "properties") < 0;
	size_t i;
	cJSON_ArrayForEach(p, run->properties)
		bad = bad || property_json(w, p->string, p) < 0;
	if (m) {
		bad = bad || property_json(w, "model", rec_get(m, "model")) < 0 ||
		      property_json(w, "model_digest", rec_get(id, "model_digest")) < 0;
		if (cJSON_GetArraySize(rec_get(m, "server_knobs")) ||
		    cJSON_GetArraySize(rec_get(id, "server_knobs"))) {
			struct strbuf sb = STRBUF_INIT;
			report_options_text(&sb, cJSON_GetArraySize(rec_get(m, "server_knobs")) ?
				     rec_get(m, "server_knobs") : rec_get(id, "server_knobs"));
			bad = bad || property(w, "server_knobs", sb.buf) < 0;
			strbuf_release(&sb);
		}
		bad = bad || property_json(w, "server_knobs_source", rec_get(id, "server_knobs_source")) < 0 ||
		      property_json(w, "identity_hash", rec_get(id, "hash")) < 0 ||
		      property_json(w, "not_measured", rec_get(m, "error")) < 0 ||
		      property_json(w, "complete", rec_get(m, "complete")) < 0 ||
		      property_json(w, "ceiling", rec_get(rec_get(m, "ceiling"), "found")) < 0 ||
		      property_json(w, "usable_num_ctx",
				    rec_get(rec_get(rec_get(m, "ceiling"), "usable"), "num_ctx")) < 0;
		for (i = 0; i < 2 && !bad; i++) {
			const cJSON *pr = rec_get(rec_get(m, "presets"), which[i]);
			char name[32];
			struct strbuf sb = STRBUF_INIT;
			snprintf(name, sizeof(name), "preset_%s", which[i]);
			if (pr)
				report_options_text(&sb, rec_get(pr, RK_OPTIONS));
			else if (rec_get(m, "presets"))
				strbuf_addstr(&sb, "none meets the criteria");
			if (sb.len)
				bad = property(w, name, sb.buf) < 0;
			strbuf_release(&sb);
		}
		if (rec_get(m, "gates")) {
			int failed = 0;
			const cJSON *g;
			char n[32];
			cJSON_ArrayForEach(g, rec_get(m, "gates"))
				failed += !cJSON_IsTrue(rec_get(g, "pass"));
			snprintf(n, sizeof(n), "%d", failed);
			bad = bad || property(w, "gates_failed", n) < 0;
		}
	}
	return bad || end(w) < 0 ? -1 : 0;
}

static int testcase(xmlTextWriterPtr w, const struct jsuite *s, const struct jcase *c,
		    const struct outcome *o)
{
	int bad = start(w, "testcase") < 0 || attr(w, "classname", s->classname) < 0 ||
		  attr(w, "name", c->name) < 0 ||
		  attr_time(w, c->step ? time_s(c->step) : time_s(c->gate)) < 0;
	if (o->v != V_PASS)
		bad = bad || start(w, o->v == V_ERROR ? "error" : "failure") < 0 ||
		      attr(w, "message", o->message) < 0 || attr(w, "type", o->type) < 0 ||
		      text(w, o->message) < 0 || end(w) < 0;
	if (o->out.len)
		bad = bad || start(w, "system-out") < 0 || text(w, o->out.buf) < 0 || end(w) < 0;
	return bad || end(w) < 0 ? -1 : 0;
}

static int write_doc(xmlTextWriterPtr w, const struct junit_state *js, const char *stamp,
		     const char *host)
{
	const struct report_run *run = js->run;
	struct outcome *out;
	int tests = 0, failures = 0, errors = 0, bad;
	double total = 0;
	struct strbuf sname = STRBUF_INIT;
	size_t i, j, k = 0, ncases = 0;

	for (i = 0; i < js->n; i++)
		ncases += js->suites[i].n;
	out = xcalloc(ncases + 1, sizeof(*out));
	for (i = 0; i < js->n; i++)
		for (j = 0; j < js->suites[i].n; j++, k++) {
			const struct jcase *c = &js->suites[i].cases[j];
			judge(run, &js->suites[i], c, &out[k]);
			tests++;
			failures += out[k].v == V_FAILURE;
			errors += out[k].v == V_ERROR;
			total += c->step ? time_s(c->step) : time_s(c->gate);
		}
	/* simulated results say so where every CI dashboard shows them */
	strbuf_addf(&sname, "o3.%s%s", run->suite_name ? run->suite_name : "",
		    cJSON_IsTrue(rec_get(run->properties, "simulated")) ? " [SIMULATED]" : "");
	bad = xmlTextWriterSetIndent(w, 1) < 0 ||
	      xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") < 0 ||
	      xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	      start(w, "testsuites") < 0 || attr(w, "name", sname.buf) < 0 ||
	      attr_int(w, "tests", tests) < 0 || attr_int(w, "failures", failures) < 0 ||
	      attr_int(w, "errors", errors) < 0 || attr_time(w, total) < 0;
	strbuf_release(&sname);
	for (i = 0, k = 0; i < js->n && !bad; i++) {
		const struct jsuite *s = &js->suites[i];
		size_t first = k;
		int f = 0, e = 0;
		double t = 0;
		for (j = 0; j < s->n; j++, k++) {
			f += out[k].v == V_FAILURE;
			e += out[k].v == V_ERROR;
			t += s->cases[j].step ? time_s(s->cases[j].step) : time_s(s->cases[j].gate);
		}
		bad = start(w, "testsuite") < 0 || attr(w, "name", s->name) < 0 ||
		      attr_int(w, "tests", (int)s->n) < 0 || attr_int(w, "failures", f) < 0 ||
		      attr_int(w, "errors", e) < 0 || attr_int(w, "skipped", 0) < 0 ||
		      attr_time(w, t) < 0 || attr(w, "timestamp", stamp) < 0 ||
		      attr(w, "hostname", host) < 0 || attr_int(w, "id", (int)i) < 0 ||
		      attr(w, "package", "o3") < 0 || properties(w, run, s) < 0;
		for (j = 0; j < s->n && !bad; j++)
			bad = testcase(w, s, &s->cases[j], &out[first + j]) < 0;
		if (!bad && rec_get(s->summary, "error"))
			bad = start(w, "system-out") < 0 || text(w, "not measured: ") < 0 ||
			      text(w, str(s->summary, "error")) < 0 || end(w) < 0;
		bad = bad || end(w) < 0;
	}
	bad = bad || xmlTextWriterEndDocument(w) < 0; /* closes testsuites */
	for (k = 0; k < ncases; k++)
		strbuf_release(&out[k].out);
	free(out);
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
	st->models = cJSON_CreateArray();
	st->steps = cJSON_CreateArray();
	*state = st;
	return 0;
}

static int junit_model(void *state, const cJSON *m)
{
	struct junit_state *st = state;
	if (cJSON_IsObject(m))
		cJSON_AddItemToArray(st->models, cJSON_CreateObjectReference(m->child));
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
	char stamp[32], host[256] = "localhost";
	int rc = -1;
	if (!st->run->timestamp) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (!st->run->hostname)
		gethostname(host, sizeof(host) - 1);
	group(st);
	if (w && write_doc(w, st, st->run->timestamp ? st->run->timestamp : stamp,
			   st->run->hostname ? st->run->hostname : host) == 0) {
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
	size_t i, j;
	for (i = 0; i < st->n; i++) {
		struct jsuite *s = &st->suites[i];
		for (j = 0; j < s->n; j++)
			free(s->cases[j].name);
		free(s->cases);
		free(s->model);
		free(s->knobs);
		free(s->classname);
		free(s->name);
		free(s->gate_used);
	}
	free(st->suites);
	cJSON_Delete(st->models);
	cJSON_Delete(st->steps);
	free(st);
}

const struct report_writer report_writer_junit = {
	.name = "junit",
	.begin = junit_begin,
	.model = junit_model,
	.step = junit_step,
	.end = junit_end,
	.release = junit_release,
};
