// SPDX-License-Identifier: MIT
/*
 * Fuzz target for ollama_classify: any bytes as the server's error text,
 * with each status the client passes. Never crashes; the class is one the
 * classifier can give; the status rules hold whatever the text; the text is
 * read without regard to case; and an out-of-memory text stays oom inside
 * the wrappers Ollama puts around a runner's last error.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEXT 4096

static const long statuses[] = { 0, 400, 404, 405, 429, 499, 500, 502, 503 };

static const char *const wrappers[][2] = {
	{ "llama runner process has terminated: ", "" },
	{ "llama-server process has terminated: exit status 1: ", "" },
	{ "timed out waiting for llama-server to start - ", "" },
	{ "an error was encountered while running the model: ", "" },
	{ "llama-server startup failed before projector CPU offload retry: ",
	  "; error starting retry: exit status 1" },
};

static int possible(enum ollama_err_class c)
{
	switch (c) {
	case OLLAMA_ERR_NOT_FOUND:
	case OLLAMA_ERR_BAD_REQUEST:
	case OLLAMA_ERR_INVALID_OPTION:
	case OLLAMA_ERR_OOM:
	case OLLAMA_ERR_RUNNER_CRASH:
	case OLLAMA_ERR_LOAD_TIMEOUT:
	case OLLAMA_ERR_BUSY:
	case OLLAMA_ERR_MIDSTREAM_ERROR:
		return 1;
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1], upper[MAX_TEXT + 1], wrapped[2 * MAX_TEXT];
	size_t n = size < MAX_TEXT ? size : MAX_TEXT, i, w;

	memcpy(text, data, n);
	text[n] = '\0';
	for (i = 0; i <= n; i++)
		upper[i] = (char)toupper((unsigned char)text[i]);

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		long st = statuses[i];
		enum ollama_err_class c = ollama_classify(st, text, 0);
		if (!possible(c) || c == OLLAMA_ERR_MIDSTREAM_ERROR)
			abort();
		if (ollama_classify(st, text, 1) != OLLAMA_ERR_MIDSTREAM_ERROR)
			abort();
		if (st == 404 && c != OLLAMA_ERR_NOT_FOUND)
			abort();
		if ((st == 429 || st == 503) && c != OLLAMA_ERR_BUSY)
			abort();
		if (ollama_classify(st, upper, 0) != c)
			abort();
	}

	if (ollama_classify(500, text, 0) == OLLAMA_ERR_OOM) {
		for (w = 0; w < sizeof(wrappers) / sizeof(wrappers[0]); w++) {
			snprintf(wrapped, sizeof(wrapped), "%s%s%s", wrappers[w][0], text,
				 wrappers[w][1]);
			if (ollama_classify(500, wrapped, 0) != OLLAMA_ERR_OOM ||
			    ollama_classify(0, wrapped, 0) != OLLAMA_ERR_OOM)
				abort();
		}
	}
	return 0;
}
