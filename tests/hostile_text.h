// SPDX-License-Identifier: MIT
/*
 * Random bytes for the writers' any-bytes tests: a xorshift64 generator with
 * a fixed seed per test (so a failure repeats), and text of up to 40 bytes,
 * none NUL, half the time drawn from the hostile alphabet of the format under
 * test (its quotes, separators, markup, control bytes and invalid UTF-8).
 */
#ifndef O3_TESTS_HOSTILE_TEXT_H
#define O3_TESTS_HOSTILE_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct hostile_rng {
	uint64_t state; /* never 0 */
};

/* A number in [0, n). */
unsigned hostile_rnd(struct hostile_rng *r, unsigned n);
/* Up to 40 bytes into out (NUL-terminated, within outlen). */
void hostile_text(struct hostile_rng *r, const char *alphabet, char *out, size_t outlen);

#endif
