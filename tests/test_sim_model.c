// SPDX-License-Identifier: MIT
/*
 * The simulator's model, without a server: KV cache bytes against the tables
 * of models-and-hardware.md, calibration against the Strix Halo figures of §8,
 * the ceiling, partial offload and OOM, the tokenizer, the needle rule, and
 * the parsers (durations, OLLAMA_HOST, faults, versions).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_catalog.h"
#include "sim_env.h"
#include "sim_fault.h"
#include "sim_perf.h"
#include "sim_profile.h"
#include "sim_tokens.h"

#define MIB 1048576ull

static struct sim_config config(const char *profile, const char *version)
{
	struct sim_config cfg;
	char err[256];
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = sim_profile_find(profile);
	ck_assert_ptr_nonnull(cfg.profile);
	ck_assert_int_eq(sim_parse_version(version, &cfg.env.version_code), 0);
	unsetenv("OLLAMA_KV_CACHE_TYPE");
	unsetenv("OLLAMA_FLASH_ATTENTION");
	unsetenv("OLLAMA_NUM_PARALLEL");
	unsetenv("OLLAMA_CONTEXT_LENGTH");
	ck_assert_int_eq(sim_env_read(&cfg.env, err, sizeof(err)), 0);
	cfg.time_scale = 1;
	return cfg;
}

/* models-and-hardware.md §1-§5 tables (f16, one slot), in bytes */
static const struct {
	const char *model;
	unsigned ctx;
	uint64_t kv_bytes;
} kv_table[] = {
	{ "qwen3-coder:30b", 4096, 384 * MIB },
	{ "qwen3-coder:30b", 32768, 3072 * MIB },
	{ "qwen3-coder:30b", 262144, 24576 * MIB },
	{ "orieg/gemma3-tools:27b-it-qat", 4096, 944 * MIB },
	{ "orieg/gemma3-tools:27b-it-qat", 32768, 2560 * MIB + 624 * MIB },
	{ "liquid-rag:latest", 4096, 48 * MIB },
	{ "liquid-rag:latest", 32768, 384 * MIB },
	{ "liquid-rag:latest", 128000, 1500 * MIB },
	{ "qwen2.5:3b-instruct", 4096, 144 * MIB },
	{ "qwen2.5:3b-instruct", 32768, 1152 * MIB },
	{ "gemma3:latest", 4096, 254 * MIB },
	{ "gemma3:latest", 32768, 814 * MIB },
};

START_TEST(test_kv_tables)
{
	const struct sim_model *m = sim_catalog_find(kv_table[_i].model);
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(sim_perf_kv_bytes(m, 1, kv_table[_i].ctx, SIM_KV_F16) == kv_table[_i].kv_bytes,
		      "%s at %u: %llu bytes, table says %llu", m->name, kv_table[_i].ctx,
		      (unsigned long long)sim_perf_kv_bytes(m, 1, kv_table[_i].ctx, SIM_KV_F16),
		      (unsigned long long)kv_table[_i].kv_bytes);
}
END_TEST

START_TEST(test_kv_quantized_and_parallel)
{
	const struct sim_model *q = sim_catalog_find("qwen3-coder:30b");
	const struct sim_model *g = sim_catalog_find("orieg/gemma3-tools:27b-it-qat");
	ck_assert_uint_eq(sim_perf_kv_per_token(q, SIM_KV_F16), 98304);
	ck_assert_uint_eq(sim_perf_kv_per_token(q, SIM_KV_Q8_0), 52224);
	ck_assert_uint_eq(sim_perf_kv_per_token(q, SIM_KV_Q4_0), 27648);
	/* SWA: 1024 x parallel + 512 cells; 624 MiB at one slot, q8_0 331.5 MiB */
	ck_assert_uint_eq(sim_perf_kv_fixed(g, 1, 4096, SIM_KV_F16), 624 * MIB);
	ck_assert_uint_eq(sim_perf_kv_fixed(g, 1, 4096, SIM_KV_Q8_0), 663 * MIB / 2);
	ck_assert_uint_eq(sim_perf_kv_fixed(g, 2, 8192, SIM_KV_F16), 624 * MIB * 2560 / 1536);
	/* the SWA cache never exceeds the context */
	ck_assert_uint_eq(sim_perf_kv_fixed(g, 1, 1024, SIM_KV_F16), 624 * MIB * 1024 / 1536);
}
END_TEST

/* models-and-hardware.md §8 reference figures, strix-halo-64g; tolerance 15 % */
static const struct {
	const char *model;
	double tg_short, tg_32k, pp512;
} calib[] = {
	{ "qwen3-coder:30b", 76.0, 35.0, 1220 },
	{ "orieg/gemma3-tools:27b-it-qat", 10.4, 8.7, 375 },
	{ "liquid-rag:latest", 200, 140, 6000 },
	{ "qwen2.5:3b-instruct", 84.5, 57, 2650 },
	{ "gemma3:latest", 60, 50, 2600 },
};

START_TEST(test_calibration)
{
	struct sim_config cfg = config("strix-halo-64g", "0.33.0");
	const struct sim_model *m = sim_catalog_find(calib[_i].model);
	struct sim_knobs k = { 4096, 512, -1, -1, -1, -1 };
	struct sim_mem mem;
	double tg, tg32, pp;
	sim_perf_memory(&cfg, m, &k, &mem);
	tg = 1 / sim_perf_decode_s(&cfg, m, &mem, 64);
	pp = 512 / sim_perf_prefill_s(&cfg, m, &mem, 0, 512);
	k.num_ctx = 36864 > m->context_length ? m->context_length : 36864;
	sim_perf_memory(&cfg, m, &k, &mem);
	tg32 = 1 / sim_perf_decode_s(&cfg, m, &mem, 32784);
	ck_assert_msg(fabs(tg / calib[_i].tg_short - 1) < 0.15, "%s decode %.1f vs %.1f", m->name, tg,
		      calib[_i].tg_short);
	ck_assert_msg(fabs(tg32 / calib[_i].tg_32k - 1) < 0.15, "%s decode@32k %.1f vs %.1f", m->name,
		      tg32, calib[_i].tg_32k);
	ck_assert_msg(fabs(pp / calib[_i].pp512 - 1) < 0.15, "%s pp512 %.0f vs %.0f", m->name, pp,
		      calib[_i].pp512);
	/* speed falls as the context fills */
	ck_assert(sim_perf_decode_s(&cfg, m, &mem, 30000) > sim_perf_decode_s(&cfg, m, &mem, 1000));
	ck_assert(sim_perf_prefill_s(&cfg, m, &mem, 30000, 512) > sim_perf_prefill_s(&cfg, m, &mem, 0, 512));
}
END_TEST

START_TEST(test_batch_speeds_prefill)
{
	struct sim_config cfg = config("strix-halo-64g", "0.33.0");
	const struct sim_model *m = sim_catalog_find("qwen2.5:3b-instruct");
	struct sim_knobs k = { 8192, 128, -1, -1, -1, -1 };
	struct sim_mem small, big;
	sim_perf_memory(&cfg, m, &k, &small);
	k.num_batch = 2048;
	sim_perf_memory(&cfg, m, &k, &big);
	ck_assert(sim_perf_prefill_s(&cfg, m, &big, 0, 2048) < sim_perf_prefill_s(&cfg, m, &small, 0, 2048));
	ck_assert_uint_gt(big.compute_bytes, small.compute_bytes);
}
END_TEST

START_TEST(test_ceiling_discrete)
{
	struct sim_config cfg = config("rx7900xtx-24g", "0.33.0");
	const struct sim_model *m = sim_catalog_find("qwen3-coder:30b");
	struct sim_knobs req = { 0, -1, -1, -1, -1, -1 }, k;
	struct sim_mem at, above;
	unsigned oom_min, ceil = sim_perf_ceiling(&cfg, m, -1, &oom_min);
	ck_assert_uint_gt(ceil, 4096);
	ck_assert_uint_lt(ceil, m->context_length);
	ck_assert_uint_eq(ceil % 256, 0);
	req.num_ctx = ceil;
	sim_perf_resolve(&cfg, m, &req, &k);
	sim_perf_memory(&cfg, m, &k, &at);
	req.num_ctx = ceil + 256;
	sim_perf_resolve(&cfg, m, &req, &k);
	sim_perf_memory(&cfg, m, &k, &above);
	ck_assert(at.size_vram == at.size && !at.oom);
	ck_assert_uint_le(at.gpu_pool_used_bytes, at.gpu_pool_capacity_bytes);
	ck_assert_msg(above.size_vram < above.size, "above the ceiling still fully on the GPU");
	/* 64 GiB RAM holds the CPU part of the full 262144 context: no OOM */
	ck_assert_uint_eq(oom_min, 0);
}
END_TEST

START_TEST(test_oom_past_system_memory)
{
	struct sim_config cfg = config("strix-halo-64g", "0.33.0");
	const struct sim_model *m = sim_catalog_find("qwen3-coder:30b");
	struct sim_knobs k = { 262144, -1, -1, -1, -1, -1 }, r;
	struct sim_mem mem;
	char text[512];
	cfg.env.num_parallel = 4;
	sim_perf_resolve(&cfg, m, &k, &r);
	sim_perf_memory(&cfg, m, &r, &mem);
	ck_assert(mem.oom);
	sim_text_oom(&cfg.env, cfg.profile, &mem, text, sizeof(text));
	ck_assert_msg(!strncmp(text, "llama-server reported out-of-memory during startup: ", 52), "%s", text);
	ck_assert_int_eq(sim_parse_version("0.24.0", &cfg.env.version_code), 0);
	sim_text_oom(&cfg.env, cfg.profile, &mem, text, sizeof(text));
	ck_assert_msg(!strncmp(text, "model requires more system memory (", 35), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, " GiB) than is available ("));
	/* 256k with one slot fits the 48 GiB GTT of the 64 GB box */
	cfg.env.num_parallel = 1;
	sim_perf_memory(&cfg, m, &r, &mem);
	ck_assert(!mem.oom && mem.size_vram == mem.size);
}
END_TEST

START_TEST(test_flash_attention_rules)
{
	struct sim_config cfg = config("strix-halo-64g", "0.24.0");
	const struct sim_model *qwen2 = sim_catalog_find("qwen2.5:3b-instruct");
	const struct sim_model *moe = sim_catalog_find("qwen3-coder:30b");
	struct sim_knobs k = { 8192, 512, -1, -1, -1, -1 };
	struct sim_mem mem;
	cfg.env.kv_type = SIM_KV_Q8_0;
	/* legacy: qwen2 has no FA by default, so q8_0 is dropped to f16 */
	sim_perf_memory(&cfg, qwen2, &k, &mem);
	ck_assert(!mem.flash_attention && mem.kv_type == SIM_KV_F16 && !mem.bad_kv_without_fa);
	sim_perf_memory(&cfg, moe, &k, &mem);
	ck_assert(mem.flash_attention && mem.kv_type == SIM_KV_Q8_0);
	/* llama-server era: FA auto on; forced off with q8_0 fails the load */
	ck_assert_int_eq(sim_parse_version("0.33.0", &cfg.env.version_code), 0);
	sim_perf_memory(&cfg, qwen2, &k, &mem);
	ck_assert(mem.flash_attention && mem.kv_type == SIM_KV_Q8_0);
	cfg.env.flash_attention = 0;
	sim_perf_memory(&cfg, qwen2, &k, &mem);
	ck_assert(mem.bad_kv_without_fa);
}
END_TEST

START_TEST(test_default_context)
{
	struct sim_config cfg = config("strix-halo-64g", "0.33.0");
	const struct sim_model *q = sim_catalog_find("qwen3-coder:30b");
	const struct sim_model *l = sim_catalog_find("liquid-rag:latest");
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, q), 262144);
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, l), 128000);
	cfg = config("rx7900xtx-24g", "0.33.0");
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, q), 32768);
	cfg = config("rx7900xtx-24g", "0.12.0");
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, q), 4096);
	cfg.env.context_length = 8192;
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, q), 8192);
}
END_TEST

START_TEST(test_tokenizer)
{
	static const struct {
		const char *text;
		size_t tokens;
	} cases[] = {
		{ "", 0 }, { "   \n\t", 0 }, { "a", 1 }, { "abcd", 1 }, { "abcde", 2 },
		{ "hello, world!", 6 }, { "The secret passphrase is Zebra42.", 10 },
		{ "[user] hi\n[assistant]", 9 }, { "12345678", 2 }, { "\xc3\xa9t\xc3\xa9", 2 },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(sim_count_tokens(cases[i].text) == cases[i].tokens, "'%s': %zu tokens",
			      cases[i].text, sim_count_tokens(cases[i].text));
}
END_TEST

START_TEST(test_answer_and_needle)
{
	struct sim_answer a;
	char word[64];
	const char *kept = "notes. The secret passphrase is Zebra42. more notes";
	size_t i, len, total = 0;
	sim_answer_make(&a, "Zebra42.", 40, 7);
	ck_assert_uint_eq(a.n, 40);
	ck_assert(!strncmp(a.text, "Zebra42.", 8));
	for (i = 0; i < a.n; i++) {
		sim_answer_piece(&a, i, &len);
		total += len;
	}
	ck_assert_uint_eq(sim_count_tokens(a.text) >= a.n, 1);
	ck_assert_uint_le(total, strlen(a.text));
	sim_answer_release(&a);
	ck_assert_int_eq(sim_needle("What is the passphrase?", kept, strlen(kept), word, sizeof(word)), 1);
	ck_assert_str_eq(word, "Zebra42");
	ck_assert_int_eq(sim_needle("What is the passphrase?", "notes only", 10, word, sizeof(word)), 0);
	ck_assert_int_eq(sim_needle("Summarise the notes.", kept, strlen(kept), word, sizeof(word)), -1);
}
END_TEST

START_TEST(test_parsers)
{
	static const struct {
		const char *s;
		int allow_seconds;
		int64_t ns;
		const char *err;
	} d[] = {
		{ "5m", 0, 300000000000ll, NULL }, { "1h30m", 0, 5400000000000ll, NULL },
		{ "0", 0, 0, NULL }, { "-1m", 0, -60000000000ll, NULL }, { "250ms", 0, 250000000, NULL },
		{ "10", 1, 10000000000ll, NULL }, { "10", 0, 0, "time: missing unit in duration \"10\"" },
		{ "abc", 0, 0, "time: invalid duration \"abc\"" },
	};
	char host[64], port[16], err[256];
	struct sim_fault f;
	unsigned v;
	size_t i;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int64_t ns = 0;
		int rc = sim_parse_duration(d[i].s, d[i].allow_seconds, &ns, err, sizeof(err));
		if (d[i].err) {
			ck_assert_int_eq(rc, -1);
			ck_assert_str_eq(err, d[i].err);
		} else {
			ck_assert_int_eq(rc, 0);
			ck_assert_msg(ns == d[i].ns, "%s", d[i].s);
		}
	}
	ck_assert_int_eq(sim_parse_host(NULL, host, sizeof(host), port, sizeof(port), err, sizeof(err)), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_str_eq(port, "11434");
	ck_assert_int_eq(sim_parse_host("example", host, 64, port, 16, err, 256), 0);
	ck_assert_str_eq(port, "11434");
	ck_assert_int_eq(sim_parse_host("127.0.0.1:0", host, 64, port, 16, err, 256), 0);
	ck_assert_str_eq(port, "0");
	ck_assert_int_eq(sim_parse_host("http://h", host, 64, port, 16, err, 256), 0);
	ck_assert_str_eq(port, "80");
	ck_assert_int_eq(sim_parse_host("https://h", host, 64, port, 16, err, 256), 0);
	ck_assert_str_eq(port, "443");
	ck_assert_int_eq(sim_parse_host("[::1]:9000", host, 64, port, 16, err, 256), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_str_eq(port, "9000");
	ck_assert_int_eq(sim_parse_host("h:99999", host, 64, port, 16, err, 256), -1);
	ck_assert_int_eq(sim_fault_parse("hang@3", &f, err, sizeof(err)), 0);
	ck_assert(f.kind == SIM_FAULT_HANG && f.nth == 3);
	ck_assert_int_eq(sim_fault_parse("busy", &f, err, sizeof(err)), 0);
	ck_assert_uint_eq(sim_fault_for(&f, 1, 7), SIM_FAULT_BUSY);
	ck_assert_int_eq(sim_fault_parse("hnag", &f, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "did you mean 'hang'"));
	ck_assert_int_eq(sim_fault_parse("hang@0", &f, err, sizeof(err)), -1);
	ck_assert_int_eq(sim_parse_version("v0.30.0-rc2", &v), 0);
	ck_assert_uint_eq(v, SIM_VERSION(0, 30, 0));
	ck_assert_int_eq(sim_parse_version("zero", &v), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim_model");
	TCase *tc = tcase_create("sim_model");
	SRunner *sr;
	int failed;
	tcase_add_loop_test(tc, test_kv_tables, 0, sizeof(kv_table) / sizeof(kv_table[0]));
	tcase_add_test(tc, test_kv_quantized_and_parallel);
	tcase_add_loop_test(tc, test_calibration, 0, sizeof(calib) / sizeof(calib[0]));
	tcase_add_test(tc, test_batch_speeds_prefill);
	tcase_add_test(tc, test_ceiling_discrete);
	tcase_add_test(tc, test_oom_past_system_memory);
	tcase_add_test(tc, test_flash_attention_rules);
	tcase_add_test(tc, test_default_context);
	tcase_add_test(tc, test_tokenizer);
	tcase_add_test(tc, test_answer_and_needle);
	tcase_add_test(tc, test_parsers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
