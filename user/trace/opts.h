/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options of the live stream. */
#ifndef NSTRACE_TRACE_OPTS_H
#define NSTRACE_TRACE_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "loader/stream.h"

struct opts {
	bool json;
	bool no_names; /* no names, pids or containers; no ns.name events */
	bool snapshot; /* the inventory first, and again after a loss */
	const char *output; /* NULL: stdout */
	struct stream_config stream; /* what the BPF side is loaded with */
};

enum opts_result {
	OPTS_RUN,
	OPTS_EXIT_OK, /* --help, --version: done */
	OPTS_EXIT_USAGE, /* bad input, already reported on err */
};

/*
 * Parses argv into o. Errors go to err as one line, and the usage follows;
 * nothing is checked against the running system here.
 */
enum opts_result opts_parse(struct opts *o, int argc, char **argv, FILE *out,
			    FILE *err);
void opts_usage(FILE *f);

#endif
