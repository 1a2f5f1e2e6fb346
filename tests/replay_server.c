// SPDX-License-Identifier: MIT
#include "replay_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <yaml.h>

#define MAX_ROUTES 64
#define SLICE_MS 5

struct route {
	char *method; /* NULL = any */
	char *path;
	char *match;  /* NULL, or a text the request body must contain */
	struct replay_response r;
	char *body;   /* owned copy */
};

struct replay_server {
	struct MHD_Daemon *d;
	int port;
	char url[64];
	atomic_int stopping;
	pthread_mutex_t lock;
	struct route routes[MAX_ROUTES];
	size_t n_routes;
	size_t n_requests;
	char *last_method, *last_path, *last_body;
	cJSON *headers; /* one object per request received: {name: value} */
};

/* One request being received. */
struct req {
	char *body;
	size_t len;
};

/* One response being sent. */
struct stream {
	struct replay_server *s;
	struct replay_response r;
	char *body;
	int stalled;
};

static char *dupmem(const char *p, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Sleep in small slices; 0 when the server is stopping. */
static int nap(struct replay_server *s, long ms)
{
	while (ms > 0) {
		long step = ms < SLICE_MS ? ms : SLICE_MS;
		struct timespec ts = { 0, step * 1000000L };
		if (atomic_load(&s->stopping))
			return 0;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return !atomic_load(&s->stopping);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	const struct replay_response *r = &st->r;
	size_t n;

	if (pos >= r->body_len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (r->close_early && pos >= r->close_after_bytes)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (pos > 0 && r->delay_ms > 0 && !nap(st->s, r->delay_ms))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (r->stall_ms > 0 && !st->stalled && pos >= r->stall_after_bytes && pos > 0) {
		st->stalled = 1;
		if (!nap(st->s, r->stall_ms))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = r->body_len - (size_t)pos;
	if (r->chunk_bytes && n > r->chunk_bytes)
		n = r->chunk_bytes;
	if (r->stall_ms > 0 && !st->stalled && pos < r->stall_after_bytes &&
	    n > r->stall_after_bytes - pos)
		n = r->stall_after_bytes - (size_t)pos;
	if (r->close_early && n > r->close_after_bytes - pos)
		n = r->close_after_bytes - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, st->body + pos, n);
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	free(st->body);
	free(st);
}

static const struct route *find_route(struct replay_server *s, const char *method, const char *path,
				      const char *body)
{
	size_t i;
	int pass;
	/* routes that match on the body first */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->n_routes; i++) {
			const struct route *rt = &s->routes[i];
			if ((rt->match == NULL) != pass)
				continue;
			if (rt->match && !strstr(body, rt->match))
				continue;
			if ((!rt->method || !strcmp(rt->method, method)) && !strcmp(rt->path, path))
				return rt;
		}
	}
	return NULL;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	cJSON_AddStringToObject(cls, key, value ? value : "");
	return MHD_YES;
}

static enum MHD_Result answer(struct replay_server *s, struct MHD_Connection *conn,
			      const char *method, const char *url, const char *body)
{
	struct stream *st = calloc(1, sizeof(*st));
	const struct route *rt;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!st)
		abort();
	st->s = s;
	pthread_mutex_lock(&s->lock);
	rt = find_route(s, method, url, body);
	if (rt) {
		st->r = rt->r;
		st->body = dupmem(rt->body, rt->r.body_len);
	} else {
		cJSON *o = cJSON_CreateObject();
		char msg[300];
		snprintf(msg, sizeof(msg), "replay: no route for %s %s", method, url);
		cJSON_AddStringToObject(o, "error", msg);
		st->body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		st->r.status = 404;
		st->r.body_len = strlen(st->body);
	}
	pthread_mutex_unlock(&s->lock);
	st->r.body = NULL;
	if (st->r.first_byte_delay_ms > 0 && !nap(s, st->r.first_byte_delay_ms)) {
		stream_free(st);
		return MHD_NO;
	}
	resp = MHD_create_response_from_callback(st->r.chunked ? MHD_SIZE_UNKNOWN : st->r.body_len,
						 st->r.chunk_bytes ? st->r.chunk_bytes : 4096,
						 reader, st, stream_free);
	if (!resp) {
		stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				st->r.content_type ? st->r.content_type
						   : "application/json; charset=utf-8");
	ret = MHD_queue_response(conn, st->r.status ? (unsigned)st->r.status : 200u, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct replay_server *s = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			abort();
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		char *nb = realloc(rq->body, rq->len + *upload_size + 1);
		if (!nb)
			abort();
		memcpy(nb + rq->len, upload_data, *upload_size);
		rq->len += *upload_size;
		nb[rq->len] = '\0';
		rq->body = nb;
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->lock);
	s->n_requests++;
	free(s->last_method);
	free(s->last_path);
	free(s->last_body);
	s->last_method = dupmem(method, strlen(method));
	s->last_path = dupmem(url, strlen(url));
	s->last_body = dupmem(rq->body ? rq->body : "", rq->len);
	{
		cJSON *h = cJSON_CreateObject();
		MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, h);
		cJSON_AddItemToArray(s->headers, h);
	}
	pthread_mutex_unlock(&s->lock);
	return answer(s, conn, method, url, rq->body ? rq->body : "");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

struct replay_server *replay_server_start(void)
{
	struct replay_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	if (!s)
		abort();
	pthread_mutex_init(&s->lock, NULL);
	s->headers = cJSON_CreateArray();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = 0;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_END);
	if (!s->d) {
		fprintf(stderr, "replay_server: cannot start libmicrohttpd on 127.0.0.1\n");
		pthread_mutex_destroy(&s->lock);
		cJSON_Delete(s->headers);
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	return s;
}

void replay_server_clear(struct replay_server *s)
{
	size_t i;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_routes; i++) {
		free(s->routes[i].method);
		free(s->routes[i].path);
		free(s->routes[i].match);
		free(s->routes[i].body);
	}
	s->n_routes = 0;
	pthread_mutex_unlock(&s->lock);
}

void replay_server_stop(struct replay_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	MHD_stop_daemon(s->d);
	replay_server_clear(s);
	free(s->last_method);
	free(s->last_path);
	free(s->last_body);
	cJSON_Delete(s->headers);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int replay_server_port(const struct replay_server *s)
{
	return s->port;
}

const char *replay_server_url(const struct replay_server *s)
{
	return s->url;
}

void replay_server_set_when(struct replay_server *s, const char *method, const char *path,
			    const char *body_contains, const struct replay_response *r)
{
	struct route *rt = NULL;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_routes; i++) {
		struct route *x = &s->routes[i];
		if (!strcmp(x->path, path) &&
		    ((!x->method && !method) || (x->method && method && !strcmp(x->method, method))) &&
		    ((!x->match && !body_contains) ||
		     (x->match && body_contains && !strcmp(x->match, body_contains)))) {
			rt = x;
			free(rt->body);
			break;
		}
	}
	if (!rt) {
		if (s->n_routes == MAX_ROUTES)
			abort();
		rt = &s->routes[s->n_routes++];
		rt->method = method ? dupmem(method, strlen(method)) : NULL;
		rt->path = dupmem(path, strlen(path));
		rt->match = body_contains ? dupmem(body_contains, strlen(body_contains)) : NULL;
	}
	rt->r = *r;
	rt->body = dupmem(r->body ? r->body : "", r->body ? r->body_len : 0);
	rt->r.body_len = r->body ? r->body_len : 0;
	rt->r.body = NULL;
	pthread_mutex_unlock(&s->lock);
}

void replay_server_set(struct replay_server *s, const char *method, const char *path,
		       const struct replay_response *r)
{
	replay_server_set_when(s, method, path, NULL, r);
}

char *replay_server_request_header(struct replay_server *s, size_t i, const char *name)
{
	const cJSON *v;
	char *r = NULL;

	pthread_mutex_lock(&s->lock);
	/* HTTP header names are case-insensitive, and so is this lookup */
	v = cJSON_GetObjectItem(cJSON_GetArrayItem(s->headers, (int)i), name);
	if (cJSON_IsString(v))
		r = dupmem(v->valuestring, strlen(v->valuestring));
	pthread_mutex_unlock(&s->lock);
	return r;
}

size_t replay_server_request_count(struct replay_server *s)
{
	size_t n;
	pthread_mutex_lock(&s->lock);
	n = s->n_requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static char *copy_locked(struct replay_server *s, char *const *field)
{
	char *r;
	pthread_mutex_lock(&s->lock);
	r = dupmem(*field ? *field : "", *field ? strlen(*field) : 0);
	pthread_mutex_unlock(&s->lock);
	return r;
}

char *replay_server_last_method(struct replay_server *s)
{
	return copy_locked(s, &s->last_method);
}

char *replay_server_last_path(struct replay_server *s)
{
	return copy_locked(s, &s->last_path);
}

char *replay_server_last_body(struct replay_server *s)
{
	return copy_locked(s, &s->last_body);
}

char *replay_fixture_read(const char *name, size_t *len)
{
	const char *root = getenv("O3_SOURCE_ROOT");
	char path[4096];
	FILE *f;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!root)
		root = ".";
	snprintf(path, sizeof(path), "%s/fixtures/replay/ollama/%s", root, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got == 4096);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* ---- YAML examples as JSON ------------------------------------------------ */

static cJSON *scalar_to_json(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	char *end;
	double d;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(v);
	if (!strcmp(v, "null") || !strcmp(v, "~") || !*v)
		return cJSON_CreateNull();
	if (!strcmp(v, "true"))
		return cJSON_CreateTrue();
	if (!strcmp(v, "false"))
		return cJSON_CreateFalse();
	d = strtod(v, &end);
	if (end != v && !*end)
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(v);
}

static cJSON *node_to_json(yaml_document_t *doc, const yaml_node_t *n, int depth)
{
	cJSON *o;
	if (!n || depth > 64)
		return cJSON_CreateNull();
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar_to_json(n);
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it;
		o = cJSON_CreateArray();
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			cJSON_AddItemToArray(o, node_to_json(doc, yaml_document_get_node(doc, *it),
							      depth + 1));
		return o;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *p;
		o = cJSON_CreateObject();
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			cJSON_AddItemToObject(o, (const char *)k->data.scalar.value,
					      node_to_json(doc, yaml_document_get_node(doc, p->value),
							   depth + 1));
		}
		return o;
	}
	default:
		return cJSON_CreateNull();
	}
}

char *replay_fixture_body(const char *name, size_t *len)
{
	size_t n;
	char *text = replay_fixture_read(name, &n), *out;
	yaml_parser_t parser;
	yaml_document_t doc;
	cJSON *json, *example;
	size_t nl = strlen(name);

	if (!text || nl < 5 || strcmp(name + nl - 5, ".yaml")) {
		if (len)
			*len = text ? n : 0;
		return text;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		free(text);
		return NULL;
	}
	json = node_to_json(&doc, yaml_document_get_root_node(&doc), 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(text);
	example = cJSON_GetObjectItemCaseSensitive(json, "example");
	out = example ? cJSON_PrintUnformatted(example) : NULL;
	cJSON_Delete(json);
	if (out && len)
		*len = strlen(out);
	return out;
}
