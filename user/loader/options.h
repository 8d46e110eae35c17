/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The options of the commands that load BPF programs, for their tables
 * (lib/cli.h): each sets a field of the type it names.
 */
#ifndef NSTRACE_LOADER_OPTIONS_H
#define NSTRACE_LOADER_OPTIONS_H

#include "lib/cli.h"

extern const struct cli_opt loader_opt_backend; /* int: enum backend */
extern const struct cli_opt loader_opt_btf; /* const char *; NULL: the kernel's */
extern const struct cli_opt loader_opt_verbose; /* bool: libbpf's messages */

#endif
