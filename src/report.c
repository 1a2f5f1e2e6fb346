// SPDX-License-Identifier: MIT
/*
 * The report driver (report.h) and what the writers share
 * (report_internal.h): files through a temporary file, folders, and server
 * text made safe for XML, JSON and Markdown.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

const struct report_writer *const report_writers[] = {
	&report_writer_md_summary,
	&report_writer_md_model,
	&report_writer_json,
	&report_writer_presets,
	&report_writer_junit,
	&report_writer_csv,
	&report_writer_html,
	NULL,
};

int report_write_with(const struct report_writer *const *writers, const struct report_run *run,
		      const cJSON *models, const cJSON *steps)
{
	size_t n = 0, i;
	void **state;
	int *live, rc = 0;
	const cJSON *it;

	while (writers[n])
		n++;
	state = calloc(n + 1, sizeof(*state));
	live = calloc(n + 1, sizeof(*live));
	if (!state || !live) {
		free(state);
		free(live);
		error("out of memory writing the reports");
		return -1;
	}
	for (i = 0; i < n; i++) {
		live[i] = writers[i]->begin(run, &state[i]) == 0;
		if (!live[i])
			rc = -1;
	}
	cJSON_ArrayForEach(it, models)
		for (i = 0; i < n; i++)
			if (live[i] && writers[i]->model && writers[i]->model(state[i], it))
				rc = -1;
	cJSON_ArrayForEach(it, steps)
		for (i = 0; i < n; i++)
			if (live[i] && writers[i]->step && writers[i]->step(state[i], it))
				rc = -1;
	for (i = 0; i < n; i++) {
		if (live[i] && writers[i]->end && writers[i]->end(state[i]))
			rc = -1;
		if (live[i] && writers[i]->release)
			writers[i]->release(state[i]);
	}
	free(state);
	free(live);
	return rc;
}

int report_write_all(const struct report_run *run, const cJSON *models, const cJSON *steps)
{
	return report_write_with(report_writers, run, models, steps);
}

/* ---- files ---------------------------------------------------------------- */

int report_folder(const struct report_run *run, const char *sub, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/%s", run->dir, sub);
	if (n < 0 || (size_t)n >= len) {
		warning("cannot write the reports under '%s': the path is too long", run->dir);
		return -1;
	}
	if (record_mkdirs(path, 0777)) {
		warning("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int report_file_write(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	size_t off = 0;
	int fd, e;
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp)) {
		warning("cannot write '%s': the path is too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		warning("cannot write '%s' (its temporary file '%s'): %s", path, tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			close(fd);
			unlink(tmp);
			warning("cannot write '%s' (its temporary file '%s'): %s", path, tmp,
				strerror(e));
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd)) {
		e = errno;
		unlink(tmp);
		warning("cannot write '%s' (its temporary file '%s'): %s", path, tmp, strerror(e));
		return -1;
	}
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		warning("cannot write '%s': %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int report_file_write_sb(const char *path, struct strbuf *sb)
{
	int rc;
	if (sb->toobig) {
		warning("cannot write '%s': %s", path, strerror(EFBIG));
		rc = -1;
	} else {
		rc = report_file_write(path, sb->buf, sb->len);
	}
	strbuf_release(sb);
	return rc;
}

/* ---- text ------------------------------------------------------------------ */

const char *report_outcome_words(const char *o)
{
	if (!o)
		return "did not fit";
	if (!strcmp(o, "offload"))
		return "spilled layers to the CPU";
	if (!strcmp(o, "over_limit"))
		return "went over the memory limit (or was refused under it)";
	if (!strcmp(o, "oom"))
		return "ran out of memory";
	return "failed for another reason (see the log)";
}

void report_options_text(struct strbuf *sb, const cJSON *opts)
{
	const cJSON *o;
	size_t start = sb->len;
	cJSON_ArrayForEach(o, opts) {
		if (sb->len > start)
			strbuf_addch(sb, ' ');
		strbuf_addf(sb, "%s=", o->string ? o->string : "?");
		if (cJSON_IsNumber(o) && o->valuedouble > -1e15 && o->valuedouble < 1e15 &&
		    o->valuedouble == (double)(long long)o->valuedouble) /* in range before the cast */
			strbuf_addf(sb, "%lld", (long long)o->valuedouble); /* num_ctx=1000000, not 1e+06 */
		else if (cJSON_IsNumber(o))
			strbuf_addf(sb, "%g", o->valuedouble);
		else if (cJSON_IsBool(o))
			strbuf_addstr(sb, cJSON_IsTrue(o) ? "true" : "false");
		else
			strbuf_addstr(sb, cJSON_GetStringValue(o) ? cJSON_GetStringValue(o) : "?");
	}
}

int report_utf8_valid(const char *s)
{
	unsigned cp;
	size_t n;
	while (*s) {
		if (!(n = o3_utf8_char(s, &cp)))
			return 0;
		s += n;
	}
	return 1;
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

void report_xml_clean(struct strbuf *sb, const char *s)
{
	unsigned cp;
	size_t n;
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp))) {
			strbuf_addstr(sb, REPLACEMENT);
			s++;
			continue;
		}
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			strbuf_addf(sb, "\\x%02x", cp);
		else if (cp == 0xfffe || cp == 0xffff)
			strbuf_addf(sb, "\\u%04X", cp);
		else
			strbuf_add(sb, s, n);
		s += n;
	}
}

void report_utf8_clean(struct strbuf *sb, const char *s, size_t len)
{
	size_t i = 0, n, start = 0;
	unsigned cp;
	/* s holds no NUL (cJSON escapes it), so o3_utf8_char stops at the
	 * end only at len */
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = o3_utf8_char(s + i, &cp);
		if (n && i + n <= len) {
			i += n;
			continue;
		}
		strbuf_add(sb, s + start, i - start);
		strbuf_addstr(sb, REPLACEMENT);
		start = ++i;
	}
	strbuf_add(sb, s + start, len - start);
}

/* Control characters Markdown output drops: C0, DEL and C1. */
static int md_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* The next character of s for Markdown: its bytes in *len, and what it is:
 * 'n' a line break (\r\n counts as one), 't' a tab, 'x' dropped, 'r'
 * replaced by U+FFFD (one invalid byte), 'c' a character to copy. */
static int md_next(const char *s, size_t *len, unsigned *cp)
{
	size_t n = o3_utf8_char(s, cp);
	if (!n) {
		*len = 1;
		return 'r';
	}
	*len = n;
	if (*cp == '\r' && s[1] == '\n') {
		*len = 2;
		return 'n';
	}
	if (*cp == '\n' || *cp == '\r')
		return 'n';
	if (*cp == '\t')
		return 't';
	return md_control(*cp) ? 'x' : 'c';
}

/* line_start: s may begin a line, where "- ", "+ ", "1. " and "=" are
 * markup too. */
static void md_escaped(struct strbuf *sb, const char *s, const char *line_break, int line_start)
{
	const char *start = s;
	unsigned cp;
	size_t n;
	while (s && *s) {
		int k = md_next(s, &n, &cp);
		if (k == 'n') {
			strbuf_addstr(sb, line_break);
		} else if (k == 't') {
			strbuf_addch(sb, ' ');
		} else if (k == 'r') {
			strbuf_addstr(sb, REPLACEMENT);
		} else if (k == 'c') {
			/* markup anywhere in a line (a _ between letters or
			 * digits is not: it can neither open nor close
			 * emphasis); and what would start a list or a heading
			 * underline if the text began a line */
			if ((cp < 0x80 && strchr("\\`*[]<>&|~#$", (int)cp)) ||
			    (cp == '_' && !(s > start && isalnum((unsigned char)s[-1]) &&
					    isalnum((unsigned char)s[1]))) ||
			    (line_start && s == start && cp < 0x80 && strchr("-+=", (int)cp)) ||
			    (line_start && (cp == '.' || cp == ')') && s > start &&
			     strspn(start, "0123456789") == (size_t)(s - start) &&
			     (s[1] == ' ' || s[1] == '\t' || !s[1])))
				strbuf_addch(sb, '\\');
			strbuf_add(sb, s, n);
		}
		s += n;
	}
}

void report_md_text(struct strbuf *sb, const char *s)
{
	md_escaped(sb, s, " ", 1);
}

void report_md_cell(struct strbuf *sb, const char *s)
{
	md_escaped(sb, s, "<br>", 0);
}

void report_md_code(struct strbuf *sb, const char *s, int in_table)
{
	struct strbuf body = STRBUF_INIT;
	size_t run = 0, longest = 0, i, n;
	unsigned cp;
	int pad;
	while (s && *s) {
		int k = md_next(s, &n, &cp);
		if (k == 'n' || k == 't')
			strbuf_addch(&body, ' ');
		else if (k == 'r')
			strbuf_addstr(&body, REPLACEMENT);
		else if (k == 'c' && cp == '|' && in_table)
			strbuf_addstr(&body, "\\|");
		else if (k == 'c')
			strbuf_add(&body, s, n);
		s += n;
	}
	if (!body.len) {
		strbuf_release(&body);
		return;
	}
	for (i = 0; i < body.len; i++) {
		run = body.buf[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	/* a span that starts or ends with a backtick needs a space inside
	 * the fence; CommonMark strips one space on each side, so a span
	 * that starts or ends with a space gets one too */
	pad = strspn(body.buf, " ") != body.len &&
	      (body.buf[0] == '`' || body.buf[body.len - 1] == '`' || body.buf[0] == ' ' ||
	       body.buf[body.len - 1] == ' ');
	for (i = 0; i <= longest; i++)
		strbuf_addch(sb, '`');
	if (pad)
		strbuf_addch(sb, ' ');
	strbuf_add(sb, body.buf, body.len);
	if (pad)
		strbuf_addch(sb, ' ');
	for (i = 0; i <= longest; i++)
		strbuf_addch(sb, '`');
	strbuf_release(&body);
}
