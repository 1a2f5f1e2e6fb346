// SPDX-License-Identifier: MIT
/*
 * Fuzz target for baselines (baseline.h), which o3 compare reads from a
 * repository anybody may edit: the input, as JSON, is compared with itself
 * and with an empty document in both directions, its rollback taken and
 * its repetitions planned. Nothing may crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>

#include "analyze_compare.h"
#include "baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	cJSON *empty = cJSON_CreateObject(), *out;
	const cJSON *p;
	struct compare_settings s;
	char *text;
	compare_settings_default(&s);
	s.strict = (int)(size & 1);
	out = analyze_compare(doc, doc, &s);
	text = cJSON_PrintUnformatted(out);
	free(text);
	cJSON_Delete(out);
	cJSON_Delete(analyze_compare(doc, empty, &s));
	cJSON_Delete(analyze_compare(empty, doc, &s));
	cJSON_Delete(baseline_rollback(doc));
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(doc, "presets"))
		if (analyze_plan_repetitions(p, 0.05, 0.05, 30) < 1)
			abort();
	cJSON_Delete(empty);
	cJSON_Delete(doc);
	return 0;
}
