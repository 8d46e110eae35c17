/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every option of every command, one row each of options[] (lib/cli.h):
 * a command's table names the rows it takes, with where each one goes in
 * its own options struct. The rows and their parsers are in
 * lib/options.c: what they parse (backend names, namespace types, RFC
 * 3339 times) is all in lib/, so every command can name them.
 */
#ifndef NSTRACE_LIB_OPTIONS_H
#define NSTRACE_LIB_OPTIONS_H

#include "lib/cli.h"

#define NSTRACE_VERSION "0.1.0" /* --version, and the metrics' build_info */

/* Each with the type of the field it sets. */
enum opt_id {
	OPT_JSON, /* bool */
	OPT_OUTPUT, /* const char *; NULL: stdout */
	OPT_TYPE, /* uint32_t: a mask of namespace types */
	OPT_ALL, /* uint32_t: every namespace type */
	OPT_PID, /* uint32_t */
	OPT_EVENT, /* uint32_t: a mask of event kinds */
	OPT_MAX_SIZE, /* uint64_t: bytes; 0: the file never rotates */
	OPT_MAX_FILES, /* uint32_t: rotated files kept */
	OPT_METRICS_FILE, /* const char *; NULL: none */
	OPT_METRICS_INTERVAL, /* uint64_t: milliseconds */
	OPT_METRICS, /* struct hostport; len 0: none */
	OPT_BTF, /* const char *; NULL: the kernel's */
	OPT_BUFFER_SIZE, /* uint32_t: bytes */
	OPT_BACKEND, /* int: enum backend */
	OPT_NO_NAMES, /* bool */
	OPT_SNAPSHOT, /* bool */
	OPT_VERBOSE, /* bool: libbpf's messages */
	OPT_MARK, /* uint64_t: milliseconds */
	OPT_REFRESH, /* uint64_t: milliseconds, 0: never on a clock */
	OPT_AT, /* struct cli_at: replay's cut-off */
	OPT_HOST_ROOT, /* const char *: a directory; NULL: / */
	OPT_CONTAINER, /* const char *: a name or an id's start */
	OPT_POD, /* const char *: NAMESPACE/NAME */
	OPT_NETNS, /* const char *: a netns as users name it */
	OPT_VERSION, /* none: prints the version */
	OPT_COUNT,
};

extern const struct cli_opt options[OPT_COUNT];

#endif
