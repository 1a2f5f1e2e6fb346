// SPDX-License-Identifier: MIT
/* The procfs backend: Ollama's runner across its eras, /proc/meminfo and
 * /proc/PID/status, malformed and vanishing files. */
#include "test_monitor_util.h"

/* "ollama serve" is pid 100; the candidate is pid 500 (its parent given). */
static const struct era_case {
	const char *what;
	const char *argv[8];
	int ppid;
	int runner;
} eras[] = {
	{ "<= v0.5.1 ollama_llama_server",
	  { "/tmp/ollama123/runners/cuda_v12/ollama_llama_server", "--model", "/m", "--port", "4001" }, 100, 1 },
	{ "v0.5.2..v0.24 ollama runner",
	  { "/usr/local/bin/ollama", "runner", "--model", "/m", "--port", "4001" }, 100, 1 },
	{ "v0.12 ollama runner --ollama-engine",
	  { "/usr/bin/ollama", "runner", "--ollama-engine", "--model", "/m" }, 100, 1 },
	{ ">= v0.30 llama-server under lib/ollama",
	  { "/usr/local/lib/ollama/llama-server", "--model", "/m", "--port", "4001" }, 100, 1 },
	{ ">= v0.30 llama-server elsewhere, child of ollama serve",
	  { "/opt/ollama/bin/llama-server", "--model", "/m" }, 100, 1 },
	{ "llama-server grandchild of ollama serve", { "/opt/x/llama-server-vulkan", "-m", "/m" }, 300, 1 },
	{ "lib/ollama llama-server started by hand", { "/usr/lib/ollama/llama-server", "-m", "/m" }, 1, 1 },
	{ "someone's own llama-server", { "/home/u/llama.cpp/llama-server", "-m", "/m" }, 1, 0 },
	{ "ollama serve itself", { "/usr/local/bin/ollama", "serve" }, 1, 0 },
	{ "ollama run (the client)", { "/usr/local/bin/ollama", "run", "qwen3" }, 1, 0 },
	{ "a 'runner' that is not ollama", { "/usr/bin/python3", "runner" }, 100, 0 },
};

static void proc(const char *root, int pid, const char *const *argv, const char *comm, int ppid)
{
	char rel[64], stat[256], cmd[512];
	size_t len = 0;
	for (; *argv; argv++) {
		size_t n = strlen(*argv) + 1;
		memcpy(cmd + len, *argv, n);
		len += n;
	}
	snprintf(rel, sizeof(rel), "%d/cmdline", pid);
	put_bytes(root, rel, cmd, len);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	snprintf(stat, sizeof(stat), "%d (%s) S %d %d %d 0 -1 4194560\n", pid, comm, ppid, pid, pid);
	put(root, rel, stat);
	snprintf(rel, sizeof(rel), "%d/status", pid);
	put(root, rel, "Name:\tx\nVmPeak:\t 9000 kB\nVmHWM:\t    4096 kB\nVmRSS:\t    2048 kB\n");
}

START_TEST(test_eras)
{
	static const char *const serve[] = { "/usr/local/bin/ollama", "serve", NULL };
	static const char *const shell[] = { "/bin/sh", "-c", "x", NULL };
	static const char *const init[] = { "/sbin/init", NULL };
	const struct era_case *c = &eras[_i];
	char root[512];
	struct monitor *m;
	cJSON *r = NULL;

	scratch_new(root, sizeof(root));
	put(root, "meminfo", "MemTotal:  2000000 kB\nMemFree:  100 kB\nMemAvailable:  1500000 kB\n");
	proc(root, 1, init, "systemd", 0);
	proc(root, 100, serve, "ollama", 1);
	proc(root, 300, shell, "sh (x) y", 100); /* a comm with spaces and parentheses */
	proc(root, 500, c->argv, "candidate", c->ppid);
	m = mon_over(root, root, NULL);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	if (c->runner) {
		ck_assert_msg(jget(r, "runner/pid") != NULL, "%s: no runner found", c->what);
		ck_assert_double_eq(jnum(r, "runner/pid"), 500);
		ck_assert_double_eq(jnum(r, "runner/rss_bytes"), 2048.0 * 1024);
		ck_assert_double_eq(jnum(r, "runner/hwm_bytes"), 4096.0 * 1024);
	} else {
		ck_assert_msg(jget(r, "runner") == NULL, "%s: taken for a runner", c->what);
	}
	ck_assert_double_eq(jnum(r, "system/ram_used_bytes"), 500000.0 * 1024);
	cJSON_Delete(r);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

static const struct meminfo_case {
	const char *content;
	int available;          /* the backend starts */
	double total, avail;    /* -1 = absent */
} meminfo_cases[] = {
	{ "MemTotal:       131072000 kB\nMemFree: 1 kB\nMemAvailable:   100000000 kB\n", 1,
	  131072000.0 * 1024, 100000000.0 * 1024 },
	{ "MemTotal: 4096 kB\n", 1, 4096.0 * 1024, -1 },                 /* kernel < 3.14 */
	{ "MemFree: 1 kB\nMemAvailable: 2 kB\n", 0, -1, -1 },            /* no MemTotal */
	{ "MemTotal: lots kB\n", 0, -1, -1 },
	{ "MemTotal: 4096 MB\n", 0, -1, -1 },                            /* not the kernel's unit */
	{ "MemTotal: -4096 kB\n", 0, -1, -1 },
	{ "", 0, -1, -1 },
	{ NULL, 0, -1, -1 },                                             /* no file */
};

START_TEST(test_meminfo)
{
	const struct meminfo_case *c = &meminfo_cases[_i];
	char root[512], *list;
	struct monitor *m;
	cJSON *r = NULL;

	scratch_new(root, sizeof(root));
	put(root, "class/net/lo/type", "772\n");
	if (c->content)
		put(root, "meminfo", c->content);
	m = mon_over(root, root, NULL);
	list = backends_text(m);
	ck_assert_int_eq(strstr(list, "procfs: available") != NULL, c->available);
	if (!c->available) {
		ck_assert_msg(strstr(list, "procfs: unavailable: cannot read MemTotal from "), "%s", list);
		ck_assert_int_eq(monitor_available_count(m), 0);
		ck_assert_int_eq(monitor_sample_once(m, &r), -1);
		ck_assert_ptr_null(jget(r, "system"));
		ck_assert_ptr_null(jget(r, "memory"));
	} else {
		ck_assert_int_eq(monitor_sample_once(m, &r), 0);
		ck_assert_double_eq(jnum(r, "system/ram_total_bytes"), c->total);
		if (c->avail < 0) {
			ck_assert_ptr_null(jget(r, "system/ram_available_bytes"));
			ck_assert_ptr_null(jget(r, "system/ram_used_bytes"));
		} else {
			ck_assert_double_eq(jnum(r, "system/ram_available_bytes"), c->avail);
		}
	}
	cJSON_Delete(r);
	free(list);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

/* A runner that exits between samples: its figures go absent, not stale,
 * and a new one is found. */
START_TEST(test_runner_comes_and_goes)
{
	static const char *const runner[] = { "/usr/local/lib/ollama/llama-server", "--port", "1", NULL };
	static const char *const serve[] = { "/usr/local/bin/ollama", "serve", NULL };
	char root[512];
	struct monitor *m;
	cJSON *r = NULL;

	scratch_new(root, sizeof(root));
	put(root, "meminfo", "MemTotal: 2000 kB\nMemAvailable: 1000 kB\n");
	proc(root, 100, serve, "ollama", 1);
	proc(root, 700, runner, "llama-server", 100);
	m = mon_over(root, root, NULL);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "runner/pid"), 700);
	cJSON_Delete(r);

	drop(root, "700/status");
	drop(root, "700/cmdline");
	drop(root, "700/stat");
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_ptr_null(jget(r, "runner/rss_bytes"));
	cJSON_Delete(r);

	proc(root, 800, runner, "llama-server", 100);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "runner/pid"), 800);
	ck_assert_double_eq(jnum(r, "runner/rss_bytes"), 2048.0 * 1024);
	cJSON_Delete(r);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

/* fdinfo: amdgpu clients counted once each; other drivers and garbage lines ignored. */
START_TEST(test_fdinfo)
{
	static const char *const runner[] = { "/usr/bin/ollama", "runner", "--model", "/m", NULL };
	char root[512];
	struct monitor *m;
	cJSON *r = NULL;

	scratch_new(root, sizeof(root));
	put(root, "meminfo", "MemTotal: 2000 kB\nMemAvailable: 1000 kB\n");
	proc(root, 900, runner, "ollama", 1);
	put(root, "900/fdinfo/0", "pos:\t0\nflags:\t02\n");
	put(root, "900/fdinfo/7", "drm-driver:\tamdgpu\ndrm-pdev:\t0000:c5:00.0\ndrm-client-id:\t5\n"
				  "drm-memory-vram:\t100 KiB\ndrm-memory-gtt: \t2 MiB\n");
	put(root, "900/fdinfo/8", "drm-driver:\tamdgpu\ndrm-pdev:\t0000:c5:00.0\ndrm-client-id:\t5\n"
				  "drm-memory-vram:\t100 KiB\ndrm-memory-gtt: \t2 MiB\n");
	put(root, "900/fdinfo/9", "drm-driver:\tamdgpu\ndrm-pdev:\t0000:c5:00.0\ndrm-client-id:\t6\n"
				  "drm-total-gtt:\t1024\ndrm-memory-vram:\tmany KiB\n");
	put(root, "900/fdinfo/10", "drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\ndrm-client-id:\t1\n"
				   "drm-total-system0:\t4 MiB\n");
	m = mon_over(root, root, NULL);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "runner/gpu_vram_bytes"), 100.0 * 1024);
	ck_assert_double_eq(jnum(r, "runner/gpu_gtt_bytes"), 2.0 * 1024 * 1024 + 1024);
	cJSON_Delete(r);
	monitor_free(m);
	scratch_free(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("monitor_procfs");
	TCase *tc = tcase_create("procfs");
	tcase_add_loop_test(tc, test_eras, 0, sizeof(eras) / sizeof(eras[0]));
	tcase_add_loop_test(tc, test_meminfo, 0, sizeof(meminfo_cases) / sizeof(meminfo_cases[0]));
	tcase_add_test(tc, test_runner_comes_and_goes);
	tcase_add_test(tc, test_fdinfo);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
