// SPDX-License-Identifier: MIT
/*
 * Fuzz target for ollama_ps_parse (/api/ps bodies). Never crashes or leaks;
 * entries come back only on success, sizes are -1 or non-negative.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ollama_ps_entry *e = NULL;
	struct ollama_error err;
	size_t n = 0, i;

	if (ollama_ps_parse((const char *)data, size, &e, &n, &err) == 0) {
		if (n && !e)
			abort();
		for (i = 0; i < n; i++) {
			if (e[i].size_bytes < -1 || e[i].size_vram_bytes < -1 ||
			    e[i].context_length < -1)
				abort();
			/* whole names, in the array's block: readable to their end */
			if (!e[i].name || !e[i].model || strlen(e[i].name) > size ||
			    strlen(e[i].model) > size)
				abort();
		}
		free(e);
	} else if (e || n || err.cls != OLLAMA_ERR_PROTOCOL) {
		abort();
	}
	return 0;
}
