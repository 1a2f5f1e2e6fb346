// SPDX-License-Identifier: MIT
/*
 * A server that goes away during a run (issue: one timeout ended the whole
 * run, and "gone" was decided in two places). Killed and started again on
 * the same port within --wait-server: the run waits, measures the failed
 * step again and finishes with the same verdicts as an undisturbed run.
 * Killed for good: after the wait the run stops with exit 4, every report
 * written and the model shown as not finished.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_fixture.h"
#include "sim_process.h"

/* o3 run of the smoke suite in a child; returns its pid */
static pid_t start_run(const char *results, const char *wait_s)
{
	pid_t pid = fork();
	if (pid == 0) {
		char o3[1024], suite[1024];
		int fd = open("/dev/null", 1);
		dup2(fd, 1);
		dup2(fd, 2);
		snprintf(o3, sizeof(o3), "%s/o3", root("O3_BUILD_ROOT"));
		snprintf(suite, sizeof(suite), "%s/suites/smoke.yaml", root("O3_SOURCE_ROOT"));
		putenv(host_env);
		setenv("O3_TIME_SCALE", "0.002", 1);
		execl(o3, o3, "run", "--suite", suite, "--results", results, "--no-progress",
		      "--wait-server", wait_s, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* wait until the log holds at least n lines */
static void wait_lines(const char *log, int n)
{
	int i;
	for (i = 0; i < 1000; i++) {
		FILE *fp = fopen(log, "r");
		int lines = 0, ch;
		struct timespec ts = { 0, 5000000 };
		if (fp) {
			while ((ch = fgetc(fp)) != EOF)
				lines += ch == '\n';
			fclose(fp);
		}
		if (lines >= n)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("the log never reached %d lines", n);
}

START_TEST(test_server_back_within_the_wait)
{
	char results[300], log[340], port_env[64], *md;
	const char *env[] = { port_env, NULL };
	const char *args[] = { "--time-scale", "0.002", NULL };
	int status, port;
	pid_t pid;
	up(NULL);
	port = sim.port;
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	snprintf(log, sizeof(log), "%s/logs/run.jsonl", results);
	pid = start_run(results, "30");
	wait_lines(log, 4); /* run, identity, a probe or two */
	kill(sim.pid, SIGKILL);
	waitpid(sim.pid, NULL, 0);
	sleep(1);
	snprintf(port_env, sizeof(port_env), "OLLAMA_HOST=127.0.0.1:%d", port);
	{
		/* the same port, as a service manager restarts it */
		struct sim_process again;
		ck_assert_int_eq(sim_start(&again, args, env), 0);
		waitpid(pid, &status, 0);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
		snprintf(log, sizeof(log), "%s/summaries/summary.md", results);
		md = slurp(log);
		ck_assert_ptr_null(strstr(md, "Not finished"));
		ck_assert_ptr_nonnull(strstr(md, "**Usable up to** 8192 tokens"));
		free(md);
		/* the kill landed mid-run: a step failed for want of the server,
		 * and was measured again */
		snprintf(log, sizeof(log), "%s/logs/run.jsonl", results);
		md = slurp(log);
		ck_assert_ptr_nonnull(strstr(md, "\"class\":\"unreachable\""));
		free(md);
		sim_stop(&again);
	}
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sim.dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

START_TEST(test_server_gone_for_good)
{
	char results[300], log[340], *md;
	int status;
	pid_t pid;
	up(NULL);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	snprintf(log, sizeof(log), "%s/logs/run.jsonl", results);
	pid = start_run(results, "1");
	wait_lines(log, 4);
	kill(sim.pid, SIGKILL);
	waitpid(sim.pid, NULL, 0);
	waitpid(pid, &status, 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 4, "status %d", status);
	snprintf(log, sizeof(log), "%s/summaries/summary.md", results);
	md = slurp(log);
	ck_assert_ptr_nonnull(strstr(md, "Not finished"));
	free(md);
	snprintf(log, sizeof(log), "%s/junit.xml", results);
	md = slurp(log);
	free(md);
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sim.dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

START_TEST(test_managed_server_started_again)
{
	/* managed mode: the server o3 started is killed mid-run (the OOM
	 * killer's way); o3 starts it again and finishes, the failed step
	 * measured again. The server binary is a script that runs the
	 * simulator with the fault the first time only. */
	char script[400], results[300], path[400], *out = NULL, *err = NULL, *md;
	const char *extra[3];
	FILE *fp;
	int rc;
	up(NULL); /* its folder; o3 starts servers of its own */
	snprintf(script, sizeof(script), "%s/ollama", sim.dir);
	fp = fopen(script, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "#!/bin/sh\n"
		    "if [ -e '%s/died' ]; then exec '%s' \"$@\"; fi\n"
		    ": > '%s/died'\n"
		    "exec '%s' --fault server-exit@3 \"$@\"\n",
		sim.dir, sim_binary(), sim.dir, sim_binary());
	fclose(fp);
	ck_assert_int_eq(chmod(script, 0755), 0);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	extra[0] = "--server-binary";
	extra[1] = script;
	extra[2] = NULL;
	rc = o3_run_at("tests/data/suites/managed/restart.yaml", results, "0.002", extra, &out, &err);
	if (rc != 0 || !strstr(err, "exited (killed by signal 9") ||
	    !strstr(err, "starting it again (1 of 3)") || !strstr(err, "answers again: measuring"))
		fprintf(stderr, "o3 run said:\n%s\n", err);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(err, "exited (killed by signal 9"));
	ck_assert_ptr_nonnull(strstr(err, "starting it again (1 of 3)"));
	/* the step that failed for want of the server was measured again */
	ck_assert_ptr_nonnull(strstr(err, "answers again: measuring"));
	snprintf(path, sizeof(path), "%s/summaries/summary.md", results);
	md = slurp(path);
	ck_assert_ptr_null(strstr(md, "Not finished"));
	ck_assert_ptr_nonnull(strstr(md, "**Usable up to** 8192 tokens"));
	free(md);
	free(out);
	free(err);
	down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("server_gone");
	TCase *tc = tcase_create("server_gone");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_server_back_within_the_wait);
	tcase_add_test(tc, test_server_gone_for_good);
	tcase_add_test(tc, test_managed_server_started_again);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
