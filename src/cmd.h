/* SPDX-License-Identifier: MIT */
#ifndef O3_CMD_H
#define O3_CMD_H
/*
 * One function per subcommand, each in src/cmd_<verb>.c. argv[0] is the
 * subcommand name. Returns an exit code from o3_exit.h.
 */
int cmd_run(int argc, char **argv);
int cmd_trial(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
#endif
