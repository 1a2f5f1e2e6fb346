// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the readers of o3's own files: the JSONL log reader (a log
 * cut short by a crash, or edited by hand) and the parser of a process's
 * environment blob (the server knobs of `ollama serve`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "envinfo.h"
#include "msg.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/o3-fuzzrec-XXXXXX", err[256];
	int fd = mkstemp(path);
	cJSON *all, *knobs;
	msg_set_level(MSG_QUIET); /* the reader warns about every bad line */
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	err[0] = '\0';
	all = record_log_read(path, err, sizeof(err));
	if (!all && !err[0])
		abort(); /* a readable file gives an array, or says why not (a newer schema) */
	cJSON_Delete(all);
	unlink(path);
	knobs = cJSON_CreateObject();
	envinfo_knobs_from_environ(knobs, (const char *)data, size);
	cJSON_Delete(knobs);
	return 0;
}
