// SPDX-License-Identifier: MIT
/*
 * o3 run and signals (issue 12): SIGTERM or SIGINT stop a run within
 * seconds, its reports written, exit 143 or 130, and reach nothing but o3's
 * own children; a step's child dies with o3; one run at a time on a results
 * folder. The simulator runs at half its real pace (--time-scale 0.5, the
 * last one given wins): a step of the smoke suite lasts about a second and
 * the signal, 1.2 s after the first records, lands in the middle of one.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_fixture.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

static void results_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/results%s%s", sim.dir, rel ? "/" : "", rel ? rel : "");
}

static long log_size(void)
{
	char path[512];
	struct stat st;
	results_path(path, sizeof(path), "logs/run.jsonl");
	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Wait until the run has written its first records (its run and identity
 * records), then a second more: the first step is then under way. */
static void wait_for_step(void)
{
	int i;
	for (i = 0; i < 1000 && log_size() <= 0; i++)
		sleep_s(0.01);
	ck_assert_msg(log_size() > 0, "o3 run wrote no record");
	sleep_s(1.2);
}

/*
 * o3 run on smoke.yaml, its output in <sim dir>/o3.out. wrapped: under a
 * shell (`o3 run ... & wait`) that prints "survived" when o3 has ended and
 * o3's pid in <sim dir>/o3.pid; the shell, o3 and the simulator share the
 * test's process group. Returns the pid of what was started.
 */
static pid_t start(int wrapped)
{
	char o3[1024], suitepath[1024], results[256], out[300], pidfile[300];
	pid_t pid;
	snprintf(o3, sizeof(o3), "%s/o3", root("O3_BUILD_ROOT"));
	snprintf(suitepath, sizeof(suitepath), "%s/suites/smoke.yaml", root("O3_SOURCE_ROOT"));
	results_path(results, sizeof(results), NULL);
	snprintf(out, sizeof(out), "%s/%s", sim.dir, wrapped ? "wrapper.out" : "o3.out");
	snprintf(pidfile, sizeof(pidfile), "%s/o3.pid", sim.dir);
	unlink(pidfile);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *fp = freopen(out, "w", stdout);
		if (!fp || dup2(1, 2) < 0)
			_exit(127);
		setenv("OLLAMA_HOST", sim.host, 1);
		if (wrapped) {
			char o3out[300];
			snprintf(o3out, sizeof(o3out), "%s/o3.out", sim.dir);
			setenv("O3_OUT", o3out, 1);
			setenv("O3_PIDFILE", pidfile, 1);
			execl("/bin/sh", "sh", "-c",
			      "\"$@\" >\"$O3_OUT\" 2>&1 & echo $! >\"$O3_PIDFILE.tmp\"; "
			      "mv \"$O3_PIDFILE.tmp\" \"$O3_PIDFILE\"; wait $!; echo \"rc=$?\"; echo survived",
			      "sh", o3, "run", "--suite", suitepath, "--results", results, "--no-progress",
			      (char *)NULL);
		} else {
			execl(o3, o3, "run", "--suite", suitepath, "--results", results, "--no-progress",
			      (char *)NULL);
		}
		_exit(127);
	}
	return pid;
}

static pid_t read_pid(void)
{
	char path[300];
	long pid = 0;
	int i;
	FILE *fp = NULL;
	snprintf(path, sizeof(path), "%s/o3.pid", sim.dir);
	for (i = 0; i < 500 && !(fp = fopen(path, "r")); i++)
		sleep_s(0.01);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fscanf(fp, "%ld", &pid), 1);
	fclose(fp);
	return (pid_t)pid;
}

/* Is pid a live process (not gone, not a zombie)? */
static int alive(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *fp;
	size_t n;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* The children of pid (at most max). */
static int children_of(pid_t pid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		FILE *fp;
		size_t len;
		long ppid;
		char state;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (!(fp = fopen(path, "r")))
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		buf[len] = '\0';
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)pid)
			out[n++] = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return n;
}

static int count_class(const cJSON *log, const char *cls)
{
	const cJSON *r;
	int n = 0;
	cJSON_ArrayForEach(r, log) {
		const char *c = cJSON_GetStringValue(
			cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "class"));
		n += c && !strcmp(c, cls);
	}
	return n;
}

/* The simulator still answers: a run on its own results folder starts and
 * talks to it (o3 version would not ask it anything). */
static int sim_answers(void)
{
	return kill(sim.pid, 0) == 0 && alive(sim.pid);
}

static void stop_and_resume(int sig, int want)
{
	const char *sargs[] = { "--time-scale", "0.5", NULL };
	struct sigaction sa, old_int, old_term;
	char path[300];
	pid_t wrapper, o3;
	int status;
	double t;
	int interrupted_steps;
	char *text, *out, *err;
	cJSON *log;

	up(sargs);
	/* a signal o3 passed on to its process group would reach this test */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	got_signal = 0;
	wrapper = start(1);
	o3 = read_pid();
	wait_for_step();
	t = now_s();
	kill(o3, sig);
	ck_assert_int_eq(waitpid(wrapper, &status, 0), wrapper);
	t = now_s() - t;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	ck_assert_msg(!got_signal, "the test's process got signal %d", (int)got_signal);
	snprintf(path, sizeof(path), "%s/wrapper.out", sim.dir);
	text = slurp(path);
	ck_assert_msg(strstr(text, "survived") != NULL, "the wrapper did not survive: '%s'", text);
	{
		char want_rc[16];
		snprintf(want_rc, sizeof(want_rc), "rc=%d", want);
		ck_assert_msg(strstr(text, want_rc) != NULL, "o3 ended with '%s', want %s", text, want_rc);
	}
	free(text);
	ck_assert_msg(t < 5.0, "o3 took %.1f s to stop", t);
	ck_assert_msg(sim_answers(), "the simulator is gone");
	ck_assert(file_exists("summaries/summary.md"));
	ck_assert(file_exists("junit.xml"));
	log = read_log();
	/* the step in progress, abandoned (none when the signal fell in the
	 * millisecond between two steps: then nothing was cut) */
	interrupted_steps = count_class(log, "interrupted");
	ck_assert_int_le(interrupted_steps, 1);
	cJSON_Delete(log);
	/* resumed: the interrupted step is measured again, and the run ends */
	ck_assert_int_eq(o3_run("suites/smoke.yaml", NULL, &out, &err), 0);
	free(out);
	free(err);
	log = read_log();
	{
		const cJSON *r, *it = NULL;
		cJSON_ArrayForEach(r, log) {
			const char *c = cJSON_GetStringValue(
				cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "class"));
			if (c && !strcmp(c, "interrupted"))
				it = r;
		}
		if (interrupted_steps) {
			ck_assert_ptr_nonnull(it);
			ck_assert_int_eq(count_key(log, cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"))),
					 2);
		}
	}
	cJSON_Delete(log);
	down();
}

START_TEST(test_sigterm_reaches_o3_alone)
{
	stop_and_resume(SIGTERM, 143);
}
END_TEST

START_TEST(test_sigint_stops_within_seconds)
{
	stop_and_resume(SIGINT, 130);
}
END_TEST

START_TEST(test_sigkill_takes_the_step_along)
{
	const char *sargs[] = { "--time-scale", "0.5", NULL };
	pid_t o3, kids[16];
	int n, i, status;
	long size;
	up(sargs);
	o3 = start(0);
	wait_for_step();
	n = children_of(o3, kids, 16);
	ck_assert_msg(n >= 1, "o3 runs no step child");
	kill(o3, SIGKILL);
	ck_assert_int_eq(waitpid(o3, &status, 0), o3);
	size = log_size();
	for (i = 0; i < 100; i++) {
		int j, left = 0;
		for (j = 0; j < n; j++)
			left += alive(kids[j]);
		if (!left)
			break;
		sleep_s(0.01);
	}
	ck_assert_msg(i < 100, "a step's child outlived o3 by a second");
	sleep_s(1.5);
	ck_assert_int_eq(log_size(), size);
	down();
}
END_TEST

START_TEST(test_one_run_per_folder)
{
	const char *sargs[] = { "--time-scale", "0.5", NULL };
	pid_t first;
	int status;
	char *out, *err;
	up(sargs);
	first = start(0);
	wait_for_step();
	ck_assert_int_eq(o3_run("suites/smoke.yaml", NULL, &out, &err), 4);
	ck_assert_msg(strstr(err, "in use by o3 run (pid") != NULL, "%s", err);
	free(out);
	free(err);
	kill(first, SIGTERM);
	ck_assert_int_eq(waitpid(first, &status, 0), first);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 143);
	down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signals_sim");
	TCase *tc = tcase_create("signals");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sigterm_reaches_o3_alone);
	tcase_add_test(tc, test_sigint_stops_within_seconds);
	tcase_add_test(tc, test_sigkill_takes_the_step_along);
	tcase_add_test(tc, test_one_run_per_folder);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
