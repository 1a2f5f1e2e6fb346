// SPDX-License-Identifier: MIT
#include "step.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
static pid_t current_parent; /* o3 itself: the step runs in a child when getpid() differs */

/*
 * The stop of a run (SIGINT, SIGTERM). The parent's handler has to find the
 * step's child, which Check forks and does not name: the child publishes
 * its pid in a page shared with the parent, and reads there whether the run
 * was stopped before it did (each side writes, then reads the other's
 * word: one of them sees the other).
 */
struct step_shared {
	volatile sig_atomic_t child; /* the running step's child (its own process group), or 0 */
	volatile sig_atomic_t stop;  /* the run is stopped */
};
static struct step_shared *shared;
static volatile sig_atomic_t stop_signal;
static struct sigaction saved_int, saved_term;
static int installed;

static void on_stop(int sig)
{
	int saved_errno = errno;
	pid_t child;
	if (stop_signal) {
		/* a second signal ends o3 at once (the step's child dies with it) */
		signal(sig, SIG_DFL);
		raise(sig);
		errno = saved_errno;
		return;
	}
	stop_signal = sig;
	if (shared) {
		__atomic_store_n(&shared->stop, 1, __ATOMIC_SEQ_CST);
		child = __atomic_load_n(&shared->child, __ATOMIC_SEQ_CST);
		/* the child's own group: the child and whatever it started, nothing else */
		if (child > 0)
			kill(-child, SIGKILL);
	}
	errno = saved_errno;
}

static void set_handlers(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

void step_signals_install(void)
{
	if (!shared) {
		void *p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			shared = p;
	}
	set_handlers(&saved_int, &saved_term);
	installed = 1;
}

void step_signals_restore(void)
{
	if (!installed)
		return;
	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGTERM, &saved_term, NULL);
	installed = 0;
}

int step_stop_signal(void)
{
	return stop_signal;
}

volatile sig_atomic_t *step_stop_flag(void)
{
	return &stop_signal;
}

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

/*
 * Check's srunner installs handlers of its own for SIGINT and SIGTERM while
 * it runs (in fork mode they kill the test's group, then send the signal on
 * to the runner's whole process group: the shell or CI step that started
 * o3, a simulator beside it). The signals stay blocked from before
 * srunner_run_all until this unchecked fixture (run in o3's process, after
 * Check set its handlers, before the fork) puts o3's handler back; the
 * teardown blocks them again before Check restores its saved ones.
 */
static void step_setup(void)
{
	sigset_t set;
	if (installed)
		set_handlers(NULL, NULL);
	stop_signals(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void step_teardown(void)
{
	sigset_t set;
	stop_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* In the step's child: die with o3, be found by its stop. */
static void child_start(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	setpgid(0, 0); /* Check does so too: a group of its own */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != current_parent)
		_exit(1); /* o3 died before the child could ask to die with it */
	if (shared) {
		__atomic_store_n(&shared->child, getpid(), __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&shared->stop, __ATOMIC_SEQ_CST))
			_exit(1);
	}
}

START_TEST(step_case)
{
	cJSON *rec;
	if (getpid() != current_parent)
		child_start();
	rec = current_fn(current_arg);
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

/* A line cut short by a killed child ends before the next record. */
static void end_line(struct step_runner *r)
{
	char c = '\n';
	off_t end;
	fflush(r->log.fp);
	end = lseek(r->log.fd, 0, SEEK_END);
	if (end > 0 && pread(r->log.fd, &c, 1, end - 1) == 1 && c != '\n') {
		fputc('\n', r->log.fp);
		fflush(r->log.fp);
	}
}

/* A failure that says nothing of the configuration (the server did not
 * answer in time, was gone or busy, the run was stopped, the step's process
 * died): a resumed run measures the step again instead of reusing it. */
static void retire(struct step_runner *r, const char *key);
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
	int stopped;

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
	current_parent = getpid();

	s = suite_create("o3");
	tc = tcase_create("step");
	tcase_set_timeout(tc, r->timeout_s > 0 ? r->timeout_s : 1e7);
	tcase_add_unchecked_fixture(tc, step_setup, step_teardown);
	tcase_add_test(tc, step_case);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, r->fork ? CK_FORK : CK_NOFORK);
	/* blocked until step_setup: see there */
	stop_signals(&block);
	sigprocmask(SIG_BLOCK, &block, &saved);
	if (shared) {
		shared->child = 0;
		shared->stop = stop_signal != 0;
	}
	t0 = clock_now_ns();
	srunner_run_all(sr, CK_SILENT);
	if (shared)
		shared->child = 0;
	stopped = stop_signal;
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
		/* stopped by a signal, past the step's limit (Check ended it) or
		 * died on its own */
		double took = (double)(clock_now_ns() - t0) / 1e9 * clock_time_scale();
		enum ollama_err_class cls = r->timeout_s > 0 && took >= 0.95 * r->timeout_s ?
					    OLLAMA_ERR_CLIENT_TIMEOUT : OLLAMA_ERR_HARNESS_CRASH;
		char why[160];
		if (stopped) {
			cls = OLLAMA_ERR_INTERRUPTED;
			snprintf(why, sizeof(why), "the run was stopped (%s) during the step, "
				 "after %.1f s; a resumed run measures it again",
				 stopped == SIGTERM ? "SIGTERM" : "SIGINT", took);
			m = why;
		}
		rec = harness_error(key, name, cls, m);
		end_line(r);
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
	retire(r, key);
	cJSON_AddItemToObject(r->index, key, rec);
	return rec;
}

static void retire(struct step_runner *r, const char *key)
{
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(r->index, key);
	if (old) {
		/* its pointer may still be held by the caller: kept till the end */
		if (!r->retired)
			r->retired = cJSON_CreateArray();
		cJSON_AddItemToArray(r->retired, old);
	}
}

void step_forget(struct step_runner *r, const char *key)
{
	retire(r, key);
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
