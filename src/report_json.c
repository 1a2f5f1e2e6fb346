// SPDX-License-Identifier: MIT
/*
 * summaries/summary.json (report.h): the model summaries as one JSON array,
 * printed by cJSON. JSON is UTF-8: a byte of invalid UTF-8 that a server
 * sent (cJSON keeps such bytes as they are) becomes U+FFFD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

struct json_state {
	char dir[4096];
	cJSON *models; /* references to the summaries */
};

static int json_begin(const struct report_run *run, void **state)
{
	struct json_state *st = xcalloc(1, sizeof(*st));
	if (report_folder(run, "summaries", st->dir, sizeof(st->dir))) {
		free(st);
		return -1;
	}
	st->models = cJSON_CreateArray();
	*state = st;
	return 0;
}

static int json_model(void *state, const cJSON *m)
{
	struct json_state *st = state;
	cJSON *ref = cJSON_IsArray(m) ? cJSON_CreateArrayReference(m->child) :
		     cJSON_IsObject(m) ? cJSON_CreateObjectReference(m->child) :
		     cJSON_Duplicate(m, 1);
	cJSON_AddItemToArray(st->models, ref);
	return 0;
}

static int json_end(void *state)
{
	struct json_state *st = state;
	struct strbuf sb = STRBUF_INIT;
	char path[4200], *text = cJSON_Print(st->models);
	snprintf(path, sizeof(path), "%s/summary.json", st->dir);
	if (!text) {
		warning("cannot write '%s': out of memory", path);
		return -1;
	}
	report_utf8_clean(&sb, text, strlen(text));
	cJSON_free(text);
	return report_file_write_sb(path, &sb);
}

static void json_release(void *state)
{
	struct json_state *st = state;
	cJSON_Delete(st->models);
	free(st);
}

const struct report_writer report_writer_json = {
	.name = "json",
	.begin = json_begin,
	.model = json_model,
	.end = json_end,
	.release = json_release,
};
