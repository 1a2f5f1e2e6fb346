// SPDX-License-Identifier: MIT
/*
 * CSV (report.h): summaries/requests.csv (one row per timed request of every
 * trial), summaries/trials.csv (one row per trial) and summaries/models.csv
 * (one row per model summary), for spreadsheets and data frames.
 *
 * Every row carries the identity of what it measured (model, digest, Ollama
 * version, simulator, machine, server knobs) so that files of several runs
 * concatenate. Column names follow llama-bench's where they mean the same:
 * an option's column is llama-bench's name for it (num_ctx is n_ctx,
 * llama.cpp's name for the context size; num_batch n_batch; num_predict
 * n_gen; num_gpu n_gpu_layers; num_thread n_threads), any other option keeps
 * Ollama's name (prefixed with "option_" where that would clash with a
 * column of its own); the prompt's tokens are n_prompt; a trial's mean and
 * sample standard deviation of decode tok/s are avg_ts and stddev_ts.
 *
 * The format is RFC 4180: CRLF line ends, a header row always (also when
 * there is no row), a field quoted when it holds a comma, a double quote, CR
 * or LF, with its double quotes doubled; UTF-8, each byte of invalid UTF-8 a
 * server sent as U+FFFD (report_utf8_clean); every other byte kept. Numbers
 * are plain decimal, never in exponent notation: the shortest of 15, 16 or
 * 17 significant digits that reads back as the same double, written with
 * "%.*f" and trailing zeros dropped (an integer has no decimal point).
 * Booleans are true and false. A value that was not measured is an empty
 * cell, never 0. An object or array (a "stop" option, the other server
 * knobs, a preset's options) is compact JSON with its keys sorted, numbers
 * written as above.
 *
 * Columns (README.md "CSV" lists them): the identity columns, then
 *   requests.csv  id, time_utc, the options, then the request's figures
 *   trials.csv    id, time_utc, the options, then the trial's figures
 *   models.csv    the model's figures, each preset's, its gates
 * The option columns are every option any trial of the run used, sorted by
 * column name, the same in requests.csv and trials.csv.
 *
 * A trial's raw figures come from its record in run->records (the record
 * whose id is the trial's, of phase "trial", under the model's identity
 * hash): without records, trials.csv has the summary's figures only and
 * requests.csv has no rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

struct csv_state {
	char dir[4096];
	const cJSON *records;
	const cJSON **models; /* the summaries, valid until end() returns */
	size_t n, alloc;
};

struct cols {
	char **v;
	size_t n, alloc;
};

/* ---- the columns ----------------------------------------------------------- */

static const char *const identity_cols[] = {
	"model", "model_digest", "ollama_version", "simulated", "simulator", "gpu",
	"gpu_memory_bytes", "memory_bytes", "driver", "driver_version", "kernel",
	"server_knobs_source", "OLLAMA_NUM_PARALLEL", "OLLAMA_KV_CACHE_TYPE",
	"OLLAMA_FLASH_ATTENTION", "OLLAMA_CONTEXT_LENGTH", "server_knobs", "identity_hash",
};

/* the server knobs with a column of their own; the rest go to server_knobs */
static const char *const knob_cols[] = {
	"OLLAMA_NUM_PARALLEL", "OLLAMA_KV_CACHE_TYPE", "OLLAMA_FLASH_ATTENTION",
	"OLLAMA_CONTEXT_LENGTH",
};

static const char *const trial_key_cols[] = { "id", "time_utc" };

static const char *const request_cols[] = {
	"request", "n_prompt", "prompt_chars", "truncated", "ttfb_ms", "ttft_ms",
	"ttft_server_ms", "e2e_ms", "tpot_ms", "decode_tps_client", "decode_tps_server",
	"prefill_tps", "prefill_ms", "content_chunks", "eval_count", "done_reason",
};

static const char *const trial_cols[] = {
	"n_prompt", "prompt_tokens_target", "warmup", "reps", "status", "error",
	"error_stage", "error_message", "meets", "meets_throughput", "why", "samples",
	"ttft_ms", "decode_tps", "prefill_tps", "avg_ts", "stddev_ts", "ttft_client_ms",
	"ttft_server_ms", "e2e_ms", "tpot_ms", "decode_tps_client", "memory_definition",
	"memory_peak_pct", "memory_peak_bytes", "memory_capacity_bytes", "ps_size_bytes",
	"ps_size_vram_bytes", "offload", "placement", "load_ms", "wall_ms",
};

static const char *const model_cols[] = {
	"complete", "error", "model_n_params", "trained_context", "criteria_ttft_s",
	"criteria_decode_tps_min", "criteria_gpu_memory_max_pct", "loads_up_to",
	"max_probed", "first_bad", "bad_outcome", "placement", "memory", "usable_up_to",
	"fill_ratio", "fill_tokens", "decode_tps_at_fill", "ttft_ms_at_fill",
	"ttft_server_ms_at_fill", "floor_tps", "limited_by", "predicted", "confirmed",
	"usable_note", "trials",
};

/* after the presets' columns */
static const char *const model_tail_cols[] = { "gates_passed", "gates_failed", "finding" };

/* each preset's columns: <preset>_<suffix> */
static const char *const preset_suffixes[] = {
	"options", "decode_tps", "ttft_ms", "memory_peak_pct", "decode_tps_at_fill",
	"ttft_ms_at_fill", "loads_up_to", "evidence",
};

/* the presets that always have columns (analyze.c makes these) */
static const char *const known_presets[] = { "max_ctx", "fast" };

/* Ollama's option -> llama-bench's column */
static const struct {
	const char *ollama, *column;
} option_names[] = {
	{ "num_batch", "n_batch" },
	{ "num_ctx", "n_ctx" },
	{ "num_gpu", "n_gpu_layers" },
	{ "num_predict", "n_gen" },
	{ "num_thread", "n_threads" },
};

static int in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

/* A name some other column has (an option named "model", or "n_ctx"). */
static int reserved(const char *s)
{
	size_t i;
	for (i = 0; i < ARRAY_SIZE(option_names); i++)
		if (!strcmp(s, option_names[i].column))
			return 1;
	return in_list(s, identity_cols, ARRAY_SIZE(identity_cols)) ||
	       in_list(s, trial_key_cols, ARRAY_SIZE(trial_key_cols)) ||
	       in_list(s, request_cols, ARRAY_SIZE(request_cols)) ||
	       in_list(s, trial_cols, ARRAY_SIZE(trial_cols));
}

/* The column of option name, into sb (reset first). */
static void option_col(struct strbuf *sb, const char *name)
{
	size_t i;
	strbuf_reset(sb);
	for (i = 0; i < ARRAY_SIZE(option_names); i++)
		if (!strcmp(name, option_names[i].ollama)) {
			strbuf_addstr(sb, option_names[i].column);
			return;
		}
	if (reserved(name))
		strbuf_addstr(sb, "option_");
	strbuf_addstr(sb, name);
}

static int cols_has(const struct cols *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i], name))
			return 1;
	return 0;
}

static void cols_add(struct cols *c, const char *name)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 32;
		c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
	}
	c->v[c->n++] = xstrdup(name);
}

static void cols_add_list(struct cols *c, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		cols_add(c, list[i]);
}

static void cols_free(struct cols *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- cells -------------------------------------------------------------------- */

/* v in plain decimal: the shortest of 15, 16 or 17 significant digits that
 * reads back as v, as "%.*f", without trailing zeros. v is finite. */
static void add_number(struct strbuf *sb, double v)
{
	char e[64], buf[400], *p;
	int sig, exp10, dec;
	if (v == 0) {
		strbuf_addch(sb, '0'); /* also -0 */
		return;
	}
	for (sig = 15; sig <= 17; sig++) {
		snprintf(e, sizeof(e), "%.*e", sig - 1, v);
		p = strchr(e, 'e');
		exp10 = p ? atoi(p + 1) : 0;
		dec = sig - 1 - exp10;
		if (dec < 0)
			dec = 0;
		snprintf(buf, sizeof(buf), "%.*f", dec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (strchr(buf, '.')) {
		size_t n = strlen(buf);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	strbuf_addstr(sb, buf);
}

static void json_string(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			strbuf_addch(sb, '\\'), strbuf_addch(sb, (char)c);
		else if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c == '\r')
			strbuf_addstr(sb, "\\r");
		else if (c == '\t')
			strbuf_addstr(sb, "\\t");
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, (char)c);
	}
	strbuf_addch(sb, '"');
}

static int cmp_item(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* v as compact JSON, an object's keys sorted, numbers in plain decimal. */
static void json_compact(struct strbuf *sb, const cJSON *v)
{
	const cJSON *it;
	if (cJSON_IsObject(v)) {
		const cJSON **kids;
		size_t n = 0, i;
		cJSON_ArrayForEach(it, v)
			n++;
		kids = xcalloc(n + 1, sizeof(*kids));
		n = 0;
		cJSON_ArrayForEach(it, v)
			kids[n++] = it;
		qsort(kids, n, sizeof(*kids), cmp_item);
		strbuf_addch(sb, '{');
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_addch(sb, ',');
			json_string(sb, kids[i]->string ? kids[i]->string : "");
			strbuf_addch(sb, ':');
			json_compact(sb, kids[i]);
		}
		strbuf_addch(sb, '}');
		free(kids);
	} else if (cJSON_IsArray(v)) {
		int first = 1;
		strbuf_addch(sb, '[');
		cJSON_ArrayForEach(it, v) {
			if (!first)
				strbuf_addch(sb, ',');
			first = 0;
			json_compact(sb, it);
		}
		strbuf_addch(sb, ']');
	} else if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		add_number(sb, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		strbuf_addstr(sb, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsString(v)) {
		json_string(sb, v->valuestring);
	} else {
		strbuf_addstr(sb, "null");
	}
}

/* Text as a field: invalid UTF-8 replaced, quoted where RFC 4180 needs it. */
static void add_text(struct strbuf *sb, const char *s, size_t len)
{
	struct strbuf c = STRBUF_INIT;
	size_t i;
	report_utf8_clean(&c, s, len);
	if (strpbrk(c.buf, ",\"\r\n")) {
		strbuf_addch(sb, '"');
		for (i = 0; i < c.len; i++) {
			if (c.buf[i] == '"')
				strbuf_addch(sb, '"');
			strbuf_addch(sb, c.buf[i]);
		}
		strbuf_addch(sb, '"');
	} else {
		strbuf_add(sb, c.buf, c.len);
	}
	strbuf_release(&c);
}

static void add_cell(struct strbuf *sb, const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return;
	if (cJSON_IsNumber(v)) {
		if (isfinite(v->valuedouble))
			add_number(sb, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		strbuf_addstr(sb, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsString(v)) {
		add_text(sb, v->valuestring, strlen(v->valuestring));
	} else if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		struct strbuf j = STRBUF_INIT;
		json_compact(&j, v);
		add_text(sb, j.buf, j.len);
		strbuf_release(&j);
	}
}

/* ---- rows: an object column -> value ------------------------------------------ */

/* row[col] = a copy of v, unless v is absent or null, or col has a value */
static void put(cJSON *row, const char *col, const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || rec_get(row, col))
		return;
	cJSON_AddItemToObject(row, col, cJSON_Duplicate(v, 1));
}

static void put_num(cJSON *row, const char *col, double v)
{
	if (!rec_get(row, col))
		cJSON_AddNumberToObject(row, col, v);
}

static void put_str(cJSON *row, const char *col, const char *s)
{
	if (s && !rec_get(row, col))
		cJSON_AddStringToObject(row, col, s);
}

/* the median of a record summary's metric */
static const cJSON *median_of(const cJSON *rec, const char *metric)
{
	return rec_get(rec_get(rec_get(rec, "summary"), metric), "median");
}

static void put_identity(cJSON *row, const cJSON *m)
{
	const cJSON *id = rec_get(m, "identity"), *mach = rec_get(id, "machine"), *v;
	cJSON *knobs = cJSON_CreateObject(), *rest = cJSON_CreateObject();
	const char *src = rec_str(id, "server_knobs_source");

	put(row, "model", rec_get(m, "model"));
	put(row, "model_digest", rec_get(id, "model_digest"));
	put(row, "ollama_version", rec_get(id, "ollama_version"));
	put(row, "simulated", rec_get(id, "simulated"));
	put(row, "simulator", rec_get(id, "simulator"));
	put(row, "gpu", rec_get(mach, "gpu"));
	put(row, "gpu_memory_bytes", rec_get(mach, "gpu_memory_bytes"));
	put(row, "memory_bytes", rec_get(mach, "memory_bytes"));
	put(row, "driver", rec_get(mach, "driver"));
	put(row, "driver_version", rec_get(mach, "driver_version"));
	put(row, "kernel", rec_get(mach, "kernel"));
	/* the knobs the identity read, and in managed mode the ones o3
	 * started the server with (report_presets.c reads them alike) */
	if (cJSON_IsObject(rec_get(id, "server_knobs")))
		cJSON_ArrayForEach(v, rec_get(id, "server_knobs"))
			if (v->string) {
				cJSON_DeleteItemFromObjectCaseSensitive(knobs, v->string);
				cJSON_AddItemToObject(knobs, v->string, cJSON_Duplicate(v, 1));
			}
	if (cJSON_IsObject(rec_get(m, "server_knobs"))) {
		src = "managed";
		cJSON_ArrayForEach(v, rec_get(m, "server_knobs"))
			if (v->string) {
				cJSON_DeleteItemFromObjectCaseSensitive(knobs, v->string);
				cJSON_AddItemToObject(knobs, v->string, cJSON_Duplicate(v, 1));
			}
	}
	put_str(row, "server_knobs_source", src);
	cJSON_ArrayForEach(v, knobs) {
		if (in_list(v->string, knob_cols, ARRAY_SIZE(knob_cols)))
			put(row, v->string, v);
		else
			cJSON_AddItemToObject(rest, v->string, cJSON_Duplicate(v, 1));
	}
	if (rest->child)
		put(row, "server_knobs", rest);
	put(row, "identity_hash", rec_get(id, "hash"));
	cJSON_Delete(knobs);
	cJSON_Delete(rest);
}

static void put_options(cJSON *row, const cJSON *options)
{
	struct strbuf col = STRBUF_INIT;
	const cJSON *v;
	cJSON_ArrayForEach(v, options) {
		if (!v->string)
			continue;
		option_col(&col, v->string);
		put(row, col.buf, v);
	}
	strbuf_release(&col);
}

/* The record of trial id of the model whose identity hash is hash (NULL: any
 * identity). */
static const cJSON *trial_record(const cJSON *records, const char *id, const char *hash)
{
	const cJSON *r;
	size_t hl = hash ? strlen(hash) : 0;
	if (!id)
		return NULL;
	cJSON_ArrayForEach(r, records) {
		const char *rid = rec_str(r, "id");
		const char *phase = rec_str(r, "phase");
		const char *key = r->string ? r->string : rec_str(r, "key");
		size_t kl = key ? strlen(key) : 0;
		if (!rid || strcmp(rid, id) || !phase || strcmp(phase, "trial"))
			continue;
		if (hash && (kl < hl + 4 || strcmp(key + kl - hl, hash) ||
			     strncmp(key + kl - hl - 4, "|id=", 4)))
			continue;
		return r;
	}
	return NULL;
}

static const char *hash_of(const cJSON *m)
{
	return cJSON_GetStringValue(rec_get(rec_get(m, "identity"), "hash"));
}

/* identity, id, time_utc, options: what a trial's rows and its requests'
 * rows start with */
static cJSON *trial_head(const cJSON *m, const cJSON *t, const cJSON *rec)
{
	cJSON *row = cJSON_CreateObject();
	put_identity(row, m);
	put(row, "id", rec_get(t, "id"));
	put(row, "time_utc", rec_get(rec, "time_utc"));
	put_options(row, cJSON_IsObject(rec_get(t, "options")) ? rec_get(t, "options") :
		    rec_get(rec, "options"));
	return row;
}

static void add_request_rows(cJSON *rows, const cJSON *m, const cJSON *t, const cJSON *rec)
{
	static const char *const same[] = {
		"prompt_chars", "truncated", "ttfb_ms", "ttft_ms", "ttft_server_ms", "e2e_ms",
		"tpot_ms", "decode_tps_client", "decode_tps_server", "prefill_tps",
		"prefill_ms", "content_chunks",
	};
	const cJSON *q;
	size_t i, k = 0;
	cJSON_ArrayForEach(q, rec_get(rec, "requests")) {
		cJSON *row = trial_head(m, t, rec);
		put_num(row, "request", (double)k++);
		put(row, "n_prompt", rec_get(q, "prompt_tokens"));
		for (i = 0; i < ARRAY_SIZE(same); i++)
			put(row, same[i], rec_get(q, same[i]));
		put(row, "eval_count", rec_get(rec_get(q, "server"), "eval_count"));
		put(row, "done_reason", rec_get(rec_get(q, "server"), "done_reason"));
		cJSON_AddItemToArray(rows, row);
	}
}

static cJSON *trial_row(const cJSON *m, const cJSON *t, const cJSON *rec)
{
	cJSON *row = trial_head(m, t, rec);
	const cJSON *err = rec_get(rec, "error"), *mem = rec_get(rec_get(rec, "monitor"), "memory"), *x;
	const cJSON *samples = rec_get(t, "decode_samples");
	double sum = 0, ss = 0, mean;
	int n = 0;

	put(row, "n_prompt", median_of(rec, "prompt_tokens"));
	put(row, "prompt_tokens_target", rec_get(rec, "prompt_tokens_target"));
	put(row, "warmup", rec_get(rec, "warmup"));
	put(row, "reps", rec_get(rec, "reps"));
	put(row, "status", rec_get(rec, "status"));
	if (cJSON_IsBool(rec_get(t, "ok")))
		put_str(row, "status", cJSON_IsTrue(rec_get(t, "ok")) ? "ok" : "error");
	put(row, "error", rec_get(t, "error"));
	put(row, "error", rec_get(err, "class"));
	put(row, "error_stage", rec_get(err, "stage"));
	put(row, "error_message", rec_get(err, "message"));
	put(row, "meets", rec_get(t, "meets"));
	put(row, "meets_throughput", rec_get(t, "meets_throughput"));
	put(row, "why", rec_get(t, "why"));
	cJSON_ArrayForEach(x, samples)
		if (cJSON_IsNumber(x) && isfinite(x->valuedouble))
			sum += x->valuedouble, n++;
	if (cJSON_IsArray(samples))
		put_num(row, "samples", n);
	put(row, "ttft_ms", rec_get(t, "ttft_ms"));
	put(row, "decode_tps", rec_get(t, "decode_tps"));
	put(row, "prefill_tps", rec_get(t, "prefill_tps"));
	if (n > 0) {
		mean = sum / n;
		put_num(row, "avg_ts", mean);
		if (n > 1) {
			cJSON_ArrayForEach(x, samples)
				if (cJSON_IsNumber(x) && isfinite(x->valuedouble))
					ss += (x->valuedouble - mean) * (x->valuedouble - mean);
			put_num(row, "stddev_ts", sqrt(ss / (n - 1)));
		}
	}
	put(row, "ttft_client_ms", median_of(rec, "ttft_ms"));
	put(row, "ttft_server_ms", median_of(rec, "ttft_server_ms"));
	put(row, "e2e_ms", median_of(rec, "e2e_ms"));
	put(row, "tpot_ms", median_of(rec, "tpot_ms"));
	put(row, "decode_tps_client", median_of(rec, "decode_tps_client"));
	put(row, "memory_definition", rec_get(mem, "definition"));
	put(row, "memory_peak_pct", rec_get(t, "gpu_pct"));
	put(row, "memory_peak_pct", rec_get(mem, "peak_pct"));
	put(row, "memory_peak_bytes", rec_get(mem, "peak_used_bytes"));
	put(row, "memory_capacity_bytes", rec_get(mem, "capacity_bytes"));
	put(row, "ps_size_bytes", rec_get(rec_get(rec, "ps"), "size_bytes"));
	put(row, "ps_size_vram_bytes", rec_get(rec_get(rec, "ps"), "size_vram_bytes"));
	put(row, "offload", rec_get(rec_get(rec, "ps"), "offload"));
	put(row, "placement", rec_get(rec, "placement"));
	put(row, "load_ms", rec_get(rec_get(rec, "load"), "load_ms"));
	put(row, "wall_ms", rec_get(rec, "wall_ms"));
	return row;
}

static cJSON *model_row(const cJSON *m, const struct cols *presets)
{
	cJSON *row = cJSON_CreateObject();
	const cJSON *c = rec_get(m, "ceiling"), *u = rec_get(c, "usable"), *crit = rec_get(m, "criteria"), *x;
	struct strbuf col = STRBUF_INIT, ev = STRBUF_INIT;
	int passed = 0, failed = 0;
	size_t i;

	put_identity(row, m);
	put(row, "complete", rec_get(m, "complete"));
	put(row, "error", rec_get(m, "error"));
	x = rec_get(m, "params_b");
	if (cJSON_IsNumber(x) && isfinite(x->valuedouble))
		put_num(row, "model_n_params", round(x->valuedouble * 1e9));
	put(row, "trained_context", rec_get(m, "trained_context"));
	put(row, "criteria_ttft_s", rec_get(crit, "ttft_s"));
	put(row, "criteria_decode_tps_min", rec_get(crit, "decode_tps_min"));
	put(row, "criteria_gpu_memory_max_pct", rec_get(crit, "gpu_memory_max_pct"));
	put(row, "loads_up_to", rec_get(c, "loads_up_to"));
	put(row, "max_probed", rec_get(c, "max_probed"));
	put(row, "first_bad", rec_get(c, "first_bad"));
	put(row, "bad_outcome", rec_get(c, "bad_outcome"));
	put(row, "placement", rec_get(c, "placement"));
	put(row, "memory", rec_get(c, "memory"));
	put(row, "usable_up_to", rec_get(u, "num_ctx"));
	put(row, "fill_ratio", rec_get(u, "fill_ratio"));
	put(row, "fill_tokens", rec_get(u, "fill_tokens"));
	put(row, "decode_tps_at_fill", rec_get(u, "decode_tps_at_fill"));
	put(row, "ttft_ms_at_fill", rec_get(u, "ttft_ms_at_fill"));
	put(row, "ttft_server_ms_at_fill", rec_get(u, "ttft_server_ms_at_fill"));
	put(row, "floor_tps", rec_get(u, "floor_tps"));
	put(row, "limited_by", rec_get(u, "limited_by"));
	put(row, "predicted", rec_get(u, "predicted"));
	put(row, "confirmed", rec_get(c, "confirmed"));
	put(row, "usable_note", rec_get(c, "usable_note"));
	if (cJSON_IsArray(rec_get(m, "trials")))
		put_num(row, "trials", cJSON_GetArraySize(rec_get(m, "trials")));

	for (i = 0; i < presets->n; i++) {
		const cJSON *p = rec_get(rec_get(m, "presets"), presets->v[i]);
		static const struct {
			const char *suffix, *key;
		} figs[] = {
			{ "decode_tps", "decode_tps" },
			{ "ttft_ms", "ttft_ms" },
			{ "memory_peak_pct", "gpu_pct" },
			{ "decode_tps_at_fill", "decode_tps_at_fill" },
			{ "ttft_ms_at_fill", "ttft_ms_at_fill" },
			{ "loads_up_to", "loads_up_to" },
		};
		size_t f;
		if (!cJSON_IsObject(p))
			continue;
		strbuf_reset(&col);
		strbuf_addf(&col, "%s_options", presets->v[i]);
		put(row, col.buf, rec_get(p, "options"));
		for (f = 0; f < ARRAY_SIZE(figs); f++) {
			strbuf_reset(&col);
			strbuf_addf(&col, "%s_%s", presets->v[i], figs[f].suffix);
			put(row, col.buf, rec_get(p, figs[f].key));
		}
		strbuf_reset(&ev);
		cJSON_ArrayForEach(x, rec_get(p, "evidence"))
			if (cJSON_IsString(x)) {
				if (ev.len)
					strbuf_addch(&ev, ' ');
				strbuf_addstr(&ev, x->valuestring);
			}
		strbuf_reset(&col);
		strbuf_addf(&col, "%s_evidence", presets->v[i]);
		if (ev.len)
			put_str(row, col.buf, ev.buf);
	}

	cJSON_ArrayForEach(x, rec_get(m, "gates")) {
		if (cJSON_IsTrue(rec_get(x, "pass")))
			passed++;
		else
			failed++;
	}
	if (cJSON_IsArray(rec_get(m, "gates"))) {
		put_num(row, "gates_passed", passed);
		put_num(row, "gates_failed", failed);
	}
	put(row, "finding", rec_get(m, "finding"));
	strbuf_release(&col);
	strbuf_release(&ev);
	return row;
}

/* ---- writing ------------------------------------------------------------------ */

static int write_table(const char *dir, const char *name, const struct cols *cols,
		       const cJSON *rows)
{
	struct strbuf sb = STRBUF_INIT;
	char path[4200];
	const cJSON *row;
	size_t i;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (i = 0; i < cols->n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		add_text(&sb, cols->v[i], strlen(cols->v[i]));
	}
	strbuf_addstr(&sb, "\r\n");
	cJSON_ArrayForEach(row, rows) {
		for (i = 0; i < cols->n; i++) {
			if (i)
				strbuf_addch(&sb, ',');
			add_cell(&sb, rec_get(row, cols->v[i]));
		}
		strbuf_addstr(&sb, "\r\n");
	}
	return report_file_write_sb(path, &sb);
}

/* Every option column of the run's trials, sorted. */
static void option_cols(const struct csv_state *st, struct cols *out)
{
	struct strbuf col = STRBUF_INIT;
	const cJSON *t, *v;
	size_t i;
	for (i = 0; i < st->n; i++)
		cJSON_ArrayForEach(t, rec_get(st->models[i], "trials")) {
			const cJSON *opts = rec_get(t, "options");
			if (!cJSON_IsObject(opts))
				opts = rec_get(trial_record(st->records, rec_str(t, "id"),
							hash_of(st->models[i])), "options");
			cJSON_ArrayForEach(v, opts) {
				if (!v->string)
					continue;
				option_col(&col, v->string);
				if (!cols_has(out, col.buf))
					cols_add(out, col.buf);
			}
		}
	strbuf_release(&col);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

/* max_ctx and fast, then any other preset of the run, sorted. */
static void preset_names(const struct csv_state *st, struct cols *out)
{
	struct cols more = { 0 };
	const cJSON *p;
	size_t i;
	cols_add_list(out, known_presets, ARRAY_SIZE(known_presets));
	for (i = 0; i < st->n; i++)
		cJSON_ArrayForEach(p, rec_get(st->models[i], "presets"))
			if (p->string && !cols_has(out, p->string) && !cols_has(&more, p->string))
				cols_add(&more, p->string);
	if (more.n)
		qsort(more.v, more.n, sizeof(*more.v), cmp_str);
	for (i = 0; i < more.n; i++)
		cols_add(out, more.v[i]);
	cols_free(&more);
}

/* models.csv's columns after any of the caller's: identity, the model's
 * figures, each preset's, the gates. */
static void model_columns(struct cols *c, const struct cols *presets)
{
	struct strbuf col = STRBUF_INIT;
	size_t i, k;
	cols_add_list(c, identity_cols, ARRAY_SIZE(identity_cols));
	cols_add_list(c, model_cols, ARRAY_SIZE(model_cols));
	for (i = 0; i < presets->n; i++)
		for (k = 0; k < ARRAY_SIZE(preset_suffixes); k++) {
			strbuf_reset(&col);
			strbuf_addf(&col, "%s_%s", presets->v[i], preset_suffixes[k]);
			cols_add(c, col.buf);
		}
	cols_add_list(c, model_tail_cols, ARRAY_SIZE(model_tail_cols));
	strbuf_release(&col);
}

static int csv_begin(const struct report_run *run, void **state)
{
	struct csv_state *st = xcalloc(1, sizeof(*st));
	if (report_folder(run, "summaries", st->dir, sizeof(st->dir))) {
		free(st);
		return -1;
	}
	st->records = run->records;
	*state = st;
	return 0;
}

static int csv_model(void *state, const cJSON *m)
{
	struct csv_state *st = state;
	if (!cJSON_IsObject(m))
		return 0;
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? 2 * st->alloc : 8;
		st->models = xrealloc(st->models, st->alloc * sizeof(*st->models));
	}
	st->models[st->n++] = m;
	return 0;
}

static int csv_end(void *state)
{
	struct csv_state *st = state;
	struct cols opts = { 0 }, presets = { 0 }, c = { 0 };
	cJSON *requests = cJSON_CreateArray(), *trials = cJSON_CreateArray();
	cJSON *models = cJSON_CreateArray();
	const cJSON *t;
	size_t i;
	int rc = 0;

	option_cols(st, &opts);
	preset_names(st, &presets);
	for (i = 0; i < st->n; i++) {
		const cJSON *m = st->models[i];
		cJSON_AddItemToArray(models, model_row(m, &presets));
		cJSON_ArrayForEach(t, rec_get(m, "trials")) {
			const cJSON *rec = trial_record(st->records,
							rec_str(t, "id"),
							hash_of(m));
			cJSON_AddItemToArray(trials, trial_row(m, t, rec));
			add_request_rows(requests, m, t, rec);
		}
	}

	cols_add_list(&c, identity_cols, ARRAY_SIZE(identity_cols));
	cols_add_list(&c, trial_key_cols, ARRAY_SIZE(trial_key_cols));
	for (i = 0; i < opts.n; i++)
		cols_add(&c, opts.v[i]);
	cols_add_list(&c, request_cols, ARRAY_SIZE(request_cols));
	rc |= write_table(st->dir, "requests.csv", &c, requests);
	cols_free(&c);

	cols_add_list(&c, identity_cols, ARRAY_SIZE(identity_cols));
	cols_add_list(&c, trial_key_cols, ARRAY_SIZE(trial_key_cols));
	for (i = 0; i < opts.n; i++)
		cols_add(&c, opts.v[i]);
	cols_add_list(&c, trial_cols, ARRAY_SIZE(trial_cols));
	rc |= write_table(st->dir, "trials.csv", &c, trials);
	cols_free(&c);

	model_columns(&c, &presets);
	rc |= write_table(st->dir, "models.csv", &c, models);
	cols_free(&c);

	cols_free(&opts);
	cols_free(&presets);
	cJSON_Delete(requests);
	cJSON_Delete(trials);
	cJSON_Delete(models);
	return rc ? -1 : 0;
}

static void csv_release(void *state)
{
	struct csv_state *st = state;
	free(st->models);
	free(st);
}

const struct report_writer report_writer_csv = {
	.name = "csv",
	.begin = csv_begin,
	.model = csv_model,
	.end = csv_end,
	.release = csv_release,
};

/* ---- models.csv's rows for another report (report_internal.h: o3 merge) ------ */

int report_csv_models(const char *dir, const char *name, const char *const *lead, size_t n_lead,
		      const cJSON *leads, const cJSON *const *models, size_t n)
{
	struct csv_state st = { .models = (const cJSON **)models, .n = n };
	struct cols presets = { 0 }, c = { 0 };
	cJSON *rows = cJSON_CreateArray();
	const cJSON *v;
	size_t i;
	int rc;
	preset_names(&st, &presets);
	for (i = 0; i < n; i++) {
		cJSON *row = models[i] ? model_row(models[i], &presets) : cJSON_CreateObject();
		/* the caller's values first: they replace the summary's */
		cJSON_ArrayForEach(v, cJSON_GetArrayItem(leads, (int)i))
			if (v->string) {
				cJSON_DeleteItemFromObjectCaseSensitive(row, v->string);
				cJSON_AddItemToObject(row, v->string, cJSON_Duplicate(v, 1));
			}
		cJSON_AddItemToArray(rows, row);
	}
	cols_add_list(&c, lead, n_lead);
	model_columns(&c, &presets);
	rc = write_table(dir, name, &c, rows);
	cols_free(&c);
	cols_free(&presets);
	cJSON_Delete(rows);
	return rc ? -1 : 0;
}
