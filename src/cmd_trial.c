// SPDX-License-Identifier: MIT
/* o3 trial: one configuration of one model, measured and recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_common.h"
#include "envinfo.h"
#include "monitor.h"
#include "msg.h"
#include "o3_exit.h"
#include "record.h"
#include "trial.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_PROMPT_TOKENS = 2000, OPT_NUM_PREDICT, OPT_REPS, OPT_WARMUP, OPT_KEEP_ALIVE,
	OPT_RESULTS, OPT_JSON, OPT_NUM_CTX, OPT_NUM_BATCH, OPT_UNLOAD, OPT_NO_MONITOR,
	OPT_SYSFS, OPT_PROCFS, OPT_INTERVAL, OPT_ALERT, OPT_LIMIT,
};

static const struct cli_option options[] = {
	{ "option", 'o', 0, "NAME=VALUE", "an Ollama option, checked before sending (repeatable): -o num_ctx=8192" },
	{ "num-ctx", 0, OPT_NUM_CTX, "N", "same as -o num_ctx=N" },
	{ "num-batch", 0, OPT_NUM_BATCH, "N", "same as -o num_batch=N" },
	{ "prompt-tokens", 'p', 0, "N", "prompt size of each timed request in tokens (default 512)" },
	{ "num-predict", 'n', 0, "N", "tokens to generate per request (default 128)" },
	{ "reps", 'r', 0, "N", "timed repetitions (default 3)" },
	{ "warmup", 'w', 0, "N", "untimed warm-up requests (default 1)" },
	{ "keep-alive", 0, OPT_KEEP_ALIVE, "DUR", "keep_alive sent with every request (Go duration, e.g. 10m)" },
	{ "unload", 0, OPT_UNLOAD, NULL, "unload the model when done" },
	{ "results", 0, OPT_RESULTS, "DIR", "results folder (default o3_results)" },
	{ "json", 0, OPT_JSON, NULL, "print the record as JSON on stdout instead of the table" },
	{ "no-monitor", 0, OPT_NO_MONITOR, NULL, "do not sample GPU and system memory during the trial" },
	{ "monitor-interval", 0, OPT_INTERVAL, "MS", "sampling interval of the monitor (default 100)" },
	{ "alert", 0, OPT_ALERT, "PCT", "warn when GPU memory use crosses PCT % (default 85)" },
	{ "memory-limit", 0, OPT_LIMIT, "PCT", "refuse to load when GPU memory use is already at PCT %" },
	{ "sysfs-root", 0, OPT_SYSFS, "DIR", "read sysfs from DIR instead of /sys (tests, simulator)" },
	{ "procfs-root", 0, OPT_PROCFS, "DIR", "read procfs from DIR instead of /proc (tests, simulator)" },
	CMD_SERVER_OPTIONS,
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char usage_line[] = "o3 trial [options] MODEL";
static const char description[] =
	"Loads MODEL with the given options, warms it up, then times --reps requests,\n"
	"each with a fresh prompt of --prompt-tokens tokens (no shared prefix, so\n"
	"Ollama's prompt cache cannot fake a short TTFT). Prints a table and appends\n"
	"the record to DIR/logs/trials.jsonl; the environment goes to DIR/env/.";

struct trial_args {
	struct trial_spec spec;
	cJSON *opts;
	const char *results;
	const char *host;
	int json;
	int no_monitor;
	struct monitor_settings mon;
};

static int add_option(cJSON *opts, const char *name, const char *value)
{
	char msg[512];
	int rc = ollama_option_add(opts, name, value, msg, sizeof(msg));
	if (rc < 0) {
		error("%s", msg);
		return -1;
	}
	if (rc > 0)
		warning("%s", msg);
	return 0;
}

static int parse_count(const char *name, const char *arg, long min, long *out)
{
	if (o3_parse_long(arg, out) || *out < min) {
		error("--%s expects a whole number of at least %ld, not '%s'", name, min, arg);
		return -1;
	}
	return 0;
}

static int parse_pct(const char *name, const char *arg, double *out)
{
	if (o3_parse_double(arg, out) || *out <= 0 || *out > 100) {
		error("--%s expects a percentage between 0 and 100, not '%s'", name, arg);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct trial_args *a, struct cmd_server *srv)
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
			cli_print_help(stdout, usage_line, description, options, ARRAY_SIZE(options));
			rc = 1;
			break;
		case 'o': {
			char *eq = strchr(optarg, '=');
			char *name;
			if (!eq || eq == optarg) {
				error("-o expects NAME=VALUE, not '%s'", optarg);
				rc = -1;
				break;
			}
			name = xstrndup(optarg, (size_t)(eq - optarg));
			rc = add_option(a->opts, name, eq + 1);
			free(name);
			break;
		}
		case OPT_NUM_CTX:
			rc = add_option(a->opts, "num_ctx", optarg);
			break;
		case OPT_NUM_BATCH:
			rc = add_option(a->opts, "num_batch", optarg);
			break;
		case 'p':
			rc = parse_count("prompt-tokens", optarg, 1, &a->spec.prompt_tokens);
			break;
		case 'n':
			rc = parse_count("num-predict", optarg, 2, &a->spec.num_predict);
			break;
		case 'r':
			rc = parse_count("reps", optarg, 1, &v);
			a->spec.reps = (int)v;
			break;
		case 'w':
			rc = parse_count("warmup", optarg, 0, &v);
			a->spec.warmup = (int)v;
			break;
		case OPT_KEEP_ALIVE:
			if (!ollama_keep_alive_valid(optarg)) {
				error("--keep-alive expects seconds or a Go duration (5m, 1h30m, -1), not '%s'",
				      optarg);
				rc = -1;
			}
			a->spec.keep_alive = optarg;
			break;
		case OPT_UNLOAD:
			a->spec.unload_after = 1;
			break;
		case OPT_RESULTS:
			a->results = optarg;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_NO_MONITOR:
			a->no_monitor = 1;
			break;
		case OPT_INTERVAL:
			rc = parse_count("monitor-interval", optarg, 10, &a->mon.interval_ms);
			break;
		case OPT_ALERT:
			rc = parse_pct("alert", optarg, &a->mon.alert_pct);
			break;
		case OPT_LIMIT:
			rc = parse_pct("memory-limit", optarg, &a->mon.limit_pct);
			break;
		case OPT_SYSFS:
			a->mon.sysfs_root = optarg;
			break;
		case OPT_PROCFS:
			a->mon.procfs_root = optarg;
			break;
		default:
			cli_option_error("trial", argv, c);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (rc)
		return rc;
	if (optind != argc - 1) {
		error(optind >= argc ? "which model? (usage: %s)" : "one model at a time (usage: %s)",
		      usage_line);
		return -1;
	}
	a->spec.model = argv[optind];
	return 0;
}

/* 0 when the model exists; otherwise prints why (with a suggestion). */
static int check_model(struct cmd_server *srv, const char *model, const cJSON *opts)
{
	struct ollama_show show;
	struct ollama_error err;
	const cJSON *ctx;

	if (!ollama_show(srv->client, model, &show, &err)) {
		ctx = cJSON_GetObjectItemCaseSensitive(opts, "num_ctx");
		if (cJSON_IsNumber(ctx) && show.context_length > 0 &&
		    ctx->valuedouble > (double)show.context_length)
			warning("num_ctx %.0f is larger than the %lld tokens '%s' was trained for; "
				"Ollama clamps it", ctx->valuedouble, show.context_length, model);
		return 0;
	}
	if (err.cls == OLLAMA_ERR_NOT_FOUND) {
		struct ollama_tag *tags = NULL;
		struct ollama_error terr;
		size_t n = 0, i;
		error("model '%s' is not on %s (pull it with 'ollama pull %s')", model,
		      srv->host.base_url, model);
		if (!ollama_tags(srv->client, &tags, &n, &terr) && n) {
			const char **names = xcalloc(n, sizeof(*names));
			const char *near;
			for (i = 0; i < n; i++)
				names[i] = tags[i].name;
			near = o3_nearest(model, names, n);
			if (near)
				note("did you mean '%s'?", near);
			free(names);
		}
		free(tags);
	} else {
		error("cannot ask %s about '%s': %s", srv->host.base_url, model, err.message);
	}
	return cmd_exit_for(err.cls) ? cmd_exit_for(err.cls) : O3_EXIT_UNAVAILABLE;
}

static void write_env(struct cmd_server *srv, const struct trial_args *a, const char *id)
{
	char path[1024];
	cJSON *env = envinfo_snapshot(srv->client, a->mon.procfs_root ? a->mon.procfs_root : "/proc",
				      a->mon.sysfs_root ? a->mon.sysfs_root : "/sys");
	char *text = cJSON_Print(env);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/env", a->results);
	if (record_mkdirs(path, 0777) == 0) {
		snprintf(path, sizeof(path), "%s/env/env-%s.json", a->results, id);
		fp = fopen(path, "w");
		if (fp) {
			fputs(text, fp);
			fputc('\n', fp);
			fclose(fp);
		} else {
			warning("cannot write '%s'", path);
		}
	}
	cJSON_free(text);
	cJSON_Delete(env);
}

/* The monitor's alert, printed once per trial. */
static void alert_once(const cJSON *rec, double level)
{
	const cJSON *mon = cJSON_GetObjectItemCaseSensitive(rec, "monitor");
	const cJSON *alert = cJSON_GetObjectItemCaseSensitive(mon, "alert");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(mon, "memory");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(alert, "value_pct");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(alert, "first_ms");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(alert, "crossed")))
		return;
	warning("GPU memory use crossed the alert level of %.0f%% during the trial of '%s': "
		"%.1f%% after %.1f s (%s)", level,
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "model")),
		cJSON_IsNumber(v) ? v->valuedouble : 0.0,
		cJSON_IsNumber(t) ? t->valuedouble / 1000.0 : 0.0,
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mem, "definition")) ?
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mem, "definition")) : "unknown");
}

static int run(struct trial_args *a, struct cmd_server *srv)
{
	struct record_log log;
	struct ollama_error err;
	struct monitor *mon = NULL;
	cJSON *rec = NULL, *server;
	char path[1024], msg[512];
	int rc;

	rc = check_model(srv, a->spec.model, a->opts);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/logs/trials.jsonl", a->results);
	if (record_log_open(&log, path, msg, sizeof(msg))) {
		error("%s", msg);
		return O3_EXIT_INPUT;
	}
	if (!a->no_monitor) {
		a->mon.ollama = srv->client;
		mon = monitor_new(&a->mon);
		if (a->mon.limit_pct > 0 && monitor_check_pressure(mon, msg, sizeof(msg))) {
			error("not loading '%s': %s", a->spec.model, msg);
			monitor_free(mon);
			record_log_close(&log);
			return O3_EXIT_UNAVAILABLE;
		}
		a->spec.monitor = mon;
	}
	a->spec.options = a->opts;
	if (msg_get_level() >= MSG_NORMAL)
		fprintf(stderr, "o3: measuring '%s' (load, %d warm-up, %d timed request%s)...\n",
			a->spec.model, a->spec.warmup, a->spec.reps, a->spec.reps == 1 ? "" : "s");
	rc = trial_run(srv->client, &a->spec, &rec, &err);
	server = cJSON_AddObjectToObject(rec, "server");
	cJSON_AddStringToObject(server, "url", srv->host.base_url);
	cJSON_AddStringToObject(server, "version", srv->version);
	/* measured on o3's simulator: the record says so, and so does o3 */
	cJSON_AddBoolToObject(server, "simulated", ollama_client_simulator(srv->client)[0] != '\0');
	if (ollama_client_simulator(srv->client)[0]) {
		cJSON_AddStringToObject(server, "simulator", ollama_client_simulator(srv->client));
		note("SIMULATED: the server is o3's simulator (%s), not a real Ollama",
		     ollama_client_simulator(srv->client));
	}
	if (record_log_append(&log, rec)) {
		error("cannot append to '%s'", path);
		rc = O3_EXIT_INTERNAL;
	} else {
		write_env(srv, a, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id")));
		if (a->json) {
			char *text = cJSON_Print(rec);
			puts(text);
			cJSON_free(text);
		} else {
			trial_print_table(rec, stdout);
		}
		alert_once(rec, a->mon.alert_pct);
		note("record appended to %s", path);
		if (rc) {
			error("trial of '%s' failed: %s: %s", a->spec.model,
			      ollama_err_class_name(err.cls), err.message);
			rc = cmd_exit_for(err.cls);
		}
	}
	cJSON_Delete(rec);
	monitor_free(mon);
	record_log_close(&log);
	return rc;
}

int cmd_trial(int argc, char **argv)
{
	struct trial_args a;
	struct cmd_server srv;
	int rc;

	memset(&a, 0, sizeof(a));
	trial_spec_default(&a.spec);
	monitor_settings_default(&a.mon);
	a.results = "o3_results";
	a.opts = cJSON_CreateObject();
	cmd_server_init(&srv);

	rc = parse_args(argc, argv, &a, &srv);
	if (rc) {
		cJSON_Delete(a.opts);
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	}
	rc = cmd_server_open(&srv, a.host);
	if (!rc)
		rc = run(&a, &srv);
	cmd_server_close(&srv);
	cJSON_Delete(a.opts);
	return rc;
}
