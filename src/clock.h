/* SPDX-License-Identifier: MIT */
#ifndef O3_CLOCK_H
#define O3_CLOCK_H
#include <stdint.h>

/*
 * One monotonic clock for every measurement, in nanoseconds. Tests replace
 * the source to make timing logic deterministic.
 */
typedef uint64_t (*clock_source_fn)(void *data);

uint64_t clock_now_ns(void);
/* NULL restores CLOCK_MONOTONIC. */
void clock_set_source(clock_source_fn fn, void *data);

/* Wall-clock time as RFC 3339 UTC with milliseconds ("2026-11-28T02:01:00.123Z"). */
void clock_utc_rfc3339(char *out, unsigned long outlen);

#endif
