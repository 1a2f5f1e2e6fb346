// SPDX-License-Identifier: MIT
/*
 * The o3 command as a user meets it: help, bad input (unreachable host,
 * malformed OLLAMA_HOST, wrong model, invalid options), each with one clear
 * message and the exit code of the README's table; and one trial against the
 * simulator, whose record lands in the log.
 */
#include <check.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_process.h"

static struct sim_process sim;
static char host_env[96];
static char results[128];

static const char *o3_binary(void)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/o3",
		 getenv("O3_BUILD_ROOT") ? getenv("O3_BUILD_ROOT") : ".");
	return path;
}

static void sim_up(void)
{
	static const char *const args[] = { "--time-scale", "0.02", NULL };
	ck_assert_msg(sim_start(&sim, args, NULL) == 0, "cannot start %s", sim_binary());
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
}

static void sim_down(void)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/results'", sim.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot clean %s\n", sim.dir);
	sim_stop(&sim);
}

/* Number of lines that start with "o3: error:" */
static int error_lines(const char *err)
{
	int n = 0;
	const char *p = err;
	while ((p = strstr(p, "o3: error:"))) {
		n++;
		p++;
	}
	return n;
}

static int o3(const char *const *args, const char *env0, char **out, char **err)
{
	const char *argv[40];
	const char *env[3] = { env0, NULL, NULL };
	int argc = 0;
	/* under the valgrind test setup, the o3 process is checked too: a
	 * memory error changes its exit code to 99 and fails the test */
	if (getenv("O3_UNDER_VALGRIND")) {
		argv[argc++] = "valgrind";
		argv[argc++] = "--error-exitcode=99";
		argv[argc++] = "--leak-check=full";
		argv[argc++] = "--errors-for-leak-kinds=definite";
		argv[argc++] = "--quiet";
	}
	argv[argc++] = o3_binary();
	for (; *args && argc < 39; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	return run_capture(argv, env, out, err);
}

START_TEST(test_help)
{
	static const char *const a1[] = { "--help", NULL };
	static const char *const a2[] = { "trial", "--help", NULL };
	char *out, *err;
	ck_assert_int_eq(o3(a1, NULL, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: o3"));
	ck_assert_ptr_nonnull(strstr(out, "trial"));
	free(out);
	free(err);
	ck_assert_int_eq(o3(a2, NULL, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "--prompt-tokens"));
	ck_assert_ptr_nonnull(strstr(out, "--stall-timeout"));
	free(out);
	free(err);
}
END_TEST

/* "o3 help run" is "o3 run --help", as git's */
START_TEST(test_help_command)
{
	static const char *const a[] = { "help", "run", NULL };
	static const char *const b[] = { "help", "nosuch", NULL };
	char *out, *err;
	ck_assert_int_eq(o3(a, NULL, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: o3 run [options]"));
	free(out);
	free(err);
	ck_assert_int_eq(o3(b, NULL, &out, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "'nosuch' is not an o3 command"));
	free(out);
	free(err);
}
END_TEST

START_TEST(test_unknown_command)
{
	static const char *const a[] = { "trail", "x", NULL };
	char *out, *err;
	ck_assert_int_eq(o3(a, NULL, &out, &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "did you mean 'trial'"));
	ck_assert_int_eq(error_lines(err), 1);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_unreachable_host)
{
	/* port 9 (discard) is closed on loopback here */
	static const char *const a[] = { "trial", "--connect-timeout", "2", "qwen2.5:3b-instruct", NULL };
	char *out, *err;
	ck_assert_int_eq(o3(a, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 4);
	ck_assert_ptr_nonnull(strstr(err, "no Ollama server answers at http://127.0.0.1:9"));
	ck_assert_int_eq(error_lines(err), 1);
	free(out);
	free(err);
}
END_TEST

/* A server that accepts and never answers holds the start-up check for its
 * own short limit (5 s), not the first-byte timeout of a load (600 s). */
START_TEST(test_silent_server)
{
	static const char *const a[] = { "env", "--check", NULL };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char host[64], *out, *err;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0); /* the kernel accepts; nobody answers */
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(host, sizeof(host), "OLLAMA_HOST=127.0.0.1:%d", ntohs(sin.sin_port));
	ck_assert_int_eq(o3(a, host, &out, &err), 4);
	ck_assert_msg(strstr(err, "no Ollama server answers") && strstr(err, "5000 ms"), "%s", err);
	close(fd);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_malformed_host)
{
	static const char *const bad[] = {
		"OLLAMA_HOST=127.0.0.1:99999", "OLLAMA_HOST=http://[::1", "OLLAMA_HOST=ftp://h:1",
		"OLLAMA_HOST=127.0.0.1:port",
	};
	static const char *const a[] = { "trial", "qwen2.5:3b-instruct", NULL };
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out, *err;
		ck_assert_msg(o3(a, bad[i], &out, &err) == 2, "%s: exit code", bad[i]);
		ck_assert_msg(strstr(err, "OLLAMA_HOST") != NULL, "%s: message '%s'", bad[i], err);
		ck_assert_msg(error_lines(err) == 1, "%s: '%s'", bad[i], err);
		free(out);
		free(err);
	}
}
END_TEST

START_TEST(test_invalid_options)
{
	static const struct {
		const char *opt;
		const char *says;
	} cases[] = {
		{ "f16_kv=true", "OLLAMA_KV_CACHE_TYPE" },
		{ "num_ctx=8k", "num_ctx" },
		{ "num_ctxx=8192", "num_ctx" },
		{ "low_vram=true", "removed" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[] = { "trial", "-o", cases[i].opt, "qwen2.5:3b-instruct", NULL };
		char *out, *err;
		ck_assert_msg(o3(a, "OLLAMA_HOST=127.0.0.1:9", &out, &err) == 2, "%s", cases[i].opt);
		ck_assert_msg(strstr(err, cases[i].says) != NULL, "%s: '%s'", cases[i].opt, err);
		ck_assert_int_eq(error_lines(err), 1);
		free(out);
		free(err);
	}
}
END_TEST

START_TEST(test_wrong_model)
{
	static const char *const a[] = { "trial", "qwen2.5:3b-instruc", NULL };
	char *out, *err;
	sim_up();
	ck_assert_int_eq(o3(a, host_env, &out, &err), 4);
	ck_assert_ptr_nonnull(strstr(err, "'qwen2.5:3b-instruc'"));
	ck_assert_ptr_nonnull(strstr(err, "did you mean 'qwen2.5:3b-instruct'"));
	ck_assert_int_eq(error_lines(err), 1);
	free(out);
	free(err);
	sim_down();
}
END_TEST

START_TEST(test_trial_records_and_translates_batch)
{
	char *out, *err, log[256];
	const char *a[] = { "trial", "--results", results, "-o", "batch=256", "--num-ctx", "4096",
			    "--prompt-tokens", "256", "--num-predict", "16", "--reps", "2",
			    "--no-monitor", "qwen2.5:3b-instruct", NULL };
	FILE *fp;
	char line[1 << 16];
	cJSON *rec;
	sim_up();
	a[2] = results;
	ck_assert_int_eq(o3(a, host_env, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "num_batch")); /* the warning about 'batch' */
	ck_assert_ptr_nonnull(strstr(out, "TTFT"));
	ck_assert_ptr_nonnull(strstr(out, "decode (server)"));
	snprintf(log, sizeof(log), "%s/logs/trials.jsonl", results);
	fp = fopen(log, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	fclose(fp);
	rec = cJSON_Parse(line);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "status")), "ok");
	ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(rec, "options"), "num_batch")), 256, 0.5);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "options"), "batch"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "requests")), 2);
	/* measured on the simulator: the record and the terminal say so */
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "server"), "simulated")));
	ck_assert_ptr_nonnull(strstr(err, "SIMULATED"));
	cJSON_Delete(rec);
	free(out);
	free(err);
	sim_down();
}
END_TEST

/* Issue 12 item 14: options after the model name, as git takes them; an
 * option without its value is named; env --check is silent on success. */
START_TEST(test_options_after_operands)
{
	char *out, *err;
	const char *a[] = { "trial", "qwen2.5:3b-instruct", "--results", results, "--num-ctx", "4096",
			    "--prompt-tokens", "64", "--num-predict", "4", "--reps", "1", "--no-monitor",
			    NULL };
	static const char *const missing[] = { "trial", "--reps", NULL };
	static const char *const missing_after[] = { "trial", "qwen2.5:3b-instruct", "--reps", NULL };
	static const char *const unknown[] = { "trial", "qwen2.5:3b-instruct", "--bogus", NULL };
	static const char *const check[] = { "env", "--check", NULL };
	static const char *const run_unknown[] = { "run", "--bogus", NULL };
	static const char *const run_missing[] = { "run", "--suite", NULL };

	ck_assert_int_eq(o3(missing, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 2);
	ck_assert_msg(strstr(err, "option '--reps' needs a value"), "%s", err);
	ck_assert_int_eq(error_lines(err), 1);
	free(out);
	free(err);
	ck_assert_int_eq(o3(missing_after, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 2);
	ck_assert_msg(strstr(err, "option '--reps' needs a value"), "%s", err);
	free(out);
	free(err);
	ck_assert_int_eq(o3(unknown, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 2);
	ck_assert_msg(strstr(err, "unknown option '--bogus' (see 'o3 trial --help')"), "%s", err);
	free(out);
	free(err);
	/* o3 run speaks as the other commands do */
	ck_assert_int_eq(o3(run_unknown, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 2);
	ck_assert_msg(strstr(err, "unknown option '--bogus' (see 'o3 run --help')"), "%s", err);
	ck_assert_int_eq(error_lines(err), 1);
	free(out);
	free(err);
	ck_assert_int_eq(o3(run_missing, "OLLAMA_HOST=127.0.0.1:9", &out, &err), 2);
	ck_assert_msg(strstr(err, "option '--suite' needs a value (see 'o3 run --help')"), "%s", err);
	free(out);
	free(err);

	sim_up();
	a[3] = results;
	ck_assert_int_eq(o3(a, host_env, &out, &err), 0);
	ck_assert_msg(strstr(out, "TTFT"), "%s\n%s", out, err);
	free(out);
	free(err);
	ck_assert_int_eq(o3(check, host_env, &out, &err), 0);
	ck_assert_msg(!out[0] && !err[0], "env --check printed '%s' '%s'", out, err);
	free(out);
	free(err);
	sim_down();
}
END_TEST

START_TEST(test_oom_configuration_exit_1)
{
	/* 64 GB Strix Halo: qwen3-coder at its full 262144 context with four
	 * parallel slots (4 x 24 GiB of KV cache) needs more memory than the
	 * machine has: the load fails with the era's OOM text */
	static const char *const args[] = { "--time-scale", "0.02", NULL };
	static const char *const senv[] = { "OLLAMA_NUM_PARALLEL=4", NULL };
	char *out, *err;
	const char *a[] = { "trial", "--results", NULL, "--num-ctx", "262144", "--no-monitor",
			    "qwen3-coder:30b", NULL };
	ck_assert(sim_start(&sim, args, senv) == 0);
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
	snprintf(results, sizeof(results), "%s/results", sim.dir);
	a[2] = results;
	ck_assert_int_eq(o3(a, host_env, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(out, "oom"));
	ck_assert_ptr_nonnull(strstr(err, "trial of 'qwen3-coder:30b' failed: oom"));
	free(out);
	free(err);
	sim_down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_help_command);
	tcase_add_test(tc, test_unreachable_host);
	tcase_add_test(tc, test_silent_server);
	tcase_add_test(tc, test_malformed_host);
	tcase_add_test(tc, test_invalid_options);
	tcase_add_test(tc, test_wrong_model);
	tcase_add_test(tc, test_trial_records_and_translates_batch);
	tcase_add_test(tc, test_oom_configuration_exit_1);
	tcase_add_test(tc, test_options_after_operands);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
