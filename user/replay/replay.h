/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nstrace replay and history: what a JSON log (nstrace --json, best with
 * --snapshot) says the topology was at a moment, and where an interface
 * has been (docs/replay.md).
 */
#ifndef NSTRACE_REPLAY_REPLAY_H
#define NSTRACE_REPLAY_REPLAY_H

#include "lib/buf.h"
#include "lib/cli.h"

extern const struct cli_cmd replay_cli, history_cli;
int replay_main(int argc, char **argv);
int history_main(int argc, char **argv);

#endif
