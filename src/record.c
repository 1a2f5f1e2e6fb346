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

/*
 * A log whose last line was cut short (a run killed mid-write): the
 * fragment is set aside in <path>.fragments with a note, and the log is cut
 * back to its last whole line, so that the next record starts a line of its
 * own instead of being glued to the fragment (and lost). 0, or -1 (errno).
 */
static int set_aside_fragment(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t end, pos;
	char buf[4096];
	int rc = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) || st.st_size == 0) {
		close(fd);
		return 0;
	}
	end = st.st_size;
	if (pread(fd, buf, 1, end - 1) != 1 || buf[0] == '\n') {
		close(fd);
		return 0;
	}
	/* the start of the fragment: after the last newline */
	for (pos = end; pos > 0;) {
		off_t from = pos > (off_t)sizeof(buf) ? pos - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(pos - from), from), i;
		if (n <= 0)
			break;
		for (i = n - 1; i >= 0 && buf[i] != '\n'; i--)
			;
		if (i >= 0) {
			pos = from + i + 1;
			break;
		}
		pos = from;
	}
	{
		struct strbuf aside = STRBUF_INIT;
		char when[40];
		FILE *fp;
		off_t at;
		clock_utc_rfc3339(when, sizeof(when));
		strbuf_addf(&aside, "%s.fragments", path);
		fp = fopen(aside.buf, "a");
		if (!fp) {
			rc = -1;
		} else {
			fprintf(fp, "# %s: the unfinished last line of %s (bytes %lld to %lld), set aside\n",
				when, path, (long long)pos, (long long)end);
			for (at = pos; at < end;) {
				ssize_t n = pread(fd, buf, (size_t)(end - at < (off_t)sizeof(buf) ? end - at :
								   (off_t)sizeof(buf)), at);
				if (n <= 0)
					break;
				fwrite(buf, 1, (size_t)n, fp);
				at += n;
			}
			fputc('\n', fp);
			if (fclose(fp) || truncate(path, pos))
				rc = -1;
			else
				warning("%s: its last line was cut short (a run stopped mid-write): set aside in "
					"%s; the log goes on from its last whole line", path, aside.buf);
		}
		strbuf_release(&aside);
	}
	close(fd);
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
	if (set_aside_fragment(path)) {
		snprintf(err, errlen, "cannot set aside the unfinished last line of '%s': %s", path,
			 strerror(errno));
		return -1;
	}
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
	char *line;
	int rc = 0;
	if (o3_json_utf8_valid(record)) {
		line = cJSON_PrintUnformatted(record);
	} else {
		/* a model name or a server's message with invalid UTF-8: the log
		 * stays valid JSON (each bad byte becomes U+FFFD) */
		cJSON *copy = cJSON_Duplicate(record, 1);
		o3_json_utf8_clean(copy);
		line = copy ? cJSON_PrintUnformatted(copy) : NULL;
		cJSON_Delete(copy);
	}
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
	char why[300];

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
		if (record_version_check(obj, why, sizeof(why))) {
			/* a newer o3's log: refuse it whole rather than misread it */
			snprintf(err, errlen, "%s:%ld: %s", path, lineno, why);
			cJSON_Delete(obj);
			cJSON_Delete(all);
			free(line);
			fclose(fp);
			return NULL;
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

void record_fail(cJSON *rec, enum ollama_err_class cls, const char *stage, long http_status,
		 const char *message)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(rec, RK_ERROR);
	cJSON_DeleteItemFromObjectCaseSensitive(rec, RK_STATUS);
	cJSON_AddStringToObject(rec, RK_STATUS, "error");
	cJSON_AddStringToObject(e, "class", ollama_err_class_name(cls));
	if (stage)
		cJSON_AddStringToObject(e, "stage", stage);
	if (http_status)
		cJSON_AddNumberToObject(e, "http_status", (double)http_status);
	cJSON_AddStringToObject(e, "message", message ? message : "");
	cJSON_AddItemToObject(rec, RK_ERROR, e);
}

void record_set_error(cJSON *rec, const struct ollama_error *err, const char *stage)
{
	record_fail(rec, err->cls, stage, err->http_status, err->message);
}

const cJSON *rec_get(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *rec_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(rec_get(o, key));
}

const char *rec_str_or(const cJSON *o, const char *key, const char *dflt)
{
	const char *v = rec_str(o, key);
	return v ? v : dflt;
}

int rec_num(const cJSON *o, const char *key, double *v)
{
	const cJSON *x = rec_get(o, key);
	if (!cJSON_IsNumber(x))
		return 0;
	*v = x->valuedouble;
	return 1;
}

int rec_is_ok(const cJSON *rec)
{
	const char *s = rec_str(rec, RK_STATUS);
	return s && !strcmp(s, "ok");
}

int rec_is_phase(const cJSON *rec, const char *phase)
{
	const char *s = rec_str(rec, RK_PHASE);
	return s && !strcmp(s, phase);
}

enum ollama_err_class rec_error_class(const cJSON *rec)
{
	const char *name = rec_str(rec_get(rec, RK_ERROR), "class");
	int c;
	if (!name)
		return OLLAMA_OK;
	c = ollama_err_class_from_name(name);
	return c < 0 ? OLLAMA_ERR__COUNT : (enum ollama_err_class)c;
}

const char *rec_error_message(const cJSON *rec)
{
	const char *m = rec_str(rec_get(rec, RK_ERROR), "message");
	return m ? m : "";
}

double rec_option(const cJSON *rec, const char *name, double dflt)
{
	double v;
	return rec_num(rec_get(rec, RK_OPTIONS), name, &v) ? v : dflt;
}

int record_version_check(const cJSON *rec, char *msg, size_t msglen)
{
	double v = 1;
	const char *schema = rec_str(rec, RK_SCHEMA);
	if (schema && strcmp(schema, RECORD_SCHEMA)) {
		snprintf(msg, msglen, "a record of schema '%s', not '%s'", schema, RECORD_SCHEMA);
		return -1;
	}
	rec_num(rec, RK_SCHEMA_VERSION, &v);
	if (v < 1 || v > RECORD_SCHEMA_VERSION || v != (double)(long)v) {
		snprintf(msg, msglen, "a record of schema version %g, which this o3 (%s) cannot read: it "
			 "reads versions 1 to %d; a newer o3 wrote it", v, O3_VERSION,
			 RECORD_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}
