// SPDX-License-Identifier: MIT
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "msg.h"
#include "ollama.h"
#include "prompt.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

int record_mkdirs(const char *path, int mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) && errno != EEXIST)
			rc = -1;
		*s = '/';
		if (rc)
			break;
	}
	if (!rc && mkdir(p, (mode_t)mode) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int record_log_open(struct record_log *log, const char *path, char *err, size_t errlen)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	memset(log, 0, sizeof(*log));
	log->fd = -1;
	if (slash && slash != dir) {
		*slash = '\0';
		if (record_mkdirs(dir, 0777)) {
			snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
	}
	free(dir);
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (log->fd < 0) {
		snprintf(err, errlen, "cannot open '%s' for appending: %s", path, strerror(errno));
		return -1;
	}
	log->fp = fdopen(log->fd, "a");
	if (!log->fp) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		close(log->fd);
		log->fd = -1;
		return -1;
	}
	log->path = xstrdup(path);
	return 0;
}

int record_log_append(struct record_log *log, const cJSON *record)
{
	char *line = cJSON_PrintUnformatted(record);
	int rc = 0;
	if (!line) {
		errno = ENOMEM;
		return -1;
	}
	if (fputs(line, log->fp) == EOF || fputc('\n', log->fp) == EOF)
		rc = -1;
	if (fflush(log->fp))
		rc = -1;
	if (!rc && fsync(log->fd))
		rc = -1;
	cJSON_free(line);
	return rc;
}

void record_log_close(struct record_log *log)
{
	if (log->fp)
		fclose(log->fp);
	free(log->path);
	memset(log, 0, sizeof(*log));
	log->fd = -1;
}

cJSON *record_log_read(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	cJSON *all;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	if (!fp) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	all = cJSON_CreateArray();
	while ((n = getline(&line, &cap, fp)) >= 0) {
		cJSON *obj;
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		obj = cJSON_ParseWithLength(line, (size_t)n);
		if (!cJSON_IsObject(obj)) {
			warning("%s:%ld: skipping a line that is not a JSON object (cut short by a crash?)",
				path, lineno);
			cJSON_Delete(obj);
			continue;
		}
		cJSON_AddItemToArray(all, obj);
	}
	free(line);
	fclose(fp);
	return all;
}

void record_new_id(const char *model, char *out, size_t outlen)
{
	char slug[96], stamp[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	o3_model_slug(model, slug, sizeof(slug));
	snprintf(out, outlen, "%s.%03ldZ-%s-%06" PRIx64, stamp, ts.tv_nsec / 1000000L, slug,
		 prompt_nonce() & 0xffffffu);
}

cJSON *record_begin(const char *model, const char *phase)
{
	cJSON *rec = cJSON_CreateObject();
	char id[160], when[40];
	record_new_id(model, id, sizeof(id));
	clock_utc_rfc3339(when, sizeof(when));
	cJSON_AddStringToObject(rec, "schema", RECORD_SCHEMA);
	cJSON_AddNumberToObject(rec, "schema_version", RECORD_SCHEMA_VERSION);
	cJSON_AddStringToObject(rec, "id", id);
	cJSON_AddStringToObject(rec, "time_utc", when);
	cJSON_AddStringToObject(rec, "model", model);
	cJSON_AddStringToObject(rec, "phase", phase);
	cJSON_AddStringToObject(rec, "status", "ok");
	return rec;
}

void record_set_error(cJSON *rec, const struct ollama_error *err, const char *stage)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "error");
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "status", cJSON_CreateString("error"));
	cJSON_AddStringToObject(e, "class", ollama_err_class_name(err->cls));
	if (stage)
		cJSON_AddStringToObject(e, "stage", stage);
	if (err->http_status)
		cJSON_AddNumberToObject(e, "http_status", (double)err->http_status);
	cJSON_AddStringToObject(e, "message", err->message);
	cJSON_AddItemToObject(rec, "error", e);
}
