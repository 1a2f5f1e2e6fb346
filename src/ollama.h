/* SPDX-License-Identifier: MIT */
#ifndef O3_OLLAMA_H
#define O3_OLLAMA_H
/*
 * The Ollama API client (libcurl + cJSON).
 *
 * Files: ollama_host.c (OLLAMA_HOST), ollama_http.c (transport, timeouts),
 * ollama_ndjson.c (stream assembly), ollama_error.c (classification),
 * ollama_options.c (option checking), ollama_api.c (the endpoints),
 * ollama_generate.c (/api/generate), ollama_multi.c (N of them at once).
 *
 * Conventions: functions return 0 on success and -1 on failure, filling the
 * struct ollama_error they are given. Sizes are bytes, durations are
 * nanoseconds, a value the server did not send is -1 (never 0).
 */
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* ---- process -------------------------------------------------------------- */

/*
 * Once per process, from any thread (the others wait): ignore SIGPIPE and
 * initialise libcurl. 0, or -1 when libcurl cannot be initialised.
 * ollama_client_new calls it; everything else in o3 that uses libcurl calls
 * it before its first handle. No other code calls curl_global_init.
 */
int ollama_global_init(void);

/* ---- errors ------------------------------------------------------------ */

/* The closed set of failure classes. Every failure lands in exactly one. */
enum ollama_err_class {
	OLLAMA_OK = 0,
	OLLAMA_ERR_UNREACHABLE,     /* connect refused, DNS, no route */
	OLLAMA_ERR_NOT_FOUND,       /* model not pulled, 404 */
	OLLAMA_ERR_BAD_REQUEST,     /* 400: the request was wrong */
	OLLAMA_ERR_INVALID_OPTION,  /* option refused (by o3 before sending, or by the server) */
	OLLAMA_ERR_OOM,             /* out of memory while loading or running */
	OLLAMA_ERR_RUNNER_CRASH,    /* runner / llama-server terminated */
	OLLAMA_ERR_LOAD_TIMEOUT,    /* timed out waiting for the runner to start */
	OLLAMA_ERR_BUSY,            /* 503 / 429: queue full, overloaded */
	OLLAMA_ERR_CLIENT_TIMEOUT,  /* o3's own connect/first-byte/stall/total timeout */
	OLLAMA_ERR_PROTOCOL,        /* malformed or truncated response */
	OLLAMA_ERR_MIDSTREAM_ERROR, /* {"error":...} line after chunks on a 200 */
	/* set by o3 itself, never by the client: */
	OLLAMA_ERR_REFUSED,         /* o3 refused to load (memory at the user's hard limit) */
	OLLAMA_ERR_HARNESS_CRASH,   /* the step's process died without a record */
	OLLAMA_ERR_INTERRUPTED,     /* the run was stopped during the step */
	OLLAMA_ERR__COUNT
};

#define OLLAMA_ERRMSG_MAX 1024

struct ollama_error {
	enum ollama_err_class cls;
	long http_status;                /* 0 when no HTTP response arrived */
	char message[OLLAMA_ERRMSG_MAX]; /* the server's own text, or curl's */
};

/* "unreachable", "not_found", ... (the names used in records). */
const char *ollama_err_class_name(enum ollama_err_class cls);
/* Inverse of the above; -1 when unknown. */
int ollama_err_class_from_name(const char *name);

/*
 * Classify a server error from its HTTP status (0 for an {"error"} line in a
 * 200 stream) and message. Pure function; knows the texts of both eras
 * ("llama runner ..." up to v0.24, "llama-server ..." from v0.30).
 * midstream: 1 when the error came as an NDJSON line after content chunks.
 */
enum ollama_err_class ollama_classify(long http_status, const char *message, int midstream);

void ollama_error_clear(struct ollama_error *err);
void ollama_error_set(struct ollama_error *err, enum ollama_err_class cls,
		      long http_status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- host -------------------------------------------------------------- */

struct ollama_host {
	char scheme[8];   /* "http" or "https" */
	char host[256];   /* no brackets for IPv6 */
	int port;
	char base_url[300]; /* "http://127.0.0.1:11434" (IPv6 bracketed) */
};

/*
 * Parse a value of OLLAMA_HOST exactly as Ollama does: NULL or "" gives
 * 127.0.0.1:11434; a bare host gets port 11434; "http://h" gets 80 and
 * "https://h" 443; ":8080" means 127.0.0.1:8080; a path is ignored.
 * Returns 0, or -1 with a message in err ("invalid OLLAMA_HOST 'x': ...").
 */
int ollama_host_parse(const char *value, struct ollama_host *out, char *err, size_t errlen);

/* ---- client ------------------------------------------------------------ */

struct ollama_timeouts {
	long connect_ms;    /* TCP/TLS connect; default 5000 */
	long first_byte_ms; /* request sent -> first response byte; default 600000 (loads are slow) */
	long stall_ms;      /* no bytes received for this long mid-response; default 120000 */
	long total_ms;      /* whole request; 0 = no limit (default) */
};
void ollama_timeouts_default(struct ollama_timeouts *t);

struct ollama_client;

struct ollama_client *ollama_client_new(const struct ollama_host *host,
					const struct ollama_timeouts *timeouts);
void ollama_client_free(struct ollama_client *c);
const char *ollama_client_base_url(const struct ollama_client *c);
/* Cap on one response body / one NDJSON line, default 16 MiB. */
void ollama_client_set_max_body(struct ollama_client *c, size_t bytes);

/* ---- endpoints --------------------------------------------------------- */

/* GET / and /api/version. version receives e.g. "0.33.0". It also notes
 * whether the server is o3's simulator (ollama_client_simulator). */
int ollama_version(struct ollama_client *c, char *version, size_t len, struct ollama_error *err);

/*
 * The X-O3-Simulator header of the last /api/version answer ("o3-sim;
 * profile=strix-halo-64g"), or "" when the server did not send it: a real
 * Ollama never does, so results measured where it is set are simulated.
 */
#define OLLAMA_SIMULATOR_HEADER "X-O3-Simulator"
const char *ollama_client_simulator(const struct ollama_client *c);

/* The names are whole, however long: they live in the block of the array,
 * freed with it (one free()). */
struct ollama_tag {
	const char *name;
	char digest[80];
	long long size_bytes;
	char family[64];
	char parameter_size[32];
	char quantization_level[32];
	char modified_at[64];
};
/* GET /api/tags. *tags is malloced (free()). */
int ollama_tags(struct ollama_client *c, struct ollama_tag **tags, size_t *n, struct ollama_error *err);

struct ollama_show {
	char architecture[64];       /* general.architecture */
	long long context_length;    /* <arch>.context_length (trained) */
	long block_count;
	long embedding_length;
	long head_count;
	long head_count_kv;          /* max over layers when the GGUF holds an array */
	long kv_layers;              /* layers with head_count_kv > 0 (all when scalar) */
	long key_length;             /* -1 when absent */
	long value_length;
	long sliding_window;         /* -1 when absent */
	long long parameter_count;   /* general.parameter_count */
	char parameter_size[32];     /* details.parameter_size, "30.5B" */
	char quantization_level[32]; /* details.quantization_level, "Q4_K_M" */
	char family[64];
	unsigned capabilities;       /* OLLAMA_CAP_* */
	long num_ctx_param;          /* PARAMETER num_ctx from the Modelfile, -1 if none */
};
#define OLLAMA_CAP_COMPLETION 0x1u
#define OLLAMA_CAP_TOOLS      0x2u
#define OLLAMA_CAP_INSERT     0x4u
#define OLLAMA_CAP_VISION     0x8u
#define OLLAMA_CAP_EMBEDDING  0x10u
#define OLLAMA_CAP_THINKING   0x20u

/* POST /api/show. */
int ollama_show(struct ollama_client *c, const char *model, struct ollama_show *out,
		struct ollama_error *err);
/* Parse a /api/show body (exposed for tests and fuzzing). */
int ollama_show_parse(const char *body, size_t len, struct ollama_show *out, struct ollama_error *err);

struct ollama_ps_entry {
	const char *name;  /* whole, in the block of the array (see ollama_tag) */
	const char *model;
	char digest[80];
	long long size_bytes;
	long long size_vram_bytes;
	long long context_length;  /* -1 before v0.10.0 */
	char expires_at[64];
};
/* GET /api/ps. *entries is malloced (free()). */
int ollama_ps(struct ollama_client *c, struct ollama_ps_entry **entries, size_t *n,
	      struct ollama_error *err);
int ollama_ps_parse(const char *body, size_t len, struct ollama_ps_entry **entries, size_t *n,
		    struct ollama_error *err);

/* ---- options ----------------------------------------------------------- */

enum ollama_knob_kind { OLLAMA_KNOB_REQUEST, OLLAMA_KNOB_LOAD };
enum ollama_option_type { OLLAMA_OPT_INT, OLLAMA_OPT_FLOAT, OLLAMA_OPT_BOOL, OLLAMA_OPT_STRINGS };

/* A bound that is none: min -OLLAMA_OPT_NO_BOUND, max OLLAMA_OPT_NO_BOUND. */
#define OLLAMA_OPT_NO_BOUND 1e300

/* One of Ollama's current options (HEAD api/types.go Options and Runner). */
struct ollama_option {
	const char *name;
	enum ollama_option_type type;
	enum ollama_knob_kind kind; /* LOAD: a change reloads the model */
	double min, max;            /* numbers: the values that make sense (else no bound) */
};

/*
 * The one table of the current options, *n entries: what o3 checks before
 * sending (ollama_option_add) and the knobs a suite may sweep (suite_knobs.c).
 */
const struct ollama_option *ollama_options(size_t *n);
/* The option called name, or NULL when name is not a current option. */
const struct ollama_option *ollama_option_find(const char *name);
/* The Ollama version that removed option name ("v0.7.0"), or NULL when it
 * was never removed (a current option, or a name Ollama never had). */
const char *ollama_option_removed_in(const char *name);

/*
 * Check one option before it is sent and add it to opts (a cJSON object).
 * value is text as the user wrote it ("8192", "0.7", "true", "a,b" for stop).
 * Returns 0 when added as is; 1 when added under another name (the old
 * spelling "batch" becomes "num_batch"), with the explanation in msg;
 * -1 when refused (unknown name, option removed from Ollama such as f16_kv,
 * wrong type), with the reason and a suggestion in msg. Nothing the server
 * would silently ignore is ever added.
 */
int ollama_option_add(cJSON *opts, const char *name, const char *value, char *msg, size_t msglen);
/* Same check for a value already in JSON form. */
int ollama_option_add_json(cJSON *opts, const char *name, const cJSON *value, char *msg,
			   size_t msglen);
/* -1 when name is not a current option. */
int ollama_option_kind(const char *name);

/* 1 when s is a keep_alive Ollama accepts: whole seconds ("300", "-1", "0")
 * or a Go duration ("5m", "1h30m", "-1m", "0.5s"); 0 otherwise. */
int ollama_keep_alive_valid(const char *s);

/* ---- generate ---------------------------------------------------------- */

struct ollama_gen_request {
	const char *model;
	const char *prompt;     /* "" for a load request */
	const char *system;     /* NULL = omit */
	const cJSON *options;   /* NULL = omit; not owned */
	int stream;             /* 1 = NDJSON streaming */
	const char *keep_alive; /* NULL = omit; Go duration ("5m", "0", "-1") */
	int think;              /* -1 = omit, 0 = false, 1 = true */
	int raw;                /* 1 = send "raw":true */
};

struct ollama_gen_result {
	/* client-side times, clock_now_ns() */
	uint64_t t_sent_ns;          /* just before the request went out */
	uint64_t t_first_byte_ns;    /* first response byte; 0 if none */
	uint64_t t_first_content_ns; /* first chunk with non-empty response or thinking; 0 if none */
	uint64_t t_last_content_ns;
	uint64_t t_done_ns;          /* final chunk (done:true) or end of body */
	uint64_t *chunk_ns;          /* arrival time of each content chunk; malloced */
	size_t n_chunks;
	size_t n_lines;              /* NDJSON lines parsed */
	char *response;              /* concatenated response text; malloced, capped */
	char *thinking;              /* concatenated thinking text; malloced, may be "" */
	int done;                    /* a final chunk with done:true arrived */
	char done_reason[32];        /* "stop", "length", "load", "unload", "" */
	/* server metrics from the final chunk; -1 when absent */
	long long total_duration_ns;
	long long load_duration_ns;
	long long prompt_eval_count;
	long long prompt_eval_duration_ns;
	long long eval_count;
	long long eval_duration_ns;
};

void ollama_gen_result_init(struct ollama_gen_result *r);
void ollama_gen_result_release(struct ollama_gen_result *r);

/* POST /api/generate, streaming or not. The result is filled as far as it
 * got even on failure. */
int ollama_generate(struct ollama_client *c, const struct ollama_gen_request *req,
		    struct ollama_gen_result *res, struct ollama_error *err);

/* Load a model with options (empty prompt); res gets load_duration etc. */
int ollama_load(struct ollama_client *c, const char *model, const cJSON *options,
		const char *keep_alive, struct ollama_gen_result *res, struct ollama_error *err);
/* Unload a model (empty prompt, keep_alive 0). */
int ollama_unload(struct ollama_client *c, const char *model, struct ollama_error *err);

/* ---- N generate transfers at once ---------------------------------------- */

/*
 * ollama_multi: N POST /api/generate transfers in flight at once, driven by
 * ONE libcurl multi handle in the calling thread, one easy handle (one
 * connection) per slot. Each transfer is ollama_generate's own: the same
 * request builder (headers, body), the same parser into the same struct
 * ollama_gen_result, the same timeouts of the client (connect, first-byte,
 * stall, total; each transfer on its own clock) and the same classification
 * of failures. A transfer that fails or times out ends alone; the others go
 * on.
 *
 *	m = ollama_multi_new(client, n);
 *	for (i = 0; i < n; i++)
 *		ollama_multi_start(m, i, &req[i], &res[i], &err[i]);
 *	ollama_multi_run(m, done, ud);   // done() may start the slot's next
 *	ollama_multi_free(m);
 */
struct ollama_multi;

/*
 * A transfer ended: slot is where it ran; rc is what ollama_generate would
 * have returned (0, or -1 with the err given to ollama_multi_start filled);
 * the res given there is complete. The slot is idle again: done may start
 * the next request on it (or on any idle slot).
 */
typedef void (*ollama_multi_done_fn)(struct ollama_multi *m, int slot, int rc, void *ud);

/* slots >= 1 transfers at once, with c's host and timeouts (c must outlive
 * it). NULL when libcurl cannot make the handles. Free it outside
 * ollama_multi_run; a transfer started and never run is dropped. */
struct ollama_multi *ollama_multi_new(struct ollama_client *c, int slots);
void ollama_multi_free(struct ollama_multi *m);
int ollama_multi_slots(const struct ollama_multi *m);
/* 1 while a transfer is in flight on slot. */
int ollama_multi_busy(const struct ollama_multi *m, int slot);

/*
 * Start req on an idle slot (req is read at once; res and err, which
 * receive the outcome, must live until done is called for it). Returns 0,
 * or -1 with err filled when it could not start (a busy or unknown slot,
 * libcurl refused): then res is final and done will not be called for it.
 */
int ollama_multi_start(struct ollama_multi *m, int slot, const struct ollama_gen_request *req,
		       struct ollama_gen_result *res, struct ollama_error *err);

/*
 * Drive every transfer in flight until none is left, calling done (may be
 * NULL) as each ends. Returns 0, or -1 when libcurl itself failed (every
 * transfer then in flight ended with a protocol error, and got its done).
 */
int ollama_multi_run(struct ollama_multi *m, ollama_multi_done_fn done, void *ud);

/* ---- NDJSON assembly (exposed for tests and fuzzing) --------------------- */

struct ollama_ndjson;
typedef int (*ollama_line_fn)(const char *line, size_t len, void *data);
/* Lines longer than max_line are a protocol error. */
struct ollama_ndjson *ollama_ndjson_new(size_t max_line, ollama_line_fn fn, void *data);
void ollama_ndjson_free(struct ollama_ndjson *nd);
/* Feed bytes cut at any boundary; calls fn for each complete line (without
 * the newline, CR stripped, blank lines skipped). Returns -1 when fn failed or
 * a line was too long. */
int ollama_ndjson_feed(struct ollama_ndjson *nd, const char *data, size_t len);
/* End of stream: a pending partial line is handed to fn (returns 1 to tell
 * the caller the stream ended without a final newline), 0 when none. */
int ollama_ndjson_finish(struct ollama_ndjson *nd);

#endif
