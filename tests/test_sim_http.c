// SPDX-License-Identifier: MIT
#include "test_sim_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sim_process.h"

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	struct http_reply *r = cls;
	char *nb = realloc(r->body, r->len + size * n + 1);
	if (!nb)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

/* Keep X-O3-Simulator's value (header names are case-insensitive). */
static size_t on_header(char *p, size_t size, size_t n, void *cls)
{
	struct http_reply *r = cls;
	size_t len = size * n, name = sizeof("X-O3-Simulator:") - 1;
	if (len > name && !strncasecmp(p, "X-O3-Simulator:", name)) {
		const char *v = p + name;
		size_t vlen = len - name;
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		snprintf(r->sim_header, sizeof(r->sim_header), "%.*s", (int)vlen, v);
		r->sim_headers++;
	}
	return len;
}

int http_do(const char *host, const char *method, const char *path, const char *json,
	    double timeout_s, struct http_reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512];
	char *ct = NULL;

	memset(r, 0, sizeof(*r));
	r->body = calloc(1, 1);
	snprintf(url, sizeof(url), "http://%s%s", host, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)((timeout_s > 0 ? timeout_s : 60) * 1000));
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (json) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	}
	r->curl_rc = (int)curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->total_s);
	curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME, &r->first_byte_s);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r->curl_rc;
}

void http_reply_release(struct http_reply *r)
{
	free(r->body);
	r->body = NULL;
}

cJSON *http_post_json(const char *host, const char *path, cJSON *req, long *status)
{
	char *text = cJSON_PrintUnformatted(req);
	struct http_reply r;
	cJSON *doc;
	http_do(host, "POST", path, text, 0, &r);
	cJSON_free(text);
	cJSON_Delete(req);
	doc = cJSON_Parse(r.body);
	if (status)
		*status = r.status;
	http_reply_release(&r);
	return doc;
}

cJSON *http_get_json(const char *host, const char *path, long *status)
{
	struct http_reply r;
	cJSON *doc;
	http_do(host, "GET", path, NULL, 0, &r);
	doc = cJSON_Parse(r.body);
	if (status)
		*status = r.status;
	http_reply_release(&r);
	return doc;
}

size_t ndjson_parse(const char *body, cJSON ***lines)
{
	size_t n = 0;
	const char *p = body;
	*lines = NULL;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cJSON **nv = realloc(*lines, (n + 1) * sizeof(**lines));
		if (!nv)
			break;
		*lines = nv;
		(*lines)[n++] = cJSON_ParseWithLength(p, len);
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

void ndjson_free(cJSON **lines, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		cJSON_Delete(lines[i]);
	free(lines);
}

cJSON *truth_model(const char *model, const char *const *args, const char *const *env)
{
	const char *a[48];
	size_t n = 0;
	cJSON *t, *m, *copy = NULL;
	a[n++] = "--model";
	a[n++] = model;
	for (; args && *args && n < 46; args++)
		a[n++] = *args;
	a[n] = NULL;
	t = sim_truth(a, env);
	if (!t)
		return NULL;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(t, "models"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")), model))
			copy = cJSON_Duplicate(m, 1);
	cJSON_Delete(t);
	return copy;
}

double json_num(const cJSON *o, ...)
{
	va_list ap;
	const char *k;
	va_start(ap, o);
	while (o && (k = va_arg(ap, const char *)))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	va_end(ap);
	return cJSON_IsNumber(o) ? o->valuedouble : -1;
}

void sim_binary_from_args(int argc, char **argv)
{
	if (argc > 1)
		setenv("O3_SIM", argv[1], 1);
}

char *sim_gen_body(const char *model, const char *prompt, int stream, long num_predict)
{
	cJSON *r = cJSON_CreateObject(), *o;
	char *t;
	cJSON_AddStringToObject(r, "model", model);
	cJSON_AddStringToObject(r, "prompt", prompt);
	cJSON_AddBoolToObject(r, "stream", stream);
	o = cJSON_AddObjectToObject(r, "options");
	cJSON_AddNumberToObject(o, "num_ctx", 4096);
	if (num_predict >= 0)
		cJSON_AddNumberToObject(o, "num_predict", (double)num_predict);
	t = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return t;
}
