// SPDX-License-Identifier: MIT
#include "step.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "msg.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/*
 * Check test functions take no argument, so the step to run is handed to the
 * test case through these. They are set right before srunner_run_all and
 * read in the forked child (or in-process with CK_FORK=no); nothing else
 * touches them. This is the one piece of process-wide state in o3.
 */
static step_fn current_fn;
static void *current_arg;
static const char *current_key;
static struct record_log *current_log;

START_TEST(step_case)
{
	cJSON *rec = current_fn(current_arg);
	ck_assert_msg(rec != NULL, "the step made no record");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "key");
	cJSON_AddStringToObject(rec, "key", current_key);
	ck_assert_msg(record_log_append(current_log, rec) == 0, "cannot append to the log: %s",
		      strerror(errno));
	cJSON_Delete(rec);
}
END_TEST

/* cJSON has no sorted printer: sort a copy's keys, recursively. */
cJSON *step_sorted_copy(const cJSON *o)
{
	cJSON *copy, *it;
	size_t n = 0, i, j;
	cJSON **items;
	if (cJSON_IsArray(o)) {
		/* in order, each element's keys sorted */
		copy = cJSON_CreateArray();
		cJSON_ArrayForEach(it, o)
			cJSON_AddItemToArray(copy, step_sorted_copy(it));
		return copy;
	}
	if (!cJSON_IsObject(o))
		return cJSON_Duplicate(o, 1);
	copy = cJSON_CreateObject();
	cJSON_ArrayForEach(it, o)
		n++;
	items = xcalloc(n ? n : 1, sizeof(*items));
	n = 0;
	cJSON_ArrayForEach(it, o)
		items[n++] = it;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(items[j - 1]->string, items[j]->string) > 0; j--) {
			cJSON *t = items[j];
			items[j] = items[j - 1];
			items[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		cJSON_AddItemToObject(copy, items[i]->string, step_sorted_copy(items[i]));
	free(items);
	return copy;
}

char *step_key(const char *model, const char *phase, const cJSON *options)
{
	cJSON *s = step_sorted_copy(options ? options : NULL);
	char *opts = s ? cJSON_PrintUnformatted(s) : NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s|%s|%s", model, phase, opts ? opts : "{}");
	cJSON_free(opts);
	cJSON_Delete(s);
	return strbuf_detach(&sb, NULL);
}

static void index_records(struct step_runner *r, cJSON *records)
{
	cJSON *rec;
	while ((rec = cJSON_DetachItemFromArray(records, 0))) {
		const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "key"));
		if (key) {
			cJSON_DeleteItemFromObjectCaseSensitive(r->index, key);
			cJSON_AddItemToObject(r->index, key, rec);
		} else {
			cJSON_Delete(rec);
		}
	}
}

int step_runner_open(struct step_runner *r, const char *path, int fresh, char *msg, size_t msglen)
{
	struct stat st;
	const char *fork_env = getenv("CK_FORK");

	/*
	 * o3 uses Check as its engine, not as a test program: the variables
	 * that select or retime test cases are for test programs (o3 may well
	 * run inside one) and must not drop or shorten o3's steps.
	 */
	static const char *const foreign[] = {
		"CK_RUN_SUITE", "CK_RUN_CASE", "CK_INCLUDE_TAGS", "CK_EXCLUDE_TAGS",
		"CK_DEFAULT_TIMEOUT", "CK_TIMEOUT_MULTIPLIER", "CK_VERBOSITY",
		"CK_LOG_FILE_NAME", "CK_XML_LOG_FILE_NAME", "CK_TAP_LOG_FILE_NAME",
	};
	size_t i;
	for (i = 0; i < ARRAY_SIZE(foreign); i++)
		unsetenv(foreign[i]);
	memset(r, 0, sizeof(*r));
	r->index = cJSON_CreateObject();
	r->results = cJSON_CreateArray();
	r->fork = !(fork_env && !strcmp(fork_env, "no"));
	if (fresh && !stat(path, &st)) {
		char bak[1200];
		snprintf(bak, sizeof(bak), "%s.%ld.bak", path, (long)time(NULL));
		if (rename(path, bak)) {
			snprintf(msg, msglen, "cannot move '%s' aside: %s", path, strerror(errno));
			return -1;
		}
	} else if (!stat(path, &st)) {
		cJSON *old = record_log_read(path, msg, msglen);
		if (!old)
			return -1;
		index_records(r, old);
		cJSON_Delete(old);
	}
	if (record_log_open(&r->log, path, msg, msglen))
		return -1;
	r->log_path = xstrdup(path);
	return 0;
}

void step_runner_close(struct step_runner *r)
{
	record_log_close(&r->log);
	free(r->log_path);
	cJSON_Delete(r->index);
	cJSON_Delete(r->results);
	cJSON_Delete(r->retired);
	memset(r, 0, sizeof(*r));
}

/* The records appended to the log after offset. */
static cJSON *read_from(const char *path, long offset)
{
	FILE *fp = fopen(path, "r");
	cJSON *all = cJSON_CreateArray();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (!fp)
		return all;
	if (fseek(fp, offset, SEEK_SET) == 0) {
		while ((n = getline(&line, &cap, fp)) > 0) {
			cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
			if (cJSON_IsObject(o))
				cJSON_AddItemToArray(all, o);
			else
				cJSON_Delete(o);
		}
	}
	free(line);
	fclose(fp);
	return all;
}

static void add_result(struct step_runner *r, const char *name, const char *key,
		       const char *status, const char *message, double time_s, int gating)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	if (key)
		cJSON_AddStringToObject(o, "key", key);
	cJSON_AddStringToObject(o, "status", status);
	if (message && *message)
		cJSON_AddStringToObject(o, "message", message);
	cJSON_AddNumberToObject(o, "time_s", time_s);
	cJSON_AddBoolToObject(o, "gating", gating);
	cJSON_AddItemToArray(r->results, o);
}

/* The record of a step whose child died or ran past its limit. */
static cJSON *harness_error(const char *key, const char *name, enum ollama_err_class cls,
			    const char *msg)
{
	cJSON *rec = cJSON_CreateObject();
	char when[40];
	clock_utc_rfc3339(when, sizeof(when));
	cJSON_AddStringToObject(rec, RK_SCHEMA, RECORD_SCHEMA);
	cJSON_AddNumberToObject(rec, RK_SCHEMA_VERSION, RECORD_SCHEMA_VERSION);
	cJSON_AddStringToObject(rec, RK_TIME, when);
	cJSON_AddStringToObject(rec, "step", name);
	record_fail(rec, cls, "step", 0, msg);
	cJSON_AddStringToObject(rec, RK_KEY, key);
	return rec;
}

/* The log cannot be written (a full disk, a folder gone): nothing measured
 * from here on would be kept, so the run must stop and say so. */
static void log_failed(struct step_runner *r, int err)
{
	if (r->log_failed)
		return;
	r->log_failed = 1;
	snprintf(r->log_error, sizeof(r->log_error), "cannot write the log '%s': %s", r->log_path,
		 strerror(err ? err : EIO));
}

/* A failure that says nothing of the configuration (the server did not
 * answer in time, was gone or busy, the run was stopped, the step's process
 * died): a resumed run measures the step again instead of reusing it. */
static int transient(const cJSON *rec)
{
	switch (rec_error_class(rec)) {
	case OLLAMA_ERR_CLIENT_TIMEOUT:
	case OLLAMA_ERR_UNREACHABLE:
	case OLLAMA_ERR_BUSY:
	case OLLAMA_ERR_INTERRUPTED:
	case OLLAMA_ERR_HARNESS_CRASH:
		return 1;
	default:
		return 0;
	}
}

const cJSON *step_run(struct step_runner *r, const char *name, const char *key, step_fn fn,
		      void *arg)
{
	cJSON *found = cJSON_GetObjectItemCaseSensitive(r->index, key), *fresh, *rec;
	Suite *s;
	TCase *tc;
	SRunner *sr;
	TestResult **res;
	long offset;
	uint64_t t0;
	int failed;
	sigset_t block, saved;

	if (found && !transient(found)) {
		r->reused++;
		add_result(r, name, key, "reused", NULL, 0, 0);
		return found;
	}
	fflush(stdout);
	fflush(stderr);
	offset = ftell(r->log.fp);
	if (offset < 0)
		offset = 0;
	current_fn = fn;
	current_arg = arg;
	current_key = key;
	current_log = &r->log;

	s = suite_create("o3");
	tc = tcase_create("step");
	tcase_set_timeout(tc, r->timeout_s > 0 ? r->timeout_s : 1e7);
	tcase_add_test(tc, step_case);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, r->fork ? CK_FORK : CK_NOFORK);
	/*
	 * In fork mode Check catches SIGINT while a test runs, kills the test
	 * and sends SIGINT on to the whole process group. o3's Ctrl-C means
	 * "stop after the current step", so SIGINT waits (blocked) until the
	 * step is over; the caller's handler then sees it.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &saved);
	t0 = clock_now_ns();
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	res = srunner_results(sr);

	fseek(r->log.fp, 0, SEEK_END);
	fresh = read_from(r->log_path, offset);
	rec = NULL;
	{
		cJSON *it;
		cJSON_ArrayForEach(it, fresh) {
			const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "key"));
			if (k && !strcmp(k, key))
				rec = it;
		}
	}
	if (rec) {
		cJSON_DetachItemViaPointer(fresh, rec);
	} else {
		/* the child died before its record was written: record why */
		const char *m = failed && srunner_ntests_run(sr) == 1 ? tr_msg(res[0]) :
				"the step ended without a record";
		/* past the step's limit (Check ended it) or died on its own */
		double took = (double)(clock_now_ns() - t0) / 1e9 * clock_time_scale();
		enum ollama_err_class cls = r->timeout_s > 0 && took >= 0.95 * r->timeout_s ?
					    OLLAMA_ERR_CLIENT_TIMEOUT : OLLAMA_ERR_HARNESS_CRASH;
		rec = harness_error(key, name, cls, m);
		if (record_log_append(&r->log, rec))
			log_failed(r, errno);
		else if (strstr(m, "cannot append to the log"))
			/* the child could not write, the parent could: say what the
			 * child saw, the run goes on */
			warning("%s: %s", name, m);
	}
	{
		const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status"));
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(rec, "error");
		char msg[600] = "";
		if (e)
			snprintf(msg, sizeof(msg), "%s: %s",
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "class")),
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")));
		/* real seconds (JUnit's time): under a time scale the clock runs
		 * in the simulator's time */
		add_result(r, name, key, status && !strcmp(status, "ok") ? "ok" : "error", msg,
			   (double)(clock_now_ns() - t0) / 1e9 * clock_time_scale(), 0);
	}
	cJSON_Delete(fresh);
	free(res);
	srunner_free(sr);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	r->executed++;
	{
		cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(r->index, key);
		if (old) {
			if (!r->retired)
				r->retired = cJSON_CreateArray();
			cJSON_AddItemToArray(r->retired, old);
		}
	}
	cJSON_AddItemToObject(r->index, key, rec);
	return rec;
}

int step_note(struct step_runner *r, const char *key, cJSON *rec)
{
	int rc;
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "key");
	cJSON_AddStringToObject(rec, "key", key);
	rc = record_log_append(&r->log, rec);
	if (rc)
		log_failed(r, errno);
	cJSON_DeleteItemFromObjectCaseSensitive(r->index, key);
	cJSON_AddItemToObject(r->index, key, rec);
	return rc;
}

const cJSON *step_find(const struct step_runner *r, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(r->index, key);
}

START_TEST(gate_case)
{
	ck_assert_msg(current_arg != NULL, "%s", current_key);
}
END_TEST

void step_gate(struct step_runner *r, const char *name, int pass, const char *message)
{
	/* a gate only reads records: it runs in-process, and its verdict and
	 * message come from Check like every other test case */
	Suite *s = suite_create("o3");
	TCase *tc = tcase_create("gate");
	SRunner *sr;
	TestResult **res;
	tcase_add_test(tc, gate_case);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	current_arg = pass ? (void *)r : NULL;
	current_key = message ? message : "";
	srunner_run_all(sr, CK_SILENT);
	res = srunner_results(sr);
	add_result(r, name, NULL,
		   srunner_ntests_run(sr) == 1 && tr_rtype(res[0]) == CK_PASS ? "ok" : "failed",
		   message, 0, 1);
	free(res);
	srunner_free(sr);
}
