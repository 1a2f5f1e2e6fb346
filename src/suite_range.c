// SPDX-License-Identifier: MIT
/*
 * llama-bench style integer ranges: "8192", "4096-65536*2", "8192-32768+4096",
 * "1-4", and comma-separated lists of those.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"
#include "util.h"
#include "banned.h"

#define FORMS "forms: 8192, 4096-65536*2, 8192-32768+4096, or a comma-separated list of these"

struct out {
	long *v;
	size_t n;
};

static int push(struct out *o, long v)
{
	if (o->n >= SUITE_RANGE_MAX_VALUES)
		return -1;
	if (o->n == 0 || (o->n & (o->n - 1)) == 0)
		o->v = xrealloc(o->v, (o->n ? o->n * 2 : 1) * sizeof(*o->v));
	o->v[o->n++] = v;
	return 0;
}

/* Digits only; 1 when none, 2 on overflow. */
static int read_number(const char **p, long *out)
{
	long v = 0;
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return 1;
	for (; isdigit((unsigned char)*s); s++) {
		int d = *s - '0';
		if (v > (LONG_MAX - d) / 10)
			return 2;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

/* One item (no commas), already trimmed. Returns 0, or -1 with why. */
static int expand_item(const char *item, struct out *o, char *why, size_t whylen)
{
	const char *p = item;
	long first, last, step = 1, v;
	char op = '+';
	int r;

	if (o3_parse_long(item, &v) == 0) { /* a single number, negative allowed */
		if (push(o, v)) {
			snprintf(why, whylen, "more than %d values", SUITE_RANGE_MAX_VALUES);
			return -1;
		}
		return 0;
	}
	if ((r = read_number(&p, &first)) != 0) {
		snprintf(why, whylen, r == 2 ? "number too large" : "not a number or a range (" FORMS ")");
		return -1;
	}
	if (*p != '-') {
		snprintf(why, whylen, "unexpected '%c' after %ld (" FORMS ")", *p, first);
		return -1;
	}
	p++;
	if ((r = read_number(&p, &last)) != 0) {
		snprintf(why, whylen, r == 2 ? "number too large" : "missing the end of the range after '-'");
		return -1;
	}
	if (*p == '+' || *p == '*') {
		op = *p++;
		if ((r = read_number(&p, &step)) == 2) {
			snprintf(why, whylen, "number too large");
			return -1;
		} else if (r) {
			snprintf(why, whylen, "missing the %s after '%c'",
				 op == '+' ? "step" : "multiplier", op);
			return -1;
		}
	}
	if (*p) {
		snprintf(why, whylen, "unexpected '%c' (" FORMS ")", *p);
		return -1;
	}
	if (first > last) {
		snprintf(why, whylen, "start %ld is above end %ld", first, last);
		return -1;
	}
	if (op == '+' && step < 1) {
		snprintf(why, whylen, "step must be at least 1");
		return -1;
	}
	if (op == '*' && step < 2) {
		snprintf(why, whylen, "multiplier must be at least 2");
		return -1;
	}
	if (op == '*' && first == 0) {
		snprintf(why, whylen, "a multiplying range must start above 0");
		return -1;
	}
	for (v = first;;) {
		if (push(o, v)) {
			snprintf(why, whylen, "more than %d values", SUITE_RANGE_MAX_VALUES);
			return -1;
		}
		if (op == '+') {
			if (v > last - step)
				break;
			v += step;
		} else {
			if (v > last / step)
				break;
			v *= step;
		}
	}
	return 0;
}

int suite_expand_range(const char *text, long **values, size_t *n, char *msg, size_t msglen)
{
	struct out o = { NULL, 0 };
	const char *p = text;
	char why[160];

	*values = NULL;
	*n = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *item;
		int r;

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len) {
			snprintf(msg, msglen, "bad range '%s': %s", text,
				 (end || o.n) ? "empty item in the list" : "empty");
			free(o.v);
			return -1;
		}
		item = xstrndup(p, len);
		r = expand_item(item, &o, why, sizeof(why));
		free(item);
		if (r) {
			snprintf(msg, msglen, "bad range '%s': %s", text, why);
			free(o.v);
			return -1;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*values = o.v;
	*n = o.n;
	return 0;
}
