// SPDX-License-Identifier: MIT
/* The identity of a measurement (identity.h). */
#include "identity.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "step.h"
#include "banned.h"

static const char *str(const cJSON *o, const char *k)
{
	return rec_str(o, k);
}

cJSON *identity_machine(const cJSON *env)
{
	cJSON *m = cJSON_CreateObject(), *gpus = cJSON_AddArrayToObject(m, "gpus");
	const cJSON *g;
	struct strbuf first = STRBUF_INIT;
	double gpu_mem = 0;
	const char *driver = NULL, *driver_version = NULL;

	cJSON_ArrayForEach(g, rec_get(env, "gpus")) {
		struct strbuf sb = STRBUF_INIT;
		const cJSON *v;
		strbuf_addf(&sb, "%s:%s %s", str(g, "vendor") ? str(g, "vendor") : "?",
			    str(g, "device") ? str(g, "device") : "?",
			    str(g, "driver") ? str(g, "driver") : "no-driver");
		cJSON_AddItemToArray(gpus, cJSON_CreateString(sb.buf));
		if (!first.len) {
			strbuf_addstr(&first, sb.buf);
			driver = str(g, "driver");
			driver_version = str(g, "driver_version");
		}
		strbuf_release(&sb);
		if (cJSON_IsNumber(v = rec_get(g, "vram_total_bytes")))
			gpu_mem += v->valuedouble;
		if (cJSON_IsNumber(v = rec_get(g, "gtt_total_bytes")))
			gpu_mem += v->valuedouble;
	}
	if (cJSON_IsNumber(rec_get(env, "nvidia_gpus")) && rec_get(env, "nvidia_gpus")->valuedouble > 0 &&
	    !first.len) {
		strbuf_addf(&first, "nvidia x%.0f", rec_get(env, "nvidia_gpus")->valuedouble);
		driver = "nvidia";
	}
	cJSON_AddStringToObject(m, "gpu", first.len ? first.buf : "none");
	strbuf_release(&first);
	if (cJSON_IsNumber(rec_get(env, "ram_bytes")))
		cJSON_AddNumberToObject(m, "memory_bytes", rec_get(env, "ram_bytes")->valuedouble);
	if (gpu_mem > 0)
		cJSON_AddNumberToObject(m, "gpu_memory_bytes", gpu_mem);
	if (driver)
		cJSON_AddStringToObject(m, "driver", driver);
	if (driver_version)
		cJSON_AddStringToObject(m, "driver_version", driver_version);
	if (str(rec_get(env, "kernel"), "release"))
		cJSON_AddStringToObject(m, "kernel", str(rec_get(env, "kernel"), "release"));
	return m;
}

int identity_machine_has_gpu(const cJSON *machine)
{
	const char *gpu = str(machine, "gpu");
	const char *driver = str(machine, "driver");
	if (!gpu || !strcmp(gpu, "none"))
		return 0;
	/* a DRM card without a GPU driver Ollama uses (a virtual display) is no GPU */
	return driver && (!strcmp(driver, "amdgpu") || !strcmp(driver, "nvidia") ||
			  !strcmp(driver, "i915") || !strcmp(driver, "xe"));
}

void identity_hash(const cJSON *identity, char *out, size_t len)
{
	cJSON *c = step_sorted_copy(identity);
	char *text = c ? cJSON_PrintUnformatted(c) : NULL;
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p;
	for (p = (const unsigned char *)(text ? text : ""); *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	snprintf(out, len, "%016llx", (unsigned long long)h);
	cJSON_free(text);
	cJSON_Delete(c);
}

static void sep(struct strbuf *out, size_t start)
{
	if (out->len > start)
		strbuf_addstr(out, "; ");
}

static void json_text(const cJSON *v, struct strbuf *out)
{
	cJSON *c = step_sorted_copy(v);
	char *t = c ? cJSON_PrintUnformatted(c) : NULL;
	strbuf_addstr(out, t ? t : "none");
	cJSON_free(t);
	cJSON_Delete(c);
}

static int same(const cJSON *a, const cJSON *b)
{
	if (!a || !b)
		return !a && !b;
	return cJSON_Compare(a, b, 1);
}

static void server_of(const cJSON *id, struct strbuf *out)
{
	if (cJSON_IsTrue(rec_get(id, "simulated")))
		strbuf_addf(out, "%s", str(id, "simulator") ? str(id, "simulator") : "o3-sim");
	else
		strbuf_addstr(out, "a real server");
}

void identity_describe_change(const cJSON *a, const cJSON *b, struct strbuf *out)
{
	size_t start = out->len;
	const cJSON *ma = rec_get(a, "machine"), *mb = rec_get(b, "machine");
	static const char *const measurement[] = {
		"warmup", "repetitions", "interactive_prompt_tokens", "fill_ratio", "stability_requests",
		"stability_min_samples",
	};
	size_t i;

	if (!same(rec_get(a, "schema"), rec_get(b, "schema"))) {
		sep(out, start);
		strbuf_addf(out, "o3 record schema %g → %g", cJSON_GetNumberValue(rec_get(a, "schema")),
			    cJSON_GetNumberValue(rec_get(b, "schema")));
	}
	if (!same(rec_get(a, "ollama_version"), rec_get(b, "ollama_version"))) {
		sep(out, start);
		strbuf_addf(out, "Ollama %s → %s", str(a, "ollama_version") ? str(a, "ollama_version") : "?",
			    str(b, "ollama_version") ? str(b, "ollama_version") : "?");
	}
	if (!same(rec_get(a, "simulated"), rec_get(b, "simulated")) ||
	    !same(rec_get(a, "simulator"), rec_get(b, "simulator"))) {
		sep(out, start);
		server_of(a, out);
		strbuf_addstr(out, " → ");
		server_of(b, out);
	}
	if (!same(rec_get(a, "model_digest"), rec_get(b, "model_digest"))) {
		sep(out, start);
		strbuf_addf(out, "model digest %.19s → %.19s",
			    str(a, "model_digest") ? str(a, "model_digest") : "unknown",
			    str(b, "model_digest") ? str(b, "model_digest") : "unknown");
	}
	if (!same(ma, mb)) {
		static const char *const keys[] = {
			"gpu", "driver", "driver_version", "kernel",
		};
		const cJSON *x, *y;
		sep(out, start);
		strbuf_addstr(out, "machine:");
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!same(rec_get(ma, keys[i]), rec_get(mb, keys[i])))
				strbuf_addf(out, " %s %s → %s", keys[i],
					    str(ma, keys[i]) ? str(ma, keys[i]) : "none",
					    str(mb, keys[i]) ? str(mb, keys[i]) : "none");
		x = rec_get(ma, "memory_bytes");
		y = rec_get(mb, "memory_bytes");
		if (!same(x, y))
			strbuf_addf(out, " memory %.1f → %.1f GiB", cJSON_GetNumberValue(x) / 1073741824.0,
				    cJSON_GetNumberValue(y) / 1073741824.0);
		x = rec_get(ma, "gpu_memory_bytes");
		y = rec_get(mb, "gpu_memory_bytes");
		if (!same(x, y))
			strbuf_addf(out, " GPU memory %.1f → %.1f GiB",
				    x ? cJSON_GetNumberValue(x) / 1073741824.0 : 0.0,
				    y ? cJSON_GetNumberValue(y) / 1073741824.0 : 0.0);
		if (!same(rec_get(ma, "gpus"), rec_get(mb, "gpus")) && same(rec_get(ma, "gpu"), rec_get(mb, "gpu")))
			strbuf_addstr(out, " GPUs changed");
	}
	if (!same(rec_get(a, "server_knobs"), rec_get(b, "server_knobs"))) {
		sep(out, start);
		strbuf_addstr(out, "server knobs ");
		json_text(rec_get(a, "server_knobs"), out);
		strbuf_addstr(out, " → ");
		json_text(rec_get(b, "server_knobs"), out);
	}
	for (i = 0; i < sizeof(measurement) / sizeof(measurement[0]); i++) {
		const cJSON *x = rec_get(rec_get(a, "measurement"), measurement[i]);
		const cJSON *y = rec_get(rec_get(b, "measurement"), measurement[i]);
		if (!same(x, y)) {
			sep(out, start);
			strbuf_addf(out, "suite %s %g → %g", measurement[i], cJSON_GetNumberValue(x),
				    cJSON_GetNumberValue(y));
		}
	}
	if (out->len == start && !same(a, b))
		strbuf_addstr(out, "the measurement's identity changed");
}

void identity_describe(const cJSON *id, struct strbuf *out)
{
	const cJSON *m = rec_get(id, "machine");
	strbuf_addf(out, "Ollama %s", str(id, "ollama_version") ? str(id, "ollama_version") : "?");
	if (cJSON_IsTrue(rec_get(id, "simulated"))) {
		strbuf_addf(out, " on %s (SIMULATED)",
			    str(id, "simulator") ? str(id, "simulator") : "o3-sim");
		return;
	}
	strbuf_addf(out, ", GPU %s", str(m, "gpu") ? str(m, "gpu") : "none");
	if (cJSON_IsNumber(rec_get(m, "memory_bytes")))
		strbuf_addf(out, ", %.1f GiB RAM", rec_get(m, "memory_bytes")->valuedouble / 1073741824.0);
}
