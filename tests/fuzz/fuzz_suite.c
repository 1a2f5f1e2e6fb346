// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the suite parser: any bytes are loaded as a suite file and
 * as a range. Must never crash, hang or leak; an error must carry a message.
 * Built with tests/fuzz/fuzz_main.c (corpus driver) or with libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite s;
	struct suite_error err;
	const struct suite_knob *knobs[SUITE_KNOBS_MAX];
	struct suite_criteria c;
	char line[1024], msg[256];
	char *text;
	long *values;
	size_t n;
	struct suite_regression reg;

	if (suite_load_string("fuzz.yaml", (const char *)data, size, &s, &err) == 0) {
		size_t i;
		for (i = 0; i < s.n_warnings; i++)
			if (strchr(s.warnings[i], '\n'))
				abort(); /* warnings are one line */
		for (i = 0; i < s.n_models; i++) {
			suite_criteria_for(&s, s.models[i], 25.0, &c);
			suite_knobs_for(&s, s.models[i], 3.0, knobs, SUITE_KNOBS_MAX);
			suite_regression_for(&s, s.models[i], 25.0, &reg);
			/* whatever the file says, the resolved settings are in range */
			if (!(reg.decode_pct > 0 && reg.decode_pct <= 100) ||
			    !(reg.alpha > 0 && reg.alpha <= 0.5) || reg.repetitions < 0 ||
			    reg.max_repetitions < 3)
				abort();
		}
		suite_criteria_for(&s, "any", -1, &c);
		suite_regression_for(&s, "any", -1, &reg);
		suite_release(&s);
	} else {
		if (!err.message[0])
			abort();
		suite_error_format(&err, line, sizeof(line));
		if (strchr(err.message, '\n') || err.line < 0 || err.column < 0)
			abort(); /* errors are one line */
		suite_release(&s);
	}

	text = xstrndup((const char *)data, size < 4096 ? size : 4096);
	if (suite_expand_range(text, &values, &n, msg, sizeof(msg)) == 0) {
		if (n == 0 || n > SUITE_RANGE_MAX_VALUES)
			abort();
		free(values);
	} else if (values || n || !msg[0]) {
		abort();
	}
	free(text);
	return 0;
}
