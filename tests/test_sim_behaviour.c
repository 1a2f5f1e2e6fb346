// SPDX-License-Identifier: MIT
/*
 * o3-sim behaves like a server with memory and a clock: reloads on a load
 * knob, the prefix cache, truncation and the needle, partial offload, OOM in
 * each era, keep-alive expiry, the time scale; and what it reports (/api/ps,
 * the fake sysfs tree and /proc/meminfo) equals what --truth says.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sim_process.h"
#include "test_sim_http.h"

#define QWEN "qwen2.5:3b-instruct"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void start(struct sim_process *sp, const char *const *args, const char *const *env)
{
	ck_assert_msg(sim_start(sp, args, env) == 0, "cannot start %s", sim_binary());
}

/* stream:false generate; the reply (status in *status). */
static cJSON *generate(const char *host, const char *model, const char *prompt, long num_ctx,
		       long num_predict, long *status)
{
	cJSON *r = cJSON_CreateObject(), *o;
	cJSON_AddStringToObject(r, "model", model);
	cJSON_AddStringToObject(r, "prompt", prompt);
	cJSON_AddFalseToObject(r, "stream");
	o = cJSON_AddObjectToObject(r, "options");
	if (num_ctx > 0)
		cJSON_AddNumberToObject(o, "num_ctx", (double)num_ctx);
	cJSON_AddNumberToObject(o, "num_predict", (double)num_predict);
	return http_post_json(host, "/api/generate", r, status);
}

static cJSON *load(const char *host, const char *model, long num_ctx, long *status)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "model", model);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "options"), "num_ctx", (double)num_ctx);
	return http_post_json(host, "/api/generate", r, status);
}

static cJSON *ps_model(const char *host)
{
	cJSON *doc = http_get_json(host, "/api/ps", NULL);
	cJSON *m = cJSON_Duplicate(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "models"), 0), 1);
	cJSON_Delete(doc);
	return m;
}

/* Words to make prompts of a known size. */
static char *text_of(size_t words, const char *salt)
{
	static const char *const w[] = { "river", "stone", "garden", "lantern", "compass", "meadow" };
	size_t i, cap = words * 12 + strlen(salt) + 8, len = 0;
	char *t = malloc(cap);
	len += (size_t)snprintf(t, cap, "%s", salt);
	for (i = 0; i < words; i++)
		len += (size_t)snprintf(t + len, cap - len, " %s", w[i % 6]);
	return t;
}

START_TEST(test_reload_on_load_knob)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	struct sim_process sp;
	cJSON *a, *b, *c, *ps, *truth;
	start(&sp, args, NULL);
	truth = truth_model(QWEN, NULL, NULL);
	a = generate(sp.host, QWEN, "hello", 4096, 4, NULL);
	b = generate(sp.host, QWEN, "hello again", 4096, 4, NULL);
	c = generate(sp.host, QWEN, "hello", 8192, 4, NULL);
	ck_assert_double_eq_tol(json_num(a, "load_duration", NULL) / 1e9, json_num(truth, "load_s", NULL), 0.05);
	ck_assert_double_lt(json_num(b, "load_duration", NULL), 10e6);
	ck_assert_double_gt(json_num(c, "load_duration", NULL), 1e9);
	ps = ps_model(sp.host);
	ck_assert_double_eq(json_num(ps, "context_length", NULL), 8192);
	cJSON_Delete(ps);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	/* another model replaces the first: one model at a time */
	a = load(sp.host, "gemma3:latest", 4096, NULL);
	cJSON_Delete(a);
	ps = ps_model(sp.host);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(ps, "name")), "gemma3:latest");
	cJSON_Delete(ps);
	cJSON_Delete(truth);
	sim_stop(&sp);
}
END_TEST

/* --answer-tokens fixes every answer's length; --stats-file holds, at exit,
 * the server's work as the replies told it (ci/bench.sh's search cost). */
START_TEST(test_account_and_answer_tokens)
{
	char dir[] = "/tmp/o3-account-XXXXXX", stats[64], text[4096];
	const char *args[] = { "--time-scale", "0.01", "--answer-tokens", "40", "--stats-file", stats,
			       NULL };
	struct sim_process sp;
	cJSON *a, *b, *st, *truth;
	double prefill = 0, decode = 0;
	size_t n;
	FILE *fp;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(stats, sizeof(stats), "%s/stats.json", dir);
	start(&sp, args, NULL);
	truth = truth_model(QWEN, NULL, NULL);
	a = generate(sp.host, QWEN, "hello", 4096, 100, NULL);
	b = generate(sp.host, QWEN, "hello again", 4096, 100, NULL);
	ck_assert_double_eq(json_num(a, "eval_count", NULL), 40);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "done_reason")), "stop");
	prefill = (json_num(a, "prompt_eval_duration", NULL) + json_num(b, "prompt_eval_duration", NULL)) / 1e9;
	decode = (json_num(a, "eval_duration", NULL) + json_num(b, "eval_duration", NULL)) / 1e9;
	sim_stop(&sp);
	fp = fopen(stats, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	st = cJSON_Parse(text);
	ck_assert_msg(st != NULL, "%s", text);
	ck_assert_double_eq(json_num(st, "loads", NULL), 1);
	ck_assert_double_eq(json_num(st, "reused_loads", NULL), 1);
	ck_assert_double_eq(json_num(st, "generations", NULL), 2);
	ck_assert_double_eq(json_num(st, "eval_tokens", NULL), 80);
	ck_assert_double_eq_tol(json_num(st, "load_s", NULL), json_num(truth, "load_s", NULL) + 0.002, 1e-6);
	ck_assert_double_eq_tol(json_num(st, "prefill_s", NULL), prefill, 1e-6);
	ck_assert_double_eq_tol(json_num(st, "decode_s", NULL), decode, 1e-6);
	unlink(stats);
	rmdir(dir);
	cJSON_Delete(st);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(truth);
}
END_TEST

START_TEST(test_prefix_cache)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	struct sim_process sp;
	char *base = text_of(1500, "Notes:"), *more;
	cJSON *a, *b;
	size_t n = strlen(base);
	start(&sp, args, NULL);
	more = malloc(n + 64);
	snprintf(more, n + 64, "%s and one more question", base);
	a = generate(sp.host, QWEN, base, 8192, 2, NULL);
	b = generate(sp.host, QWEN, more, 8192, 2, NULL);
	ck_assert_double_gt(json_num(b, "prompt_eval_count", NULL), json_num(a, "prompt_eval_count", NULL));
	ck_assert_msg(json_num(b, "prompt_eval_duration", NULL) < json_num(a, "prompt_eval_duration", NULL) / 5,
		      "a shared prefix was prefilled again: %.0f vs %.0f ns",
		      json_num(b, "prompt_eval_duration", NULL), json_num(a, "prompt_eval_duration", NULL));
	cJSON_Delete(a);
	cJSON_Delete(b);
	/* a reload empties the cache */
	a = generate(sp.host, QWEN, more, 4096, 2, NULL);
	ck_assert_double_gt(json_num(a, "prompt_eval_duration", NULL) * 5,
			    json_num(a, "prompt_eval_count", NULL) / 3000.0 * 1e9);
	cJSON_Delete(a);
	free(base);
	free(more);
	sim_stop(&sp);
}
END_TEST

static const char *answer_of(const cJSON *doc)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(doc, "response"));
}

START_TEST(test_truncation_and_needle)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	struct sim_process sp;
	char *filler = text_of(3000, ""), *prompt;
	size_t cap = strlen(filler) + 256;
	cJSON *doc;
	start(&sp, args, NULL);
	prompt = malloc(cap);
	/* needle early, prompt too long for 2048: cut away */
	snprintf(prompt, cap, "The secret passphrase is Zebra42.%s\nWhat is the passphrase?", filler);
	doc = generate(sp.host, QWEN, prompt, 2048, 12, NULL);
	ck_assert_double_eq(json_num(doc, "prompt_eval_count", NULL), 2048 - 4);
	ck_assert_msg(!strncmp(answer_of(doc), "I do not know", 13), "answer '%s'", answer_of(doc));
	cJSON_Delete(doc);
	/* needle late: kept */
	snprintf(prompt, cap, "%s The secret passphrase is Zebra42.\nWhat is the passphrase?", filler);
	doc = generate(sp.host, QWEN, prompt, 2048, 12, NULL);
	ck_assert_double_eq(json_num(doc, "prompt_eval_count", NULL), 2048 - 4);
	ck_assert_msg(!strncmp(answer_of(doc), "Zebra42", 7), "answer '%s'", answer_of(doc));
	cJSON_Delete(doc);
	/* the same prompt in a context that holds it: not cut */
	doc = generate(sp.host, QWEN, prompt, 16384, 12, NULL);
	ck_assert_double_gt(json_num(doc, "prompt_eval_count", NULL), 6000);
	ck_assert_msg(!strncmp(answer_of(doc), "Zebra42", 7), "answer '%s'", answer_of(doc));
	cJSON_Delete(doc);
	free(prompt);
	free(filler);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_partial_offload)
{
	static const char *const args[] = { "--time-scale", "0.01", "--profile", "rx7900xtx-24g", NULL };
	static const char *const targs[] = { "--profile", "rx7900xtx-24g", "--num-ctx", "65536", NULL };
	struct sim_process sp;
	cJSON *ps, *truth = truth_model("qwen3-coder:30b", targs, NULL), *doc;
	long status;
	start(&sp, args, NULL);
	ck_assert_ptr_nonnull(truth);
	ck_assert_double_lt(json_num(truth, "ceiling", NULL), 65536);
	doc = load(sp.host, "qwen3-coder:30b", 65536, &status);
	ck_assert_int_eq(status, 200);
	cJSON_Delete(doc);
	ps = ps_model(sp.host);
	ck_assert_double_lt(json_num(ps, "size_vram", NULL), json_num(ps, "size", NULL));
	ck_assert_double_eq(json_num(ps, "size_vram", NULL), json_num(truth, "memory", "size_vram", NULL));
	ck_assert_double_eq(json_num(ps, "size", NULL), json_num(truth, "memory", "size", NULL));
	cJSON_Delete(ps);
	/* the CPU part makes decode slower than at a context that fits */
	doc = generate(sp.host, "qwen3-coder:30b", "hi", 65536, 20, NULL);
	{
		double slow = json_num(doc, "eval_count", NULL) / json_num(doc, "eval_duration", NULL);
		cJSON_Delete(doc);
		doc = generate(sp.host, "qwen3-coder:30b", "hi", 8192, 20, NULL);
		ck_assert_double_lt(slow * 1.3, json_num(doc, "eval_count", NULL) / json_num(doc, "eval_duration", NULL));
	}
	cJSON_Delete(doc);
	cJSON_Delete(truth);
	sim_stop(&sp);
}
END_TEST

static const struct {
	const char *version, *prefix;
} oom_eras[] = {
	{ "0.33.0", "llama-server reported out-of-memory during startup: " },
	{ "0.24.0", "model requires more system memory (" },
};

START_TEST(test_oom_by_era)
{
	const char *args[] = { "--time-scale", "0.01", "--ollama-version", oom_eras[_i].version, NULL };
	static const char *const env[] = { "OLLAMA_NUM_PARALLEL=4", NULL };
	const char *targs[] = { "--num-ctx", "262144", "--ollama-version", oom_eras[_i].version, NULL };
	struct sim_process sp;
	cJSON *doc, *truth = truth_model("qwen3-coder:30b", targs, env);
	const char *e;
	long status;
	start(&sp, args, env);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(truth, "memory"), "oom")));
	doc = load(sp.host, "qwen3-coder:30b", 262144, &status);
	ck_assert_int_eq(status, 500);
	e = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error"));
	ck_assert_msg(e && !strncmp(e, oom_eras[_i].prefix, strlen(oom_eras[_i].prefix)), "error '%s'", e);
	ck_assert_str_eq(e, cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(truth, "memory"), "load_error")));
	cJSON_Delete(doc);
	doc = http_get_json(sp.host, "/api/ps", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 0);
	cJSON_Delete(doc);
	cJSON_Delete(truth);
	sim_stop(&sp);
}
END_TEST

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static unsigned long long read_ull(const char *dir, const char *rel)
{
	char path[1024];
	unsigned long long v = 0;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot read %s", path);
	ck_assert_int_eq(fscanf(fp, "%llu", &v), 1);
	fclose(fp);
	return v;
}

static unsigned long long meminfo_kb(const char *dir, const char *key)
{
	char path[1024], line[256];
	unsigned long long v = 0;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtoull(line + strlen(key) + 1, NULL, 10);
	fclose(fp);
	return v;
}

#define DEV "class/drm/card0/device/"

START_TEST(test_truth_ps_sysfs_agree)
{
	char root[] = "/tmp/o3-simfs-XXXXXX", sys[128], proc[128], link[256], target[256];
	/* 0.1: a 200-token answer takes ~0.3 s, time to look at the tree meanwhile */
	const char *args[] = { "--time-scale", "0.1", "--sysfs-root", sys, "--procfs-root", proc, NULL };
	static const char *const targs[] = { "--num-ctx", "8192", NULL };
	struct sim_process sp;
	cJSON *truth, *ps, *doc, *prof;
	const cJSON *mem;
	ssize_t n;
	pid_t child;
	int st;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	start(&sp, args, NULL);
	truth = truth_model("gemma3:latest", targs, NULL);
	doc = sim_truth(targs, NULL);
	prof = cJSON_Duplicate(cJSON_GetObjectItem(doc, "profile"), 1);
	cJSON_Delete(doc);
	mem = cJSON_GetObjectItem(truth, "memory");

	/* idle */
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"), json_num(prof, "gtt_idle_used_bytes", NULL));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_total"), json_num(prof, "gtt_total_bytes", NULL));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_vram_total"), json_num(prof, "vram_total_bytes", NULL));
	ck_assert_uint_eq(meminfo_kb(proc, "MemAvailable"),
			  (unsigned long long)json_num(prof, "mem_available_idle_bytes", NULL) / 1024);
	ck_assert_uint_eq(read_ull(sys, DEV "gpu_busy_percent"), 0);
	snprintf(link, sizeof(link), "%s/" DEV "driver", sys);
	n = readlink(link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(basename(target), "amdgpu");
	ck_assert_uint_eq(read_ull(sys, DEV "hwmon/hwmon0/temp1_input") % 1000, 0);

	/* loaded: /api/ps, sysfs and meminfo say what the truth says */
	doc = load(sp.host, "gemma3:latest", 8192, NULL);
	cJSON_Delete(doc);
	ps = ps_model(sp.host);
	ck_assert_double_eq(json_num(ps, "size", NULL), json_num(mem, "size", NULL));
	ck_assert_double_eq(json_num(ps, "size_vram", NULL), json_num(mem, "size_vram", NULL));
	ck_assert_double_eq(json_num(ps, "context_length", NULL), json_num(truth, "num_ctx", NULL));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"), json_num(mem, "gtt_used_bytes", NULL));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_vram_used"), json_num(mem, "vram_used_bytes", NULL));
	ck_assert_uint_eq(meminfo_kb(proc, "MemAvailable"),
			  (unsigned long long)json_num(mem, "mem_available_bytes", NULL) / 1024);
	/* unified memory: the model sits in GTT */
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"),
			  json_num(prof, "gtt_idle_used_bytes", NULL) + json_num(prof, "runtime_overhead_bytes", NULL) +
			  json_num(ps, "size_vram", NULL));
	cJSON_Delete(ps);

	/* busy while generating */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		cJSON *d = generate(sp.host, "gemma3:latest", "a long answer please", 8192, 3000, NULL);
		cJSON_Delete(d);
		_exit(0);
	}
	sleep_ms(100);
	ck_assert_uint_eq(read_ull(sys, DEV "gpu_busy_percent"), 99);
	ck_assert_uint_gt(read_ull(sys, "class/drm/card0/device/hwmon/hwmon0/power1_average"),
			  json_num(prof, "decode_overhead_s", NULL));
	kill(child, SIGKILL);
	waitpid(child, &st, 0);

	/* unloaded */
	doc = http_post_json(sp.host, "/api/generate",
			     cJSON_Parse("{\"model\":\"gemma3:latest\",\"keep_alive\":0}"), NULL);
	cJSON_Delete(doc);
	sleep_ms(600); /* the killed request's plan runs out */
	doc = http_get_json(sp.host, "/api/ps", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "models")), 0);
	cJSON_Delete(doc);
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"), json_num(prof, "gtt_idle_used_bytes", NULL));

	cJSON_Delete(prof);
	cJSON_Delete(truth);
	sim_stop(&sp);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(test_discrete_sysfs)
{
	char root[] = "/tmp/o3-simfs-XXXXXX", sys[128], proc[128];
	const char *args[] = { "--time-scale", "0.01", "--profile", "rx7900xtx-24g", "--sysfs-root", sys,
			       "--procfs-root", proc, NULL };
	static const char *const targs[] = { "--profile", "rx7900xtx-24g", "--num-ctx", "65536", NULL };
	struct sim_process sp;
	cJSON *truth, *doc;
	const cJSON *mem;
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	start(&sp, args, NULL);
	truth = truth_model("qwen3-coder:30b", targs, NULL);
	mem = cJSON_GetObjectItem(truth, "memory");
	doc = load(sp.host, "qwen3-coder:30b", 65536, NULL);
	cJSON_Delete(doc);
	/* discrete: the GPU part in VRAM, the CPU part out of MemAvailable */
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_vram_used"), json_num(mem, "vram_used_bytes", NULL));
	ck_assert_uint_le(read_ull(sys, DEV "mem_info_vram_used"), read_ull(sys, DEV "mem_info_vram_total"));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"), json_num(mem, "gtt_used_bytes", NULL));
	ck_assert_uint_eq(meminfo_kb(proc, "MemAvailable"),
			  (unsigned long long)json_num(mem, "mem_available_bytes", NULL) / 1024);
	{
		char path[512], id[32] = "";
		FILE *fp;
		snprintf(path, sizeof(path), "%s/" DEV "device", sys);
		fp = fopen(path, "r");
		ck_assert_ptr_nonnull(fp);
		ck_assert_ptr_nonnull(fgets(id, sizeof(id), fp));
		fclose(fp);
		ck_assert_str_eq(id, "0x744c\n");
	}
	cJSON_Delete(truth);
	sim_stop(&sp);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

static int file_exists(const char *dir, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, F_OK) == 0;
}

/* The simulator's log (stdout and stderr) has a line with every needle. */
static int log_has(const struct sim_process *sp, const char *a, const char *b)
{
	char path[256], line[1024];
	int found = 0;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/sim.log", sp->dir);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(fp);
	return found;
}

static const char *const cpu_eras[] = { "0.33.0", "0.24.0" };

/* cpu-only-64g: size_vram 0, the ceiling at the edge of system memory, the
 * era's memory error one step above it. */
START_TEST(test_cpu_only_edge)
{
	char root[] = "/tmp/o3-simfs-XXXXXX", sys[128], proc[128], ctx[32];
	const char *args[] = { "--time-scale", "0.01", "--profile", "cpu-only-64g", "--ollama-version",
			       cpu_eras[_i], "--sysfs-root", sys, "--procfs-root", proc, NULL };
	const char *targs[] = { "--profile", "cpu-only-64g", "--ollama-version", cpu_eras[_i],
				"--num-ctx", ctx, NULL };
	static const char *const env[] = { "OLLAMA_NUM_PARALLEL=2", NULL };
	struct sim_process sp;
	cJSON *t, *at, *above, *doc, *ps;
	long ceil, oom, status;
	const char *e, *want;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(ctx, sizeof(ctx), "4096");
	t = truth_model("qwen3-coder:30b", targs, env);
	ceil = (long)json_num(t, "ceiling", NULL);
	oom = (long)json_num(t, "oom_num_ctx", NULL);
	ck_assert_int_eq(oom, ceil + 256);
	ck_assert_int_lt(ceil, 262144);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "ceiling_placement")), "cpu");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "ceiling_limited_by")), "system_memory");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "placement")), "cpu");
	snprintf(ctx, sizeof(ctx), "%ld", ceil);
	at = truth_model("qwen3-coder:30b", targs, env);
	snprintf(ctx, sizeof(ctx), "%ld", oom);
	above = truth_model("qwen3-coder:30b", targs, env);
	want = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(above, "memory"), "load_error"));
	ck_assert_ptr_nonnull(want);

	start(&sp, args, env);
	/* no GPU: no amdgpu tree, and Ollama's CPU line at start */
	ck_assert(!file_exists(sys, "class/drm"));
	ck_assert(log_has(&sp, "msg=\"inference compute\" id=cpu library=cpu", "total=\"63.7 GiB\" available=\"59.7 GiB\""));
	ck_assert(!log_has(&sp, "no compatible GPUs", NULL));
	doc = load(sp.host, "qwen3-coder:30b", ceil, &status);
	ck_assert_int_eq(status, 200);
	cJSON_Delete(doc);
	ps = ps_model(sp.host);
	ck_assert_ptr_nonnull(ps);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(ps, "size_vram"));
	ck_assert_double_eq(json_num(ps, "size_vram", NULL), 0);
	ck_assert_double_eq(json_num(ps, "size", NULL), json_num(at, "memory", "size", NULL));
	ck_assert_uint_eq(meminfo_kb(proc, "MemAvailable"),
			  (unsigned long long)json_num(at, "memory", "mem_available_bytes", NULL) / 1024);
	cJSON_Delete(ps);
	doc = load(sp.host, "qwen3-coder:30b", oom, &status);
	ck_assert_int_eq(status, 500);
	e = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "error"));
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e, want);
	if (!strcmp(cpu_eras[_i], "0.24.0")) {
		char buf[256];
		snprintf(buf, sizeof(buf), "model requires more system memory (%.1f GiB) than is available (59.7 GiB)",
			 json_num(above, "memory", "size", NULL) / 1073741824.0);
		ck_assert_str_eq(e, buf);
	} else {
		ck_assert_msg(!strncmp(e, "llama-server reported out-of-memory during startup: "
				       "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size ", 129),
			      "%s", e);
	}
	cJSON_Delete(doc);
	cJSON_Delete(t);
	cJSON_Delete(at);
	cJSON_Delete(above);
	sim_stop(&sp);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

/* --gpu-unused: the tree is there, Ollama says it found no GPU and runs on the CPU. */
START_TEST(test_gpu_unused_server)
{
	char root[] = "/tmp/o3-simfs-XXXXXX", sys[128], proc[128];
	const char *args[] = { "--time-scale", "0.01", "--gpu-unused", "--ollama-version", "0.12.0",
			       "--sysfs-root", sys, "--procfs-root", proc, NULL };
	static const char *const targs[] = { "--gpu-unused", "--ollama-version", "0.12.0", "--num-ctx", "8192", NULL };
	static const char *const plain[] = { "--time-scale", "0.01", NULL };
	struct sim_process sp;
	cJSON *t, *doc, *ps;
	long status;

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	doc = sim_truth(targs, NULL);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "profile"), "gpu_present")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "profile"), "gpu_used")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "server"), "gpu_unused")));
	cJSON_Delete(doc);
	t = truth_model("gemma3:latest", targs, NULL);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "placement")), "cpu");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "ceiling_placement")), "cpu");
	ck_assert_double_eq(json_num(t, "memory", "size_vram", NULL), 0);

	start(&sp, args, NULL);
	ck_assert(file_exists(sys, DEV "vendor"));
	ck_assert(log_has(&sp, "msg=\"no compatible GPUs were discovered\"", NULL));
	ck_assert(log_has(&sp, "msg=\"inference compute\" id=0 library=cpu", NULL));
	doc = load(sp.host, "gemma3:latest", 8192, &status);
	ck_assert_int_eq(status, 200);
	cJSON_Delete(doc);
	ps = ps_model(sp.host);
	ck_assert_double_eq(json_num(ps, "size_vram", NULL), 0);
	ck_assert_double_eq(json_num(ps, "size", NULL), json_num(t, "memory", "size", NULL));
	cJSON_Delete(ps);
	/* the GPU's pools stay idle; the model is out of MemAvailable */
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_gtt_used"), json_num(t, "memory", "gtt_used_bytes", NULL));
	ck_assert_uint_eq(read_ull(sys, DEV "mem_info_vram_used"), json_num(t, "memory", "vram_used_bytes", NULL));
	ck_assert_uint_eq(meminfo_kb(proc, "MemAvailable"),
			  (unsigned long long)json_num(t, "memory", "mem_available_bytes", NULL) / 1024);
	sim_stop(&sp);
	cJSON_Delete(t);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	/* with the GPU in use: no CPU line */
	start(&sp, plain, NULL);
	ck_assert(log_has(&sp, "msg=\"discovering available GPUs...\"", NULL));
	ck_assert(!log_has(&sp, "library=cpu", NULL));
	sim_stop(&sp);
}
END_TEST

static const struct {
	const char *profile, *model, *placement, *limited_by;
	double ceiling;
} placement_cases[] = {
	{ "strix-halo-64g", "qwen3-coder:30b", "gpu", "trained_context", 262144 },
	{ "rx7900xtx-24g", "qwen3-coder:30b", "partial", "gpu_memory", 42496 },
	{ "rtx4090-24g", "orieg/gemma3-tools:27b-it-qat", "partial", "gpu_memory", 36864 },
	{ "rx7900xtx-24g", "qwen2.5:3b-instruct", "gpu", "trained_context", 32768 },
	{ "cpu-only-64g", "qwen2.5:3b-instruct", "cpu", "trained_context", 32768 },
};

/* --truth: placement, what limits the ceiling, decode at fill, usable context. */
START_TEST(test_truth_placement_fields)
{
	const char *args[] = { "--profile", placement_cases[_i].profile, "--num-ctx", "65536",
			       "--floor", "5", "--fill-ratio", "0.5", NULL };
	cJSON *t = truth_model(placement_cases[_i].model, args, NULL);
	double u, a, b, fill;
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "placement")), placement_cases[_i].placement);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "ceiling_placement")),
			 strcmp(placement_cases[_i].profile, "cpu-only-64g") ? "gpu" : "cpu");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "ceiling_limited_by")),
			 placement_cases[_i].limited_by);
	ck_assert_double_eq(json_num(t, "ceiling", NULL), placement_cases[_i].ceiling);
	/* the line: decode_tps_at_fill = 1 / (a' + b x fill_depth), beyond any window */
	fill = json_num(t, "fill_depth", NULL);
	ck_assert_double_eq(fill, (double)(unsigned)(0.5 * json_num(t, "num_ctx", NULL)));
	a = json_num(t, "decode_s_a_deep", NULL);
	b = json_num(t, "decode_s_b", NULL);
	ck_assert_double_eq_tol(json_num(t, "decode_tps_at_fill", NULL), 1.0 / (a + b * fill), 1e-6);
	u = json_num(t, "usable_context", NULL);
	ck_assert_int_eq((long)u % 1024, 0);
	ck_assert_double_le(u, json_num(t, "trained_context", NULL));
	if (u > 0)
		ck_assert_double_ge(json_num(t, "usable_context_decode_tps", NULL), 5);
	cJSON_Delete(t);
	/* without --floor: null */
	args[4] = NULL;
	t = truth_model(placement_cases[_i].model, args, NULL);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(t, "usable_context")));
	cJSON_Delete(t);
}
END_TEST

START_TEST(test_keep_alive_expiry)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	static const char *const env[] = { "OLLAMA_KEEP_ALIVE=10s", NULL };
	struct sim_process sp;
	cJSON *doc, *ps;
	start(&sp, args, env);
	doc = load(sp.host, QWEN, 4096, NULL);
	cJSON_Delete(doc);
	ps = ps_model(sp.host);
	ck_assert_ptr_nonnull(ps);
	cJSON_Delete(ps);
	sleep_ms(300); /* 10 s x 0.01 = 100 ms */
	ps = ps_model(sp.host);
	ck_assert_ptr_null(ps);
	sim_stop(&sp);
}
END_TEST

START_TEST(test_time_scale)
{
	static const char *const args[] = { "--time-scale", "0.01", NULL };
	static const char *const targs[] = { "--num-ctx", "4096", "--prompt-tokens", "20", NULL };
	struct sim_process sp;
	struct http_reply r;
	cJSON *doc, *truth;
	double total_s;
	start(&sp, args, NULL);
	truth = truth_model("qwen3-coder:30b", targs, NULL);
	http_do(sp.host, "POST", "/api/generate",
		"{\"model\":\"qwen3-coder:30b\",\"prompt\":\"Tell me about rivers.\",\"stream\":false,"
		"\"options\":{\"num_ctx\":4096,\"num_predict\":200}}", 0, &r);
	doc = cJSON_Parse(r.body);
	total_s = json_num(doc, "total_duration", NULL) / 1e9;
	/* unscaled durations: a 5 s load and 200 tokens at ~73 tok/s */
	ck_assert_double_eq_tol(json_num(doc, "load_duration", NULL) / 1e9, json_num(truth, "load_s", NULL), 0.05);
	ck_assert_double_eq_tol(json_num(doc, "eval_count", NULL) / json_num(doc, "eval_duration", NULL) * 1e9,
				json_num(truth, "decode_tps", NULL), 2);
	ck_assert_double_gt(total_s, 7);
	/* ...that took 1 % of that */
	ck_assert_msg(r.total_s > total_s * 0.01 * 0.9 && r.total_s < total_s * 0.01 * 1.5 + 0.03,
		      "wall %.3f s for %.3f s reported", r.total_s, total_s);
	cJSON_Delete(doc);
	cJSON_Delete(truth);
	http_reply_release(&r);
	sim_stop(&sp);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("sim_behaviour");
	TCase *tc = tcase_create("sim_behaviour");
	SRunner *sr;
	int failed;
	sim_binary_from_args(argc, argv);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reload_on_load_knob);
	tcase_add_test(tc, test_prefix_cache);
	tcase_add_test(tc, test_account_and_answer_tokens);
	tcase_add_test(tc, test_truncation_and_needle);
	tcase_add_test(tc, test_partial_offload);
	tcase_add_loop_test(tc, test_oom_by_era, 0, sizeof(oom_eras) / sizeof(oom_eras[0]));
	tcase_add_test(tc, test_truth_ps_sysfs_agree);
	tcase_add_test(tc, test_discrete_sysfs);
	tcase_add_test(tc, test_keep_alive_expiry);
	tcase_add_loop_test(tc, test_cpu_only_edge, 0, sizeof(cpu_eras) / sizeof(cpu_eras[0]));
	tcase_add_test(tc, test_gpu_unused_server);
	tcase_add_loop_test(tc, test_truth_placement_fields, 0,
			    sizeof(placement_cases) / sizeof(placement_cases[0]));
	tcase_add_test(tc, test_time_scale);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
