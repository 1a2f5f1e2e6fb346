// SPDX-License-Identifier: MIT
/* `o3 monitor` end to end: the o3-monitor-check executable (cmd_monitor.c)
 * run over the fake machines; output formats, options and exit codes. */
#include "test_monitor_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "o3_exit.h"

extern char **environ;

struct result {
	int rc;
	char out[16384], err[4096];
};

static void slurp_fd(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	lseek(fd, 0, SEEK_SET);
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

/* Run o3-monitor-check with args over machine's fixtures (NULL = none). */
static void run(struct result *res, const char *machine, const char *const *args)
{
	const char *exe = getenv("O3_MONITOR_CHECK");
	char sys[512], proc[512], outp[600], errp[600], dir[512];
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	int n = 0, status, fo, fe;
	pid_t pid;

	ck_assert_msg(exe != NULL, "O3_MONITOR_CHECK is not set (run through meson test)");
	argv[n++] = "monitor";
	if (machine) {
		fixture(sys, sizeof(sys), "sysfs", machine);
		fixture(proc, sizeof(proc), "procfs", machine);
		argv[n++] = "--sysfs-root";
		argv[n++] = sys;
		argv[n++] = "--procfs-root";
		argv[n++] = proc;
	}
	for (; *args && n < 30; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	scratch_new(dir, sizeof(dir));
	snprintf(outp, sizeof(outp), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
	fo = open(outp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fe = open(errp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert(fo >= 0 && fe >= 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fo, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fe, STDERR_FILENO);
	setenv("O3_NVML_LIBRARY", NO_NVML, 1);
	ck_assert_int_eq(posix_spawn(&pid, exe, &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	res->rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	slurp_fd(fo, res->out, sizeof(res->out));
	slurp_fd(fe, res->err, sizeof(res->err));
	scratch_free(dir);
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_list_backends)
{
	static const char *const args[] = { "--list-backends", "--no-server", NULL };
	struct result r;
	run(&r, "strix-halo-512m", args);
	ck_assert_int_eq(r.rc, O3_EXIT_OK);
	ck_assert_int_eq(count_lines(r.out), 5);
	ck_assert_msg(strstr(r.out, "amdgpu: available (card0, 0000:c5:00.0)\n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "nvml: unavailable: " NO_NVML ": cannot open shared object file"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "procfs: available ("), "%s", r.out);
	ck_assert_str_eq(r.err, "");
}
END_TEST

/* With no backend at all, --list-backends still explains and exits 0;
 * sampling exits 4. */
START_TEST(test_nothing_works)
{
	static const char *const list[] = { "--list-backends", "--no-server", NULL };
	static const char *const sample[] = { "--no-server", NULL };
	struct result r;
	run(&r, "no-such-machine", list);
	ck_assert_int_eq(r.rc, O3_EXIT_OK);
	ck_assert_msg(strstr(r.out, "procfs: unavailable: cannot read MemTotal from"), "%s", r.out);
	run(&r, "no-such-machine", sample);
	ck_assert_int_eq(r.rc, O3_EXIT_UNAVAILABLE);
	ck_assert_msg(strstr(r.err, "o3: error: no monitor backend works here"), "%s", r.err);
}
END_TEST

START_TEST(test_json_lines)
{
	static const char *const args[] = { "--json", "--count", "3", "--interval", "10", "--no-server", NULL };
	struct result r;
	char *line, *save = NULL;
	int n = 0;
	run(&r, "rx7900xtx", args);
	ck_assert_int_eq(r.rc, O3_EXIT_OK);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		ck_assert_msg(j != NULL, "not JSON: %s", line);
		ck_assert_str_eq(jstr(j, "devices/0/id"), "card1");
		ck_assert_str_eq(jstr(j, "memory/definition"), "discrete_vram");
		ck_assert_double_eq(jnum(j, "devices/0/vram_used_bytes"), 21000000000.0);
		cJSON_Delete(j);
		n++;
	}
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_csv)
{
	static const char *const args[] = { "--no-server", NULL };
	struct result r;
	char *row;
	run(&r, "strix-halo-512m", args);
	ck_assert_int_eq(r.rc, O3_EXIT_OK);
	ck_assert_int_eq(count_lines(r.out), 2); /* not a terminal: header and one sample */
	ck_assert_msg(!strncmp(r.out, "elapsed_ms,device,backend,memory_definition,mem_used_bytes,", 59), "%s", r.out);
	row = strchr(r.out, '\n') + 1;
	ck_assert_msg(!strncmp(row, "0,card0,amdgpu,unified_vram_plus_gtt,21743271936,52076478464,41.753,", 67),
		      "%s", row);
	/* the absent /api/ps figures are empty fields, not 0 */
	ck_assert_msg(strstr(row, ",,\n") != NULL, "%s", row);
}
END_TEST

static const struct usage_case {
	const char *args[4];
	int rc;
	const char *err;
} usage_cases[] = {
	{ { "--interval", "abc" }, O3_EXIT_USAGE, "--interval expects a number of milliseconds from 10 to 3600000, not 'abc'" },
	{ { "--interval", "5" }, O3_EXIT_USAGE, "--interval expects a number of milliseconds from 10 to 3600000, not '5'" },
	{ { "--count", "0" }, O3_EXIT_USAGE, "--count expects a positive whole number, not '0'" },
	{ { "--bogus" }, O3_EXIT_USAGE, "unknown option '--bogus' (see 'o3 monitor --help')" },
	{ { "--interval" }, O3_EXIT_USAGE, "option '--interval' needs a value (see 'o3 monitor --help')" },
	{ { "--json", "--interval" }, O3_EXIT_USAGE, "option '--interval' needs a value" },
	{ { "extra", "--json" }, O3_EXIT_USAGE, "unexpected argument 'extra'" },
	{ { "extra" }, O3_EXIT_USAGE, "unexpected argument 'extra'" },
	{ { "--help" }, O3_EXIT_OK, "" },
};

START_TEST(test_usage)
{
	const struct usage_case *c = &usage_cases[_i];
	const char *args[6];
	struct result r;
	int n = 0;
	while (n < 4 && c->args[n]) {
		args[n] = c->args[n];
		n++;
	}
	args[n] = NULL;
	run(&r, "no-gpu", args);
	ck_assert_int_eq(r.rc, c->rc);
	ck_assert_msg(strstr(r.err, c->err), "'%s' not in '%s'", c->err, r.err);
	if (c->rc == O3_EXIT_OK)
		ck_assert_msg(strstr(r.out, "usage: o3 monitor") && strstr(r.out, "--list-backends"), "%s", r.out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor_cmd");
	TCase *tc = tcase_create("cmd");
	tcase_add_test(tc, test_list_backends);
	tcase_add_test(tc, test_nothing_works);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_csv);
	tcase_add_loop_test(tc, test_usage, 0, sizeof(usage_cases) / sizeof(usage_cases[0]));
	suite_add_tcase(s, tc);
	return run_suite(s);
}
