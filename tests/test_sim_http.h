/* SPDX-License-Identifier: MIT */
#ifndef O3_TEST_SIM_HTTP_H
#define O3_TEST_SIM_HTTP_H
/*
 * A small libcurl + cJSON client for the simulator tests: one request, the
 * whole reply, and the times it took (client side).
 */
#include <stddef.h>

#include <cjson/cJSON.h>

struct http_reply {
	long status;
	char *body;        /* malloced, NUL-terminated */
	size_t len;
	char ctype[128];
	char sim_header[256]; /* X-O3-Simulator's value ("" if absent) */
	int sim_headers;      /* how many X-O3-Simulator headers came */
	double total_s, first_byte_s;
	int curl_rc;       /* CURLE_OK, or why the transfer failed */
};

/* GET (json NULL) or POST; timeout_s 0 = 60 s. Returns curl_rc. */
int http_do(const char *host, const char *method, const char *path, const char *json,
	    double timeout_s, struct http_reply *r);
void http_reply_release(struct http_reply *r);
/* POST a cJSON document (deleted); the reply parsed (NULL if not JSON). */
cJSON *http_post_json(const char *host, const char *path, cJSON *req, long *status);
cJSON *http_get_json(const char *host, const char *path, long *status);
/* Split an NDJSON body into parsed lines (NULL for a line that is not JSON). */
size_t ndjson_parse(const char *body, cJSON ***lines);
void ndjson_free(cJSON **lines, size_t n);
/* The sim's truth for one model under ARGS (NULL-terminated; --truth added). */
cJSON *truth_model(const char *model, const char *const *args, const char *const *env);
/* A number at a path of object keys ("memory", "size", NULL). */
double json_num(const cJSON *o, ...);
/* A generate body (num_ctx 4096; num_predict < 0 = none); malloced (cJSON_free). */
char *sim_gen_body(const char *model, const char *prompt, int stream, long num_predict);
/* The simulator's binary from argv[1] (meson passes it). */
void sim_binary_from_args(int argc, char **argv);

#endif
