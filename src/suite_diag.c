// SPDX-License-Identifier: MIT
/*
 * Suite errors and warnings: "file:line:col: what is wrong", one line each.
 * The lowest layer of the suite reader (see suite_internal.h): it calls no
 * other suite_*.c file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"
#include "util.h"
#include "banned.h"

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
