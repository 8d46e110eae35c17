/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* nstrace top: the network namespaces, live, full screen. */
#ifndef NSTRACE_TOP_TOP_H
#define NSTRACE_TOP_TOP_H

#include "lib/cli.h"

extern const struct cli_cmd top_cli;
int top_main(int argc, char **argv);

#endif
