// SPDX-License-Identifier: MIT
/*
 * The client's transport: libcurl, one easy handle per client driven by a
 * multi handle, and o3's four timeouts (see ollama_http.h for the retry
 * policy, which belongs to the caller).
 *
 * Why a multi loop and not curl_easy_perform with a progress callback: the
 * progress callback of an idle transfer runs about once a second, so a
 * first-byte or stall timeout could fire up to a second late. Polling with
 * our own deadline as the poll timeout makes them fire within a few ms.
 */
#include "ollama_http.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_MAX_BODY (16u << 20)
#define POLL_MAX_MS 100

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	/* A peer that closes the connection must not kill o3 (OpenSSL may
	 * write to a closed socket without MSG_NOSIGNAL). */
	signal(SIGPIPE, SIG_IGN);
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The one place o3 initialises libcurl (never cleaned up: other threads
 * may still hold handles when main returns). */
int ollama_global_init(void)
{
	pthread_once(&global_once, global_init);
	return global_rc == CURLE_OK ? 0 : -1;
}

void ollama_timeouts_default(struct ollama_timeouts *t)
{
	t->connect_ms = 5000;
	t->first_byte_ms = 600000;
	t->stall_ms = 120000;
	t->total_ms = 0;
}

struct ollama_client *ollama_client_new(const struct ollama_host *host,
					const struct ollama_timeouts *timeouts)
{
	struct ollama_client *c;

	if (ollama_global_init())
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->easy = curl_easy_init();
	c->multi = curl_multi_init();
	if (!c->easy || !c->multi) {
		ollama_client_free(c);
		return NULL;
	}
	c->host = *host;
	if (timeouts)
		c->to = *timeouts;
	else
		ollama_timeouts_default(&c->to);
	c->max_body = DEFAULT_MAX_BODY;
	return c;
}

void ollama_client_free(struct ollama_client *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c);
}

const char *ollama_client_base_url(const struct ollama_client *c)
{
	return c->host.base_url;
}

void ollama_client_set_max_body(struct ollama_client *c, size_t bytes)
{
	c->max_body = bytes ? bytes : DEFAULT_MAX_BODY;
}

/* ---- one transfer -------------------------------------------------------- */

static void note_bytes(struct ollama_xfer *x)
{
	uint64_t now = clock_now_ns();
	if (!x->t.first_byte_ns)
		x->t.first_byte_ns = now;
	x->t.last_byte_ns = now;
}

/*
 * Headers do not count as the first byte: a test double may send them at
 * once, while Ollama sends them with the first chunk. Until the first body
 * byte the first-byte timeout applies (a long prefill is silence, not a
 * stall); the stall timeout applies from then on.
 */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct ollama_xfer *x = ud;
	size_t len = size * n;

	note_bytes(x);
	if (!x->status) {
		char *ct = NULL;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
		o3_strlcpy(x->content_type, ct ? ct : "", sizeof(x->content_type));
	}
	if (x->sink && x->sink(data, len, x->status, x->content_type, x->ud, x->err)) {
		x->sink_failed = 1;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	return len;
}

enum which_timeout { TO_NONE, TO_TOTAL, TO_FIRST_BYTE, TO_STALL };

/* The deadline that applies to x now: expired, or *wait_ms lowered to it. */
static enum which_timeout expired(const struct ollama_xfer *x, uint64_t now, long *wait_ms)
{
	const struct ollama_timeouts *to = &x->c->to;
	uint64_t deadline = UINT64_MAX;
	enum which_timeout which = TO_NONE, cand;
	uint64_t d;

	/* the earliest deadline that applies now */
	if (to->total_ms > 0) {
		d = x->t.sent_ns + clock_timeout_ns(to->total_ms);
		if (d < deadline) {
			deadline = d;
			which = TO_TOTAL;
		}
	}
	if (!x->t.first_byte_ns && to->first_byte_ms > 0) {
		d = x->t.sent_ns + clock_timeout_ns(to->first_byte_ms);
		cand = TO_FIRST_BYTE;
	} else if (x->t.first_byte_ns && to->stall_ms > 0) {
		d = x->t.last_byte_ns + clock_timeout_ns(to->stall_ms);
		cand = TO_STALL;
	} else {
		d = UINT64_MAX;
		cand = TO_NONE;
	}
	if (d < deadline) {
		deadline = d;
		which = cand;
	}
	if (which == TO_NONE)
		return TO_NONE;
	if (now >= deadline)
		return which;
	if ((deadline - now) / 1000000u + 1 < (uint64_t)*wait_ms)
		*wait_ms = (long)((deadline - now) / 1000000u + 1);
	return TO_NONE;
}

static void set_timeout_error(struct ollama_xfer *x, enum which_timeout which)
{
	const struct ollama_timeouts *to = &x->c->to;
	switch (which) {
	case TO_TOTAL:
		ollama_error_set(x->err, OLLAMA_ERR_CLIENT_TIMEOUT, x->status,
				 "total timeout: request to %s took longer than %ld ms", x->url,
				 to->total_ms);
		break;
	case TO_FIRST_BYTE:
		ollama_error_set(x->err, OLLAMA_ERR_CLIENT_TIMEOUT, 0,
				 "first-byte timeout: no response from %s within %ld ms", x->url,
				 to->first_byte_ms);
		break;
	case TO_STALL:
		ollama_error_set(x->err, OLLAMA_ERR_CLIENT_TIMEOUT, x->status,
				 "stall timeout: no data from %s for %ld ms in the middle of the "
				 "response", x->url, to->stall_ms);
		break;
	case TO_NONE:
		break;
	}
}

static void set_curl_error(struct ollama_xfer *x, CURLcode rc)
{
	const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
	const char *url = x->url;
	curl_off_t connect_us = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
		ollama_error_set(x->err, OLLAMA_ERR_UNREACHABLE, 0, "cannot reach %s: %s", url, why);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (!connect_us)
			ollama_error_set(x->err, OLLAMA_ERR_CLIENT_TIMEOUT, 0,
					 "connect timeout: could not connect to %s within %ld ms",
					 url, x->c->to.connect_ms);
		else
			set_timeout_error(x, TO_TOTAL);
		return;
	case CURLE_OUT_OF_MEMORY:
#if LIBCURL_VERSION_NUM >= 0x080600
	case CURLE_TOO_LARGE:
#endif
		/* curl says "Out of memory" for a header line over its limit */
		ollama_error_set(x->err, OLLAMA_ERR_PROTOCOL, x->status,
				 "response from %s refused: a header larger than curl accepts (or no "
				 "memory left)", url);
		return;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		ollama_error_set(x->err, OLLAMA_ERR_PROTOCOL, x->status,
				 "response from %s cut short: %s", url, why);
		return;
	default:
		ollama_error_set(x->err, OLLAMA_ERR_PROTOCOL, x->status, "request to %s failed: %s",
				 url, why);
		return;
	}
}

/* The one request builder: every request of the client goes out so. */
static void setup(struct ollama_xfer *x, const char *body)
{
	CURL *e = x->easy;
	const struct ollama_timeouts *to = &x->c->to;

	if (body)
		x->headers = curl_slist_append(x->headers, "Content-Type: application/json");
	x->headers = curl_slist_append(x->headers, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "o3/" O3_VERSION);
	/* Go's client never proxies loopback; neither do we */
	curl_easy_setopt(e, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to->connect_ms > 0 ? to->connect_ms : 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to->total_ms > 0 ? to->total_ms : 0L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	/*
	 * "Accept-Encoding: identity", said out loud: a compressing proxy in
	 * between would hold chunks back in its compressor and shift every
	 * timestamp (TTFT, ITL). Should one compress all the same, libcurl
	 * decodes what it knows before the parser sees it.
	 */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "identity");
	/* a load can keep the connection silent for minutes */
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
}

int ollama_xfer_start(struct ollama_xfer *x, struct ollama_client *c, CURLM *multi, CURL *easy,
		      const char *path, const char *body, ollama_http_sink_fn sink, void *ud,
		      struct ollama_error *err)
{
	memset(x, 0, sizeof(*x));
	x->c = c;
	x->easy = easy;
	x->multi = multi;
	x->sink = sink;
	x->ud = ud;
	x->err = err;
	snprintf(x->url, sizeof(x->url), "%s%s", c->host.base_url, path);
	if (!easy || !multi) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot create a libcurl handle");
		return x->ret = -1;
	}
	setup(x, body);
	x->t.sent_ns = clock_now_ns();
	if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(x->headers);
		x->headers = NULL;
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot start a request to %s", x->url);
		return x->ret = -1;
	}
	x->active = 1;
	return 0;
}

/* x is over (libcurl said so, a timeout fired, or libcurl failed): out of
 * the multi handle, and the verdict. */
static void xfer_end(struct ollama_xfer *x, enum which_timeout which, int curl_failed)
{
	curl_multi_remove_handle(x->multi, x->easy);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	x->active = 0;
	if (!x->status)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	x->ret = -1;
	if (which != TO_NONE)
		set_timeout_error(x, which);
	else if (curl_failed)
		ollama_error_set(x->err, OLLAMA_ERR_PROTOCOL, x->status,
				 "request to %s failed inside libcurl", x->url);
	else if (x->sink_failed)
		; /* the sink said why */
	else if (x->rc != CURLE_OK)
		set_curl_error(x, x->rc);
	else
		x->ret = 0;
	/* the buffer lives in x, which may not outlive the transfer */
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, NULL);
}

static size_t n_active(struct ollama_xfer *const *xs, size_t n)
{
	size_t i, k = 0;
	for (i = 0; i < n; i++)
		k += xs[i]->active != 0;
	return k;
}

int ollama_xfer_drive(CURLM *multi, struct ollama_xfer *const *xs, size_t n,
		      ollama_xfer_end_fn end, void *ud)
{
	int ret = 0;

	while (n_active(xs, n)) {
		long wait_ms = POLL_MAX_MS;
		int running = 0, left, curl_failed = 0;
		uint64_t now;
		CURLMsg *m;
		size_t i;

		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			curl_failed = 1;
			ret = -1;
		}
		while (!curl_failed && (m = curl_multi_info_read(multi, &left))) {
			char *priv = NULL;
			struct ollama_xfer *x;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			x = (struct ollama_xfer *)(void *)priv;
			x->finished = 1;
			x->rc = m->data.result;
		}
		/* handles leave (and new ones join) only after the messages are read */
		now = clock_now_ns();
		for (i = 0; i < n; i++) {
			struct ollama_xfer *x = xs[i];
			enum which_timeout which = TO_NONE;
			if (!x->active)
				continue;
			if (!curl_failed && !x->finished) {
				which = expired(x, now, &wait_ms);
				if (which == TO_NONE)
					continue;
			}
			xfer_end(x, which, curl_failed && !x->finished);
			if (end)
				end(x, ud);
			wait_ms = 0;
		}
		if (wait_ms > 0 && n_active(xs, n))
			curl_multi_poll(multi, NULL, 0, (int)wait_ms, NULL);
	}
	return ret;
}

int ollama_http_request(struct ollama_client *c, const char *path, const char *body,
			ollama_http_sink_fn sink, void *ud, long *status,
			struct ollama_http_times *times, struct ollama_error *err)
{
	struct ollama_xfer x;
	struct ollama_xfer *const xs[1] = { &x };

	*status = 0;
	if (!ollama_xfer_start(&x, c, c->multi, c->easy, path, body, sink, ud, err))
		ollama_xfer_drive(c->multi, xs, 1, NULL, NULL);
	*status = x.status;
	if (times)
		*times = x.t;
	return x.ret;
}

/* ---- one JSON document ----------------------------------------------------- */

struct collect {
	struct strbuf body;
	const struct ollama_client *c;
	const char *path;
};

static int collect_sink(const char *data, size_t len, long status, const char *content_type,
			void *ud, struct ollama_error *err)
{
	struct collect *k = ud;
	(void)status;
	(void)content_type;
	if (strbuf_add(&k->body, data, len)) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, status,
				 "response from %s%s is larger than the limit of %zu bytes",
				 k->c->host.base_url, k->path, k->c->max_body);
		return -1;
	}
	return 0;
}

void ollama_http_status_error(const struct ollama_client *c, const char *path, long status,
			      const char *body, size_t len, struct ollama_error *err)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");

	if (cJSON_IsString(e)) {
		ollama_error_set(err, ollama_classify(status, e->valuestring, 0), status, "%s",
				 e->valuestring);
	} else {
		/* not Ollama's {"error"} shape: gin's "404 page not found", a proxy */
		char text[200];
		size_t n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;
		memcpy(text, body, n);
		text[n] = '\0';
		while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
		ollama_error_set(err, ollama_classify(status, "", 0), status,
				 "HTTP %ld from %s%s: %s", status, c->host.base_url, path, text);
	}
	cJSON_Delete(doc);
}

int ollama_http_json(struct ollama_client *c, const char *path, const cJSON *req,
		     cJSON **out, struct ollama_error *err)
{
	struct collect k = { .c = c, .path = path };
	char *body = NULL;
	long status = 0;
	int ret = -1;

	*out = NULL;
	strbuf_init(&k.body, c->max_body);
	if (req) {
		body = cJSON_PrintUnformatted(req);
		if (!body) {
			ollama_error_set(err, OLLAMA_ERR_PROTOCOL, 0, "cannot build the request body");
			goto out;
		}
	}
	if (ollama_http_request(c, path, body, collect_sink, &k, &status, NULL, err))
		goto out;
	if (status >= 400) {
		ollama_http_status_error(c, path, status, k.body.buf, k.body.len, err);
		goto out;
	}
	if (status < 200 || status > 299) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, status, "unexpected HTTP %ld from %s%s",
				 status, c->host.base_url, path);
		goto out;
	}
	*out = cJSON_ParseWithLength(k.body.buf, k.body.len);
	if (!*out) {
		ollama_error_set(err, OLLAMA_ERR_PROTOCOL, status,
				 "response from %s%s is not JSON: '%.40s'", c->host.base_url, path,
				 k.body.buf);
		goto out;
	}
	ret = 0;
out:
	cJSON_free(body);
	strbuf_release(&k.body);
	return ret;
}
