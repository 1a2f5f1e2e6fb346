/* SPDX-License-Identifier: MIT */
#ifndef O3_CMD_COMMON_H
#define O3_CMD_COMMON_H
#include "cli.h"
#include "ollama.h"

/* What every subcommand that talks to a server shares. */
/* The start-up version check's own limit (ms). */
#define CMD_VERSION_TIMEOUT_MS 5000

struct cmd_server {
	struct ollama_host host;
	struct ollama_timeouts timeouts;
	struct ollama_client *client; /* NULL until cmd_server_open */
	char version[64];
};

/* Option ids for the shared server options (long-only). */
enum {
	CMD_OPT_HOST = 1000,
	CMD_OPT_CONNECT_TIMEOUT,
	CMD_OPT_FIRST_BYTE_TIMEOUT,
	CMD_OPT_STALL_TIMEOUT,
	CMD_OPT_TOTAL_TIMEOUT,
};
#define CMD_SERVER_OPTIONS \
	{ "host", 0, CMD_OPT_HOST, "HOST", "Ollama server (default: OLLAMA_HOST, else 127.0.0.1:11434)" }, \
	{ "connect-timeout", 0, CMD_OPT_CONNECT_TIMEOUT, "SEC", "give up connecting after SEC seconds (default 5)" }, \
	{ "first-byte-timeout", 0, CMD_OPT_FIRST_BYTE_TIMEOUT, "SEC", "give up when no byte came SEC seconds after a request (default 600; loads are slow)" }, \
	{ "stall-timeout", 0, CMD_OPT_STALL_TIMEOUT, "SEC", "give up when a response stalls for SEC seconds (default 120)" }, \
	{ "total-timeout", 0, CMD_OPT_TOTAL_TIMEOUT, "SEC", "give up on any request after SEC seconds (default: no limit)" }

void cmd_server_init(struct cmd_server *s);
/* Handle a shared option; 1 when handled, 0 when not ours, -1 on a bad value
 * (message printed). host_arg collects --host. */
int cmd_server_option(struct cmd_server *s, int id, const char *arg, const char **host_arg);
/* Parse the host, create the client and ask the server's version.
 * Returns an exit code: 0, O3_EXIT_USAGE (bad OLLAMA_HOST or --host),
 * O3_EXIT_UNAVAILABLE (no server answers). Messages printed. */
int cmd_server_open(struct cmd_server *s, const char *host_arg);
void cmd_server_close(struct cmd_server *s);

/* Exit code for a failure class. */
int cmd_exit_for(enum ollama_err_class cls);

#endif
