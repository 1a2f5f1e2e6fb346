// SPDX-License-Identifier: MIT
#include "sim_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *sim_binary(void)
{
	static char path[1024];
	const char *s = getenv("O3_SIM");
	if (s)
		return s;
	snprintf(path, sizeof(path), "%s/fixtures/ollama-sim/o3-sim",
		 getenv("O3_BUILD_ROOT") ? getenv("O3_BUILD_ROOT") : ".");
	return path;
}

static void apply_env(const char *const *env)
{
	for (; env && *env; env++)
		putenv((char *)*env);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int port_child_start(const char *const *argv, const char *const *env, const char *port_file,
		     const char *log_file, long wait_ms, pid_t *pid, int *port)
{
	long waited;
	*pid = fork();
	if (*pid < 0) {
		*pid = 0;
		return -1;
	}
	if (*pid == 0) {
		int fd = open(log_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		/* the server ends with the test that started it, also when a
		 * failed assertion ends the test's process early */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setenv("OLLAMA_HOST", "127.0.0.1:0", 1);
		apply_env(env);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (waited = 0; waited <= wait_ms; waited += 25) {
		FILE *fp = fopen(port_file, "r");
		int status;
		if (fp) {
			int ok = fscanf(fp, "%d", port) == 1;
			fclose(fp);
			if (ok && *port > 0)
				return 0;
		}
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			char log[8192] = "";
			FILE *lf = fopen(log_file, "r");
			*pid = 0;
			if (lf) {
				if (fread(log, 1, sizeof(log) - 1, lf) > 0)
					fprintf(stderr, "%s exited before it listened: %s\n", argv[0], log);
				fclose(lf);
			}
			return -1;
		}
		sleep_ms(25);
	}
	port_child_stop(pid);
	return -1;
}

void port_child_stop(pid_t *pid)
{
	int status, i;
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (i = 0; i < 100 && waitpid(*pid, &status, WNOHANG) != *pid; i++)
		sleep_ms(20);
	if (i == 100) {
		kill(*pid, SIGKILL);
		waitpid(*pid, &status, 0);
	}
	*pid = 0;
}

int sim_start(struct sim_process *sp, const char *const *args, const char *const *env)
{
	char portfile[128], logfile[128];
	const char *argv[64];
	int argc = 0;

	memset(sp, 0, sizeof(*sp));
	snprintf(sp->dir, sizeof(sp->dir), "/tmp/o3-simtest-XXXXXX");
	if (!mkdtemp(sp->dir))
		return -1;
	snprintf(portfile, sizeof(portfile), "%s/port", sp->dir);
	snprintf(logfile, sizeof(logfile), "%s/sim.log", sp->dir);
	argv[argc++] = sim_binary();
	argv[argc++] = "--port-file";
	argv[argc++] = portfile;
	for (; args && *args && argc < 62; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	if (port_child_start(argv, env, portfile, logfile, 5000, &sp->pid, &sp->port)) {
		sim_stop(sp);
		return -1;
	}
	snprintf(sp->host, sizeof(sp->host), "127.0.0.1:%d", sp->port);
	return 0;
}

void sim_stop(struct sim_process *sp)
{
	char path[128];
	port_child_stop(&sp->pid);
	if (sp->dir[0]) {
		snprintf(path, sizeof(path), "%s/port", sp->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/sim.log", sp->dir);
		unlink(path);
		rmdir(sp->dir);
		sp->dir[0] = '\0';
	}
}

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 1024) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int run_capture(const char *const *argv, const char *const *env, char **out, char **err)
{
	char tmpl_out[] = "/tmp/o3-cap-out-XXXXXX", tmpl_err[] = "/tmp/o3-cap-err-XXXXXX";
	int fo = mkstemp(tmpl_out), fe = mkstemp(tmpl_err), status;
	pid_t pid;

	if (fo < 0 || fe < 0)
		return -1;
	unlink(tmpl_out);
	unlink(tmpl_err);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		apply_env(env);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	if (out)
		*out = slurp_fd(fo);
	if (err)
		*err = slurp_fd(fe);
	close(fo);
	close(fe);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

cJSON *sim_truth(const char *const *args, const char *const *env)
{
	const char *argv[64];
	char *out = NULL;
	int argc = 0, rc;
	cJSON *j;
	argv[argc++] = sim_binary();
	argv[argc++] = "--truth";
	for (; args && *args && argc < 62; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	rc = run_capture(argv, env, &out, NULL);
	j = rc == 0 && out ? cJSON_Parse(out) : NULL;
	free(out);
	return j;
}
