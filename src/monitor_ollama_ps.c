// SPDX-License-Identifier: MIT
/*
 * Ollama's own view: GET /api/ps (size, size_vram, context_length), asked at
 * most once a second so the sampler does not load the server being timed.
 * The sampler thread uses its own client (a client is not shared between
 * threads), made from the address of the one in the settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "monitor.h"
#include "monitor_backend.h"
#include "ollama.h"
#include "util.h"
#include "banned.h"

#define REFRESH_NS (1000ull * 1000 * 1000)

struct ps_state {
	struct ollama_client *client;
	char url[300];
	uint64_t last_ns;
	int have;
	int64_t models, size, size_vram, ctx;
};

static int ps_refresh(struct ps_state *st, struct ollama_error *err)
{
	struct ollama_ps_entry *e = NULL;
	size_t n = 0, i;

	if (ollama_ps(st->client, &e, &n, err))
		return -1;
	st->models = (int64_t)n;
	st->size = st->size_vram = 0;
	st->ctx = -1;
	for (i = 0; i < n; i++) {
		if (e[i].size_bytes > 0)
			st->size += e[i].size_bytes;
		if (e[i].size_vram_bytes > 0)
			st->size_vram += e[i].size_vram_bytes;
		if (st->ctx < 0 && e[i].context_length > 0)
			st->ctx = e[i].context_length;
	}
	free(e);
	return 0;
}

static int ps_open(const struct monitor_settings *s, void **state, char *why, size_t whylen)
{
	struct ollama_host host;
	struct ollama_timeouts t;
	struct ollama_error err;
	struct ps_state *st;
	char msg[256];

	if (!s->ollama) {
		snprintf(why, whylen, "no Ollama server given");
		return -1;
	}
	if (ollama_host_parse(ollama_client_base_url(s->ollama), &host, msg, sizeof(msg))) {
		snprintf(why, whylen, "%s", msg);
		return -1;
	}
	ollama_timeouts_default(&t);
	t.connect_ms = 1000;
	t.first_byte_ms = 2000;
	t.stall_ms = 2000;
	t.total_ms = 3000;
	st = xcalloc(1, sizeof(*st));
	o3_strlcpy(st->url, host.base_url, sizeof(st->url));
	st->client = ollama_client_new(&host, &t);
	if (!st->client || ps_refresh(st, &err)) {
		if (!st->client)
			snprintf(why, whylen, "%s/api/ps: cannot create a client", st->url);
		else if (strstr(err.message, st->url))
			snprintf(why, whylen, "%s", err.message); /* names the URL already */
		else
			snprintf(why, whylen, "%s/api/ps: %s", st->url, err.message);
		if (st->client)
			ollama_client_free(st->client);
		free(st);
		return -1;
	}
	st->have = 1;
	st->last_ns = clock_now_ns();
	*state = st;
	return 0;
}

static void ps_describe(void *state, char *out, size_t outlen)
{
	struct ps_state *st = state;
	snprintf(out, outlen, "%s/api/ps, %lld model%s loaded", st->url, (long long)st->models,
		 st->models == 1 ? "" : "s");
}

static int ps_sample(void *state, struct monitor_sample *out)
{
	struct ps_state *st = state;
	uint64_t now = clock_now_ns();
	struct ollama_error err;

	if (now - st->last_ns >= REFRESH_NS) {
		st->have = !ps_refresh(st, &err);
		st->last_ns = now;
	}
	if (!st->have)
		return -1;
	monitor_value_set(&out->sys[MON_PS_MODELS], st->models, "ollama_ps");
	if (st->models > 0) {
		monitor_value_set(&out->sys[MON_PS_SIZE], st->size, "ollama_ps");
		monitor_value_set(&out->sys[MON_PS_SIZE_VRAM], st->size_vram, "ollama_ps");
		if (st->ctx > 0)
			monitor_value_set(&out->sys[MON_PS_CTX], st->ctx, "ollama_ps");
	}
	return 0;
}

static void ps_close(void *state)
{
	struct ps_state *st = state;
	ollama_client_free(st->client);
	free(st);
}

const struct monitor_backend monitor_backend_ollama_ps = {
	.name = "ollama_ps",
	.open = ps_open,
	.describe = ps_describe,
	.sample = ps_sample,
	.close = ps_close,
};
