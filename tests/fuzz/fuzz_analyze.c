// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the analysis (analyze.h), which o3 report runs on logs
 * copied from other machines: any records, as the log reader gives them, are
 * analysed as one model's, with the first identity record as its facts and
 * the second as its previous identity; the summary is printed. Nothing may
 * crash, leak or read out of bounds, whatever the records hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analyze.h"
#include "msg.h"
#include "record.h"
#include "suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/o3-fuzzana-XXXXXX", err[256];
	int fd = mkstemp(path);
	struct analyze_input in = { 0 };
	struct suite s;
	const cJSON **recs;
	cJSON *all, *r, *sum;
	size_t n = 0;
	char *text;
	msg_set_level(MSG_QUIET);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	all = record_log_read(path, err, sizeof(err));
	unlink(path);
	if (!all)
		return 0;
	suite_init(&s);
	recs = calloc((size_t)cJSON_GetArraySize(all) + 1, sizeof(*recs));
	cJSON_ArrayForEach(r, all) {
		if (rec_is_phase(r, RP_IDENTITY) && !in.facts)
			in.facts = r;
		else if (rec_is_phase(r, RP_IDENTITY) && !in.previous_identity)
			in.previous_identity = rec_get(r, "identity");
		recs[n++] = r;
	}
	in.model = rec_str(in.facts, RK_MODEL) ? rec_str(in.facts, RK_MODEL) : "model";
	in.suite = &s;
	in.identity = rec_get(in.facts, "identity");
	in.records = recs;
	in.n_records = n;
	in.parallel = 1 + (int)(size % 4);
	in.has_gpu = (int)(size & 1);
	in.ttft_on_server = (int)((size >> 1) & 1);
	in.complete = (int)((size >> 2) & 1) || !size;
	in.steps_measured_again = (long)n;
	sum = analyze_model(&in);
	text = cJSON_PrintUnformatted(sum);
	free(text);
	cJSON_Delete(sum);
	free(recs);
	suite_release(&s);
	cJSON_Delete(all);
	return 0;
}
