// SPDX-License-Identifier: MIT
#include "ceiling.h"

#include <math.h>
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
	struct ceiling_probe q = { .num_ctx = n, .outcome = CEILING_FAILED };
	int i, cap = p->max_probes < 64 ? p->max_probes : 64;
	for (i = 0; i < r->n_probes; i++)
		if (r->probes[i].num_ctx == n)
			return r->probes[i].outcome == CEILING_FITS;
	if (r->n_probes >= cap || probe(&q, data)) {
		r->aborted = 1;
		return -1;
	}
	q.num_ctx = n;
	r->probes[r->n_probes++] = q;
	if (q.outcome != CEILING_FITS && (!r->first_bad || n < r->first_bad)) {
		r->first_bad = n;
		r->bad_outcome = q.outcome;
	}
	return q.outcome == CEILING_FITS;
}

static long round_down(long v, long step)
{
	return v - v % step;
}

/*
 * Bounds of the largest size that loads, from what the loads said: a fit's
 * size is under it, and so is what an offloaded load kept on the GPU; a load
 * that did not fit is over it, and a fit's room is an estimate from above.
 */
static int limit_bounds(const struct ceiling_result *r, double *lo, double *hi, int *from_room,
			int *from_gpu)
{
	double on_gpu = 0, room = 0;
	int i;
	*lo = 0;
	*hi = 0;
	*from_gpu = 0;
	for (i = 0; i < r->n_probes; i++) {
		const struct ceiling_probe *q = &r->probes[i];
		if (!(q->size_bytes > 0))
			continue;
		if (q->outcome == CEILING_FITS) {
			if (q->size_bytes > *lo)
				*lo = q->size_bytes;
			if (q->room_bytes > 0 && (!(room > 0) || q->room_bytes < room))
				room = q->room_bytes;
		} else if (q->outcome == CEILING_OFFLOAD || q->outcome == CEILING_OVER_LIMIT) {
			if (q->outcome == CEILING_OFFLOAD && q->gpu_bytes > on_gpu)
				on_gpu = q->gpu_bytes;
			if (!(*hi > 0) || q->size_bytes < *hi)
				*hi = q->size_bytes;
		}
	}
	*from_room = room > 0 && (!(*hi > 0) || room < *hi);
	if (*from_room)
		*hi = room;
	/* what Ollama kept on the GPU bounds its own limit, not a lower one
	 * of the suite's (the memory percentage) */
	if (on_gpu > *lo && on_gpu < *hi) {
		*lo = on_gpu;
		*from_gpu = 1;
	}
	return *lo > 0 && *hi > *lo ? 0 : -1;
}

static double dist(const struct ceiling_probe *q, double target)
{
	return fabs(q->size_bytes - target);
}

/*
 * Where the line of size against num_ctx, through the two loads whose sizes
 * are nearest the middle of the limit's bounds, meets that middle: a
 * multiple of the resolution strictly between good and bad, or 0 when the
 * loads say too little (no sizes, no bounds, a line that does not rise).
 */
static long predict(const struct ceiling_result *r, long good, long bad, long res)
{
	const struct ceiling_probe *a = NULL, *c = NULL;
	double lo, hi, target, slope, n;
	long m;
	int i, from_room, from_gpu;
	if (limit_bounds(r, &lo, &hi, &from_room, &from_gpu))
		return 0;
	/* aim at what an offloaded load kept on the GPU (the server's own
	 * limit, less part of a layer); else at the room a fit left, until a
	 * load aimed there failed (the server keeps a margin of its own; the
	 * room is exact where the limit is the suite's memory percentage);
	 * else at the middle of what is left */
	target = from_gpu ? lo : from_room ? hi : lo + (hi - lo) / 2;
	for (i = 0; i < r->n_probes; i++) {
		const struct ceiling_probe *q = &r->probes[i];
		if (!(q->size_bytes > 0))
			continue;
		if (!a || dist(q, target) < dist(a, target)) {
			c = a;
			a = q;
		} else if (!c || dist(q, target) < dist(c, target)) {
			c = q;
		}
	}
	if (!a || !c)
		return 0;
	slope = (a->size_bytes - c->size_bytes) / (double)(a->num_ctx - c->num_ctx);
	if (!(slope > 0))
		return 0;
	n = (double)a->num_ctx + (target - a->size_bytes) / slope;
	/* a line that puts the edge outside what the loads proved is bent
	 * there: it cannot place the next probe */
	if (!(n > (double)good) || !(n < (double)bad))
		return 0;
	m = round_down((long)n, res);
	if (m <= good)
		m = round_down(good, res) + res;
	if (m >= bad)
		m = round_down(bad - 1, res);
	return m > good && m < bad ? m : 0;
}

int ceiling_search(const struct ceiling_params *p, ceiling_probe_fn probe, void *data,
		   struct ceiling_result *r)
{
	long good = 0, bad = 0, n;
	int f, slow = 0, hugged = 0;

	memset(r, 0, sizeof(*r));
	if (p->start <= 0 || p->resolution <= 0 || p->max_ctx <= 0)
		return -1;
	n = p->start < p->max_ctx ? p->start : p->max_ctx;

	/* the start, then the trained context: two points of the line, and
	 * often the answer (everything fits) */
	f = try(r, p, probe, data, n);
	if (f < 0)
		return -1;
	if (!f) {
		bad = n;
	} else {
		good = n;
		if (n < p->max_ctx) {
			f = try(r, p, probe, data, p->max_ctx);
			if (f < 0)
				return -1;
			if (f)
				good = p->max_ctx;
			else
				bad = p->max_ctx;
		}
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
	/* between the last fit and the first miss: where the line meets the
	 * limit, or the middle when the loads cannot tell */
	while (bad && good && bad - good > p->resolution) {
		/* two predictions in a row that did not halve the bracket: the
		 * line is off here, bisect once (the search stays logarithmic) */
		long width = bad - good, mid = slow < 2 ? predict(r, good, bad, p->resolution) : 0;
		int predicted, hugs;
		/* a probe one step inside the bracket confirms the edge the line
		 * put there; two in a row would walk it a step at a time: bisect
		 * instead */
		hugs = mid && (mid == round_down(good, p->resolution) + p->resolution ||
			       mid == round_down(bad - 1, p->resolution));
		if (hugs && hugged)
			mid = 0;
		hugged = hugs && mid;
		predicted = mid != 0;
		if (!predicted)
			slow = 0;
		if (mid) {
			r->predicted++;
		} else {
			mid = round_down(good + (bad - good) / 2, p->resolution);
			if (mid <= good)
				mid = good + p->resolution;
		}
		if (mid >= bad)
			break;
		f = try(r, p, probe, data, mid);
		if (f < 0)
			return -1;
		if (f)
			good = mid;
		else
			bad = mid;
		if (predicted)
			slow = 2 * (bad - good) > width ? slow + 1 : 0;
	}
	r->ceiling = good;
	if (!bad)
		r->first_bad = 0;
	return 0;
}
