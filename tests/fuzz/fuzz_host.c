// SPDX-License-Identifier: MIT
/*
 * Fuzz target for ollama_host_parse: any bytes as OLLAMA_HOST. Never
 * crashes; an accepted value has a known scheme, a port in 1..65535, and a
 * base_url that parses again to the same host; a refused one has a
 * one-line message naming OLLAMA_HOST.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char value[1024], err[256], err2[256];
	struct ollama_host h, again;
	size_t n = size < sizeof(value) - 1 ? size : sizeof(value) - 1;

	memcpy(value, data, n);
	value[n] = '\0'; /* the environment cannot hold a NUL */
	if (ollama_host_parse(value, &h, err, sizeof(err)) == 0) {
		if (strcmp(h.scheme, "http") && strcmp(h.scheme, "https"))
			abort();
		if (h.port < 1 || h.port > 65535 || !h.host[0])
			abort();
		if (ollama_host_parse(h.base_url, &again, err2, sizeof(err2)) ||
		    strcmp(again.base_url, h.base_url) || strcmp(again.host, h.host))
			abort();
	} else if (strncmp(err, "invalid OLLAMA_HOST", 19) || strchr(err, '\n')) {
		abort();
	}
	return 0;
}
