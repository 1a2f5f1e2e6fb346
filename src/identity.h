/* SPDX-License-Identifier: MIT */
#ifndef O3_IDENTITY_H
#define O3_IDENTITY_H
#include <stddef.h>

#include <cjson/cJSON.h>

#include "strbuf.h"

/*
 * The identity of a measurement (design.md, "identity"): what a record was
 * measured under. Two records are the same measurement only when their
 * identities are equal; a run never reuses a step measured under another
 * identity.
 *
 *   {"schema": o3's record schema version,
 *    "ollama_version": "0.33.0",
 *    "simulated": false, ["simulator": "o3-sim; profile=strix-halo-64g"],
 *    "model": NAME, ["model_digest": "sha256:…"],
 *    "machine": {"gpu": "0x1002:0x1586 amdgpu" or "none", "gpus": [...],
 *                "memory_bytes": RAM, ["gpu_memory_bytes": …], "driver": …,
 *                "kernel": release},
 *    "server_knobs": {"OLLAMA_NUM_PARALLEL": "1", …},
 *    "server_knobs_source": "managed" | "process" | "unknown",
 *    "measurement": {warmup, repetitions, interactive_prompt_tokens,
 *                    fill_ratio, stability_requests, stability_min_samples},
 *    "hash": identity_hash of the rest}
 */

/* The machine part, from an environment snapshot (envinfo). Caller deletes. */
cJSON *identity_machine(const cJSON *env);

/* 1 when the machine has a GPU that Ollama could use (a DRM card of AMD or
 * NVIDIA, or an NVIDIA driver), 0 when it has none. */
int identity_machine_has_gpu(const cJSON *machine);

/* The hash of an identity: 16 hex digits of FNV-1a over its canonical
 * (sorted, compact) JSON. out has at least 17 bytes. */
void identity_hash(const cJSON *identity, char *out, size_t len);

/* The differences between two identities of the same model, for a person:
 * "Ollama 0.24.0 → 0.33.0; o3-sim profile=a → profile=b". Appends to out;
 * nothing when they are equal. */
void identity_describe_change(const cJSON *before, const cJSON *after, struct strbuf *out);

/* A one-line description: "Ollama 0.33.0 on o3-sim (profile=…)" or
 * "Ollama 0.33.0, 0x1002:0x1586 amdgpu, 64.0 GiB". Appends to out. */
void identity_describe(const cJSON *identity, struct strbuf *out);

#endif
