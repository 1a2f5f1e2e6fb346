// SPDX-License-Identifier: MIT
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

void cli_build(const struct cli_option *opts, size_t n, struct option **longopts,
	       char **shortopts)
{
	struct option *lo = xcalloc(n + 1, sizeof(*lo));
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	/*
	 * No '+': options may follow the operands (o3 trial MODEL --reps 1), as
	 * git's; "--" ends the options. ':' first: a missing value is told apart
	 * from an unknown option (cli_option_error). The parse must start with
	 * optind = 0 so that getopt reads this again in every parse.
	 */
	strbuf_addch(&sb, ':');
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].long_name;
		lo[i].has_arg = opts[i].arg ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = opts[i].short_name ? opts[i].short_name : opts[i].id;
		if (opts[i].short_name) {
			strbuf_addch(&sb, (char)opts[i].short_name);
			if (opts[i].arg)
				strbuf_addch(&sb, ':');
		}
	}
	*longopts = lo;
	*shortopts = strbuf_detach(&sb, NULL);
}

void cli_print_help(FILE *out, const char *usage, const char *description,
		    const struct cli_option *opts, size_t n)
{
	size_t i;
	fprintf(out, "usage: %s\n\n%s\n\noptions:\n", usage, description);
	for (i = 0; i < n; i++) {
		char left[64];
		if (opts[i].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_name,
				 opts[i].long_name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].long_name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-30s %s\n", left, opts[i].help);
	}
}

void cli_option_error(const char *command, char *const *argv, int c)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char shortname[3] = { '-', (char)optopt, '\0' };

	/* a short option may sit in a cluster (-qr): name its letter */
	if (strncmp(arg, "--", 2) && optopt > ' ' && optopt < 127)
		arg = shortname;
	if (c == ':')
		error("option '%s' needs a value (see 'o3 %s --help')", arg, command);
	else
		error("unknown option '%s' (see 'o3 %s --help')", arg, command);
}
