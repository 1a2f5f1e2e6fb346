// SPDX-License-Identifier: MIT
/* The metrics of one request (metrics.h). */
#include "metrics.h"

#include "ttft.h"
#include "banned.h"

static double span_ms(uint64_t from, uint64_t to)
{
	return from && to >= from ? (double)(to - from) / 1e6 : -1;
}

void request_metrics(const struct ollama_gen_result *r, struct request_metrics *m)
{
	long long n_tokens = r->eval_count >= 0 ? r->eval_count : (long long)r->n_chunks;
	m->ttfb_ms = r->t_first_byte_ns ? span_ms(r->t_sent_ns, r->t_first_byte_ns) : -1;
	m->ttft_ms = r->t_first_content_ns ? span_ms(r->t_sent_ns, r->t_first_content_ns) : -1;
	m->e2e_ms = r->t_done_ns ? span_ms(r->t_sent_ns, r->t_done_ns) : -1;
	m->decode_ms = r->t_first_content_ns && r->t_done_ns ?
		       span_ms(r->t_first_content_ns, r->t_done_ns) : -1;
	m->tpot_ms = m->decode_ms >= 0 && n_tokens > 1 ? m->decode_ms / (double)(n_tokens - 1) : -1;
	m->decode_tps_client = r->n_chunks > 1 && r->t_last_content_ns > r->t_first_content_ns ?
			       (double)(r->n_chunks - 1) /
			       ((double)(r->t_last_content_ns - r->t_first_content_ns) / 1e9) : -1;
	m->ttft_server_ms = ttft_server_ms(r->prompt_eval_duration_ns, r->eval_count,
					   r->eval_duration_ns);
	m->decode_tps_server = r->eval_count > 0 && r->eval_duration_ns > 0 ?
			       (double)r->eval_count / ((double)r->eval_duration_ns / 1e9) : -1;
	m->prefill_tps = r->prompt_eval_count > 0 && r->prompt_eval_duration_ns > 0 ?
			 (double)r->prompt_eval_count / ((double)r->prompt_eval_duration_ns / 1e9) : -1;
	m->prefill_ms = r->prompt_eval_duration_ns > 0 ? (double)r->prompt_eval_duration_ns / 1e6 : -1;
	m->prompt_tokens = r->prompt_eval_count >= 0 ? (double)r->prompt_eval_count : -1;
}

void request_metrics_json(const struct request_metrics *m, cJSON *o)
{
	const struct { const char *name; double v; } f[] = {
		{ "prompt_tokens", m->prompt_tokens }, { "ttfb_ms", m->ttfb_ms },
		{ "ttft_ms", m->ttft_ms }, { "e2e_ms", m->e2e_ms }, { "tpot_ms", m->tpot_ms },
		{ "decode_tps_client", m->decode_tps_client },
		{ "ttft_server_ms", m->ttft_server_ms },
		{ "decode_tps_server", m->decode_tps_server }, { "prefill_tps", m->prefill_tps },
		{ "prefill_ms", m->prefill_ms },
	};
	size_t i;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].v >= 0)
			cJSON_AddNumberToObject(o, f[i].name, f[i].v);
}
