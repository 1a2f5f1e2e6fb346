// SPDX-License-Identifier: MIT
/*
 * Fuzz target for ollama_show_parse (/api/show bodies). Never crashes; on
 * success every string is terminated and a value the body did not hold
 * stays -1, never a negative number other than -1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ollama_show s;
	struct ollama_error err;

	if (ollama_show_parse((const char *)data, size, &s, &err) == 0) {
		if (memchr(s.architecture, 0, sizeof(s.architecture)) == NULL ||
		    memchr(s.parameter_size, 0, sizeof(s.parameter_size)) == NULL ||
		    memchr(s.quantization_level, 0, sizeof(s.quantization_level)) == NULL ||
		    memchr(s.family, 0, sizeof(s.family)) == NULL)
			abort();
		if (s.context_length < -1 || s.block_count < -1 || s.head_count_kv < -1 ||
		    s.kv_layers < -1 || s.key_length < -1 || s.parameter_count < -1)
			abort();
		if (s.kv_layers > 0 && s.head_count_kv <= 0)
			abort();
	} else if (err.cls != OLLAMA_ERR_PROTOCOL || !err.message[0]) {
		abort();
	}
	return 0;
}
