// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nstrace: what happens to Linux namespaces, live. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/commands.h"
#include "doctor/doctor.h"
#include "ls/ls.h"
#include "trace/opts.h"
#include "replay/replay.h"
#include "top/top.h"
#include "trace/trace.h"

static int help_main(int argc, char **argv);

struct help_opts {
	const char *command; /* NULL: the stream's help and the commands */
};

static const struct cli_cmd help_cli = {
	.name = "help",
	.operands = "[COMMAND]",
	.max_operands = 1,
	.operand_field = offsetof(struct help_opts, command),
	.about = "Without COMMAND, what nstrace --help shows; with it, what\n"
		 "nstrace COMMAND --help shows.",
};

/* With no subcommand, nstrace streams events. */
const struct command commands[] = {
	{ &doctor_cli, doctor_main, "what this kernel allows, hook by hook" },
	{ &help_cli, help_main, "this list, or the options of a command" },
	{ &history_cli, history_main,
	  "where an interface has been, by a JSON log" },
	{ &identify_cli, identify_main, "the network namespace of a process" },
	{ &ls_cli, ls_main, "every namespace, its interfaces and holders" },
	{ &pids_cli, pids_main, "the processes of a network namespace" },
	{ &replay_cli, replay_main, "the topology a JSON log says there was" },
	{ &top_cli, top_main, "the network namespaces, live, full screen" },
	{ &where_cli, where_main,
	  "the network namespaces of an interface name" },
	{},
};

static const struct command *find(const char *name)
{
	for (const struct command *c = commands; c->cli; c++)
		if (!strcmp(name, c->cli->name))
			return c;
	return NULL;
}

/* What nstrace --help shows after the stream's options. */
static void list_commands(FILE *f)
{
	fputs("\ncommands (nstrace help COMMAND for the options of one):\n", f);
	for (const struct command *c = commands; c->cli; c++)
		fprintf(f, "  %-10s %s\n", c->cli->name, c->summary);
}

static int help_main(int argc, char **argv)
{
	struct help_opts o = {};
	const struct command *c;
	int rc;

	if (!cli_command(&help_cli, &o, argc, argv, &rc))
		return rc;
	if (!o.command) {
		cli_help(stdout, &trace_cli);
		list_commands(stdout);
		return 0;
	}
	c = find(o.command);
	if (!c)
		return cli_refuse(&help_cli, stderr, "no such command",
				  o.command);
	cli_help(stdout, c->cli);
	return 0;
}

static int trace_main(int argc, char **argv)
{
	struct opts o;

	switch (opts_parse(&o, argc, argv, stdout, stderr)) {
	case CLI_RUN:
		return trace_run(&o);
	case CLI_HELP:
		list_commands(stdout);
		return 0;
	case CLI_DONE:
		return 0;
	case CLI_USAGE:
		break;
	}
	return 2;
}

int main(int argc, char **argv)
{
	const struct command *c = argc > 1 ? find(argv[1]) : NULL;

	if (c)
		return c->run(argc - 1, argv + 1);
	return trace_main(argc, argv);
}
