// SPDX-License-Identifier: MIT
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

void cli_build(const struct cli_option *opts, size_t n, struct option **longopts,
	       char **shortopts)
{
	struct option *lo = xcalloc(n + 1, sizeof(*lo));
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addch(&sb, '+'); /* stop at the first non-option (the model name) */
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
