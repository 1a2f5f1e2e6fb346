// SPDX-License-Identifier: MIT
#include "cmd_common.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "o3_exit.h"
#include "util.h"
#include "banned.h"

void cmd_server_init(struct cmd_server *s)
{
	memset(s, 0, sizeof(*s));
	ollama_timeouts_default(&s->timeouts);
}

static int seconds(const char *name, const char *arg, long *ms, int zero_ok)
{
	double v;
	if (o3_parse_double(arg, &v) || v < 0 || (!zero_ok && v == 0) || v > 86400.0 * 7) {
		error("--%s expects a number of seconds%s, not '%s'", name,
		      zero_ok ? " (0 = no limit)" : " greater than 0", arg);
		return -1;
	}
	*ms = (long)(v * 1000.0 + 0.5);
	return 1;
}

int cmd_server_option(struct cmd_server *s, int id, const char *arg, const char **host_arg)
{
	switch (id) {
	case CMD_OPT_HOST:
		*host_arg = arg;
		return 1;
	case CMD_OPT_CONNECT_TIMEOUT:
		return seconds("connect-timeout", arg, &s->timeouts.connect_ms, 0);
	case CMD_OPT_FIRST_BYTE_TIMEOUT:
		return seconds("first-byte-timeout", arg, &s->timeouts.first_byte_ms, 0);
	case CMD_OPT_STALL_TIMEOUT:
		return seconds("stall-timeout", arg, &s->timeouts.stall_ms, 0);
	case CMD_OPT_TOTAL_TIMEOUT:
		return seconds("total-timeout", arg, &s->timeouts.total_ms, 1);
	default:
		return 0;
	}
}

int cmd_server_open(struct cmd_server *s, const char *host_arg)
{
	struct ollama_error err;
	char msg[512];
	const char *value = host_arg ? host_arg : getenv("OLLAMA_HOST");

	if (ollama_host_parse(value, &s->host, msg, sizeof(msg))) {
		error("%s%s", msg, host_arg ? " (from --host)" : " (from the environment)");
		return O3_EXIT_USAGE;
	}
	{
		/* the first question has a short limit of its own: a server that
		 * accepts and never answers is gone, not slow (a load may take
		 * minutes; /api/version takes milliseconds) */
		struct ollama_timeouts quick = s->timeouts;
		struct ollama_client *c;
		int rc;
		if (quick.first_byte_ms <= 0 || quick.first_byte_ms > CMD_VERSION_TIMEOUT_MS)
			quick.first_byte_ms = CMD_VERSION_TIMEOUT_MS;
		if (quick.total_ms <= 0 || quick.total_ms > CMD_VERSION_TIMEOUT_MS)
			quick.total_ms = CMD_VERSION_TIMEOUT_MS;
		c = ollama_client_new(&s->host, &quick);
		rc = ollama_version(c, s->version, sizeof(s->version), &err);
		ollama_client_free(c);
		if (rc) {
			error("no Ollama server answers at %s: %s", s->host.base_url, err.message);
			if (err.cls == OLLAMA_ERR_UNREACHABLE)
				note("start it with 'ollama serve', or point OLLAMA_HOST at one "
				     "(the simulator: build/fixtures/ollama-sim/o3-sim)");
			return O3_EXIT_UNAVAILABLE;
		}
	}
	s->client = ollama_client_new(&s->host, &s->timeouts);
	if (ollama_version(s->client, s->version, sizeof(s->version), &err)) {
		error("no Ollama server answers at %s: %s", s->host.base_url, err.message);
		if (err.cls == OLLAMA_ERR_UNREACHABLE)
			note("start it with 'ollama serve', or point OLLAMA_HOST at one "
			     "(the simulator: build/fixtures/ollama-sim/o3-sim)");
		return O3_EXIT_UNAVAILABLE;
	}
	verbose("Ollama %s at %s", s->version, s->host.base_url);
	return O3_EXIT_OK;
}

void cmd_server_close(struct cmd_server *s)
{
	ollama_client_free(s->client);
	s->client = NULL;
}

int cmd_exit_for(enum ollama_err_class cls)
{
	switch (cls) {
	case OLLAMA_OK:
		return O3_EXIT_OK;
	case OLLAMA_ERR_UNREACHABLE:
	case OLLAMA_ERR_NOT_FOUND:
		return O3_EXIT_UNAVAILABLE;
	case OLLAMA_ERR_INVALID_OPTION:
	case OLLAMA_ERR_BAD_REQUEST:
		return O3_EXIT_USAGE;
	default:
		return O3_EXIT_GATE; /* the configuration failed: a finding */
	}
}
