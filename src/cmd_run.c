// SPDX-License-Identifier: MIT
/* o3 run: the main job (plan, trials, presets, stability, reports). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "cmd_common.h"
#include "envinfo.h"
#include "identity.h"
#include "msg.h"
#include "o3_exit.h"
#include "search.h"
#include "record.h"
#include "regression.h"
#include "report.h"
#include "results.h"
#include "server.h"
#include "step.h"
#include "step_summary.h"
#include "strbuf.h"
#include "suite.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_SUITE = 2000, OPT_RESULTS, OPT_FRESH, OPT_NO_MONITOR, OPT_SYSFS, OPT_PROCFS,
	OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MODEL, OPT_PARALLEL, OPT_LIMIT, OPT_SERVER_BINARY,
	OPT_BASELINE, OPT_STRICT, OPT_WAIT_SERVER,
};

static const struct cli_option options[] = {
	{ "suite", 's', 0, "FILE", "the suite to run (default suites/default.yaml)" },
	{ "model", 'm', 0, "NAME", "run only this model of the suite (repeatable)" },
	{ "results", 0, OPT_RESULTS, "DIR", "results folder (default o3_results)" },
	{ "fresh", 0, OPT_FRESH, NULL, "start over: set the log aside instead of resuming from it" },
	{ "parallel", 0, OPT_PARALLEL, "N", "the server's OLLAMA_NUM_PARALLEL when o3 cannot read it (default 1)" },
	{ "no-monitor", 0, OPT_NO_MONITOR, NULL, "do not sample GPU and system memory" },
	{ "memory-limit", 0, OPT_LIMIT, "PCT", "never start a load while GPU memory use is at PCT % or more" },
	{ "sysfs-root", 0, OPT_SYSFS, "DIR", "read sysfs from DIR instead of /sys" },
	{ "procfs-root", 0, OPT_PROCFS, "DIR", "read procfs from DIR instead of /proc" },
	{ "baseline", 0, OPT_BASELINE, "DIR", "compare with the baselines in DIR at the end (as o3 compare), and plan repetitions and rollbacks from them" },
	{ "wait-server", 0, OPT_WAIT_SERVER, "S", "a server that stops answering: wait up to S seconds for it to come back before giving up (default 60)" },
	{ "strict", 0, OPT_STRICT, NULL, "with --baseline: an inconclusive comparison fails too" },
	{ "server-binary", 0, OPT_SERVER_BINARY, "PATH", "managed mode: the ollama to start (default: the suite's server.binary)" },
	{ "progress", 0, OPT_PROGRESS, NULL, "show progress (default): a line on a terminal, one plain line a step elsewhere" },
	{ "no-progress", 0, OPT_NO_PROGRESS, NULL, "no progress line" },
	CMD_SERVER_OPTIONS,
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"For each model of the suite: the largest context that loads fully on the GPU\n"
	"(load-only probes, then a filled context with a needle to find), the suite's\n"
	"knobs at the contexts that matter, the presets max_ctx and fast, and their\n"
	"stability under concurrent streams. Every step is a Check test case whose\n"
	"record is appended to DIR/logs/run.jsonl; run it again to resume. Reports:\n"
	"DIR/summaries/summary.md, DIR/junit.xml, DIR/defaults/ (YAML presets and\n"
	"Modelfiles), DIR/env/. Ctrl-C (SIGINT) or SIGTERM abandons the current step\n"
	"(measured again on resume), writes the reports and exits 130 (143).";

/* SIGINT or SIGTERM stopped the run (step.h: step_signals_install) */
#define interrupted (step_stop_signal() != 0)

struct run_args {
	const char *suite_path;
	const char *results;
	const char *host;
	const char *sysfs, *procfs;
	const char *models[64];
	int n_models;
	int fresh, no_monitor, progress, parallel;
	double memory_limit_pct;
	const char *server_binary;
	const char *baseline;
	int strict;
	double wait_server_s;
};

struct progress {
	int on;
	uint64_t t0;
	const char *model;   /* the model being measured */
	uint64_t model_t0;
	int models_done;
};

/* A progress line is on the terminal: clear it before anything else is printed. */
static int progress_shown;

static void progress_clear(void *data)
{
	(void)data;
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

/* On a terminal one line, redrawn: model, phase, step i of about n, elapsed,
 * and an estimate of what is left of this model from the mean step so far.
 * Elsewhere (a log, CI) one plain line per step, no escape codes. */
static void show_progress(void *data, const char *model, const char *phase, int done, int planned)
{
	struct progress *p = data;
	uint64_t now = clock_now_ns();
	double elapsed, per;
	int tty = isatty(STDERR_FILENO);
	char *name;
	if (!p->on)
		return;
	if (!p->model || strcmp(p->model, model)) {
		p->model = model;
		p->model_t0 = now;
		p->models_done++;
	}
	elapsed = (double)(now - p->t0) / 1e9;
	per = done ? (double)(now - p->model_t0) / 1e9 / done : 0;
	if (tty) {
		msg_set_before(progress_clear, NULL);
		fputs("\r\033[K", stderr);
		progress_shown = 1;
	}
	name = o3_text_clean(model, 1); /* a model's name is the server's: no escape reaches the terminal */
	fprintf(stderr, "%s[%d] %s: %s, step %d of ~%d, %.0f s elapsed", tty ? "" : "o3: ",
		p->models_done, name, phase, done + 1, planned, elapsed);
	free(name);
	if (per > 0 && planned > done)
		fprintf(stderr, ", ~%.0f s left for this model", per * (planned - done));
	if (!tty)
		fputc('\n', stderr);
	fflush(stderr);
}

static int parse(int argc, char **argv, struct run_args *a, struct cmd_server *srv)
{
	struct option *lo;
	char *so;
	int c, rc = 0;
	long v;

	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again (cli_build) */
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		int r = cmd_server_option(srv, c, optarg, &a->host);
		if (r) {
			rc = r < 0 ? -1 : 0;
			continue;
		}
		switch (c) {
		case 'h':
			cli_print_help(stdout, "o3 run [options]", description, options, ARRAY_SIZE(options));
			rc = 1;
			break;
		case 's': a->suite_path = optarg; break;
		case 'm':
			if (a->n_models < 64)
				a->models[a->n_models++] = optarg;
			break;
		case OPT_RESULTS: a->results = optarg; break;
		case OPT_FRESH: a->fresh = 1; break;
		case OPT_SERVER_BINARY: a->server_binary = optarg; break;
		case OPT_BASELINE: a->baseline = optarg; break;
		case OPT_STRICT: a->strict = 1; break;
		case OPT_WAIT_SERVER:
			if (o3_parse_double(optarg, &a->wait_server_s) || a->wait_server_s < 0 ||
			    a->wait_server_s > 86400) {
				error("--wait-server expects seconds from 0 to 86400, not '%s'", optarg);
				rc = -1;
			}
			break;
		case OPT_NO_MONITOR: a->no_monitor = 1; break;
		case OPT_SYSFS: a->sysfs = optarg; break;
		case OPT_PROCFS: a->procfs = optarg; break;
		case OPT_PROGRESS: a->progress = 1; break;
		case OPT_NO_PROGRESS: a->progress = 0; break;
		case OPT_LIMIT:
			if (o3_parse_double(optarg, &a->memory_limit_pct) || a->memory_limit_pct <= 0 ||
			    a->memory_limit_pct > 100) {
				error("--memory-limit expects a percentage between 0 and 100, not '%s'", optarg);
				rc = -1;
			}
			break;
		case OPT_PARALLEL:
			if (o3_parse_long(optarg, &v) || v < 1 || v > 1024) {
				error("--parallel expects a whole number from 1 to 1024, not '%s'", optarg);
				rc = -1;
			}
			a->parallel = (int)v;
			break;
		default:
			cli_option_error("run", argv, c);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (!rc && optind < argc) {
		error("unexpected argument '%s' (the models come from the suite, or --model)", argv[optind]);
		rc = -1;
	}
	return rc;
}

/* The server's parallel slots from its environment, when readable. */
static int parallel_from_env(const cJSON *env, int fallback)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(env, "server_process"),
						 "knobs"), "OLLAMA_NUM_PARALLEL");
	long v;
	if (cJSON_GetStringValue(k) && !o3_parse_long(cJSON_GetStringValue(k), &v) && v > 0)
		return (int)v;
	return fallback;
}

static int missing_models(const cJSON *models)
{
	const cJSON *m;
	int n = 0;
	cJSON_ArrayForEach(m, models)
		n += cJSON_GetObjectItemCaseSensitive(m, "error") != NULL;
	return n;
}

static int gates_failed(const cJSON *models)
{
	const cJSON *m, *g;
	int n = 0;
	cJSON_ArrayForEach(m, models)
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(m, "gates"))
			n += !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass"));
	return n;
}

/* The models of the suite on one server (ctx->client); appends summaries. */
static int run_models(struct run_args *a, const struct suite *s, struct search_ctx *ctx,
		      cJSON *models)
{
	struct ollama_error err;
	struct ollama_tag *tags = NULL;
	size_t n_tags = 0, i;
	int rc = O3_EXIT_OK, k;

	if (s->all_models && ollama_tags(ctx->client, &tags, &n_tags, &err)) {
		error("cannot list the models of %s: %s", ctx->host.base_url, err.message);
		return O3_EXIT_UNAVAILABLE;
	}
	for (i = 0; i < (s->all_models ? n_tags : s->n_models); i++) {
		const char *model = s->all_models ? tags[i].name : s->models[i];
		cJSON *sum = NULL;
		int r, pick = !a->n_models;
		for (k = 0; k < a->n_models; k++)
			pick |= !strcmp(a->models[k], model);
		if (!pick)
			continue;
		r = search_model(ctx, model, &sum, &err);
		if (sum)
			cJSON_AddItemToArray(models, sum);
		if (r < 0) {
			error("%s", err.message);
			rc = O3_EXIT_UNAVAILABLE;
			break;
		} else if (r > 0 || interrupted) {
			break;
		}
	}
	free(tags);
	return rc;
}

/* Managed mode: a server of ours that died is started again, a few times. */
#define MANAGED_RESTARTS_MAX 3
struct managed_revive {
	struct managed_server *ms;
	const char *binary;
	const cJSON *knobs;
	const char *logdir;
	int restarts;
};

static int managed_revive(void *data, struct search_ctx *ctx)
{
	struct managed_revive *mv = data;
	char how[128], msg[512];
	if (!server_exited(mv->ms, how, sizeof(how)))
		return 0; /* alive: a slow answer is the step's own finding */
	if (mv->restarts >= MANAGED_RESTARTS_MAX) {
		error("the managed server exited (%s) after %d restarts: not starting it again", how,
		      mv->restarts);
		return 0;
	}
	mv->restarts++;
	warning("the managed server on %s exited (%s; its log: %s): starting it again (%d of %d)",
	     ctx->host.base_url, how, mv->ms->log_path, mv->restarts, MANAGED_RESTARTS_MAX);
	if (server_start(mv->binary, mv->knobs, mv->logdir, 120000, mv->ms, msg, sizeof(msg))) {
		error("%s", msg);
		return 0;
	}
	ollama_client_free(ctx->client);
	ctx->host = mv->ms->host;
	ctx->client = ollama_client_new(&ctx->host, &ctx->timeouts);
	note("server started again on %s", ctx->host.base_url);
	return 1;
}

/*
 * Managed mode: every combination of the suite's server knobs, each on a
 * server of its own (server.c), the first knob slowest. Each model's summary
 * names the combination it was measured under.
 */
static int run_managed(struct run_args *a, const struct suite *s, struct search_ctx *ctx,
		       cJSON *models)
{
	const struct suite_knob *sk[SUITE_KNOBS_MAX];
	size_t nk = 0, i, idx[SUITE_KNOBS_MAX] = { 0 };
	const char *binary = a->server_binary ? a->server_binary : s->server.binary;
	char logdir[1024], msg[512];
	int rc = O3_EXIT_OK;

	for (i = 0; i < s->knobs.n && nk < SUITE_KNOBS_MAX; i++)
		if (s->knobs.items[i].kind == SUITE_KNOB_SERVER)
			sk[nk++] = &s->knobs.items[i];
	snprintf(logdir, sizeof(logdir), "%s/logs", a->results);
	record_mkdirs(logdir, 0777);
	for (;;) {
		struct managed_server ms;
		cJSON *knobs = cJSON_CreateObject();
		for (i = 0; i < nk; i++) {
			/* booleans as the server reads them: 1 or 0 */
			const char *v = sk[i]->type == SUITE_VAL_BOOL ? (sk[i]->ints[idx[i]] ? "1" : "0") :
					sk[i]->values[idx[i]];
			cJSON_AddStringToObject(knobs, sk[i]->name, v);
		}
		if (server_start(binary, knobs, logdir, 120000, &ms, msg, sizeof(msg))) {
			error("%s", msg);
			rc = O3_EXIT_UNAVAILABLE;
		} else {
			char *text = cJSON_PrintUnformatted(knobs);
			note("server %s started on %s", text, ms.host.base_url);
			struct managed_revive mv = { &ms, binary, knobs, logdir, 0 };
			cJSON_free(text);
			ctx->host = ms.host;
			ctx->client = ollama_client_new(&ms.host, &ctx->timeouts);
			ctx->server_knobs = knobs;
			ctx->revive = managed_revive;
			ctx->revive_data = &mv;
			rc = run_models(a, s, ctx, models);
			ollama_client_free(ctx->client);
			ctx->client = NULL;
			ctx->server_knobs = NULL;
			ctx->revive = NULL;
			ctx->revive_data = NULL;
			server_stop(&ms);
		}
		cJSON_Delete(knobs);
		if (rc || interrupted)
			break;
		for (i = nk; i > 0; i--) {
			if (++idx[i - 1] < sk[i - 1]->n_values)
				break;
			idx[i - 1] = 0;
		}
		if (i == 0)
			break;
	}
	return rc;
}

/*
 * The run's own record: the suite it ran (its text, so that `o3 report`
 * judges by the same criteria), the server's parallel slots, the machine,
 * the time scale. Its id names the run in every model-end record. Returns a
 * copy (caller deletes).
 */
static cJSON *run_record(const struct run_args *a, const struct suite *s,
			 const struct search_ctx *ctx, const cJSON *machine)
{
	cJSON *rec = record_begin("", RP_RUN), *copy;
	struct strbuf text = STRBUF_INIT;
	char key[300];
	FILE *fp = fopen(a->suite_path, "r");
	if (fp) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && text.len < (1u << 20))
			strbuf_add(&text, buf, n);
		fclose(fp);
	}
	cJSON_AddStringToObject(rec, "o3_version", O3_VERSION);
	cJSON_AddStringToObject(rec, "suite_file", a->suite_path);
	cJSON_AddStringToObject(rec, "suite_name", s->name);
	cJSON_AddStringToObject(rec, "suite_text", text.len ? text.buf : "");
	cJSON_AddNumberToObject(rec, "parallel", ctx->parallel);
	cJSON_AddBoolToObject(rec, "has_gpu", ctx->has_gpu);
	cJSON_AddNumberToObject(rec, "time_scale", clock_time_scale());
	{
		struct utsname u;
		if (!uname(&u))
			cJSON_AddStringToObject(rec, "hostname", u.nodename);
	}
	cJSON_AddItemToObject(rec, "machine", cJSON_Duplicate(machine, 1));
	strbuf_release(&text);
	copy = cJSON_Duplicate(rec, 1);
	snprintf(key, sizeof(key), "%s|%s", RP_RUN, rec_str(rec, RK_ID));
	if (step_note(ctx->steps, key, rec))
		warning("cannot append the run's record to the log");
	return copy;
}

static int run(struct run_args *a, struct suite *s, struct cmd_server *srv)
{
	struct step_runner steps;
	struct search_ctx ctx;
	struct progress prog = { a->progress, clock_now_ns(), NULL, 0, 0 };
	cJSON *models = cJSON_CreateArray(), *env, *machine, *run_rec;
	int rc_reports;
	char path[1024], msg[512], stamp[40];
	int rc;

	snprintf(path, sizeof(path), "%s/logs/run.jsonl", a->results);
	if (step_runner_open(&steps, path, a->fresh, msg, sizeof(msg))) {
		error("%s", msg);
		cJSON_Delete(models);
		return O3_EXIT_INPUT;
	}
	steps.timeout_s = s->timeouts.trial_ms > 0 ? (double)s->timeouts.trial_ms / 1000.0 : 0;
	if (steps.index && cJSON_GetArraySize(steps.index))
		note("resuming: %d steps already in %s", cJSON_GetArraySize(steps.index), path);

	env = envinfo_snapshot(srv->client, a->procfs ? a->procfs : "/proc", a->sysfs ? a->sysfs : "/sys");
	snprintf(path, sizeof(path), "%s/env", a->results);
	record_mkdirs(path, 0777);
	/* no ':' in the name (artifact uploads refuse it); a folder of an older o3
	 * has env-<RFC 3339>.json, which sorts before these (results_load.c) */
	clock_utc_compact(stamp, sizeof(stamp));
	snprintf(path, sizeof(path), "%s/env/env-%s.json", a->results, stamp);
	results_write_json(path, env);

	memset(&ctx, 0, sizeof(ctx));
	ctx.suite = s;
	ctx.host = srv->host;
	ctx.timeouts = srv->timeouts;
	ctx.client = srv->client;
	ctx.steps = &steps;
	ctx.sysfs_root = a->sysfs;
	ctx.procfs_root = a->procfs;
	ctx.monitor = !a->no_monitor;
	ctx.parallel = parallel_from_env(env, a->parallel);
	ctx.stop = step_stop_flag();
	ctx.memory_limit_pct = a->memory_limit_pct;
	ctx.baseline_dir = a->baseline;
	ctx.wait_server_s = a->wait_server_s;
	ctx.progress = show_progress;
	ctx.progress_data = &prog;
	machine = identity_machine(env);
	ctx.machine = machine;
	ctx.has_gpu = identity_machine_has_gpu(machine);
	ctx.found_knobs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(env, "server_process"), "knobs");
	run_rec = run_record(a, s, &ctx, machine);
	ctx.run_id = rec_str(run_rec, RK_ID);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(env, "ollama"),
							  "simulated")))
		note("the server is o3's simulator (%s): every result of this run is marked SIMULATED",
		     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(env, "ollama"), "simulator")) ?
		     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(env, "ollama"), "simulator")) : "o3-sim");

	if (s->server.mode == SUITE_SERVER_MANAGED)
		rc = run_managed(a, s, &ctx, models);
	else
		rc = run_models(a, s, &ctx, models);
	progress_clear(NULL);

	{
		/* JUnit's timestamp: when the run started (its record), which o3
		 * report finds again */
		char stamp_run[32];
		struct results_reports rr = {
			.dir = a->results, .suite_name = s->name, .models = models,
			.step_results = steps.results, .env = env, .machine = machine,
			.timestamp = stamp_run, .hostname = rec_str(run_rec, "hostname"),
			.records = steps.index,
		};
		snprintf(stamp_run, sizeof(stamp_run), "%.19s", rec_str(run_rec, RK_TIME) ?
			 rec_str(run_rec, RK_TIME) : "");
		if (!stamp_run[0])
			rr.timestamp = NULL;
		rr.step_summary = step_summary_path(); /* GitHub Actions */
		rc_reports = results_write_reports(&rr);
	}
	if (rc_reports)
		warning("some reports could not be written under '%s'", a->results);
	report_terminal(stdout, models);
	{
		/* what was measured again, and why */
		const cJSON *m;
		cJSON_ArrayForEach(m, models) {
			const cJSON *ch = cJSON_GetObjectItemCaseSensitive(m, "identity_change");
			if (ch)
				printf("%s: %s: %.0f steps measured again\n",
				       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "model")),
				       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "what")),
				       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
					       ch, "steps_measured_again")));
		}
	}
	printf("\n%d steps run, %d reused (from the log, or the same as an earlier step); reports in %s/ "
	       "(summaries/summary.md, junit.xml, defaults/)\n", steps.executed, steps.reused, a->results);
	if (steps.log_failed) {
		/* nothing measured from here on would be kept: stop, and say how
		 * to go on (the log resumes from its last whole record) */
		error("%s: the run stopped; free space and run the same command again to resume",
		      steps.log_error);
		rc = O3_EXIT_INPUT;
	} else if (interrupted) {
		note("interrupted (%s): the log is complete up to the last step; run the same command "
		     "again to resume", step_stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT");
		rc = step_stop_signal() == SIGTERM ? O3_EXIT_TERMINATED : O3_EXIT_INTERRUPTED;
	} else if (!rc && missing_models(models)) {
		rc = O3_EXIT_UNAVAILABLE; /* the environment lacks what the suite names */
	} else if (!rc && gates_failed(models)) {
		rc = O3_EXIT_GATE;
	}
	if (a->baseline && !interrupted && !steps.log_failed) {
		/* the regression gate: the results just written against the baselines */
		struct regression_opts ro = { a->baseline, NULL, a->strict, 0, step_summary_path() };
		int failed = 0, r = regression_gate(a->results, &ro, &failed, msg, sizeof(msg));
		if (r) {
			error("%s", msg);
			if (!rc)
				rc = r;
		} else if (failed && (!rc || rc == O3_EXIT_GATE)) {
			rc = O3_EXIT_GATE;
		}
	}
	cJSON_Delete(env);
	cJSON_Delete(machine);
	cJSON_Delete(run_rec);
	cJSON_Delete(models);
	step_runner_close(&steps);
	return rc;
}

/*
 * One run at a time on a results folder: DIR/logs/run.lock, held (flock)
 * for the whole run and naming its holder. Two runs on one log would both
 * measure every missing step and compete for the server. o3 report,
 * compare and baseline only read, and take no lock. Returns the lock's
 * descriptor, or -1 (said why).
 */
static int lock_results(const char *results)
{
	char path[1100], held[200], when[40];
	ssize_t n;
	int fd;
	snprintf(path, sizeof(path), "%s/logs", results);
	record_mkdirs(path, 0777);
	snprintf(path, sizeof(path), "%s/logs/run.lock", results);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;
		n = e == EWOULDBLOCK ? pread(fd, held, sizeof(held) - 1, 0) : -1;
		held[n > 0 ? n : 0] = '\0';
		held[strcspn(held, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			error("'%s' is in use by o3 run (%s)", results,
			      held[0] ? held : "pid unknown");
		else
			error("cannot lock '%s': %s", path, strerror(e));
		close(fd);
		return -1;
	}
	clock_utc_rfc3339(when, sizeof(when));
	n = snprintf(held, sizeof(held), "pid %ld, since %s\n", (long)getpid(), when);
	if (ftruncate(fd, 0) || pwrite(fd, held, (size_t)n, 0) != n)
		warning("cannot write '%s': %s", path, strerror(errno));
	return fd;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct cmd_server srv;
	struct suite s;
	struct suite_error serr;
	char buf[1024];
	size_t i;
	int rc, lock_fd;

	memset(&a, 0, sizeof(a));
	a.suite_path = "suites/default.yaml";
	a.results = "o3_results";
	a.progress = 1; /* a line on a terminal, plain lines elsewhere; --no-progress: none */
	a.parallel = 1;
	a.wait_server_s = 60;
	cmd_server_init(&srv);
	/* -1: not given on the command line, where the suite's value applies */
	srv.timeouts.connect_ms = srv.timeouts.first_byte_ms = -1;
	srv.timeouts.stall_ms = srv.timeouts.total_ms = -1;
	rc = parse(argc, argv, &a, &srv);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	if (suite_load_file(a.suite_path, &s, &serr)) {
		error("%s", suite_error_format(&serr, buf, sizeof(buf)));
		return O3_EXIT_INPUT;
	}
	for (i = 0; i < s.n_warnings; i++)
		warning("%s", s.warnings[i]);
	for (i = 0; i < (size_t)a.n_models; i++)
		if (!s.all_models && !suite_has_model(&s, a.models[i])) {
			error("--model '%s' is not in the suite '%s'", a.models[i], a.suite_path);
			suite_release(&s);
			return O3_EXIT_USAGE;
		}
	if (srv.timeouts.connect_ms < 0)
		srv.timeouts.connect_ms = s.timeouts.connect_ms;
	if (srv.timeouts.first_byte_ms < 0)
		srv.timeouts.first_byte_ms = s.timeouts.first_byte_ms;
	if (srv.timeouts.stall_ms < 0)
		srv.timeouts.stall_ms = s.timeouts.stall_ms;
	if (srv.timeouts.total_ms < 0)
		srv.timeouts.total_ms = s.timeouts.total_ms;
	/* managed mode starts its own servers: no server needs to answer now */
	lock_fd = lock_results(a.results);
	if (lock_fd < 0) {
		suite_release(&s);
		return O3_EXIT_UNAVAILABLE;
	}
	rc = s.server.mode == SUITE_SERVER_MANAGED ? 0 : cmd_server_open(&srv, a.host);
	if (!rc) {
		step_signals_install();
		rc = run(&a, &s, &srv);
		step_signals_restore();
	}
	cmd_server_close(&srv);
	close(lock_fd); /* the lock goes with it */
	suite_release(&s);
	return rc;
}
