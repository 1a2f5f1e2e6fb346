/* SPDX-License-Identifier: MIT */
#ifndef O3_CLI_H
#define O3_CLI_H
#include <getopt.h>
#include <stdio.h>

/*
 * Command-line options declared once: the same table drives getopt_long and
 * the help text, so help cannot drift from what is accepted.
 */
struct cli_option {
	const char *long_name;
	int short_name;      /* 0 = none; otherwise also the getopt value */
	int id;              /* value getopt returns for long-only options (>= 256) */
	const char *arg;     /* NULL = takes no argument; else its name in help */
	const char *help;
};

/* Build a getopt_long table (terminated) and short string from opts[0..n).
 * Both malloced; free() them. */
void cli_build(const struct cli_option *opts, size_t n, struct option **longopts,
	       char **shortopts);
/* The error for what getopt_long returned as ':' (an option without its
 * value) or '?' (an unknown option), naming the option as typed. */
void cli_option_error(const char *command, char *const *argv, int c);
/* Print "usage" and then one line per option. */
void cli_print_help(FILE *out, const char *usage, const char *description,
		    const struct cli_option *opts, size_t n);

#endif
