// SPDX-License-Identifier: MIT
/*
 * NDJSON line assembly: bytes arrive cut at any boundary (curl's write
 * callback); complete lines are handed over one by one. The pending partial
 * line lives in a strbuf capped at max_line, so a stream that never sends a
 * newline cannot exhaust memory.
 */
#include "ollama.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

struct ollama_ndjson {
	struct strbuf line; /* the pending partial line, without '\n' */
	size_t max_line;
	ollama_line_fn fn;
	void *data;
	int failed;         /* fn failed or a line was too long: refuse more */
};

struct ollama_ndjson *ollama_ndjson_new(size_t max_line, ollama_line_fn fn, void *data)
{
	struct ollama_ndjson *nd = xcalloc(1, sizeof(*nd));
	/* room for the CR that emit() strips */
	strbuf_init(&nd->line, max_line ? max_line + 1 : 0);
	nd->max_line = max_line;
	nd->fn = fn;
	nd->data = data;
	return nd;
}

void ollama_ndjson_free(struct ollama_ndjson *nd)
{
	if (!nd)
		return;
	strbuf_release(&nd->line);
	free(nd);
}

/* Hand over [p, p+len): CR stripped, blank lines skipped. Returns 1 when fn
 * was called, 0 for a blank line, -1 on failure. */
static int emit(struct ollama_ndjson *nd, const char *p, size_t len)
{
	if (len && p[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	if (nd->max_line && len > nd->max_line) {
		nd->failed = 1;
		return -1;
	}
	if (nd->fn(p, len, nd->data)) {
		nd->failed = 1;
		return -1;
	}
	return 1;
}

int ollama_ndjson_feed(struct ollama_ndjson *nd, const char *data, size_t len)
{
	const char *end = data + len;

	if (nd->failed)
		return -1;
	while (data < end) {
		const char *nl = memchr(data, '\n', (size_t)(end - data));
		size_t n = nl ? (size_t)(nl - data) : (size_t)(end - data);

		if (nd->line.len == 0 && nl) {
			/* a whole line inside this chunk: no copy */
			if (emit(nd, data, n) < 0)
				return -1;
		} else {
			if (strbuf_add(&nd->line, data, n)) {
				nd->failed = 1;
				strbuf_reset(&nd->line);
				return -1;
			}
			if (!nl)
				return 0;
			if (emit(nd, nd->line.buf, nd->line.len) < 0)
				return -1;
			strbuf_reset(&nd->line);
		}
		data = nl + 1;
	}
	return 0;
}

int ollama_ndjson_finish(struct ollama_ndjson *nd)
{
	int r;
	if (nd->failed)
		return -1;
	if (!nd->line.len)
		return 0;
	r = emit(nd, nd->line.buf, nd->line.len);
	strbuf_reset(&nd->line);
	return r; /* 1: a last line without newline; 0: only a stray CR */
}
