// SPDX-License-Identifier: MIT
#include "ceiling.h"

#include <string.h>

#include "banned.h"

const char *ceiling_outcome_name(enum ceiling_outcome o)
{
	switch (o) {
	case CEILING_FITS: return "fits";
	case CEILING_OFFLOAD: return "offload";
	case CEILING_OVER_LIMIT: return "over_limit";
	case CEILING_OOM: return "oom";
	case CEILING_FAILED: return "failed";
	}
	return "unknown";
}

void ceiling_params_default(struct ceiling_params *p)
{
	p->start = 4096;
	p->resolution = 1024;
	p->max_ctx = 0;
	p->max_probes = 64;
}

/* Probe once, remembering the answer. 1 fits, 0 does not, -1 abort. */
static int try(struct ceiling_result *r, const struct ceiling_params *p, ceiling_probe_fn probe,
	       void *data, long n)
{
	enum ceiling_outcome o = CEILING_FAILED;
	int i, cap = p->max_probes < 64 ? p->max_probes : 64;
	for (i = 0; i < r->n_probes; i++)
		if (r->probes[i].num_ctx == n)
			return r->probes[i].outcome == CEILING_FITS;
	if (r->n_probes >= cap || probe(n, &o, data)) {
		r->aborted = 1;
		return -1;
	}
	r->probes[r->n_probes].num_ctx = n;
	r->probes[r->n_probes].outcome = o;
	r->n_probes++;
	if (o != CEILING_FITS && (!r->first_bad || n < r->first_bad)) {
		r->first_bad = n;
		r->bad_outcome = o;
	}
	return o == CEILING_FITS;
}

static long round_down(long v, long step)
{
	return v - v % step;
}

int ceiling_search(const struct ceiling_params *p, ceiling_probe_fn probe, void *data,
		   struct ceiling_result *r)
{
	long good = 0, bad = 0, n;
	int f;

	memset(r, 0, sizeof(*r));
	if (p->start <= 0 || p->resolution <= 0 || p->max_ctx <= 0)
		return -1;
	n = p->start < p->max_ctx ? p->start : p->max_ctx;

	/* gallop: double until something does not fit or the trained context is reached */
	for (;;) {
		f = try(r, p, probe, data, n);
		if (f < 0)
			return -1;
		if (!f) {
			bad = n;
			break;
		}
		good = n;
		if (n >= p->max_ctx)
			break;
		n = n * 2 > p->max_ctx ? p->max_ctx : n * 2;
	}
	/* the start itself did not fit: gallop down */
	while (bad && !good) {
		n = round_down(bad / 2, p->resolution);
		if (n <= 0) {
			n = bad / 2;
			if (n < 1 || bad - n < 1)
				break;
		}
		f = try(r, p, probe, data, n);
		if (f < 0)
			return -1;
		if (f)
			good = n;
		else
			bad = n;
		if (n < p->resolution && !f)
			break;
	}
	/* bisect between the last fit and the first miss */
	while (bad && good && bad - good > p->resolution) {
		long mid = round_down(good + (bad - good) / 2, p->resolution);
		if (mid <= good)
			mid = good + p->resolution;
		if (mid >= bad)
			break;
		f = try(r, p, probe, data, mid);
		if (f < 0)
			return -1;
		if (f)
			good = mid;
		else
			bad = mid;
	}
	r->ceiling = good;
	if (!bad)
		r->first_bad = 0;
	return 0;
}
