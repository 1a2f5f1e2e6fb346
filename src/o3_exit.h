/* SPDX-License-Identifier: MIT */
#ifndef O3_EXIT_H
#define O3_EXIT_H
/* The one table of exit codes (README.md "Exit codes" says the same). */
enum o3_exit {
	O3_EXIT_OK = 0,          /* every gating test passed */
	O3_EXIT_GATE = 1,        /* a gating test failed */
	O3_EXIT_USAGE = 2,       /* bad command line */
	O3_EXIT_INPUT = 3,       /* bad suite or input file */
	O3_EXIT_UNAVAILABLE = 4, /* server or environment unavailable */
	O3_EXIT_INTERNAL = 5,    /* internal error */
	/* o3 run stopped by Ctrl-C (SIGINT), its reports written: 128 + SIGINT,
	 * what a shell reports for a process that SIGINT ended */
	O3_EXIT_INTERRUPTED = 130,
	/* o3 run stopped by SIGTERM, its reports written: 128 + SIGTERM */
	O3_EXIT_TERMINATED = 143,
};
#endif
