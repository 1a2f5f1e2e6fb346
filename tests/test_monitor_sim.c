// SPDX-License-Identifier: MIT
/*
 * The monitor against the simulator: o3-sim keeps a fake amdgpu tree and
 * /proc/meminfo that follow its simulated memory; a trial-like load must show
 * in the sampler's peaks exactly as the simulator's truth states them, on a
 * unified (Strix Halo) and a discrete (RX 7900 XTX) profile.
 */
#include "test_monitor_util.h"

#include <math.h>
#include <time.h>

#include "ollama.h"
#include "sim_process.h"

#define MODEL "qwen2.5:3b-instruct"
#define NUM_CTX "8192"

static const struct sim_case {
	const char *profile;
	const char *definition;
} sim_cases[] = {
	{ "strix-halo-64g", "unified_vram_plus_gtt" },
	{ "rx7900xtx-24g", "discrete_vram" },
};

static double truth_num(const cJSON *truth, const char *path)
{
	const cJSON *models = jget(truth, "models"), *m;
	cJSON_ArrayForEach(m, models)
		if (!strcmp(jstr(m, "name"), MODEL))
			return jnum(m, path);
	ck_abort_msg("no %s in the truth", MODEL);
	return 0;
}

START_TEST(test_peaks_equal_truth)
{
	const struct sim_case *c = &sim_cases[_i];
	const char *targs[] = { "--profile", c->profile, "--model", MODEL, "--num-ctx", NUM_CTX, NULL };
	char root[512], sys[600], proc[600], msg[256];
	const char *args[12];
	struct sim_process sp;
	struct ollama_host host;
	struct ollama_timeouts t;
	struct ollama_client *client;
	struct ollama_gen_result res;
	struct ollama_error err;
	struct monitor_settings s;
	struct monitor *m;
	cJSON *truth, *opts, *sum = NULL, *r = NULL;
	struct timespec ts = { 0, 300000000L };
	int n = 0;

	scratch_new(root, sizeof(root));
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	args[n++] = "--profile";
	args[n++] = c->profile;
	args[n++] = "--time-scale";
	args[n++] = "0.01";
	args[n++] = "--sysfs-root";
	args[n++] = sys;
	args[n++] = "--procfs-root";
	args[n++] = proc;
	args[n] = NULL;
	ck_assert_int_eq(sim_start(&sp, args, NULL), 0);
	truth = sim_truth(targs, NULL);
	ck_assert_ptr_nonnull(truth);

	ck_assert_int_eq(ollama_host_parse(sp.host, &host, msg, sizeof(msg)), 0);
	ollama_timeouts_default(&t);
	client = ollama_client_new(&host, &t);
	monitor_settings_default(&s);
	s.sysfs_root = sys;
	s.procfs_root = proc;
	s.nvml_library = NO_NVML;
	s.interval_ms = 20;
	s.ollama = client;
	m = monitor_new(&s);

	/* a trial: start the sampler, load, hold, stop */
	ck_assert_int_eq(monitor_start(m), 0);
	opts = cJSON_CreateObject();
	cJSON_AddNumberToObject(opts, "num_ctx", atoi(NUM_CTX));
	ollama_gen_result_init(&res);
	ck_assert_msg(ollama_load(client, MODEL, opts, "5m", &res, &err) == 0, "load: %s", err.message);
	ollama_gen_result_release(&res);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	ck_assert_int_eq(monitor_stop(m, &sum), 0);

	ck_assert_str_eq(jstr(sum, "memory/definition"), c->definition);
	ck_assert_double_eq(jnum(sum, "peaks/vram_used_bytes/value"), truth_num(truth, "memory/vram_used_bytes"));
	ck_assert_double_eq(jnum(sum, "peaks/gtt_used_bytes/value"), truth_num(truth, "memory/gtt_used_bytes"));
	ck_assert_str_eq(jstr(sum, "peaks/gtt_used_bytes/backend"), "amdgpu");
	ck_assert_double_eq(jnum(sum, "peaks/ps_size_bytes/value"), truth_num(truth, "memory/size"));
	ck_assert_double_eq(jnum(sum, "peaks/ps_size_vram_bytes/value"), truth_num(truth, "memory/size_vram"));
	ck_assert_str_eq(jstr(sum, "peaks/ps_size_bytes/backend"), "ollama_ps");
	ck_assert_double_eq(jnum(sum, "peaks/ps_context_length/value"), atoi(NUM_CTX));
	/* meminfo is in kB: equal to the truth within one kB */
	ck_assert_double_le(fabs(jnum(sum, "pools/ram_total_bytes/value") -
				 jnum(truth, "profile/mem_total_bytes")), 1024);
	ck_assert_double_le(fabs(jnum(sum, "peaks/ram_used_bytes/value") -
				 (jnum(truth, "profile/mem_total_bytes") -
				  truth_num(truth, "memory/mem_available_bytes"))), 2048);
	if (!strcmp(c->definition, "discrete_vram"))
		ck_assert_double_eq(jnum(sum, "peaks/gpu_mem_bytes/value"), truth_num(truth, "memory/vram_used_bytes"));
	else
		ck_assert_double_eq(jnum(sum, "peaks/gpu_mem_bytes/value"),
				    truth_num(truth, "memory/vram_used_bytes") + truth_num(truth, "memory/gtt_used_bytes"));
	cJSON_Delete(sum);

	/* after an unload the tree goes back to idle */
	ck_assert_int_eq(ollama_unload(client, MODEL, &err), 0);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "devices/0/vram_used_bytes"), jnum(truth, "profile/vram_idle_used_bytes"));
	ck_assert_double_eq(jnum(r, "devices/0/gtt_used_bytes"), jnum(truth, "profile/gtt_idle_used_bytes"));
	cJSON_Delete(r);

	monitor_free(m);
	ollama_client_free(client);
	cJSON_Delete(opts);
	cJSON_Delete(truth);
	sim_stop(&sp);
	scratch_free(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor_sim");
	TCase *tc = tcase_create("sim");
	int rc;
	if (ollama_global_init())
		return 1;
	tcase_add_loop_test(tc, test_peaks_equal_truth, 0, sizeof(sim_cases) / sizeof(sim_cases[0]));
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	return rc;
}
