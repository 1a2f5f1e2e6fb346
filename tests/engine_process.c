// SPDX-License-Identifier: MIT
#define _XOPEN_SOURCE 700 /* nftw */
#include "engine_process.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_process.h"

static const char *root(const char *var)
{
	const char *v = getenv(var);
	return v && *v ? v : ".";
}

static void fixture_path(char *buf, size_t len, const char *file)
{
	snprintf(buf, len, "%s/fixtures/llamacpp-server/%s", root("O3_SOURCE_ROOT"), file);
}

int engine_node_available(void)
{
	const char *argv[] = { "node", "--version", NULL };
	char *out = NULL, *err = NULL;
	int rc = run_capture(argv, NULL, &out, &err), major = 0;
	if (rc != 0)
		fprintf(stderr, "node is not available (exit %d): %s\n", rc, err ? err : "");
	else if (!out || sscanf(out, "v%d", &major) != 1 || major < 20)
		fprintf(stderr, "node %s is too old: node-llama-cpp 3.21 needs 20 or later\n",
			out ? out : "?");
	free(out);
	free(err);
	return rc == 0 && major >= 20 ? 0 : -1;
}

/* A python3 that has numpy: $O3_PYTHON3, else python3 on PATH, else Debian's
 * (python3-numpy installs there, where a python3 of a version manager may
 * come first on PATH). */
static const char *python_with_numpy(void)
{
	static const char *const candidates[] = { "python3", "/usr/bin/python3" };
	const char *env = getenv("O3_PYTHON3");
	size_t i;
	if (env && *env)
		return env;
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		const char *argv[] = { candidates[i], "-c", "import numpy", NULL };
		char *out = NULL, *err = NULL;
		int rc = run_capture(argv, NULL, &out, &err);
		free(out);
		free(err);
		if (rc == 0)
			return candidates[i];
	}
	return NULL;
}

const char *engine_model(const char *preset)
{
	static char paths[2][1024];
	char dir[900], script[1024];
	char *slot = !strcmp(preset, "tiny") ? paths[0] : paths[1];
	struct stat st;
	const char *py;
	snprintf(dir, sizeof(dir), "%s/real-engine", root("O3_BUILD_ROOT"));
	snprintf(slot, sizeof(paths[0]), "%s/%s.gguf", dir, preset);
	if (stat(slot, &st) == 0 && st.st_size > 0)
		return slot;
	mkdir(dir, 0755);
	py = python_with_numpy();
	if (!py) {
		fprintf(stderr, "no python3 with numpy (Debian: python3-numpy; or set O3_PYTHON3)\n");
		return NULL;
	}
	fixture_path(script, sizeof(script), "make_gguf.py");
	{
		char tmp[1100];
		const char *argv[] = { py, script, tmp, "--preset", preset, NULL };
		char *out = NULL, *err = NULL;
		int rc;
		snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", slot, (long)getpid());
		rc = run_capture(argv, NULL, &out, &err);
		if (rc != 0 || rename(tmp, slot) != 0) {
			fprintf(stderr, "%s %s failed (exit %d): %s\n", py, script, rc, err ? err : "");
			unlink(tmp);
			free(out);
			free(err);
			return NULL;
		}
		free(out);
		free(err);
	}
	return slot;
}

int engine_node_run(const char *script, const char *const *args, const char *const *env,
		    char **out, char **err)
{
	char path[1024];
	const char *argv[64];
	int argc = 0;
	fixture_path(path, sizeof(path), script);
	argv[argc++] = "node";
	argv[argc++] = path;
	for (; args && *args && argc < 62; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	return run_capture(argv, env, out, err);
}

const char *engine_timings_path(const struct engine_process *ep)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/timings.jsonl", ep->dir);
	return path;
}

int engine_start(struct engine_process *ep, const char *name, const char *file,
		 const char *const *args, const char *const *env)
{
	char portfile[128], logfile[128], server[1024], model[1200];
	const char *argv[64];
	int argc = 0;

	memset(ep, 0, sizeof(*ep));
	snprintf(ep->dir, sizeof(ep->dir), "/tmp/o3-enginetest-XXXXXX");
	if (!mkdtemp(ep->dir))
		return -1;
	snprintf(portfile, sizeof(portfile), "%s/port", ep->dir);
	snprintf(logfile, sizeof(logfile), "%s/server.log", ep->dir);
	fixture_path(server, sizeof(server), "server.mjs");
	snprintf(model, sizeof(model), "%s=%s", name, file);
	argv[argc++] = "node";
	argv[argc++] = server;
	argv[argc++] = "--model";
	argv[argc++] = model;
	argv[argc++] = "--port-file";
	argv[argc++] = portfile;
	argv[argc++] = "--timings-file";
	argv[argc++] = engine_timings_path(ep);
	for (; args && *args && argc < 62; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	/* node and a model load: up to a minute */
	if (port_child_start(argv, env, portfile, logfile, 60000, &ep->pid, &ep->port)) {
		engine_stop(ep);
		return -1;
	}
	snprintf(ep->host, sizeof(ep->host), "127.0.0.1:%d", ep->port);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void engine_stop(struct engine_process *ep)
{
	port_child_stop(&ep->pid);
	if (ep->dir[0]) {
		/* the folder is the test's own (mkdtemp): port, log, timings and
		 * what the test wrote there */
		nftw(ep->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
		ep->dir[0] = '\0';
	}
}
