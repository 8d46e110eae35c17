/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Subcommands: `nstrace NAME ARGS...`, NAME the name in the command's
 * options table. Each gets argv with argv[0] set to its name and returns
 * the process exit code (0, 1 runtime, 2 usage).
 */
#ifndef NSTRACE_LIB_COMMANDS_H
#define NSTRACE_LIB_COMMANDS_H

#include "lib/cli.h"

struct command {
	const struct cli_cmd *cli; /* its name, options and help */
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for nstrace --help */
};

extern const struct command commands[];

#endif
