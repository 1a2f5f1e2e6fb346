// SPDX-License-Identifier: MIT
/*
 * The simulator's model, without a server: KV cache bytes against the tables
 * of models-and-hardware.md, calibration against the Strix Halo figures of §8,
 * the ceiling, partial offload and OOM, the tokenizer, the needle rule, and
 * the parsers (durations, OLLAMA_HOST, faults, versions).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
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

/* cpu-only-64g: everything in system RAM; the ceiling is the memory edge. */
START_TEST(test_cpu_only_profile)
{
	struct sim_config cfg = config("cpu-only-64g", "0.33.0");
	const struct sim_model *m = sim_catalog_find("qwen3-coder:30b");
	struct sim_knobs k = { 32768, -1, 48, -1, -1, -1 }, r;
	struct sim_mem mem, at, above;
	unsigned ceil, oom_min;
	double ram_avail = (double)(cfg.profile->mem_total_bytes - cfg.profile->os_used_bytes);
	char text[512], want[512];

	ck_assert(cfg.profile->no_gpu && !cfg.profile->amd && !sim_perf_gpu_used(&cfg));
	/* an explicit num_gpu finds no GPU to put layers on */
	sim_perf_resolve(&cfg, m, &k, &r);
	sim_perf_memory(&cfg, m, &r, &mem);
	ck_assert(!mem.oom);
	ck_assert_uint_eq(mem.size_vram, 0);
	ck_assert_uint_eq(mem.gpu_layers, 0);
	ck_assert_uint_eq(mem.cpu_bytes, mem.size);
	ck_assert_str_eq(sim_perf_placement(&mem), "cpu");
	ck_assert_uint_eq(mem.mem_available_bytes, (uint64_t)ram_avail - mem.size);
	/* the VRAM tier sees no GPU: 4096 */
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, m), 4096);
	/* one slot: the trained context fits 64 GiB */
	ck_assert_uint_eq(sim_perf_ceiling(&cfg, m, -1, &oom_min), 262144);
	ck_assert_uint_eq(oom_min, 0);
	ck_assert_str_eq(sim_perf_ceiling_limit(&cfg, m, -1, 262144), "trained_context");
	/* two slots: the edge of system memory */
	cfg.env.num_parallel = 2;
	ceil = sim_perf_ceiling(&cfg, m, -1, &oom_min);
	ck_assert_uint_gt(ceil, 4096);
	ck_assert_uint_lt(ceil, 262144);
	ck_assert_uint_eq(oom_min, ceil + 256);
	ck_assert_str_eq(sim_perf_ceiling_limit(&cfg, m, -1, ceil), "system_memory");
	k = (struct sim_knobs){ ceil, -1, -1, -1, -1, -1 };
	sim_perf_resolve(&cfg, m, &k, &r);
	sim_perf_memory(&cfg, m, &r, &at);
	k.num_ctx = ceil + 256;
	sim_perf_resolve(&cfg, m, &k, &r);
	sim_perf_memory(&cfg, m, &r, &above);
	ck_assert(!at.oom && above.oom);
	ck_assert_double_le((double)at.size, ram_avail);
	ck_assert_double_gt((double)above.size, ram_avail);
	/* the era's texts at the edge, Go's HumanBytes2 (%.1f GiB) */
	sim_text_oom(&cfg.env, cfg.profile, &above, text, sizeof(text));
	snprintf(want, sizeof(want), "llama-server reported out-of-memory during startup: "
		 "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size %llu",
		 (unsigned long long)above.size);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(sim_parse_version("0.24.0", &cfg.env.version_code), 0);
	sim_text_oom(&cfg.env, cfg.profile, &above, text, sizeof(text));
	snprintf(want, sizeof(want), "model requires more system memory (%.1f GiB) than is available (%.1f GiB)",
		 (double)above.size / SIM_GIB, ram_avail / SIM_GIB);
	ck_assert_str_eq(text, want);
	ck_assert_str_eq(text, "model requires more system memory (59.7 GiB) than is available (59.7 GiB)");
}
END_TEST

/* --gpu-unused: the same hardware, Ollama on the CPU only. */
START_TEST(test_gpu_unused)
{
	struct sim_config cfg = config("rx7900xtx-24g", "0.33.0");
	const struct sim_model *m = sim_catalog_find("qwen3-coder:30b");
	struct sim_knobs k = { 65536, -1, -1, -1, -1, -1 }, r;
	struct sim_mem gpu, cpu;
	unsigned oom_min;
	double t0, t1;
	sim_perf_resolve(&cfg, m, &k, &r);
	sim_perf_memory(&cfg, m, &r, &gpu);
	ck_assert_str_eq(sim_perf_placement(&gpu), "partial");
	ck_assert_uint_eq(sim_perf_ceiling(&cfg, m, -1, &oom_min), 42496);
	ck_assert_str_eq(sim_perf_ceiling_limit(&cfg, m, -1, 42496), "gpu_memory");
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, m), 32768);
	cfg.gpu_unused = 1;
	ck_assert(!sim_perf_gpu_used(&cfg));
	ck_assert_uint_eq(sim_perf_default_ctx(&cfg, m), 4096);
	sim_perf_memory(&cfg, m, &r, &cpu);
	ck_assert_str_eq(sim_perf_placement(&cpu), "cpu");
	ck_assert_uint_eq(cpu.size_vram, 0);
	ck_assert_uint_eq(cpu.vram_used_bytes, cfg.profile->vram_base_used_bytes);
	ck_assert_uint_eq(cpu.size, gpu.size);
	/* the limit is system memory: the trained context fits 64 GiB */
	ck_assert_uint_eq(sim_perf_ceiling(&cfg, m, -1, &oom_min), 262144);
	/* CPU speed: bandwidth-bound from RAM */
	t0 = sim_perf_decode_s(&cfg, m, &cpu, 0);
	ck_assert_double_eq_tol(t0, cfg.profile->decode_overhead_s +
				(double)m->read_bytes_per_token / cfg.profile->cpu_bw_eff, 1e-12);
	t1 = sim_perf_decode_s(&cfg, m, &cpu, 10000);
	ck_assert_double_eq_tol(t1 - t0, 10000.0 * sim_perf_kv_per_token(m, SIM_KV_F16) /
				cfg.profile->cpu_bw_eff, 1e-12);
	ck_assert_double_gt(sim_perf_decode_s(&cfg, m, &cpu, 0), sim_perf_decode_s(&cfg, m, &gpu, 0));
	/* unified: the GTT stays idle */
	cfg = config("strix-halo-64g", "0.33.0");
	cfg.gpu_unused = 1;
	sim_perf_memory(&cfg, m, &r, &cpu);
	ck_assert_uint_eq(cpu.gtt_used_bytes, cfg.profile->gtt_base_used_bytes);
	ck_assert_uint_eq(cpu.mem_available_bytes,
			  cfg.profile->mem_total_bytes - cfg.profile->os_used_bytes - cpu.size);
}
END_TEST

/* Decode time per token is a line in the depth; prefill on the CPU slows with depth. */
START_TEST(test_decode_linear_and_usable)
{
	static const char *const profiles[] = { "strix-halo-64g", "rx7900xtx-24g", "cpu-only-64g" };
	size_t i;
	for (i = 0; i < 3; i++) {
		struct sim_config cfg = config(profiles[i], "0.33.0");
		const struct sim_model *m = sim_catalog_find("gemma3:latest");
		struct sim_knobs k = { 32768, -1, -1, -1, -1, -1 }, r;
		struct sim_mem mem;
		double a, b, tps, floor_tps;
		unsigned u, d;
		sim_perf_resolve(&cfg, m, &k, &r);
		sim_perf_memory(&cfg, m, &r, &mem);
		/* beyond the sliding window: exactly linear */
		a = sim_perf_decode_s(&cfg, m, &mem, 2048);
		b = (sim_perf_decode_s(&cfg, m, &mem, 20480) - a) / 18432;
		ck_assert_double_gt(b, 0);
		for (d = 4096; d <= 30000; d += 6500)
			ck_assert_double_eq_tol(sim_perf_decode_s(&cfg, m, &mem, d), a + b * (d - 2048.0), 1e-12);
		ck_assert_double_gt(sim_perf_prefill_s(&cfg, m, &mem, 16384, 512),
				    sim_perf_prefill_s(&cfg, m, &mem, 0, 512));
		/* usable context: the largest 1024 step whose decode at 0.9 fill holds */
		floor_tps = 1.0 / sim_perf_decode_s(&cfg, m, &mem, (unsigned)(0.9 * 32768));
		u = sim_perf_usable_context(&cfg, m, -1, 0.9, floor_tps, &tps);
		ck_assert_uint_eq(u % SIM_USABLE_STEP, 0);
		ck_assert_uint_ge(u, 32768);
		ck_assert_double_ge(tps, floor_tps);
		if (u + SIM_USABLE_STEP <= m->context_length) {
			struct sim_mem next;
			k.num_ctx = u + SIM_USABLE_STEP;
			sim_perf_resolve(&cfg, m, &k, &r);
			sim_perf_memory(&cfg, m, &r, &next);
			ck_assert(next.oom || 1.0 / sim_perf_decode_s(&cfg, m, &next,
				  (unsigned)(0.9 * (u + SIM_USABLE_STEP))) < floor_tps);
		}
		ck_assert_uint_eq(sim_perf_usable_context(&cfg, m, -1, 0.9, 1e6, &tps), 0);
	}
}
END_TEST

START_TEST(test_human_bytes2)
{
	char b[32];
	sim_human_bytes2(59.74 * SIM_GIB, b, sizeof(b));
	ck_assert_str_eq(b, "59.7 GiB");
	sim_human_bytes2(512 * SIM_MIB, b, sizeof(b));
	ck_assert_str_eq(b, "512.0 MiB");
	sim_human_bytes2(1536, b, sizeof(b));
	ck_assert_str_eq(b, "1.5 KiB");
	sim_human_bytes2(12, b, sizeof(b));
	ck_assert_str_eq(b, "12 B");
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
	tcase_add_test(tc, test_cpu_only_profile);
	tcase_add_test(tc, test_gpu_unused);
	tcase_add_test(tc, test_decode_linear_and_usable);
	tcase_add_test(tc, test_human_bytes2);
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
