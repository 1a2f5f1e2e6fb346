// SPDX-License-Identifier: MIT
/*
 * Suite files: loading (the YAML tree from suite_yaml.c, its sections from
 * suite_parse.c) and the resolution of a model's criteria, knobs and
 * regression settings. The top layer of the suite reader (see
 * suite_internal.h).
 */
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

/* Suite files are small; anything bigger is not one. */
#define MAX_FILE_BYTES (1024 * 1024)

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
	FILE *f = NULL;
	char *buf;
	size_t len;
	int ret;

	{
		/* a FIFO or a device would block or never end: only a regular
		 * file is a suite (opened without blocking to find out) */
		struct stat st;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		const char *why = NULL;
		if (fd < 0)
			why = strerror(errno);
		else if (fstat(fd, &st) || !S_ISREG(st.st_mode))
			why = "not a regular file";
		else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) || !(f = fdopen(fd, "rb")))
			why = strerror(errno);
		if (why) {
			memset(err, 0, sizeof(*err));
			o3_strlcpy(err->file, path, sizeof(err->file));
			snprintf(err->message, sizeof(err->message), "cannot open: %s", why);
			memset(out, 0, sizeof(*out));
			if (fd >= 0)
				close(fd);
			return -1;
		}
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
		if (suite_class_holds(&s->size_classes[i], params_billion))
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
		if (suite_class_holds(&s->size_classes[i], params_billion))
			n = overlay(&s->size_classes[i].knobs, out, n, max);
	if (o)
		n = overlay(&o->knobs, out, n, max);
	return n;
}

int suite_regression_for(const struct suite *s, const char *model, double params_billion,
			 struct suite_regression *out)
{
	const struct suite_override *o = override_for(s, model);
	size_t i;

	*out = s->regression.v;
	for (i = 0; i < s->n_size_classes; i++)
		if (suite_class_holds(&s->size_classes[i], params_billion))
			suite_regression_apply(out, &s->size_classes[i].regression);
	if (o)
		suite_regression_apply(out, &o->regression);
	return 0;
}
