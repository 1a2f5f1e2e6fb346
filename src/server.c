// SPDX-License-Identifier: MIT
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "util.h"
#include "banned.h"

/* A port the kernel says is free now (a small race with other programs is
 * possible; the start then fails with the server's own message). */
static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void last_line(const char *path, char *out, size_t len)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	out[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp))
		if (line[0] != '\n')
			o3_strlcpy(out, line, len);
	fclose(fp);
	out[strcspn(out, "\n")] = '\0';
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int server_start(const char *binary, const cJSON *knobs, const char *log_dir, long timeout_ms,
		 struct managed_server *out, char *msg, size_t msglen)
{
	char hostvar[64], err[256], tail[256];
	struct ollama_client *c;
	struct ollama_error oerr;
	const cJSON *k;
	int port = free_port(), status;
	long waited = 0;

	memset(out, 0, sizeof(out[0]));
	if (port <= 0) {
		snprintf(msg, msglen, "no free loopback port: %s", strerror(errno));
		return -1;
	}
	snprintf(hostvar, sizeof(hostvar), "127.0.0.1:%d", port);
	if (ollama_host_parse(hostvar, &out->host, err, sizeof(err))) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	snprintf(out->log_path, sizeof(out->log_path), "%s/server-%d.log", log_dir, port);
	out->pid = fork();
	if (out->pid < 0) {
		snprintf(msg, msglen, "cannot start '%s': %s", binary, strerror(errno));
		out->pid = 0;
		return -1;
	}
	if (out->pid == 0) {
		int fd = open(out->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("OLLAMA_HOST", hostvar, 1);
		cJSON_ArrayForEach(k, knobs)
			if (cJSON_GetStringValue(k))
				setenv(k->string, cJSON_GetStringValue(k), 1);
		execlp(binary, binary, "serve", (char *)NULL);
		fprintf(stderr, "cannot run '%s': %s\n", binary, strerror(errno));
		_exit(127);
	}
	c = ollama_client_new(&out->host, NULL);
	for (;;) {
		char version[64];
		if (!ollama_version(c, version, sizeof(version), &oerr))
			break;
		if (waitpid(out->pid, &status, WNOHANG) == out->pid) {
			out->pid = 0;
			last_line(out->log_path, tail, sizeof(tail));
			snprintf(msg, msglen, "'%s serve' exited before it answered%s%s", binary,
				 tail[0] ? ": " : "", tail);
			ollama_client_free(c);
			return -1;
		}
		if (waited >= timeout_ms) {
			snprintf(msg, msglen, "'%s serve' did not answer on %s within %ld s", binary,
				 out->host.base_url, timeout_ms / 1000);
			ollama_client_free(c);
			server_stop(out);
			return -1;
		}
		sleep_ms(50);
		waited += 50;
	}
	ollama_client_free(c);
	return 0;
}

int server_exited(struct managed_server *s, char *how, size_t len)
{
	int status;
	if (s->pid <= 0) {
		snprintf(how, len, "not running");
		return 1;
	}
	if (waitpid(s->pid, &status, WNOHANG) != s->pid)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(how, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, len, "exit status %d", WEXITSTATUS(status));
	s->pid = 0;
	return 1;
}

void server_stop(struct managed_server *s)
{
	int status, i;
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (i = 0; i < 200; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return;
		}
		sleep_ms(50);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
}
