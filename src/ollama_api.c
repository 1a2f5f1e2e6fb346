// SPDX-License-Identifier: MIT
/*
 * The information endpoints: /api/version, /api/tags, /api/show, /api/ps.
 * (Generation, load and unload are in ollama_generate.c.)
 */
#include "ollama.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ollama_http.h"
#include "util.h"
#include "banned.h"

static void copy_str(char *dst, size_t len, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	o3_strlcpy(dst, cJSON_IsString(v) ? v->valuestring : "", len);
}

/*
 * Names of any length: they live in the same block as the array that points
 * at them (so that one free() of the array frees them), never cut short,
 * so that a lookup by name never matches the wrong model nor misses one.
 */
static size_t names_size(const cJSON *arr, const char *k1, const char *k2)
{
	const cJSON *m, *v;
	size_t n = 0;
	cJSON_ArrayForEach(m, arr) {
		v = cJSON_GetObjectItemCaseSensitive(m, k1);
		n += (cJSON_IsString(v) ? strlen(v->valuestring) : 0) + 1;
		if (k2) {
			v = cJSON_GetObjectItemCaseSensitive(m, k2);
			n += (cJSON_IsString(v) ? strlen(v->valuestring) : 0) + 1;
		}
	}
	return n;
}

static const char *pool_str(char **pool, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *s = cJSON_IsString(v) ? v->valuestring : "";
	size_t n = strlen(s) + 1;
	char *d = *pool;
	memcpy(d, s, n);
	*pool += n;
	return d;
}

/* Room for count entries of size each and names bytes of names after them. */
static void *array_with_names(size_t count, size_t size, size_t names, char **pool)
{
	char *block = xcalloc(1, count * size + names);
	*pool = block + count * size;
	return block;
}

/* A whole non-negative JSON number, or -1. */
static long long get_count(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9.2e18)
		return -1;
	return (long long)v->valuedouble;
}

static int not_object(const cJSON *doc, const char *what, struct ollama_error *err)
{
	if (cJSON_IsObject(doc))
		return 0;
	ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 200, "%s: the response is not a JSON object", what);
	return 1;
}

/* ---- version --------------------------------------------------------------- */

/* The simulator's mark on the answer just received (headers are kept by
 * libcurl until the next transfer on the handle). Control characters are
 * dropped: the value goes into reports. */
static void note_simulator(struct ollama_client *c)
{
	struct curl_header *h = NULL;
	size_t i, j = 0;
	c->simulator[0] = '\0';
	if (curl_easy_header(c->easy, OLLAMA_SIMULATOR_HEADER, 0, CURLH_HEADER, -1, &h) != CURLHE_OK ||
	    !h || !h->value)
		return;
	for (i = 0; h->value[i] && j + 1 < sizeof(c->simulator); i++)
		if ((unsigned char)h->value[i] >= 0x20 && h->value[i] != 0x7f)
			c->simulator[j++] = h->value[i];
	c->simulator[j] = '\0';
	if (!j) /* present but empty: still a simulator */
		o3_strlcpy(c->simulator, "o3-sim", sizeof(c->simulator));
}

const char *ollama_client_simulator(const struct ollama_client *c)
{
	return c ? c->simulator : "";
}

int ollama_version(struct ollama_client *c, char *version, size_t len, struct ollama_error *err)
{
	cJSON *doc;
	const cJSON *v;

	ollama_error_clear(err);
	if (ollama_http_json(c, "/api/version", NULL, &doc, err))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (!cJSON_IsString(v)) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 200,
				 "%s/api/version: no \"version\" string in the response",
				 ollama_client_base_url(c));
		cJSON_Delete(doc);
		return -1;
	}
	o3_strlcpy(version, v->valuestring, len);
	cJSON_Delete(doc);
	note_simulator(c);
	return 0;
}

/* ---- tags ------------------------------------------------------------------ */

int ollama_tags(struct ollama_client *c, struct ollama_tag **tags, size_t *n, struct ollama_error *err)
{
	cJSON *doc;
	const cJSON *models, *m;
	size_t i = 0;
	char *pool;

	*tags = NULL;
	*n = 0;
	ollama_error_clear(err);
	if (ollama_http_json(c, "/api/tags", NULL, &doc, err))
		return -1;
	models = cJSON_GetObjectItemCaseSensitive(doc, "models");
	if (cJSON_IsNull(models)) /* a Go nil slice: nothing pulled */
		models = NULL;
	else if (not_object(doc, "/api/tags", err) || !cJSON_IsArray(models)) {
		if (err->cls == OLLAMA_OK)
			ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 200,
					 "/api/tags: no \"models\" list in the response");
		cJSON_Delete(doc);
		return -1;
	}
	*tags = array_with_names((size_t)cJSON_GetArraySize(models) + 1, sizeof(**tags),
				 names_size(models, "name", NULL), &pool);
	cJSON_ArrayForEach(m, models) {
		struct ollama_tag *t = &(*tags)[i];
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "details");
		if (!cJSON_IsObject(m))
			continue;
		t->name = pool_str(&pool, m, "name");
		copy_str(t->digest, sizeof(t->digest), m, "digest");
		copy_str(t->modified_at, sizeof(t->modified_at), m, "modified_at");
		t->size_bytes = get_count(m, "size");
		copy_str(t->family, sizeof(t->family), d, "family");
		copy_str(t->parameter_size, sizeof(t->parameter_size), d, "parameter_size");
		copy_str(t->quantization_level, sizeof(t->quantization_level), d,
			 "quantization_level");
		i++;
	}
	*n = i;
	cJSON_Delete(doc);
	return 0;
}

/* ---- show ------------------------------------------------------------------ */

static const struct {
	const char *name;
	unsigned bit;
} caps[] = {
	{ "completion", OLLAMA_CAP_COMPLETION }, { "tools", OLLAMA_CAP_TOOLS },
	{ "insert", OLLAMA_CAP_INSERT },         { "vision", OLLAMA_CAP_VISION },
	{ "embedding", OLLAMA_CAP_EMBEDDING },   { "thinking", OLLAMA_CAP_THINKING },
};

/* model_info["<arch>.<suffix>"] */
static const cJSON *arch_key(const cJSON *info, const char *arch, const char *suffix)
{
	char key[160];
	snprintf(key, sizeof(key), "%s.%s", arch, suffix);
	return cJSON_GetObjectItemCaseSensitive(info, key);
}

static long long arch_count(const cJSON *info, const char *arch, const char *suffix)
{
	char key[160];
	snprintf(key, sizeof(key), "%s.%s", arch, suffix);
	return get_count(info, key);
}

/* A head count that fits a long; anything else is no value. */
static int head_count_ok(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 2147483647.0;
}

/* A scalar, or a per-layer array: its maximum and how many layers are > 0. */
static void per_layer(const cJSON *v, long *max, long *nonzero)
{
	const cJSON *e;
	*max = -1;
	*nonzero = -1;
	if (head_count_ok(v)) {
		*max = (long)v->valuedouble;
		return;
	}
	if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v))
		return;
	*max = 0;
	*nonzero = 0;
	cJSON_ArrayForEach(e, v) {
		if (!head_count_ok(e))
			continue;
		if ((long)e->valuedouble > *max)
			*max = (long)e->valuedouble;
		if ((long)e->valuedouble > 0)
			(*nonzero)++;
	}
}

/* "num_ctx                        4096" in the parameters text */
static long param_num_ctx(const char *text)
{
	const char *p = text;
	long v = -1;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		if (n > 7 && !strncmp(p, "num_ctx", 7) && isspace((unsigned char)p[7])) {
			char num[32];
			const char *q = p + 7;
			size_t k = 0;
			while (q < p + n && isspace((unsigned char)*q))
				q++;
			while (q < p + n && !isspace((unsigned char)*q) && k + 1 < sizeof(num))
				num[k++] = *q++;
			num[k] = '\0';
			if (o3_parse_long(num, &v))
				v = -1;
		}
		p = eol ? eol + 1 : NULL;
	}
	return v;
}

static int show_from_json(const cJSON *doc, struct ollama_show *out, struct ollama_error *err)
{
	const cJSON *info, *details, *capv, *e, *params;
	long max, nonzero;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->context_length = -1;
	out->block_count = out->embedding_length = out->head_count = -1;
	out->head_count_kv = out->kv_layers = -1;
	out->key_length = out->value_length = out->sliding_window = -1;
	out->parameter_count = -1;
	out->num_ctx_param = -1;
	if (!doc) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 200, "/api/show: the response is not JSON");
		return -1;
	}
	if (not_object(doc, "/api/show", err))
		return -1;
	info = cJSON_GetObjectItemCaseSensitive(doc, "model_info");
	copy_str(out->architecture, sizeof(out->architecture), info, "general.architecture");
	out->parameter_count = get_count(info, "general.parameter_count");
	if (out->architecture[0]) {
		const char *a = out->architecture;
		out->context_length = arch_count(info, a, "context_length");
		out->block_count = (long)arch_count(info, a, "block_count");
		out->embedding_length = (long)arch_count(info, a, "embedding_length");
		per_layer(arch_key(info, a, "attention.head_count"), &max, &nonzero);
		out->head_count = max;
		per_layer(arch_key(info, a, "attention.head_count_kv"), &max, &nonzero);
		out->head_count_kv = max;
		/* a scalar applies to every layer */
		out->kv_layers = nonzero >= 0 ? nonzero : max > 0 ? out->block_count : max == 0 ? 0 : -1;
		out->key_length = (long)arch_count(info, a, "attention.key_length");
		out->value_length = (long)arch_count(info, a, "attention.value_length");
		out->sliding_window = (long)arch_count(info, a, "attention.sliding_window");
	}
	details = cJSON_GetObjectItemCaseSensitive(doc, "details");
	copy_str(out->parameter_size, sizeof(out->parameter_size), details, "parameter_size");
	copy_str(out->quantization_level, sizeof(out->quantization_level), details,
		 "quantization_level");
	copy_str(out->family, sizeof(out->family), details, "family");
	capv = cJSON_GetObjectItemCaseSensitive(doc, "capabilities");
	cJSON_ArrayForEach(e, capv) {
		if (!cJSON_IsString(e))
			continue;
		for (i = 0; i < ARRAY_SIZE(caps); i++)
			if (!strcmp(e->valuestring, caps[i].name))
				out->capabilities |= caps[i].bit;
	}
	params = cJSON_GetObjectItemCaseSensitive(doc, "parameters");
	if (cJSON_IsString(params))
		out->num_ctx_param = param_num_ctx(params->valuestring);
	return 0;
}

int ollama_show_parse(const char *body, size_t len, struct ollama_show *out, struct ollama_error *err)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	int ret = show_from_json(doc, out, err);
	cJSON_Delete(doc);
	return ret;
}

int ollama_show(struct ollama_client *c, const char *model, struct ollama_show *out,
		struct ollama_error *err)
{
	cJSON *req = cJSON_CreateObject(), *doc = NULL;
	int ret;

	ollama_error_clear(err);
	cJSON_AddStringToObject(req, "model", model);
	ret = ollama_http_json(c, "/api/show", req, &doc, err);
	cJSON_Delete(req);
	if (ret)
		return -1;
	ret = show_from_json(doc, out, err);
	cJSON_Delete(doc);
	return ret;
}

/* ---- ps -------------------------------------------------------------------- */

static int ps_from_json(const cJSON *doc, struct ollama_ps_entry **entries, size_t *n,
			struct ollama_error *err)
{
	const cJSON *models = cJSON_GetObjectItemCaseSensitive(doc, "models"), *m;
	size_t i = 0;
	char *pool;

	*entries = NULL;
	*n = 0;
	if (cJSON_IsObject(doc) && cJSON_IsNull(models)) /* a Go nil slice */
		models = NULL;
	else if (!cJSON_IsObject(doc) || !cJSON_IsArray(models)) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 200,
				 "/api/ps: no \"models\" list in the response");
		return -1;
	}
	*entries = array_with_names((size_t)cJSON_GetArraySize(models) + 1, sizeof(**entries),
				    names_size(models, "name", "model"), &pool);
	cJSON_ArrayForEach(m, models) {
		struct ollama_ps_entry *p = &(*entries)[i];
		if (!cJSON_IsObject(m))
			continue;
		p->name = pool_str(&pool, m, "name");
		p->model = pool_str(&pool, m, "model");
		copy_str(p->digest, sizeof(p->digest), m, "digest");
		copy_str(p->expires_at, sizeof(p->expires_at), m, "expires_at");
		p->size_bytes = get_count(m, "size");
		p->size_vram_bytes = get_count(m, "size_vram");
		p->context_length = get_count(m, "context_length");
		i++;
	}
	*n = i;
	return 0;
}

int ollama_ps_parse(const char *body, size_t len, struct ollama_ps_entry **entries, size_t *n,
		    struct ollama_error *err)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	int ret = ps_from_json(doc, entries, n, err);
	cJSON_Delete(doc);
	return ret;
}

int ollama_ps(struct ollama_client *c, struct ollama_ps_entry **entries, size_t *n,
	      struct ollama_error *err)
{
	cJSON *doc;
	int ret;

	*entries = NULL;
	*n = 0;
	ollama_error_clear(err);
	if (ollama_http_json(c, "/api/ps", NULL, &doc, err))
		return -1;
	ret = ps_from_json(doc, entries, n, err);
	cJSON_Delete(doc);
	return ret;
}
