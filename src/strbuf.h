/* SPDX-License-Identifier: MIT */
#ifndef O3_STRBUF_H
#define O3_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a size cap.
 *
 * Invariants: buf is never NULL (it points at a shared empty string until the
 * first growth) and buf[len] == '\0'. When cap is non-zero, len never exceeds
 * cap: an append that would pass it fails with -1 and leaves the buffer as it
 * was (and sets toobig), so a runaway stream cannot exhaust memory.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;  /* 0 = unlimited */
	int toobig;  /* set once an append was refused */
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t cap);
void strbuf_release(struct strbuf *sb);
/* Hand the malloced string to the caller; the buffer is re-initialised. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);

int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Drop the first n bytes. */
void strbuf_remove_front(struct strbuf *sb, size_t n);

#endif
