// SPDX-License-Identifier: MIT
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* The only process-wide setting: written once by main before any work. */
static enum msg_level level = MSG_NORMAL;

void msg_set_level(enum msg_level l)
{
	level = l;
}

enum msg_level msg_get_level(void)
{
	return level;
}

/* Called before every message: clears a progress line off the terminal. */
static void (*before)(void *);
static void *before_data;

void msg_set_before(void (*fn)(void *data), void *data)
{
	before = fn;
	before_data = data;
}

static void emit(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	char *text;

	if (before)
		before(before_data);
	/* messages quote what servers and files say: no control character
	 * (an escape sequence, a newline) and no invalid UTF-8 reaches the terminal */
	strbuf_vaddf(&sb, fmt, ap);
	text = o3_text_clean(sb.buf, 1);
	fprintf(stderr, "o3: %s%s\n", prefix, text);
	fflush(stderr);
	free(text);
	strbuf_release(&sb);
}

void error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap); /* errors are never silenced */
	va_end(ap);
}

void warning(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void verbose(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_VERBOSE)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
