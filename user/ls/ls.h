/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The inventory subcommands: ls, and the queries identify, pids and
 * where. Each returns the exit code: 0, 1 runtime, 2 usage.
 */
#ifndef NSTRACE_LS_LS_H
#define NSTRACE_LS_LS_H

#include "lib/cli.h"

extern const struct cli_cmd ls_cli, identify_cli, pids_cli, where_cli;
int ls_main(int argc, char **argv);
int identify_main(int argc, char **argv);
int pids_main(int argc, char **argv);
int where_main(int argc, char **argv);

#endif
