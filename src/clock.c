// SPDX-License-Identifier: MIT
#include "clock.h"

#include <stdio.h>
#include <time.h>

#include "banned.h"

static clock_source_fn source;
static void *source_data;

uint64_t clock_now_ns(void)
{
	struct timespec ts;
	if (source)
		return source(source_data);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void clock_set_source(clock_source_fn fn, void *data)
{
	source = fn;
	source_data = data;
}

static double time_scale = 1.0;

static uint64_t scaled_monotonic(void *data)
{
	struct timespec ts;
	(void)data;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)(((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec) / time_scale);
}

double clock_time_scale(void)
{
	return time_scale;
}

int clock_set_time_scale(double scale)
{
	if (!(scale > 0 && scale <= 1))
		return -1;
	time_scale = scale;
	clock_set_source(scale == 1.0 ? NULL : scaled_monotonic, NULL);
	return 0;
}

/* Now in UTC with milliseconds and "Z": RFC 3339, or its basic form (no
 * '-' or ':', safe in file names) when compact. */
static void utc_stamp(char *out, unsigned long outlen, int compact)
{
	struct timespec ts;
	struct tm tm;
	char base[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (compact)
		strftime(base, sizeof(base), "%Y%m%dT%H%M%S", &tm);
	else
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
}

void clock_utc_rfc3339(char *out, unsigned long outlen)
{
	utc_stamp(out, outlen, 0);
}

void clock_utc_compact(char *out, unsigned long outlen)
{
	utc_stamp(out, outlen, 1);
}

uint64_t clock_timeout_ns(long ms)
{
	double scale = clock_time_scale();
	double ns = (double)(ms > 0 ? ms : 0) * 1e6;
	if (scale < 1.0 && ns < CLOCK_TIMEOUT_FLOOR_REAL_MS * 1e6 / scale)
		ns = CLOCK_TIMEOUT_FLOOR_REAL_MS * 1e6 / scale;
	return (uint64_t)ns;
}
