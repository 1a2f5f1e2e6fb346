// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the NDJSON assembler: the input is fed cut at boundaries
 * taken from its own first bytes, and the lines handed over must be exactly
 * those of a plain reference split (CR stripped, blank lines skipped, a line
 * over the cap stops everything). Each line also goes through cJSON, as the
 * client does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINE 64

struct ref {
	const char *text;
	size_t len, pos; /* the reference split's position */
	int mismatch;
	size_t lines;
};

/* The next line of the reference split, or 0 at the end. */
static int ref_next(struct ref *r, const char **line, size_t *len)
{
	while (r->pos < r->len) {
		const char *p = r->text + r->pos;
		const char *nl = memchr(p, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - p) : r->len - r->pos;
		r->pos += n + (nl ? 1 : 0);
		if (n && p[n - 1] == '\r')
			n--;
		if (n) {
			*line = p;
			*len = n;
			return 1;
		}
	}
	return 0;
}

static int on_line(const char *line, size_t len, void *data)
{
	struct ref *r = data;
	const char *want;
	size_t wlen;
	cJSON *doc;

	if (!ref_next(r, &want, &wlen) || wlen != len || memcmp(want, line, len) || len > MAX_LINE)
		r->mismatch = 1;
	doc = cJSON_ParseWithLength(line, len);
	cJSON_Delete(doc);
	r->lines++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ref r = { (const char *)data, size, 0, 0, 0 };
	struct ollama_ndjson *nd = ollama_ndjson_new(MAX_LINE, on_line, &r);
	size_t pos = 0, k = 0;
	int failed = 0, fin;
	const char *w;
	size_t wl;

	while (pos < size && !failed) {
		size_t step = 1 + (size ? data[k % size] : 0) % 17;
		if (step > size - pos)
			step = size - pos;
		if (ollama_ndjson_feed(nd, (const char *)data + pos, step))
			failed = 1;
		pos += step;
		k++;
	}
	fin = ollama_ndjson_finish(nd);
	ollama_ndjson_free(nd);
	if (r.mismatch)
		abort();
	if (!failed && fin >= 0) {
		/* everything was handed over */
		if (ref_next(&r, &w, &wl))
			abort();
	} else {
		/* refused only for a line over the cap */
		if (!ref_next(&r, &w, &wl) || wl <= MAX_LINE)
			abort();
	}
	return 0;
}
