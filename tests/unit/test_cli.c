// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every command's options table (lib/cli.h): each option it lists parses,
 * in every spelling; its --help shows exactly the options the parser
 * takes; a refusal names the command, and a shared option fills the
 * field of the command that takes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "doctor/doctor.h"
#include "lib/cli.h"
#include "lib/options.h"
#include "loader/backend.h"
#include "ls/ls.h"
#include "nstrace.h"
#include "replay/replay.h"
#include "top/top.h"
#include "trace/opts.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct cli_cmd *const cmds[] = {
	&trace_cli, &doctor_cli, &history_cli, &identify_cli, &ls_cli,
	&pids_cli,  &replay_cli, &top_cli,     &where_cli,
};

/* A value each option takes, by long name. */
static const struct {
	const char *name, *value;
} samples[] = {
	{ "output", "out.json" },
	{ "type", "net" },
	{ "pid", "1" },
	{ "event", "ns.create" },
	{ "btf", "vmlinux" },
	{ "buffer-size", "4K" },
	{ "backend", "kprobe" },
	{ "mark", "5" },
	{ "refresh", "0" },
	{ "at", "seq:1" },
	{ "max-size", "64K" },
	{ "max-files", "3" },
	{ "metrics-file", "m.prom" },
	{ "metrics-interval", "5" },
	{ "metrics", "127.0.0.1:9100" },
	{ "host-root", "/" },
	{ "container", "web" },
	{ "pod", "default/web" },
	{ "netns", "blue" },
};

struct run {
	enum cli_result res;
	struct capture cap;
};

static struct run r;
/* Room for any command's options struct, zeroed before each parse. */
static union {
	char bytes[4096];
	max_align_t align;
} store;

static const char *sample(const struct cli_opt *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
		if (!strcmp(samples[i].name, o->name))
			return samples[i].value;
	fail_msg("no sample value for --%s: add one here", o->name);
	return NULL;
}

static const char *cmd_name(const struct cli_cmd *c)
{
	return c->name ? c->name : "nstrace";
}

/* How c's messages start: "nstrace" or "nstrace CMD". */
static const char *prog(const struct cli_cmd *c)
{
	static char s[64];

	snprintf(s, sizeof(s), "nstrace%s%s", c->name ? " " : "",
		 c->name ? c->name : "");
	return s;
}

/* Parses argv (NULL-terminated, argv[0] the command) with c. */
static void run_argv(const struct cli_cmd *c, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	capture_open(&r.cap);
	memset(&store, 0, sizeof(store));
	r.res = cli_parse(c, &store, argc, argv, r.cap.out_f, r.cap.err_f);
	capture_close(&r.cap);
}

/* c's name, then args, then as many operands as c wants at least. */
static void run_with(const struct cli_cmd *c, const char *a1, const char *a2)
{
	char *argv[8] = { (char *)cmd_name(c) };
	int n = 1;

	if (a1)
		argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	for (unsigned i = 0; i < c->min_operands; i++)
		argv[n++] = "operand";
	run_argv(c, argv);
}

static char *help_of(const struct cli_cmd *c)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cli_help(f, c);
	fclose(f);
	return text;
}

/* Whether c's table has an option of that long name. */
static const struct cli_use *use_named(const struct cli_cmd *c,
				       const char *name)
{
	for (const struct cli_use *u = c->opts; u->opt; u++)
		if (!strcmp(u->opt->name, name))
			return u;
	return NULL;
}

/* Whether c's table has an option of that short name. */
static const struct cli_use *use_lettered(const struct cli_cmd *c, char letter)
{
	for (const struct cli_use *u = c->opts; u->opt; u++)
		if (u->opt->letter == letter)
			return u;
	return NULL;
}

static void test_tables_fit(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];

		for (const struct cli_use *u = c->opts; u->opt; u++) {
			assert_true(u->field + sizeof(void *) <= sizeof(store));
			/* A value that can be refused says how. */
			if (u->opt->parse && u->opt->value)
				assert_non_null(u->opt->refused);
			/* -h is every command's, from lib/cli.c. */
			assert_int_not_equal(u->opt->letter, 'h');
			assert_string_not_equal(u->opt->name, "help");
		}
		assert_true(c->operand_field +
				    c->max_operands * sizeof(char *) <=
			    sizeof(store));
		assert_true(c->min_operands <= c->max_operands);
		if (c->min_operands)
			assert_non_null(c->missing);
		assert_non_null(c->about);
	}
}

/* The result an option alone gives: most let the command run. */
static enum cli_result want_of(const struct cli_opt *o)
{
	return o->show ? CLI_DONE : CLI_RUN;
}

static void assert_taken(const struct cli_cmd *c, const char *arg,
			 enum cli_result want)
{
	if (r.res != want)
		fail_msg("%s %s: result %d, want %d; err \"%s\"", cmd_name(c),
			 arg, r.res, want, r.cap.err);
	assert_int_equal(r.cap.err_len, 0);
	if (want == CLI_RUN)
		assert_int_equal(r.cap.out_len, 0);
}

static void test_every_option_parses(void **state)
{
	char arg[64];

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];

		for (const struct cli_use *u = c->opts; u->opt; u++) {
			const struct cli_opt *o = u->opt;
			const char *v = o->value ? sample(o) : NULL;

			snprintf(arg, sizeof(arg), "--%s", o->name);
			run_with(c, arg, v);
			assert_taken(c, arg, want_of(o));
			if (v) {
				snprintf(arg, sizeof(arg), "--%s=%s", o->name,
					 v);
				run_with(c, arg, NULL);
				assert_taken(c, arg, want_of(o));
			}
			if (!o->letter)
				continue;
			snprintf(arg, sizeof(arg), "-%c", o->letter);
			run_with(c, arg, v);
			assert_taken(c, arg, want_of(o));
		}
		run_with(c, "-h", NULL);
		assert_taken(c, "-h", CLI_HELP);
		run_with(c, "--help", NULL);
		assert_taken(c, "--help", CLI_HELP);
	}
}

/* An option line of a help text: "  -X, --name VALUE  help". */
struct shown {
	char letter; /* 0: none shown */
	char name[32];
	char value[16]; /* "": none */
};

/* The options c's help shows, in order; their count. */
static size_t shown_opts(const struct cli_cmd *c, struct shown *s, size_t max)
{
	char *text = help_of(c), *save = NULL, *p;
	size_t n = 0;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "  -", 3) && strncmp(l, "      --", 8))
			continue;
		assert_true(n < max);
		memset(&s[n], 0, sizeof(s[n]));
		if (l[2] == '-')
			s[n].letter = l[3];
		p = strstr(l, "--") + 2;
		snprintf(s[n].name, sizeof(s[n].name), "%.*s",
			 (int)strcspn(p, " "), p);
		p += strcspn(p, " ");
		/* One space before a value, two or more before the help. */
		if (p[0] == ' ' && p[1] != ' ')
			snprintf(s[n].value, sizeof(s[n].value), "%.*s",
				 (int)strcspn(p + 1, " "), p + 1);
		n++;
	}
	free(text);
	return n;
}

static void test_help_lists_exactly_its_options(void **state)
{
	struct shown s[64];

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];
		size_t n = shown_opts(c, s, ARRAY_SIZE(s)), k = 0;

		for (const struct cli_use *u = c->opts; u->opt; u++, k++) {
			const struct cli_opt *o = u->opt;

			if (k >= n || strcmp(s[k].name, o->name))
				fail_msg(
					"%s --help: option %zu is --%s, want --%s",
					cmd_name(c), k, k < n ? s[k].name : "",
					o->name);
			assert_int_equal(s[k].letter, o->letter);
			assert_string_equal(s[k].value,
					    o->value ? o->value : "");
		}
		/* --help itself, last, and nothing more. */
		assert_int_equal(n, k + 1);
		assert_string_equal(s[k].name, "help");
		assert_int_equal(s[k].letter, 'h');
	}
}

/* "nstrace CMD: ..." then the whole help, on err; nothing on out. */
static void assert_refused(const struct cli_cmd *c, const char *line)
{
	char *text = help_of(c);
	size_t n = strlen(line);

	assert_int_equal(r.res, CLI_USAGE);
	assert_int_equal(r.cap.out_len, 0);
	if (strncmp(r.cap.err, line, n))
		fail_msg("err \"%s\", want it to start with \"%s\"", r.cap.err,
			 line);
	assert_string_equal(r.cap.err + n, text);
	free(text);
}

/* arg on c: taken when c's help shows it, else refused as unknown. */
static void assert_taken_iff_shown(const struct cli_cmd *c, bool shown,
				   const char *arg, const char *value,
				   enum cli_result want)
{
	char line[256];

	run_with(c, arg, value);
	if (shown) {
		assert_taken(c, arg, want);
		return;
	}
	snprintf(line, sizeof(line), "%s: unknown option: '%s'\n", prog(c),
		 arg);
	assert_refused(c, line);
}

/*
 * Each option of any command, long and short, on each command: taken
 * exactly where that command's help shows it, refused everywhere else.
 */
static void test_parser_takes_what_help_shows(void **state)
{
	struct shown s[64];
	char arg[64];

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];
		size_t n = shown_opts(c, s, ARRAY_SIZE(s));

		for (size_t j = 0; j < ARRAY_SIZE(cmds); j++) {
			for (const struct cli_use *u = cmds[j]->opts; u->opt;
			     u++) {
				const struct cli_opt *o = u->opt;
				bool long_shown = false, letter_shown = false;
				const struct cli_use *mine;

				for (size_t k = 0; k < n; k++) {
					long_shown |=
						!strcmp(s[k].name, o->name);
					letter_shown |= s[k].letter ==
							o->letter;
				}
				snprintf(arg, sizeof(arg), "--%s%s%s", o->name,
					 o->value ? "=" : "",
					 o->value ? sample(o) : "");
				assert_taken_iff_shown(c, long_shown, arg, NULL,
						       want_of(o));
				if (!o->letter)
					continue;
				/* The letter may be another option's here. */
				mine = use_lettered(c, o->letter);
				if (mine)
					o = mine->opt;
				snprintf(arg, sizeof(arg), "-%c", o->letter);
				assert_taken_iff_shown(c, letter_shown, arg,
						       o->value ? sample(o) :
								  NULL,
						       want_of(o));
			}
		}
	}
}

static void test_refusals_name_the_command(void **state)
{
	char line[256];

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];
		char *argv[8] = { (char *)cmd_name(c) };

		/* The quoted argument reaches a terminal escaped. */
		run_with(c, "--bo\x1b[2Jgus", NULL);
		snprintf(line, sizeof(line),
			 "%s: unknown option: '--bo\\x1b[2Jgus'\n", prog(c));
		assert_refused(c, line);

		if (c->min_operands) {
			run_argv(c, argv);
			snprintf(line, sizeof(line), "%s: %s\n", prog(c),
				 c->missing);
			assert_refused(c, line);
		}
		for (unsigned k = 0; k <= c->max_operands; k++)
			argv[1 + k] = k < c->max_operands ? "operand" : "extra";
		run_argv(c, argv);
		snprintf(line, sizeof(line),
			 "%s: unexpected argument: 'extra'\n", prog(c));
		assert_refused(c, line);
	}
}

static void test_operands_stored(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];
		char *argv[8] = { (char *)cmd_name(c) };
		static char ops[4][8] = { "op0", "op1", "op2", "op3" };
		const char **to;

		if (!c->max_operands)
			continue;
		for (unsigned k = 0; k < c->max_operands; k++)
			argv[1 + k] = ops[k];
		argv[1 + c->max_operands] = NULL;
		run_argv(c, argv);
		assert_int_equal(r.res, CLI_RUN);
		to = (const char **)(store.bytes + c->operand_field);
		for (unsigned k = 0; k < c->max_operands; k++)
			assert_ptr_equal(to[k], ops[k]);
	}
}

/* The queries read no option after their operand; replay does. */
static void test_options_first(void **state)
{
	run_argv(&identify_cli, (char *[]){ "identify", "5", "-j", NULL });
	assert_refused(&identify_cli,
		       "nstrace identify: unexpected argument: '-j'\n");
	run_argv(&where_cli, (char *[]){ "where", "-j", "eth0", NULL });
	assert_int_equal(r.res, CLI_RUN);
	run_argv(&replay_cli,
		 (char *[]){ "replay", "log.json", "--at", "seq:3", NULL });
	assert_int_equal(r.res, CLI_RUN);
}

/* One definition of each loader option fills each command's own field. */
static void test_shared_options_fill_their_command(void **state)
{
	size_t seen = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cli_cmd *c = cmds[i];
		const struct cli_use *u;
		int backend;
		bool verbose;
		const char *btf;

		if ((u = use_named(c, "backend"))) {
			assert_ptr_equal(u->opt, &options[OPT_BACKEND]);
			run_with(c, "--backend", "kprobe");
			assert_int_equal(r.res, CLI_RUN);
			memcpy(&backend, store.bytes + u->field,
			       sizeof(backend));
			assert_int_equal(backend, BACKEND_KPROBE);
			seen++;
		}
		if ((u = use_named(c, "btf"))) {
			assert_ptr_equal(u->opt, &options[OPT_BTF]);
			run_with(c, "--btf", "/x.btf");
			assert_int_equal(r.res, CLI_RUN);
			memcpy(&btf, store.bytes + u->field, sizeof(btf));
			assert_string_equal(btf, "/x.btf");
			run_with(c, "--btf", "");
			assert_int_equal(r.res, CLI_USAGE);
			seen++;
		}
		if ((u = use_named(c, "verbose"))) {
			assert_ptr_equal(u->opt, &options[OPT_VERBOSE]);
			run_with(c, "-v", NULL);
			assert_int_equal(r.res, CLI_RUN);
			memcpy(&verbose, store.bytes + u->field,
			       sizeof(verbose));
			assert_true(verbose);
			seen++;
		}
		if ((u = use_named(c, "json")))
			assert_ptr_equal(u->opt, &options[OPT_JSON]);
	}
	/* backend, btf, -v: the stream and top; btf: doctor too. */
	assert_int_equal(seen, 7);
}

/*
 * Each option is one row of the one table, taken by some command, and a
 * name or a letter means the same option in every command.
 */
static void test_every_option_is_one_row(void **state)
{
	bool used[OPT_COUNT] = {};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		for (const struct cli_use *u = cmds[i]->opts; u->opt; u++) {
			assert_true(u->opt >= options &&
				    u->opt < options + OPT_COUNT);
			used[u->opt - options] = true;
		}
	for (size_t k = 0; k < OPT_COUNT; k++) {
		if (!used[k])
			fail_msg("--%s: no command takes it", options[k].name);
		for (size_t j = 0; j < k; j++) {
			assert_string_not_equal(options[j].name,
						options[k].name);
			if (options[k].letter)
				assert_int_not_equal(options[j].letter,
						     options[k].letter);
		}
	}
}

/* The same -t: ls adds each one's types, the stream takes the last. */
static void test_type_adds_in_ls_only(void **state)
{
	const uint32_t net = 1u << NST_NS_NET, mnt = 1u << NST_NS_MNT;
	const struct cli_cmd *c[] = { &ls_cli, &trace_cli };
	const uint32_t want[] = { net | mnt, mnt };
	uint32_t mask;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		const struct cli_use *u = use_named(c[i], "type");

		assert_ptr_equal(u->opt, &options[OPT_TYPE]);
		run_argv(c[i], (char *[]){ (char *)cmd_name(c[i]), "-t", "net",
					   "-t", "mnt", NULL });
		assert_int_equal(r.res, CLI_RUN);
		memcpy(&mask, store.bytes + u->field, sizeof(mask));
		assert_int_equal(mask, want[i]);
	}
}

static void test_help_fits_80_columns(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		char *text = help_of(cmds[i]), *save = NULL;

		for (char *l = strtok_r(text, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			if (strlen(l) > 79)
				fail_msg("%s --help: \"%s\" is %zu columns",
					 cmd_name(cmds[i]), l, strlen(l));
		free(text);
	}
}

static int teardown(void **state)
{
	capture_free(&r.cap);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_fit),
		cmocka_unit_test(test_every_option_parses),
		cmocka_unit_test(test_help_lists_exactly_its_options),
		cmocka_unit_test(test_parser_takes_what_help_shows),
		cmocka_unit_test(test_refusals_name_the_command),
		cmocka_unit_test(test_operands_stored),
		cmocka_unit_test(test_options_first),
		cmocka_unit_test(test_shared_options_fill_their_command),
		cmocka_unit_test(test_every_option_is_one_row),
		cmocka_unit_test(test_type_adds_in_ls_only),
		cmocka_unit_test(test_help_fits_80_columns),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
