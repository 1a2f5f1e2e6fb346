/* SPDX-License-Identifier: MIT */
#ifndef O3_RECORD_H
#define O3_RECORD_H
#include <stdio.h>

#include <cjson/cJSON.h>

/*
 * Trial records: one JSON object per line (JSONL), appended and flushed to
 * disk (fflush + fsync) as each is made, so nothing measured is lost when a
 * run dies. The schema is documented in README.md ("Records").
 */
#define RECORD_SCHEMA "o3.trial"
#define RECORD_SCHEMA_VERSION 1

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

struct ollama_error;
/* Mark rec as failed: status "error" and error {class, stage (when not
 * NULL), http_status (when known), message (the server's own text)}. */
void record_set_error(cJSON *rec, const struct ollama_error *err, const char *stage);

/* A new trial id: "<UTC time>-<model slug>-<random>" (unique, sortable). */
void record_new_id(const char *model, char *out, size_t outlen);

/* mkdir -p. 0 or -1 (errno set). */
int record_mkdirs(const char *path, int mode);

#endif
