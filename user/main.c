// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nstrace: what happens to Linux namespaces, live. */
#include <stdio.h>
#include <string.h>

#include "lib/commands.h"
#include "doctor/doctor.h"
#include "ls/ls.h"
#include "trace/opts.h"
#include "replay/replay.h"
#include "top/top.h"
#include "trace/trace.h"

/* With no subcommand, nstrace streams events. */
const struct command commands[] = {
	{ "doctor", doctor_main, "what this kernel allows, hook by hook" },
	{ "history", history_main,
	  "where an interface has been, by a JSON log" },
	{ "identify", identify_main, "the network namespace of a process" },
	{ "ls", ls_main, "every namespace, its interfaces and holders" },
	{ "pids", pids_main, "the processes of a network namespace" },
	{ "replay", replay_main, "the topology a JSON log says there was" },
	{ "top", top_main, "the network namespaces, live, full screen" },
	{ "where", where_main, "the network namespaces of an interface name" },
	{},
};

static int trace_main(int argc, char **argv)
{
	struct opts o;

	switch (opts_parse(&o, argc, argv, stdout, stderr)) {
	case CLI_RUN:
		return trace_run(&o);
	case CLI_USAGE:
		return 2;
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		for (const struct command *c = commands; c->name; c++)
			if (!strcmp(argv[1], c->name))
				return c->run(argc - 1, argv + 1);
	return trace_main(argc, argv);
}
