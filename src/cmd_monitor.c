// SPDX-License-Identifier: MIT
/* o3 monitor: a live view of GPU and system memory, temperature, clocks,
 * power and busy %; CSV or JSON lines when not on a terminal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "monitor.h"
#include "msg.h"
#include "o3_exit.h"
#include "ollama.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_INTERVAL = 256, OPT_JSON, OPT_COUNT, OPT_LIST, OPT_SYSFS, OPT_PROCFS, OPT_HOST,
	OPT_NO_SERVER,
};

static const struct cli_option options[] = {
	{ "interval", 0, OPT_INTERVAL, "MS", "time between samples (default 1000)" },
	{ "count", 0, OPT_COUNT, "N", "stop after N samples (default: endless on a terminal, else 1)" },
	{ "json", 0, OPT_JSON, NULL, "one JSON object per sample per line" },
	{ "list-backends", 0, OPT_LIST, NULL, "say for each backend whether it works here, and why not" },
	{ "sysfs-root", 0, OPT_SYSFS, "DIR", "read sysfs from DIR instead of /sys" },
	{ "procfs-root", 0, OPT_PROCFS, "DIR", "read procfs from DIR instead of /proc" },
	{ "host", 0, OPT_HOST, "HOST", "Ollama server for /api/ps (default: OLLAMA_HOST, else 127.0.0.1:11434)" },
	{ "no-server", 0, OPT_NO_SERVER, NULL, "do not ask an Ollama server" },
	{ "help", 'h', 0, NULL, "show this help" },
};

static const char description[] =
	"Show GPU and system memory, temperature, clocks, power and busy % from every\n"
	"backend that works here (amdgpu sysfs, rocm_smi, NVML, /proc, Ollama's /api/ps).\n"
	"On a terminal one refreshing line per device; otherwise CSV with a header.\n"
	"GPU memory is VRAM on a discrete card and VRAM + GTT (bounded by system RAM)\n"
	"on unified memory; the definition that applied is printed with it.\n"
	"The NVML library can be chosen with O3_NVML_LIBRARY. Exit codes: 0 ok,\n"
	"2 usage, 4 no backend works (--list-backends still exits 0).";

static double num(const cJSON *obj, const char *name, int *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	*ok = cJSON_IsNumber(v);
	return *ok ? v->valuedouble : 0;
}

static const char *str(const cJSON *obj, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
	return s ? s : "";
}

/* ---- CSV ------------------------------------------------------------------ */

static const struct { const char *group, *name; } csv_cols[] = {
	{ "memory", "used_bytes" }, { "memory", "capacity_bytes" }, { "memory", "pct" },
	{ NULL, "vram_used_bytes" }, { NULL, "vram_total_bytes" }, { NULL, "gtt_used_bytes" },
	{ NULL, "gtt_total_bytes" }, { NULL, "temp_c" }, { NULL, "sclk_mhz" }, { NULL, "mclk_mhz" },
	{ NULL, "power_w" }, { NULL, "busy_pct" },
};
static const struct { const char *group, *name; } csv_sys[] = {
	{ "system", "ram_used_bytes" }, { "system", "ram_total_bytes" },
	{ "runner", "rss_bytes" }, { "runner", "hwm_bytes" },
	{ "ollama_ps", "size_bytes" }, { "ollama_ps", "size_vram_bytes" },
};

static void csv_header(FILE *out)
{
	size_t i;
	fputs("elapsed_ms,device,backend,memory_definition", out);
	for (i = 0; i < ARRAY_SIZE(csv_cols); i++)
		fprintf(out, ",%s%s%s", csv_cols[i].group ? "mem_" : "", csv_cols[i].name, "");
	for (i = 0; i < ARRAY_SIZE(csv_sys); i++)
		fprintf(out, ",%s%s%s", !strcmp(csv_sys[i].group, "system") ? "" : csv_sys[i].group,
			!strcmp(csv_sys[i].group, "system") ? "" : "_", csv_sys[i].name);
	fputc('\n', out);
}

static void csv_num(FILE *out, const cJSON *obj, const char *name)
{
	int ok;
	double v = obj ? num(obj, name, &ok) : (ok = 0, 0);
	fputc(',', out);
	if (ok)
		fprintf(out, "%.15g", v);
}

static void csv_row(FILE *out, const cJSON *r, const cJSON *dev, double t0_ms)
{
	const cJSON *mem = dev ? cJSON_GetObjectItemCaseSensitive(dev, "memory") :
			   cJSON_GetObjectItemCaseSensitive(r, "memory");
	size_t i;
	int ok;

	fprintf(out, "%.0f,%s,%s,%s", num(r, "t_ms", &ok) - t0_ms, dev ? str(dev, "id") : "",
		dev ? str(dev, "backend") : "", mem ? str(mem, "definition") : "");
	for (i = 0; i < ARRAY_SIZE(csv_cols); i++)
		csv_num(out, csv_cols[i].group ? mem : dev, csv_cols[i].name);
	for (i = 0; i < ARRAY_SIZE(csv_sys); i++)
		csv_num(out, cJSON_GetObjectItemCaseSensitive(r, csv_sys[i].group), csv_sys[i].name);
	fputc('\n', out);
}

/* ---- live view ------------------------------------------------------------ */

#define GIB 1073741824.0

/* Append prefix, the value of name in o divided by div, and suffix. */
static void live_field(char *line, size_t len, const cJSON *o, const char *name, const char *prefix,
		       int decimals, const char *suffix, double div)
{
	char part[96];
	int ok;
	double v = num(o, name, &ok);
	if (!ok)
		return;
	snprintf(part, sizeof(part), "%s%.*f%s", prefix, decimals, v / div, suffix);
	o3_strlcpy(line + strlen(line), part, len - strlen(line));
}

static int live_lines(FILE *out, const cJSON *r)
{
	const cJSON *dev, *sys = cJSON_GetObjectItemCaseSensitive(r, "system");
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(r, "runner");
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(r, "ollama_ps");
	char line[512];
	int n = 0, ok;

	cJSON_ArrayForEach(dev, cJSON_GetObjectItemCaseSensitive(r, "devices")) {
		const cJSON *mem = cJSON_GetObjectItemCaseSensitive(dev, "memory");
		snprintf(line, sizeof(line), "%-6s %-8s", str(dev, "id"), str(dev, "backend"));
		if (mem) {
			char part[160];
			snprintf(part, sizeof(part), " %s %.2f/%.2f GiB %5.1f%%",
				 !strcmp(str(mem, "definition"), "discrete_vram") ? "VRAM" : "GPU-mapped",
				 num(mem, "used_bytes", &ok) / GIB, num(mem, "capacity_bytes", &ok) / GIB,
				 num(mem, "pct", &ok));
			o3_strlcpy(line + strlen(line), part, sizeof(line) - strlen(line));
		}
		live_field(line, sizeof(line), dev, "temp_c", "  ", 0, " C", 1);
		live_field(line, sizeof(line), dev, "sclk_mhz", "  sclk ", 0, " MHz", 1);
		live_field(line, sizeof(line), dev, "mclk_mhz", "  mclk ", 0, " MHz", 1);
		live_field(line, sizeof(line), dev, "power_w", "  ", 1, " W", 1);
		live_field(line, sizeof(line), dev, "busy_pct", "  busy ", 0, "%", 1);
		fprintf(out, "\r\033[K%s\n", line);
		n++;
	}
	snprintf(line, sizeof(line), "system ");
	if (sys) {
		live_field(line, sizeof(line), sys, "ram_used_bytes", " RAM ", 2, "", GIB);
		live_field(line, sizeof(line), sys, "ram_total_bytes", "/", 2, " GiB", GIB);
	}
	if (run) {
		live_field(line, sizeof(line), run, "pid", "  runner pid ", 0, "", 1);
		live_field(line, sizeof(line), run, "rss_bytes", " RSS ", 2, " GiB", GIB);
	}
	if (ps) {
		live_field(line, sizeof(line), ps, "models", "  ollama ps: ", 0, " loaded", 1);
		live_field(line, sizeof(line), ps, "size_bytes", ", ", 2, " GiB", GIB);
		live_field(line, sizeof(line), ps, "size_vram_bytes", " (", 2, " GiB on GPU)", GIB);
	}
	fprintf(out, "\r\033[K%s\n", line);
	return n + 1;
}

/* ---- the command ---------------------------------------------------------- */

struct monitor_args {
	long interval_ms, count;
	int json, list, no_server;
	const char *host;
	struct monitor_settings s;
};

static int parse(int argc, char **argv, struct monitor_args *a)
{
	struct option *lo;
	char *so;
	int c, rc = 0;

	cli_build(options, ARRAY_SIZE(options), &lo, &so);
	optind = 0; /* getopt reads the option string again: cmd_monitor may run more than once */
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (o3_parse_long(optarg, &a->interval_ms) || a->interval_ms < 10 ||
			    a->interval_ms > 3600000) {
				error("--interval expects a number of milliseconds from 10 to 3600000, not '%s'",
				      optarg);
				rc = -1;
			}
			break;
		case OPT_COUNT:
			if (o3_parse_long(optarg, &a->count) || a->count < 1) {
				error("--count expects a positive whole number, not '%s'", optarg);
				rc = -1;
			}
			break;
		case OPT_JSON: a->json = 1; break;
		case OPT_LIST: a->list = 1; break;
		case OPT_SYSFS: a->s.sysfs_root = optarg; break;
		case OPT_PROCFS: a->s.procfs_root = optarg; break;
		case OPT_HOST: a->host = optarg; break;
		case OPT_NO_SERVER: a->no_server = 1; break;
		case 'h':
			cli_print_help(stdout, "o3 monitor [options]", description, options,
				       ARRAY_SIZE(options));
			rc = 1;
			break;
		default:
			cli_option_error("monitor", argv, c);
			rc = -1;
		}
	}
	free(lo);
	free(so);
	if (rc)
		return rc;
	if (optind < argc) {
		error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

static struct ollama_client *open_client(const char *host_arg)
{
	struct ollama_host host;
	struct ollama_timeouts t;
	char msg[256];
	const char *h = host_arg ? host_arg : getenv("OLLAMA_HOST");

	if (ollama_host_parse(h, &host, msg, sizeof(msg))) {
		warning("%s; not asking the server", msg);
		return NULL;
	}
	ollama_timeouts_default(&t);
	t.connect_ms = 1000;
	t.total_ms = 3000;
	return ollama_client_new(&host, &t);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts))
		;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_args a;
	struct ollama_client *client = NULL;
	struct monitor *m;
	int rc, tty = isatty(STDOUT_FILENO), lines = 0, ok;
	double t0_ms = 0;
	long i;

	memset(&a, 0, sizeof(a));
	monitor_settings_default(&a.s);
	a.interval_ms = 1000;
	rc = parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? O3_EXIT_OK : O3_EXIT_USAGE;
	if (!a.count)
		a.count = tty && !a.list ? -1 : 1;
	a.s.interval_ms = a.interval_ms;
	if (!a.no_server)
		client = open_client(a.host);
	a.s.ollama = client;
	m = monitor_new(&a.s);
	if (a.list) {
		monitor_list_backends(m, stdout);
		rc = O3_EXIT_OK;
		goto out;
	}
	if (!monitor_available_count(m)) {
		error("no monitor backend works here; see 'o3 monitor --list-backends'");
		rc = O3_EXIT_UNAVAILABLE;
		goto out;
	}
	if (!a.json && !tty)
		csv_header(stdout);
	for (i = 0; a.count < 0 || i < a.count; i++) {
		cJSON *r = NULL, *dev;
		if (i)
			sleep_ms(a.interval_ms);
		monitor_sample_once(m, &r);
		if (!i)
			t0_ms = num(r, "t_ms", &ok);
		if (a.json) {
			char *text = cJSON_PrintUnformatted(r);
			puts(text);
			cJSON_free(text);
		} else if (tty) {
			if (lines)
				printf("\033[%dA", lines);
			lines = live_lines(stdout, r);
		} else {
			int any = 0;
			cJSON_ArrayForEach(dev, cJSON_GetObjectItemCaseSensitive(r, "devices")) {
				csv_row(stdout, r, dev, t0_ms);
				any = 1;
			}
			if (!any)
				csv_row(stdout, r, NULL, t0_ms);
		}
		fflush(stdout);
		cJSON_Delete(r);
	}
	rc = O3_EXIT_OK;
out:
	monitor_free(m);
	if (client)
		ollama_client_free(client);
	return rc;
}
