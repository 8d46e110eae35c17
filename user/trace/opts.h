/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options of the live stream. */
#ifndef NSTRACE_TRACE_OPTS_H
#define NSTRACE_TRACE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/cli.h"
#include "lib/hostport.h"
#include "loader/stream.h"

struct opts {
	bool json;
	bool no_names; /* no names, pids or containers; no ns.name events */
	bool snapshot; /* the inventory first, and again after a loss */
	const char *host_root; /* the runtimes' state under it; NULL: / */
	const char *container; /* --container: a name or an id's start */
	const char *pod; /* --pod: NAMESPACE/NAME */
	const char *output; /* NULL: stdout */
	uint64_t max_size; /* bytes; 0: output never rotates */
	uint32_t max_files; /* rotated files kept, with max_size */
	const char *metrics_file; /* NULL: none */
	uint64_t metrics_ms; /* how often metrics_file is written */
	struct hostport metrics; /* --metrics; len 0: none */
	struct stream_config stream; /* what the BPF side is loaded with */
};

/* nstrace with no command. */
extern const struct cli_cmd trace_cli;

/*
 * Parses argv into o, from the defaults. Errors go to err as one line,
 * and the usage follows; nothing is checked against the running system.
 */
enum cli_result opts_parse(struct opts *o, int argc, char **argv, FILE *out,
			   FILE *err);

#endif
