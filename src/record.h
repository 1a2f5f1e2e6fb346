/* SPDX-License-Identifier: MIT */
#ifndef O3_RECORD_H
#define O3_RECORD_H
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ollama.h"

/*
 * Trial records: one JSON object per line (JSONL), appended and flushed to
 * disk (fflush + fsync) as each is made, so nothing measured is lost when a
 * run dies. The schema is documented in README.md ("Records").
 */
#define RECORD_SCHEMA "o3.trial"
/* 2: identity-keyed steps (phases identity, model-facts, model-end, run;
 * depth points; placement). Version 1 logs are read. */
#define RECORD_SCHEMA_VERSION 2

/* ---- key names --------------------------------------------------------- */
#define RK_SCHEMA "schema"
#define RK_SCHEMA_VERSION "schema_version"
#define RK_ID "id"
#define RK_TIME "time_utc"
#define RK_MODEL "model"
#define RK_PHASE "phase"
#define RK_STATUS "status"
#define RK_ERROR "error"
#define RK_KEY "key"
#define RK_OPTIONS "options"
#define RK_OUTCOME "outcome"
#define RK_PLACEMENT "placement"

/* ---- phases ------------------------------------------------------------ */
#define RP_RUN "run"                 /* a run's start: the suite it ran, o3's version */
#define RP_FACTS "model-facts"       /* /api/show and /api/version of a model */
#define RP_IDENTITY "identity"       /* the identity a model's steps are keyed by */
#define RP_PROBE "ceiling-probe"     /* a load-only probe */
#define RP_DEPTH "depth"             /* decode at one filled depth */
#define RP_FILL "fill-confirm"       /* a filled context with a needle */
#define RP_TRIAL "trial"
#define RP_STABILITY "stability"
#define RP_MODEL_END "model-end"     /* the steps a model's search used, in order */

struct record_log {
	char *path; /* malloced */
	FILE *fp;
	int fd;
};

/* Create the folders of path as needed and open it for appending.
 * Returns 0, or -1 with a message in err. */
int record_log_open(struct record_log *log, const char *path, char *err, size_t errlen);
/* Append one record as one line and make it durable. 0 or -1 (errno set). */
int record_log_append(struct record_log *log, const cJSON *record);
void record_log_close(struct record_log *log);

/*
 * Read every record of a log. Lines that are not JSON objects (a line cut
 * short by a crash) are skipped with a warning naming file and line.
 * Returns a cJSON array (caller deletes), or NULL when the file cannot be read.
 */
cJSON *record_log_read(const char *path, char *err, size_t errlen);

/* A new record: schema, schema_version, id, time_utc, model, phase and
 * status "ok". Caller deletes. */
cJSON *record_begin(const char *model, const char *phase);

/* Mark rec as failed: status "error" and error {class, stage (when not
 * NULL), http_status (when known), message (the server's own text)}. */
void record_set_error(cJSON *rec, const struct ollama_error *err, const char *stage);

/* Mark rec as failed with a class of o3's own or the client's: the one
 * failure builder (record_set_error is this with a client error). */
void record_fail(cJSON *rec, enum ollama_err_class cls, const char *stage, long http_status,
		 const char *message);

/*
 * Readers of one record: typed access, NULL or 0 when absent or of another
 * type. rec_error_class is OLLAMA_OK for a record without an error, and
 * OLLAMA_ERR__COUNT for a class this o3 does not know.
 */
const cJSON *rec_get(const cJSON *o, const char *key);
const char *rec_str(const cJSON *o, const char *key);
/* rec_str, or dflt where the key is absent or not a string */
const char *rec_str_or(const cJSON *o, const char *key, const char *dflt);
int rec_num(const cJSON *o, const char *key, double *v);
int rec_is_ok(const cJSON *rec);
int rec_is_phase(const cJSON *rec, const char *phase);
enum ollama_err_class rec_error_class(const cJSON *rec);
const char *rec_error_message(const cJSON *rec);
/* options.<name> as a number, or dflt */
double rec_option(const cJSON *rec, const char *name, double dflt);

/* 0 when this o3 reads rec's schema version (1 to RECORD_SCHEMA_VERSION);
 * else -1 and why in msg. */
int record_version_check(const cJSON *rec, char *msg, size_t msglen);

/* A new trial id: "<UTC time>-<model slug>-<random>" (unique, sortable). */
void record_new_id(const char *model, char *out, size_t outlen);

/* mkdir -p. 0 or -1 (errno set). */
int record_mkdirs(const char *path, int mode);

#endif
