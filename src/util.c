// SPDX-License-Identifier: MIT
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "strbuf.h"
#include "banned.h"

static void die_oom(size_t n)
{
	fprintf(stderr, "o3: fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

size_t o3_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t len = strlen(src);
	if (dstlen) {
		size_t n = len < dstlen - 1 ? len : dstlen - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int o3_parse_long(const char *s, long *out)
{
	char *end;
	long v;
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int o3_parse_double(const char *s, double *out)
{
	char *end;
	double v;
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

size_t o3_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof(*row));
	size_t i, j, result;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

const char *o3_nearest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;
	size_t limit = strlen(word) / 2 + 1;

	for (i = 0; i < n; i++) {
		size_t d = o3_edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

void o3_model_slug(const char *model, char *out, size_t outlen)
{
	size_t i = 0;
	if (!outlen)
		return;
	for (; *model && i + 1 < outlen; model++) {
		unsigned char c = (unsigned char)*model;
		out[i++] = (isalnum(c) || c == '.' || c == '-') ? (char)c : '_';
	}
	out[i] = '\0';
}

/* ---- text from elsewhere: valid UTF-8, no control characters ---------------- */

size_t o3_utf8_char(const char *s, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;
	unsigned c;
	if (*p < 0x80) {
		*cp = *p;
		return *p ? 1 : 0;
	}
	if ((*p & 0xe0) == 0xc0)
		n = 2, c = *p & 0x1f;
	else if ((*p & 0xf0) == 0xe0)
		n = 3, c = *p & 0x0f;
	else if ((*p & 0xf8) == 0xf0)
		n = 4, c = *p & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL of a cut sequence */
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

char *o3_text_clean(const char *s, int terminal)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned cp;
	size_t n;
	strbuf_addstr(&sb, ""); /* never NULL */
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp))) {
			strbuf_addstr(&sb, "\xef\xbf\xbd"); /* U+FFFD */
			s++;
			continue;
		}
		if (terminal && (cp == '\t' || cp == '\n' || cp == '\r'))
			strbuf_addch(&sb, ' ');
		else if (!terminal || !(cp < 0x20 || (cp >= 0x7f && cp < 0xa0)))
			strbuf_add(&sb, s, n);
		s += n;
	}
	return strbuf_detach(&sb, NULL);
}

static int utf8_valid(const char *s)
{
	unsigned cp;
	size_t n;
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp)))
			return 0;
		s += n;
	}
	return 1;
}

int o3_json_utf8_valid(const cJSON *item)
{
	const cJSON *c;
	if (!item)
		return 1;
	if (!utf8_valid(item->string))
		return 0;
	if (cJSON_IsString(item) && !utf8_valid(item->valuestring))
		return 0;
	for (c = item->child; c; c = c->next)
		if (!o3_json_utf8_valid(c))
			return 0;
	return 1;
}

void o3_json_utf8_clean(cJSON *item)
{
	cJSON *c;
	if (!item)
		return;
	if (item->string && !utf8_valid(item->string)) {
		char *t = o3_text_clean(item->string, 0);
		size_t n = strlen(t) + 1;
		char *k = cJSON_malloc(n);
		if (k) {
			memcpy(k, t, n);
			if (!(item->type & cJSON_StringIsConst))
				cJSON_free(item->string);
			item->string = k;
			item->type &= ~cJSON_StringIsConst;
		}
		free(t);
	}
	if (cJSON_IsString(item) && !utf8_valid(item->valuestring)) {
		char *t = o3_text_clean(item->valuestring, 0);
		cJSON_SetValuestring(item, t);
		free(t);
	}
	for (c = item->child; c; c = c->next)
		o3_json_utf8_clean(c);
}
