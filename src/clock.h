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
/*
 * For a simulator that runs faster than real time (o3-sim --time-scale F):
 * the clock runs at 1/F of real time, so every duration o3 measures is in
 * the simulated server's time. 1 (the default) is real time. Returns -1
 * when scale is not in (0, 1].
 */
int clock_set_time_scale(double scale);
/* The scale in force (1 = real time). */
double clock_time_scale(void);

/*
 * A timeout of ms on this clock as nanoseconds, never less than
 * CLOCK_TIMEOUT_FLOOR_REAL_MS of real time: under a time scale a 180 s stall
 * timeout would otherwise be 180 ms of real time, and a busy machine (CI on
 * two cores) would make false timeouts. At scale 1 it is ms as it is.
 */
#define CLOCK_TIMEOUT_FLOOR_REAL_MS 3000
uint64_t clock_timeout_ns(long ms);

/* Wall-clock time as RFC 3339 UTC with milliseconds ("2026-11-28T02:01:00.123Z"). */
void clock_utc_rfc3339(char *out, unsigned long outlen);

/* The same instant in ISO 8601's basic format ("20261128T020100.123Z"): no
 * ':', so it can be part of a file name that every file system and an
 * artifact upload accept; it sorts after every RFC 3339 stamp of its year. */
void clock_utc_compact(char *out, unsigned long outlen);

#endif
