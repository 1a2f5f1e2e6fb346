// SPDX-License-Identifier: MIT
/*
 * Suite files: the sections, their checks and defaults. The YAML itself is
 * read by libyaml (suite_yaml.c); this file walks the node tree and says
 * "file:line:col: what is wrong" for the first mistake.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

/* Suite files are small; anything bigger is not one. */
#define MAX_FILE_BYTES (1024 * 1024)

/* ---- errors and warnings ------------------------------------------------ */

/* Messages are one line: control characters from the file (a quoted
 * "\n" in a key, say) are written as escapes. */
static void one_line(char *msg, size_t size)
{
	char out[1024];
	size_t i, o = 0;
	for (i = 0; msg[i] && o + 5 < sizeof(out); i++) {
		unsigned char ch = (unsigned char)msg[i];
		if (ch == '\n' || ch == '\t' || ch == '\r') {
			out[o++] = '\\';
			out[o++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
	o3_strlcpy(msg, out, size);
}

void suite_error_vset(struct suite_error *err, const struct ynode *at, const char *fmt, va_list ap)
{
	err->line = at ? at->line : 0;
	err->column = at ? at->column : 0;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	one_line(err->message, sizeof(err->message));
}

void suite_error_set(struct suite_error *err, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	suite_error_vset(err, at, fmt, ap);
	va_end(ap);
}

const char *suite_error_format(const struct suite_error *err, char *buf, size_t len)
{
	if (err->line > 0)
		snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->column, err->message);
	else
		snprintf(buf, len, "%s: %s", err->file, err->message);
	return buf;
}

void suite_warn(struct suite *s, int line, int column, const char *fmt, ...)
{
	char text[512], full[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	one_line(text, sizeof(text));
	snprintf(full, sizeof(full), "%s:%d:%d: %s", s->file ? s->file : "suite", line, column, text);
	s->warnings = xrealloc(s->warnings, (s->n_warnings + 1) * sizeof(*s->warnings));
	s->warnings[s->n_warnings++] = xstrdup(full);
}

/* ---- init and release ------------------------------------------------------ */

static void default_criteria(struct suite_criteria *c)
{
	c->ttft_s = 2.0;
	c->decode_tps_min = 20.0;
	c->gpu_memory_max_pct = 90.0;
	c->oom_allowed = 0;
	c->needle = 1;
	c->stability_success_min_pct = 100.0;
}

void suite_init(struct suite *s)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("suite");
	default_criteria(&s->criteria);
	/* the mission's size-class rule: decode > 10 tok/s at 20B parameters and more */
	s->size_classes = xcalloc(1, sizeof(*s->size_classes));
	s->n_size_classes = 1;
	s->size_classes[0].name = xstrdup("large");
	s->size_classes[0].min_params_b = 20;
	s->size_classes[0].max_params_b = -1;
	s->size_classes[0].criteria.set = SUITE_CRIT_DECODE;
	s->size_classes[0].criteria.v.decode_tps_min = 10.0;
	s->scenarios.interactive_prompt_tokens = 512;
	s->scenarios.fill_ratio = 0.9;
	s->repetitions = 5;
	s->warmup = 1;
	s->search.ceiling = 1;
	s->search.start = 4096;
	s->search.resolution = 1024;
	s->search.max = 0;
	s->timeouts.connect_ms = 5000;
	s->timeouts.first_byte_ms = 600000;
	s->timeouts.stall_ms = 120000;
	s->timeouts.total_ms = 0;
	s->timeouts.trial_ms = 1800000;
	s->stability.streams = xcalloc(2, sizeof(*s->stability.streams));
	s->stability.streams[0].per_slot = 1;
	s->stability.streams[1].per_slot = 2;
	s->stability.n_streams = 2;
	s->stability.requests = 4;
	s->stability.min_samples = 100;
	s->server.mode = SUITE_SERVER_EXTERNAL;
	s->server.binary = xstrdup("ollama");
}

void suite_size_classes_release(struct suite *s)
{
	size_t i;
	for (i = 0; i < s->n_size_classes; i++) {
		free(s->size_classes[i].name);
		suite_knobset_release(&s->size_classes[i].knobs);
	}
	FREE_AND_NULL(s->size_classes);
	s->n_size_classes = 0;
}

void suite_release(struct suite *s)
{
	size_t i;
	free(s->file);
	free(s->name);
	free(s->description);
	for (i = 0; i < s->n_models; i++)
		free(s->models[i]);
	free(s->models);
	suite_knobset_release(&s->knobs);
	suite_size_classes_release(s);
	for (i = 0; i < s->n_overrides; i++) {
		free(s->overrides[i].model);
		suite_knobset_release(&s->overrides[i].knobs);
	}
	free(s->overrides);
	free(s->stability.streams);
	free(s->server.binary);
	for (i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	memset(s, 0, sizeof(*s));
}

void suite_criteria_apply(struct suite_criteria *c, const struct suite_criteria_patch *p)
{
	if (p->set & SUITE_CRIT_TTFT)
		c->ttft_s = p->v.ttft_s;
	if (p->set & SUITE_CRIT_DECODE)
		c->decode_tps_min = p->v.decode_tps_min;
	if (p->set & SUITE_CRIT_GPU_MEM)
		c->gpu_memory_max_pct = p->v.gpu_memory_max_pct;
	if (p->set & SUITE_CRIT_OOM)
		c->oom_allowed = p->v.oom_allowed;
	if (p->set & SUITE_CRIT_NEEDLE)
		c->needle = p->v.needle;
	if (p->set & SUITE_CRIT_STABILITY)
		c->stability_success_min_pct = p->v.stability_success_min_pct;
}


/* ---- loading ------------------------------------------------------------------ */

static void default_name(struct suite *s, const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;
	base = base ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".yaml"))
		len -= 5;
	else if (len > 4 && !strcmp(base + len - 4, ".yml"))
		len -= 4;
	free(s->name);
	s->name = len ? xstrndup(base, len) : xstrdup("suite");
}

int suite_load_string(const char *name, const char *text, size_t len, struct suite *out,
		      struct suite_error *err)
{
	struct ynode *root = NULL;
	int ret;

	memset(err, 0, sizeof(*err));
	o3_strlcpy(err->file, name, sizeof(err->file));
	suite_init(out);
	out->file = xstrdup(name);
	default_name(out, name);
	if (len > MAX_FILE_BYTES) {
		snprintf(err->message, sizeof(err->message),
			 "too large for a suite file (%zu bytes; at most %d)", len, MAX_FILE_BYTES);
		suite_release(out);
		return -1;
	}
	ret = suite_yaml_parse(text, len, &root, err);
	if (!ret)
		ret = suite_parse_tree(out, root, err);
	suite_yaml_free(root);
	if (ret)
		suite_release(out);
	return ret;
}

int suite_load_file(const char *path, struct suite *out, struct suite_error *err)
{
	FILE *f;
	char *buf;
	size_t len;
	int ret;

	f = fopen(path, "rb");
	if (!f) {
		memset(err, 0, sizeof(*err));
		o3_strlcpy(err->file, path, sizeof(err->file));
		snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(errno));
		memset(out, 0, sizeof(*out));
		return -1;
	}
	buf = xmalloc(MAX_FILE_BYTES + 2);
	len = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f)) {
		memset(err, 0, sizeof(*err));
		o3_strlcpy(err->file, path, sizeof(err->file));
		snprintf(err->message, sizeof(err->message), "cannot read: %s", strerror(errno));
		memset(out, 0, sizeof(*out));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	ret = suite_load_string(path, buf, len, out, err);
	free(buf);
	return ret;
}

/* ---- resolution ------------------------------------------------------------------ */

int suite_has_model(const struct suite *s, const char *model)
{
	size_t i;
	if (s->all_models)
		return 1;
	for (i = 0; i < s->n_models; i++)
		if (!strcmp(s->models[i], model))
			return 1;
	return 0;
}

static int class_holds(const struct suite_size_class *sc, double params_billion)
{
	if (params_billion < 0)
		return 0;
	return params_billion >= sc->min_params_b &&
	       (sc->max_params_b < 0 || params_billion < sc->max_params_b);
}

static const struct suite_override *override_for(const struct suite *s, const char *model)
{
	size_t i;
	for (i = 0; model && i < s->n_overrides; i++)
		if (!strcmp(s->overrides[i].model, model))
			return &s->overrides[i];
	return NULL;
}

int suite_criteria_for(const struct suite *s, const char *model, double params_billion,
		       struct suite_criteria *out)
{
	const struct suite_override *o = override_for(s, model);
	size_t i;

	*out = s->criteria;
	for (i = 0; i < s->n_size_classes; i++)
		if (class_holds(&s->size_classes[i], params_billion))
			suite_criteria_apply(out, &s->size_classes[i].criteria);
	if (o)
		suite_criteria_apply(out, &o->criteria);
	return 0;
}

static size_t overlay(const struct suite_knobset *set, const struct suite_knob **out, size_t n,
		      size_t max)
{
	size_t i, j;
	for (i = 0; i < set->n; i++) {
		for (j = 0; j < n && strcmp(out[j]->name, set->items[i].name); j++)
			;
		if (j < n)
			out[j] = &set->items[i];
		else if (n < max)
			out[n++] = &set->items[i];
	}
	return n;
}

size_t suite_knobs_for(const struct suite *s, const char *model, double params_billion,
		       const struct suite_knob **out, size_t max)
{
	const struct suite_override *o = override_for(s, model);
	size_t i, n;

	n = overlay(&s->knobs, out, 0, max);
	for (i = 0; i < s->n_size_classes; i++)
		if (class_holds(&s->size_classes[i], params_billion))
			n = overlay(&s->size_classes[i].knobs, out, n, max);
	if (o)
		n = overlay(&o->knobs, out, n, max);
	return n;
}
