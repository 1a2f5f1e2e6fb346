// SPDX-License-Identifier: MIT
/* o3: the command and its subcommand table. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "msg.h"
#include "ollama.h"
#include "o3_exit.h"
#include "util.h"
#include "banned.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "the main job: ceiling, trials, presets and stability of a suite's models" },
	{ "compare", cmd_compare, "compare results with the stored baselines (the regression gate)" },
	{ "baseline", cmd_baseline, "write or refresh the baselines from a results folder (baseline update)" },
	{ "merge", cmd_merge, "merge the results of several machines into one report, a column each" },
	{ "report", cmd_report, "write every report of a results folder again from its log, offline" },
	{ "trial", cmd_trial, "measure one configuration of one model and append its record" },
	{ "monitor", cmd_monitor, "show GPU and system memory, temperature, clocks and power" },
	{ "env", cmd_env, "print the environment snapshot (machine, Ollama, models) as JSON" },
};

static void usage(FILE *out)
{
	size_t i;
	fprintf(out,
		"usage: o3 [--quiet | --verbose] <command> [<args>]\n"
		"       o3 --version | --help\n\n"
		"O3 (Ozone), the Ollama Open-Source Optimizer: finds the largest stable context\n"
		"and the fastest settings of each Ollama model on this machine.\n\n"
		"commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nRun 'o3 help <command>' (or 'o3 <command> --help') for the options of a command.\n"
		"The server is taken from OLLAMA_HOST (default 127.0.0.1:11434), as Ollama does.\n"
		"Exit codes: 0 ok, 1 a gating test or the measured configuration failed, 2 usage,\n"
		"3 bad suite or input file, 4 server or environment unavailable, 5 internal error.\n");
}

int main(int argc, char **argv)
{
	int i = 1;
	size_t k;

	signal(SIGPIPE, SIG_IGN);
	{
		/* only for the simulator: see README.md "The simulator" */
		const char *ts = getenv("O3_TIME_SCALE");
		double scale;
		if (ts && *ts && (o3_parse_double(ts, &scale) || clock_set_time_scale(scale))) {
			error("O3_TIME_SCALE must be a number in (0, 1], not '%s'", ts);
			return O3_EXIT_USAGE;
		}
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return O3_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("o3 %s\n", O3_VERSION);
			return O3_EXIT_OK;
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			msg_set_level(MSG_QUIET);
		} else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
			msg_set_level(MSG_VERBOSE);
		} else {
			error("unknown option '%s'", argv[i]);
			usage(stderr);
			return O3_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return O3_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		/* "o3 help run" is "o3 run --help", as git's */
		static char help_opt[] = "--help";
		char *args[3];
		if (i + 1 >= argc) {
			usage(stdout);
			return O3_EXIT_OK;
		}
		for (k = 0; k < ARRAY_SIZE(commands); k++)
			if (!strcmp(argv[i + 1], commands[k].name)) {
				args[0] = argv[i + 1];
				args[1] = help_opt;
				args[2] = NULL;
				return commands[k].fn(2, args);
			}
		error("'%s' is not an o3 command (see 'o3 --help')", argv[i + 1]);
		return O3_EXIT_USAGE;
	}
	for (k = 0; k < ARRAY_SIZE(commands); k++) {
		if (!strcmp(argv[i], commands[k].name)) {
			if (ollama_global_init()) {
				error("cannot initialise libcurl");
				return O3_EXIT_INTERNAL;
			}
			return commands[k].fn(argc - i, argv + i);
		}
	}
	{
		const char *names[ARRAY_SIZE(commands)];
		const char *near;
		for (k = 0; k < ARRAY_SIZE(commands); k++)
			names[k] = commands[k].name;
		near = o3_nearest(argv[i], names, ARRAY_SIZE(commands));
		if (near)
			error("'%s' is not an o3 command; did you mean '%s'?", argv[i], near);
		else
			error("'%s' is not an o3 command (see 'o3 --help')", argv[i]);
	}
	return O3_EXIT_USAGE;
}
