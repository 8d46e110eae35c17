// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command line is checked before anything touches the kernel, so a
 * typo must end in exit code 2 and a message naming what was wrong, never
 * in a trace that silently filters on the wrong thing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nstrace.h"
#include "lib/enums.h"
#include "trace/opts.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A writable argv: getopt_long() permutes it. */
#define ARGV(...) ((char *[]){ "nstrace", ##__VA_ARGS__, NULL })

struct run {
	enum opts_result res;
	struct opts o;
	char *out, *err;
	size_t out_len, err_len;
};

static struct run r;
static char *usage_text;

/*
 * glibc's getopt keeps a pointer into the previous argv between calls;
 * only optind = 0 drops it. opts_parse() sets optind = 1, so each test
 * starts from a clean getopt here, except the one that shows why.
 */
static void getopt_reset(void)
{
	char *argv[] = { "reset", NULL };

	optind = 0;
	getopt_long(1, argv, "", NULL, NULL);
}

static void parse_argv(char **argv, bool reset)
{
	FILE *out, *err;
	int argc = 0;

	while (argv[argc])
		argc++;
	free(r.out);
	free(r.err);
	memset(&r, 0, sizeof(r));
	/* Garbage, so that a field opts_parse() forgets to set shows. */
	memset(&r.o, 0xa5, sizeof(r.o));
	out = open_memstream(&r.out, &r.out_len);
	err = open_memstream(&r.err, &r.err_len);
	assert_non_null(out);
	assert_non_null(err);
	if (reset)
		getopt_reset();
	r.res = opts_parse(&r.o, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

#define parse(...) parse_argv(ARGV(__VA_ARGS__), true)

/* Fails unless the run was refused with exactly this first line. */
static void assert_usage_error(const char *line)
{
	size_t n = strlen(line);

	assert_int_equal(r.res, OPTS_EXIT_USAGE);
	assert_int_equal(r.out_len, 0);
	if (strncmp(r.err, line, n))
		fail_msg("err is \"%s\", want it to start with \"%s\"", r.err,
			 line);
	/* One line, then the usage for the user to read. */
	assert_string_equal(r.err + n, usage_text);
}

static void assert_ok_run(void)
{
	if (r.res != OPTS_RUN)
		fail_msg("refused: %s", r.err);
	assert_int_equal(r.out_len, 0);
	assert_int_equal(r.err_len, 0);
}

static int setup(void **state)
{
	size_t len;
	FILE *f = open_memstream(&usage_text, &len);

	if (!f)
		return -1;
	opts_usage(f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	free(r.out);
	free(r.err);
	free(usage_text);
	return 0;
}

/* ----------------------------- accepted ------------------------------ */

static void test_defaults(void **state)
{
	parse();
	assert_ok_run();
	assert_false(r.o.json);
	assert_false(r.o.verbose);
	assert_null(r.o.output);
	assert_null(r.o.btf);
	assert_int_equal(r.o.pid, 0);
	assert_int_equal(r.o.ns_mask, NST_NS_ALL);
	assert_int_equal(r.o.ev_mask, EV_ALL);
	/* 0 leaves the ring buffer at the size the BPF object gives it. */
	assert_int_equal(r.o.buffer_size, 0);

	/* Nothing is carried over from an earlier parse. */
	parse("-j", "-v", "-p", "9", "-t", "net", "-e", "ns.setns");
	assert_ok_run();
	parse();
	assert_ok_run();
	assert_false(r.o.json);
	assert_false(r.o.verbose);
	assert_int_equal(r.o.pid, 0);
	assert_int_equal(r.o.ns_mask, NST_NS_ALL);
	assert_int_equal(r.o.ev_mask, EV_ALL);
}

static void test_json_and_verbose(void **state)
{
	parse("-j");
	assert_ok_run();
	assert_true(r.o.json);
	assert_false(r.o.verbose);
	parse("--json");
	assert_ok_run();
	assert_true(r.o.json);
	parse("-jv");
	assert_ok_run();
	assert_true(r.o.json);
	assert_true(r.o.verbose);
	parse("--verbose");
	assert_ok_run();
	assert_true(r.o.verbose);
	/* getopt_long() takes any unambiguous prefix. */
	parse("--js");
	assert_ok_run();
	assert_true(r.o.json);
}

/* Enrichment is on unless asked off; the option takes no value. */
static void test_no_names(void **state)
{
	parse();
	assert_ok_run();
	assert_false(r.o.no_names);
	parse("--no-names");
	assert_ok_run();
	assert_true(r.o.no_names);
	parse("--no-names", "-j");
	assert_ok_run();
	assert_true(r.o.no_names);
	assert_true(r.o.json);
	parse("--no-names=1");
	assert_usage_error("nstrace: unknown option: '--no-names=1'\n");
	assert_non_null(strstr(usage_text, "--no-names"));
	assert_non_null(strstr(usage_text, "ns.name"));
}

static void test_snapshot(void **state)
{
	parse("--json");
	assert_ok_run();
	assert_false(r.o.snapshot);
	parse("--json", "--snapshot");
	assert_ok_run();
	assert_true(r.o.snapshot);
	/* Text shows snapshot records as lines too: no --json needed. */
	parse("--snap");
	assert_ok_run();
	assert_true(r.o.snapshot);
	parse("--snapshot=yes");
	assert_usage_error("nstrace: unknown option: '--snapshot=yes'\n");
}

static void test_output_file(void **state)
{
	parse("-o", "trace.txt");
	assert_ok_run();
	assert_string_equal(r.o.output, "trace.txt");
	parse("-otrace.txt");
	assert_ok_run();
	assert_string_equal(r.o.output, "trace.txt");
	parse("--output", "/tmp/x");
	assert_ok_run();
	assert_string_equal(r.o.output, "/tmp/x");
	parse("--output=/tmp/y");
	assert_ok_run();
	assert_string_equal(r.o.output, "/tmp/y");
	/* "-" is stdout, which output_open() knows; it is a fine name here. */
	parse("-o", "-");
	assert_ok_run();
	assert_string_equal(r.o.output, "-");
	/* The last one wins, as with most tools. */
	parse("-o", "a", "-o", "b");
	assert_ok_run();
	assert_string_equal(r.o.output, "b");
}

static void test_btf_file(void **state)
{
	parse("--btf", "/boot/vmlinux.btf");
	assert_ok_run();
	assert_string_equal(r.o.btf, "/boot/vmlinux.btf");
	parse("--btf=x");
	assert_ok_run();
	assert_string_equal(r.o.btf, "x");
}

static void test_type_list(void **state)
{
	static const struct {
		const char *list;
		uint32_t mask;
	} cases[] = {
		{ "net", 1u << NST_NS_NET },
		{ "net,mnt", 1u << NST_NS_NET | 1u << NST_NS_MNT },
		{ "mnt,net", 1u << NST_NS_NET | 1u << NST_NS_MNT },
		{ "net,net", 1u << NST_NS_NET },
		{ "uts,ipc,pid,user,cgroup,time",
		  NST_NS_ALL & ~(1u << NST_NS_NET | 1u << NST_NS_MNT) },
		{ "time", 1u << NST_NS_TIME },
		{ "all", NST_NS_ALL },
		{ "net,all", NST_NS_ALL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse("-t", (char *)cases[i].list);
		assert_ok_run();
		if (r.o.ns_mask != cases[i].mask)
			fail_msg("-t %s: mask %#x, want %#x", cases[i].list,
				 r.o.ns_mask, cases[i].mask);
	}
	parse("--type=pid");
	assert_ok_run();
	assert_int_equal(r.o.ns_mask, 1u << NST_NS_PID);
	assert_int_equal(NST_NS_ALL, 0xff);
}

static void test_event_list(void **state)
{
	static const struct {
		const char *list;
		uint32_t mask;
	} cases[] = {
		{ "ns.create", NST_EV_BIT(NST_EV_NS_CREATE) },
		{ "ns.setns,ns.destroy",
		  NST_EV_BIT(NST_EV_NS_SETNS) | NST_EV_BIT(NST_EV_NS_DESTROY) },
		{ "netdev.move,netdev.create,netdev.delete",
		  NST_EV_BIT(NST_EV_NETDEV_MOVE) |
			  NST_EV_BIT(NST_EV_NETDEV_CREATE) |
			  NST_EV_BIT(NST_EV_NETDEV_DELETE) },
		{ "netdev.rename", NST_EV_BIT(NST_EV_NETDEV_RENAME) },
		{ "ns.name", NST_EV_BIT(EV_NS_NAME) },
		{ "all", EV_ALL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse("-e", (char *)cases[i].list);
		assert_ok_run();
		if (r.o.ev_mask != cases[i].mask)
			fail_msg("-e %s: mask %#x, want %#x", cases[i].list,
				 r.o.ev_mask, cases[i].mask);
	}
	parse("--event", "ns.create");
	assert_ok_run();
	assert_int_equal(r.o.ev_mask, NST_EV_BIT(NST_EV_NS_CREATE));
	/* Every kind and nothing else: no bit 0, no bit past the last. */
	assert_int_equal(NST_EV_ALL, 0xfe);
	/* ns.name, the loader's own, comes after the kernel's. */
	assert_int_equal(EV_ALL, 0x1fe);
}

static void test_pid(void **state)
{
	parse("-p", "123");
	assert_ok_run();
	assert_int_equal(r.o.pid, 123);
	parse("--pid=1");
	assert_ok_run();
	assert_int_equal(r.o.pid, 1);
	/* PID_MAX_LIMIT, the largest pid the kernel can hand out. */
	parse("-p4194304");
	assert_ok_run();
	assert_int_equal(r.o.pid, 4194304);
	parse("-p", "007");
	assert_ok_run();
	assert_int_equal(r.o.pid, 7);
}

static void test_buffer_size(void **state)
{
	static const struct {
		const char *arg;
		uint32_t size;
	} cases[] = {
		{ "4K", 4096 },		  { "64k", 65536 },
		{ "1M", 1048576 },	  { "1m", 1048576 },
		{ "4096", 4096 },	  { "8192", 8192 },
		{ "1024M", 1u << 30 },	  { "4096K", 4u << 20 },
		{ "1048576K", 1u << 30 }, { "1073741824", 1u << 30 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse("--buffer-size", (char *)cases[i].arg);
		assert_ok_run();
		if (r.o.buffer_size != cases[i].size)
			fail_msg("--buffer-size %s: %u, want %u", cases[i].arg,
				 r.o.buffer_size, cases[i].size);
	}
	parse("--buffer-size=16K");
	assert_ok_run();
	assert_int_equal(r.o.buffer_size, 16384);
}

static void test_help_and_version(void **state)
{
	const char *const help[] = { "-h", "--help" };
	const char *const version[] = { "-V", "--version" };
	const char *tail = " (JSON schema 1)\n";

	for (size_t i = 0; i < ARRAY_SIZE(help); i++) {
		parse((char *)help[i]);
		assert_int_equal(r.res, OPTS_EXIT_OK);
		assert_string_equal(r.out, usage_text);
		assert_int_equal(r.err_len, 0);
	}
	assert_non_null(strstr(usage_text, "usage: nstrace"));
	for (size_t i = 0; i < ARRAY_SIZE(version); i++) {
		parse((char *)version[i]);
		assert_int_equal(r.res, OPTS_EXIT_OK);
		assert_int_equal(r.err_len, 0);
		assert_memory_equal(r.out, "nstrace ", 8);
		assert_true(r.out_len > strlen(tail) + 8);
		assert_string_equal(r.out + r.out_len - strlen(tail), tail);
	}
	/* Help is help even next to options, and ends the parse. */
	parse("-j", "--help", "-p", "0");
	assert_int_equal(r.res, OPTS_EXIT_OK);
	assert_string_equal(r.out, usage_text);
}

/* ----------------------------- refused ------------------------------- */

static void test_output_empty(void **state)
{
	parse("-o", "");
	assert_usage_error("nstrace: empty output file name: ''\n");
	parse("--output=");
	assert_usage_error("nstrace: empty output file name: ''\n");
	parse("--btf", "");
	assert_usage_error("nstrace: empty BTF file name: ''\n");
}

static void test_type_bad(void **state)
{
	static const struct {
		const char *list;
		const char *line;
	} cases[] = {
		{ "bogus", "nstrace: unknown namespace type: 'bogus'\n" },
		{ "net,bogus", "nstrace: unknown namespace type: 'bogus'\n" },
		{ "NET", "nstrace: unknown namespace type: 'NET'\n" },
		{ "network", "nstrace: unknown namespace type: 'network'\n" },
		/* An empty item is a typo too, not "nothing more". */
		{ "net,", "nstrace: unknown namespace type: ''\n" },
		{ ",net", "nstrace: unknown namespace type: ''\n" },
		{ "net,,mnt", "nstrace: unknown namespace type: ''\n" },
		{ "", "nstrace: unknown namespace type: ''\n" },
		{ "net mnt", "nstrace: unknown namespace type: 'net mnt'\n" },
		/* An event name is not a namespace type. */
		{ "ns.create",
		  "nstrace: unknown namespace type: 'ns.create'\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse("-t", (char *)cases[i].list);
		assert_usage_error(cases[i].line);
	}
}

static void test_type_long_item(void **state)
{
	char item[200], want[128];

	/* The message shows the start of the item, bounded, not garbage. */
	memset(item, 'x', sizeof(item) - 1);
	item[sizeof(item) - 1] = '\0';
	snprintf(want, sizeof(want),
		 "nstrace: unknown namespace type: '%.63s'\n", item);
	parse("-t", item);
	assert_usage_error(want);
}

static void test_event_bad(void **state)
{
	static const struct {
		const char *list;
		const char *line;
	} cases[] = {
		{ "bogus", "nstrace: unknown event: 'bogus'\n" },
		{ "ns.create,bogus", "nstrace: unknown event: 'bogus'\n" },
		{ "ns.create,", "nstrace: unknown event: ''\n" },
		{ "", "nstrace: unknown event: ''\n" },
		{ "lost", "nstrace: unknown event: 'lost'\n" },
		{ "?", "nstrace: unknown event: '?'\n" },
		{ "net", "nstrace: unknown event: 'net'\n" },
		{ "ns.create ", "nstrace: unknown event: 'ns.create '\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse("-e", (char *)cases[i].list);
		assert_usage_error(cases[i].line);
	}
}

static void test_pid_bad(void **state)
{
	static const char *const bad[] = {
		"0",
		"-1",
		"abc",
		"4194305",
		"12x",
		"",
		"+5",
		"1.5",
		"0x10",
		"4294967296",
		"18446744073709551616",
		"99999999999999999999999",
	};
	char want[64];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(want, sizeof(want),
			 "nstrace: not a process id: '%s'\n", bad[i]);
		parse("-p", (char *)bad[i]);
		assert_usage_error(want);
	}
}

static void test_buffer_size_bad(void **state)
{
	static const char *const bad[] = {
		"3000",
		"5K",
		"0",
		"2048",
		"2G",
		"2048M",
		"2097152K",
		"K",
		"",
		"-4K",
		"+4K",
		"4KB",
		"4K ",
		"0K",
		"1k1",
		"6144",
		"18446744073709551616",
		"2147483648",
	};
	char want[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(want, sizeof(want),
			 "nstrace: buffer size must be a power of two from 4K "
			 "to 1024M: '%s'\n",
			 bad[i]);
		parse("--buffer-size", (char *)bad[i]);
		assert_usage_error(want);
	}
}

static void test_unknown_option(void **state)
{
	parse("-x");
	assert_usage_error("nstrace: unknown option: '-x'\n");
	parse("-jx");
	assert_usage_error("nstrace: unknown option: '-x'\n");
	parse("--bogus");
	assert_usage_error("nstrace: unknown option: '--bogus'\n");
	parse("--bogus=1");
	assert_usage_error("nstrace: unknown option: '--bogus=1'\n");
	/* Ambiguous: --verbose or --version. */
	parse("--ver");
	assert_usage_error("nstrace: unknown option: '--ver'\n");
	/* ':' leads the optstring; it is not an option of its own. */
	parse("-:");
	assert_usage_error("nstrace: unknown option: '-:'\n");
}

static void test_missing_value(void **state)
{
	parse("-o");
	assert_usage_error("nstrace: option needs a value: '-o'\n");
	parse("-j", "-t");
	assert_usage_error("nstrace: option needs a value: '-t'\n");
	parse("-jp");
	assert_usage_error("nstrace: option needs a value: '-p'\n");
	parse("-e");
	assert_usage_error("nstrace: option needs a value: '-e'\n");
}

static void test_positional(void **state)
{
	parse("foo");
	assert_usage_error("nstrace: unexpected argument: 'foo'\n");
	parse("-j", "foo");
	assert_usage_error("nstrace: unexpected argument: 'foo'\n");
	/* getopt_long() moves operands last: still caught. */
	parse("foo", "-j");
	assert_usage_error("nstrace: unexpected argument: 'foo'\n");
	parse("-p", "5", "6");
	assert_usage_error("nstrace: unexpected argument: '6'\n");
	/* After "--", even an option is an operand. */
	parse("--", "-j");
	assert_usage_error("nstrace: unexpected argument: '-j'\n");
	/* A subcommand name that is not one is not silently ignored. */
	parse("record", "-j");
	assert_usage_error("nstrace: unexpected argument: 'record'\n");
}

/* -------------------------- bugs shown here -------------------------- */

/*
 * BUG (opts.c, short_name): for a long option, glibc sets optopt to the
 * option's val, not 0, so the message names a made-up short option:
 * "--btf" (val 0x100) becomes "-" and "--buffer-size" (val 0x101) becomes
 * "-\x01", a control byte on stderr; "--output" becomes "-o" and
 * "--json=1" is "unknown option: '-j'" although -j is known. The comment
 * there says a long option is named as typed.
 */
static void test_bug_long_option_named(void **state)
{
	/* What the first line must show; the wording around it may vary. */
	static const struct {
		const char *arg;
		const char *name;
	} cases[] = {
		{ "--btf", "'--btf'" },
		{ "--buffer-size", "'--buffer-size'" },
		{ "--output", "'--output'" },
		{ "--json=1", "'--json" },
	};
	char report[1024] = "";
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse((char *)cases[i].arg);
		assert_int_equal(r.res, OPTS_EXIT_USAGE);
		*strchrnul(r.err, '\n') = '\0';
		if (!strstr(r.err, cases[i].name))
			len += snprintf(report + len, sizeof(report) - len,
					"[%s: got \"%s\"] ", cases[i].arg,
					r.err);
	}
	if (len)
		fail_msg("long options misnamed: %s", report);
}

/*
 * BUG (opts.c, parse_u32 and parse_size): strtoull() skips leading
 * blanks, so the checks for a leading '-' or '+' look at the wrong byte:
 * " +5" is taken although "+5" is refused.
 */
static void test_bug_leading_blank_accepted(void **state)
{
	static const char *const pids[] = { " 12", " +5", "\t7" };
	char report[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		parse("-p", (char *)pids[i]);
		if (r.res != OPTS_EXIT_USAGE)
			len += snprintf(report + len, sizeof(report) - len,
					"[-p '%s' taken as pid %u] ", pids[i],
					r.o.pid);
	}
	parse("--buffer-size", " +4K");
	if (r.res != OPTS_EXIT_USAGE)
		len += snprintf(report + len, sizeof(report) - len,
				"[--buffer-size ' +4K' taken as %u]",
				r.o.buffer_size);
	if (len)
		fail_msg("blanks before a number: %s", report);
}

/*
 * BUG (opts.c, opts_parse: "optind = 1"): glibc resets getopt only on
 * optind = 0. A parse that stops inside a cluster of short options
 * ("-hj" stops at h) leaves getopt pointing at the "j" of that old argv,
 * and the next opts_parse() reads it first, then skips its own argv[1].
 */
static void test_bug_getopt_state_kept(void **state)
{
	static char hj[] = "-hj";
	char *first[] = { "nstrace", hj, NULL };

	parse_argv(first, true);
	assert_int_equal(r.res, OPTS_EXIT_OK);
	/* Not reset by the test: a second caller sees what opts.c leaves. */
	parse_argv(ARGV("-p", "5"), false);
	*strchrnul(r.err, '\n') = '\0';
	if (r.res != OPTS_RUN || r.o.json || r.o.pid != 5)
		fail_msg("'-p 5' after '-hj': result %d, json %d, pid %u, "
			 "err \"%s\"",
			 r.res, r.o.json, r.o.pid, r.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_json_and_verbose),
		cmocka_unit_test(test_no_names),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_output_file),
		cmocka_unit_test(test_btf_file),
		cmocka_unit_test(test_type_list),
		cmocka_unit_test(test_event_list),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_buffer_size),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_output_empty),
		cmocka_unit_test(test_type_bad),
		cmocka_unit_test(test_type_long_item),
		cmocka_unit_test(test_event_bad),
		cmocka_unit_test(test_pid_bad),
		cmocka_unit_test(test_buffer_size_bad),
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_bug_long_option_named),
		cmocka_unit_test(test_bug_leading_blank_accepted),
		cmocka_unit_test(test_bug_getopt_state_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
