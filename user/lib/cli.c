// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/enums.h"
#include "lib/escape.h"
#include "lib/rfc3339.h"

#define MAX_OPTS 32 /* a command's options, --help included */
#define LONG_VAL 0x100 /* getopt_long()'s value of the option at index i */
#define HELP_COL 25 /* where the help lines of the options start */

static const struct cli_opt help_opt = {
	.name = "help",
	.letter = 'h',
	.help = "this help",
};

bool cli_name(void *field, const char *value, const char **shown)
{
	if (!*value)
		return false;
	*(const char **)field = value;
	return true;
}

/* The number s starts with: strtoull() would skip blanks and take a sign. */
static bool digits(const char *s, unsigned long long *n, char **end)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*n = strtoull(s, end, 10);
	return !errno;
}

bool cli_number(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!digits(s, &n, &end) || *end || n < min || n > max)
		return false;
	*v = (uint32_t)n;
	return true;
}

bool cli_ms(const char *s, uint32_t min, uint32_t max, uint64_t *ms)
{
	uint32_t n;

	if (!cli_number(s, min, max, &n))
		return false;
	*ms = (uint64_t)n * 1000;
	return true;
}

bool cli_bytes(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long n, mult = 1;
	char *end;

	if (!digits(s, &n, &end))
		return false;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	if (*end || n > max / mult || n * mult < min)
		return false;
	*v = n * mult;
	return true;
}

bool cli_size(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t n;

	if (!cli_bytes(s, min, max, &n) || (n & (n - 1)))
		return false;
	*v = (uint32_t)n;
	return true;
}

bool cli_mask(void *field, const char *value, const char **shown,
	      int (*bit)(const char *), uint32_t all)
{
	int64_t mask = parse_list(value, bit, all, shown);

	if (mask < 0)
		return false;
	*(uint32_t *)field = (uint32_t)mask;
	return true;
}

/* The options of c, --help last; the count. */
static size_t list_opts(const struct cli_cmd *c, const struct cli_opt **opts,
			const char **helps)
{
	size_t n = 0;

	for (const struct cli_use *u = c->opts; u && u->opt; u++, n++) {
		if (n + 1 == MAX_OPTS)
			abort(); /* a table too long: the unit tests see it */
		opts[n] = u->opt;
		helps[n] = u->help ? u->help : u->opt->help;
	}
	opts[n] = &help_opt;
	helps[n] = help_opt.help;
	return n + 1;
}

static void put_name(FILE *f, const struct cli_cmd *c)
{
	fputs("nstrace", f);
	if (c->name)
		fprintf(f, " %s", c->name);
}

/* Lines of s after the first start at column col. */
static void put_lines(FILE *f, const char *s, int col)
{
	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - s), s, col, "");
	fprintf(f, "%s\n", s);
}

void cli_help(FILE *f, const struct cli_cmd *c)
{
	const struct cli_opt *opts[MAX_OPTS];
	const char *helps[MAX_OPTS];
	size_t n = list_opts(c, opts, helps);

	fputs("usage: ", f);
	put_name(f, c);
	fputs(" [OPTIONS]", f);
	if (c->operands)
		fprintf(f, " %s", c->operands);
	fputc('\n', f);
	put_lines(f, c->about, 0);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = opts[i];
		int len;

		if (o->letter)
			len = fprintf(f, "  -%c, --%s", o->letter, o->name);
		else
			len = fprintf(f, "      --%s", o->name);
		if (o->value)
			len += fprintf(f, " %s", o->value);
		/* A long name and value push the help to a line of its own. */
		if (len + 2 > HELP_COL)
			fprintf(f, "\n%*s", HELP_COL, "");
		else
			fprintf(f, "%*s", HELP_COL - len, "");
		put_lines(f, helps[i], HELP_COL);
	}
}

int cli_refuse(const struct cli_cmd *c, FILE *err, const char *what,
	       const char *value)
{
	put_name(err, c);
	if (value)
		fprintf(err, ": %s: '%s'\n", what, text_shown(value));
	else
		fprintf(err, ": %s\n", what);
	cli_help(err, c);
	return 2;
}

/*
 * The option getopt choked on, as the user typed it. For a long option
 * glibc sets optopt to its value, so that says nothing; a short one may
 * sit in a cluster ("-jx"), so name that letter alone.
 */
static const char *option_name(int opt, const char *arg)
{
	static char s[3] = "-?";

	if (!opt || !strncmp(arg, "--", 2))
		return arg;
	s[1] = (char)opt;
	return s;
}

/* The getopt_long() tables of opts[0..n). */
static void getopt_tables(const struct cli_cmd *c,
			  const struct cli_opt *const *opts, size_t n,
			  struct option *longs, char *shorts)
{
	char *p = shorts;

	if (c->options_first)
		*p++ = '+';
	*p++ = ':'; /* a missing value is ':', not '?' */
	for (size_t i = 0; i < n; i++) {
		longs[i] = (struct option){
			.name = opts[i]->name,
			.has_arg = opts[i]->value ? required_argument :
						    no_argument,
			.val = LONG_VAL + (int)i,
		};
		if (!opts[i]->letter)
			continue;
		*p++ = opts[i]->letter;
		if (opts[i]->value)
			*p++ = ':';
	}
	*p = '\0';
	longs[n] = (struct option){};
}

/* The index in opts of what getopt_long() returned, or -1. */
static int opt_index(int ret, const struct cli_opt *const *opts, size_t n)
{
	if (ret >= LONG_VAL && ret < LONG_VAL + (int)n)
		return ret - LONG_VAL;
	for (size_t i = 0; i < n; i++)
		if (opts[i]->letter == ret)
			return (int)i;
	return -1;
}

/* One option of c with its value, into opts. */
static enum cli_result take(const struct cli_cmd *c, size_t i, void *opts,
			    const char *value, FILE *out, FILE *err)
{
	const struct cli_use *u = &c->opts[i];
	const struct cli_opt *o = u->opt;
	void *field = (char *)opts + u->field;
	const char *shown = NULL;
	uint32_t bits = 0;

	if (o->show) {
		o->show(out);
		return CLI_DONE;
	}
	if (o->parse) {
		if (!o->parse(u->adds ? &bits : field, value, &shown)) {
			cli_refuse(c, err, o->refused, shown ? shown : value);
			return CLI_USAGE;
		}
		if (u->adds)
			*(uint32_t *)field |= bits;
		return CLI_RUN;
	}
	if (o->value)
		*(const char **)field = value;
	else
		*(bool *)field = true;
	return CLI_RUN;
}

static enum cli_result operands(const struct cli_cmd *c, void *opts, int argc,
				char **argv, FILE *err)
{
	const char **to = (const char **)((char *)opts + c->operand_field);
	unsigned n = (unsigned)(argc - optind);

	if (n < c->min_operands) {
		cli_refuse(c, err, c->missing, NULL);
		return CLI_USAGE;
	}
	if (n > c->max_operands) {
		cli_refuse(c, err, "unexpected argument",
			   argv[optind + c->max_operands]);
		return CLI_USAGE;
	}
	for (unsigned i = 0; i < n; i++)
		to[i] = argv[optind + i];
	return CLI_RUN;
}

enum cli_result cli_parse(const struct cli_cmd *c, void *opts, int argc,
			  char **argv, FILE *out, FILE *err)
{
	const struct cli_opt *list[MAX_OPTS];
	const char *helps[MAX_OPTS];
	struct option longs[MAX_OPTS + 1];
	char shorts[3 * MAX_OPTS + 3];
	size_t n = list_opts(c, list, helps);
	enum cli_result res;
	int ret, i;

	getopt_tables(c, list, n, longs, shorts);
	optind = 0; /* glibc's full reset: a parse before may have left state */
	opterr = 0;
	while ((ret = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (ret == ':') {
			cli_refuse(c, err, "option needs a value",
				   option_name(optopt, argv[optind - 1]));
			return CLI_USAGE;
		}
		i = opt_index(ret, list, n);
		if (i < 0) {
			cli_refuse(c, err, "unknown option",
				   option_name(optopt, argv[optind - 1]));
			return CLI_USAGE;
		}
		if (list[i] == &help_opt) {
			cli_help(out, c);
			return CLI_HELP;
		}
		res = take(c, (size_t)i, opts, optarg, out, err);
		if (res != CLI_RUN)
			return res;
	}
	return operands(c, opts, argc, argv, err);
}

bool cli_command(const struct cli_cmd *c, void *opts, int argc, char **argv,
		 int *exit_code)
{
	enum cli_result res = cli_parse(c, opts, argc, argv, stdout, stderr);

	*exit_code = res == CLI_USAGE ? 2 : 0;
	return res == CLI_RUN;
}

bool cli_at(void *field, const char *s, const char **shown)
{
	struct cli_at *at = field;
	char *end;

	if (!strncmp(s, "seq:", 4)) {
		if (s[4] < '0' || s[4] > '9')
			return false;
		errno = 0;
		at->at = strtoull(s + 4, &end, 10);
		at->by_seq = true;
		return !errno && !*end;
	}
	at->by_seq = false;
	return !rfc3339_parse(s, &at->at);
}
