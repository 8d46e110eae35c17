/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Command-line options as tables. Each option is written once: its names,
 * its value, its help line and what it sets. Each command lists the
 * options it takes and where each one goes in its own options struct; the
 * getopt_long() strings, the usage and --help are all made from that list,
 * so what the help says and what the parser takes cannot part.
 */
#ifndef NSTRACE_LIB_CLI_H
#define NSTRACE_LIB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cli_opt {
	const char *name; /* the long name, without "--" */
	char letter; /* the short name, 0 if none */
	const char *value; /* the value's name in the help; NULL: takes none */
	const char *help; /* '\n' between lines */
	/*
	 * Takes value (NULL if the option has none) into field; false when
	 * it is refused, with *shown set to what to quote if not the whole
	 * value. Without parse, the field is a bool set to true, or for an
	 * option with a value a const char * set to it.
	 */
	bool (*parse)(void *field, const char *value, const char **shown);
	const char *refused; /* the sentence when parse refuses the value */
	/* Prints (--version) and ends the parse: nothing else is read. */
	void (*show)(FILE *out);
};

/* An option as one command takes it. */
struct cli_use {
	const struct cli_opt *opt;
	size_t field; /* offsetof() in the command's options struct */
	const char *help; /* NULL: the option's own */
	/* A mask (uint32_t): each use adds its bits, where it would replace. */
	bool adds;
};

struct cli_cmd {
	const char *name; /* NULL: nstrace alone, the stream */
	const char *operands; /* as the usage shows them: "IFNAME FILE" */
	unsigned min_operands, max_operands;
	/* Where they go: const char *[max_operands] in the options struct. */
	size_t operand_field;
	const char *missing; /* the sentence when operands are missing */
	bool options_first; /* after the first operand, all are operands */
	const char *about; /* what the command does; '\n' between lines */
	const struct cli_use *opts; /* ends with { NULL }; -h is everyone's */
};

enum cli_result {
	CLI_RUN, /* parsed: the command runs */
	CLI_DONE, /* an option printed what it had to (--version): exit 0 */
	CLI_HELP, /* the help is printed on out: exit 0 */
	CLI_USAGE, /* refused, said on err with the usage after it: exit 2 */
};

/*
 * Parses argv (argv[0] the command) into opts, which the caller has set
 * to the defaults; nothing is checked against the running system here.
 */
enum cli_result cli_parse(const struct cli_cmd *c, void *opts, int argc,
			  char **argv, FILE *out, FILE *err);
/*
 * cli_parse() on stdout and stderr, for a command's main: true when the
 * command runs. *exit_code is the exit code so far: 0 when it runs, or
 * after --help.
 */
bool cli_command(const struct cli_cmd *c, void *opts, int argc, char **argv,
		 int *exit_code);
/*
 * A usage error: "nstrace CMD: what: 'value'" (value escaped, left out
 * when NULL) on err, then the usage. Returns 2, the exit code.
 */
int cli_refuse(const struct cli_cmd *c, FILE *err, const char *what,
	       const char *value);
/* The usage line, what the command does, and every option it takes. */
void cli_help(FILE *f, const struct cli_cmd *c);

/* A parse for a file name: any but the empty one, into a const char *. */
bool cli_name(void *field, const char *value, const char **shown);
/*
 * A decimal number with nothing before or after it (no blank, no sign),
 * within [min, max].
 */
bool cli_number(const char *s, uint32_t min, uint32_t max, uint32_t *v);
/* Whole seconds within [min, max], as milliseconds. */
bool cli_ms(const char *s, uint32_t min, uint32_t max, uint64_t *ms);
/* Bytes within [min, max], with a K or M suffix or none. */
bool cli_bytes(const char *s, uint64_t min, uint64_t max, uint64_t *v);
/* The same, a power of two. */
bool cli_size(const char *s, uint32_t min, uint32_t max, uint32_t *v);
/*
 * Names separated by commas, or "all", into a uint32_t mask: bit() gives
 * a name's bit or -1. *shown is the name refused.
 */
/* --at: the last record of a log to take, by its seq or by its time. */
struct cli_at {
	bool by_seq;
	uint64_t at; /* a seq, or nanoseconds since the epoch */
};

/* "seq:N" or an RFC 3339 time into a struct cli_at. */
bool cli_at(void *field, const char *value, const char **shown);
bool cli_mask(void *field, const char *value, const char **shown,
	      int (*bit)(const char *), uint32_t all);

#endif
