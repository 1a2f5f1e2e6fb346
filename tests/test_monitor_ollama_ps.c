// SPDX-License-Identifier: MIT
/* The ollama_ps backend against a loopback /api/ps (libmicrohttpd, port 0)
 * serving the real response of Ollama's docs, then one built with cJSON. */
#include "test_monitor_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <time.h>

#include <microhttpd.h>

#include "ollama.h"

struct ps_server {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	char *body; /* what /api/ps answers */
	int requests;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	struct ps_server *s = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *copy;
	unsigned status = 200;

	pthread_mutex_lock(&s->lock);
	if (!strcmp(url, "/api/ps")) {
		copy = strdup(s->body);
		s->requests++;
	} else {
		copy = strdup("{\"error\":\"not found\"}");
		status = 404;
	}
	pthread_mutex_unlock(&s->lock);
	resp = MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void server_start(struct ps_server *s, const char *body)
{
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->body = strdup(body);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = 0;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, s,
				MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
	ck_assert_ptr_nonnull(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info->port;
}

static void server_stop(struct ps_server *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	s->d = NULL;
	free(s->body);
	pthread_mutex_destroy(&s->lock);
}

static struct ollama_client *client_for(int port)
{
	struct ollama_host host;
	struct ollama_timeouts t;
	char spec[64], msg[256];
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
	ck_assert_int_eq(ollama_host_parse(spec, &host, msg, sizeof(msg)), 0);
	ollama_timeouts_default(&t);
	return ollama_client_new(&host, &t);
}

static struct monitor *mon_with(struct ollama_client *c)
{
	struct monitor_settings s;
	char sys[512], proc[512];
	static char keep_sys[512], keep_proc[512];
	fixture(sys, sizeof(sys), "sysfs", "no-gpu");
	fixture(proc, sizeof(proc), "procfs", "no-gpu");
	snprintf(keep_sys, sizeof(keep_sys), "%s", sys);
	snprintf(keep_proc, sizeof(keep_proc), "%s", proc);
	monitor_settings_default(&s);
	s.sysfs_root = keep_sys;
	s.procfs_root = keep_proc;
	s.nvml_library = NO_NVML;
	s.ollama = c;
	return monitor_new(&s);
}

static char *slurp(const char *rel)
{
	char path[1024];
	FILE *f;
	long n;
	char *buf;
	snprintf(path, sizeof(path), "%s/%s", src_root(), rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_docs_response)
{
	struct ps_server srv;
	struct ollama_client *c;
	struct monitor *m;
	char *body = slurp("fixtures/replay/ollama/docs_ps_response_no_context_length.json"), *list;
	cJSON *r = NULL;

	server_start(&srv, body);
	c = client_for(srv.port);
	m = mon_with(c);
	list = backends_text(m);
	ck_assert_msg(strstr(list, "ollama_ps: available (http://127.0.0.1:") &&
		      strstr(list, "/api/ps, 1 model loaded)"), "%s", list);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "ollama_ps/models"), 1);
	ck_assert_double_eq(jnum(r, "ollama_ps/size_bytes"), 5137025024.0);
	ck_assert_double_eq(jnum(r, "ollama_ps/size_vram_bytes"), 5137025024.0);
	/* older servers send no context_length: absent, not 0 */
	ck_assert_ptr_null(jget(r, "ollama_ps/context_length"));
	cJSON_Delete(r);
	monitor_free(m);
	ollama_client_free(c);
	server_stop(&srv);
	free(list);
	free(body);
}
END_TEST

/* Two models, one partly on the CPU; then the server goes away. */
START_TEST(test_offload_and_server_gone)
{
	struct ps_server srv;
	struct ollama_client *c;
	struct monitor *m;
	cJSON *doc = cJSON_CreateObject(), *models = cJSON_AddArrayToObject(doc, "models"), *e, *r = NULL;
	char *body;
	struct timespec ts = { 1, 200000000L };

	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "qwen3-coder:30b");
	cJSON_AddNumberToObject(e, "size", 25000000000.0);
	cJSON_AddNumberToObject(e, "size_vram", 20000000000.0);
	cJSON_AddNumberToObject(e, "context_length", 32768);
	cJSON_AddItemToArray(models, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "gemma3:4b");
	cJSON_AddNumberToObject(e, "size", 4000000000.0);
	cJSON_AddNumberToObject(e, "size_vram", 4000000000.0);
	cJSON_AddNumberToObject(e, "context_length", 4096);
	cJSON_AddItemToArray(models, e);
	body = cJSON_PrintUnformatted(doc);
	server_start(&srv, body);
	c = client_for(srv.port);
	m = mon_with(c);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_double_eq(jnum(r, "ollama_ps/models"), 2);
	ck_assert_double_eq(jnum(r, "ollama_ps/size_bytes"), 29000000000.0);
	ck_assert_double_eq(jnum(r, "ollama_ps/size_vram_bytes"), 24000000000.0);
	ck_assert_double_eq(jnum(r, "ollama_ps/context_length"), 32768);
	cJSON_Delete(r);
	/* asked at most once a second, whatever the sampling rate */
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	cJSON_Delete(r);
	ck_assert_int_eq(srv.requests, 1);

	server_stop(&srv);
	nanosleep(&ts, NULL);
	ck_assert_int_eq(monitor_sample_once(m, &r), 0);
	ck_assert_ptr_null(jget(r, "ollama_ps"));
	cJSON_Delete(r);
	monitor_free(m);
	ollama_client_free(c);
	cJSON_free(body);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_no_server)
{
	struct ps_server srv;
	struct ollama_client *c;
	struct monitor *m;
	char *list, want[128];
	int port;

	server_start(&srv, "{}");
	port = srv.port;
	server_stop(&srv); /* nothing listens there now */
	c = client_for(port);
	m = mon_with(c);
	list = backends_text(m);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/api/ps: ", port);
	ck_assert_msg(strstr(list, "ollama_ps: unavailable: ") && strstr(list, want), "'%s' not in:\n%s",
		      want, list);
	free(list);
	monitor_free(m);
	ollama_client_free(c);

	m = mon_with(NULL);
	list = backends_text(m);
	ck_assert_msg(strstr(list, "ollama_ps: unavailable: no Ollama server given"), "%s", list);
	free(list);
	monitor_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor_ollama_ps");
	TCase *tc = tcase_create("ollama_ps");
	int rc;
	if (ollama_global_init())
		return 1;
	tcase_add_test(tc, test_docs_response);
	tcase_add_test(tc, test_offload_and_server_gone);
	tcase_add_test(tc, test_no_server);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	return rc;
}
