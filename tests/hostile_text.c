// SPDX-License-Identifier: MIT
/* Random hostile text for the writers' tests (hostile_text.h). */
#include "hostile_text.h"

#include <string.h>

unsigned hostile_rnd(struct hostile_rng *r, unsigned n)
{
	r->state ^= r->state << 13;
	r->state ^= r->state >> 7;
	r->state ^= r->state << 17;
	return (unsigned)(r->state % n);
}

void hostile_text(struct hostile_rng *r, const char *alphabet, char *out, size_t outlen)
{
	unsigned len = (unsigned)strlen(alphabet);
	size_t n = hostile_rnd(r, 40), i;
	int mode = (int)hostile_rnd(r, 2);
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = mode ? alphabet[hostile_rnd(r, len)] : (char)(1 + hostile_rnd(r, 255));
	out[i] = '\0';
}
