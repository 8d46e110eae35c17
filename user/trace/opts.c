// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "loader/backend.h"
#include "lib/escape.h"
#include "nstrace.h"
#include "lib/enums.h"
#include "trace/opts.h"
#include "trace/record.h"

#define NSTRACE_VERSION "0.1.0"

#define RINGBUF_MIN (4096u)
#define RINGBUF_MAX (1u << 30)

enum {
	OPT_BTF = 0x100,
	OPT_BUFFER_SIZE,
	OPT_BACKEND,
	OPT_NO_NAMES,
	OPT_SNAPSHOT,
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "type", required_argument, NULL, 't' },
	{ "pid", required_argument, NULL, 'p' },
	{ "event", required_argument, NULL, 'e' },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER_SIZE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "no-names", no_argument, NULL, OPT_NO_NAMES },
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{},
};

void opts_usage(FILE *f)
{
	fputs("usage: nstrace [OPTIONS]\n"
	      "Trace namespace events live: creation, setns, destruction, and\n"
	      "network interfaces created, deleted, renamed or moved between\n"
	      "netns.\n"
	      "\n"
	      "  -j, --json             one JSON object per line (docs/events.md)\n"
	      "  -o, --output FILE      write events to FILE instead of stdout\n"
	      "  -t, --type LIST        namespace types: net,mnt,uts,ipc,pid,user,\n"
	      "                         cgroup,time (default: all)\n"
	      "  -p, --pid PID          only events of this process\n"
	      "  -e, --event LIST       ns.create,ns.setns,ns.destroy,netdev.move,\n"
	      "                         netdev.create,netdev.delete,netdev.rename,\n"
	      "                         ns.name\n"
	      "                         (default: all)\n"
	      "      --btf FILE         kernel BTF to use instead of\n"
	      "                         /sys/kernel/btf/vmlinux\n"
	      "      --buffer-size N    ring buffer bytes, a power of two\n"
	      "                         (K and M suffixes; default 4M)\n"
	      "      --backend NAME     hook flavour for netdev.move: auto, fentry,\n"
	      "                         kprobe or tracepoint (default auto)\n"
	      "      --no-names         leave out the names, processes and container\n"
	      "                         of each namespace, and the ns.name events\n"
	      "      --snapshot         first every netns and interface as records,\n"
	      "                         and again after events were lost\n"
	      "  -v, --verbose          show libbpf's messages\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          the version\n",
	      f);
}

/* A decimal number with nothing after it, within [min, max]. */
static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	/* strtoull() would skip blanks and take a sign: only digits here. */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*v = (uint32_t)n;
	return true;
}

static bool parse_size(const char *s, uint32_t *v)
{
	unsigned long long n, mult = 1;
	char *end;

	/* strtoull() would skip blanks and take a sign: only digits here. */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	if (*end || n > RINGBUF_MAX / mult)
		return false;
	n *= mult;
	if (n < RINGBUF_MIN || (n & (n - 1)))
		return false;
	*v = (uint32_t)n;
	return true;
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

static enum opts_result bad(FILE *err, const char *what, const char *value)
{
	fprintf(err, "nstrace: %s: '%s'\n", what, text_shown(value));
	opts_usage(err);
	return OPTS_EXIT_USAGE;
}

enum opts_result opts_parse(struct opts *o, int argc, char **argv, FILE *out,
			    FILE *err)
{
	const char *bad_item;
	int64_t mask;
	int c;

	memset(o, 0, sizeof(*o));
	o->ns_mask = NST_NS_ALL;
	o->ev_mask = EV_ALL;
	optind = 0; /* a full reset, for callers that parse more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jo:t:p:e:vhV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'o':
			if (!*optarg)
				return bad(err, "empty output file name",
					   optarg);
			o->output = optarg;
			break;
		case 't':
			mask = parse_list(optarg, ns_type_parse, NST_NS_ALL,
					  &bad_item);
			if (mask < 0)
				return bad(err, "unknown namespace type",
					   bad_item);
			o->ns_mask = mask;
			break;
		case 'e':
			mask = parse_list(optarg, event_parse, EV_ALL,
					  &bad_item);
			if (mask < 0)
				return bad(err, "unknown event", bad_item);
			o->ev_mask = mask;
			break;
		case 'p':
			/* The kernel's PID_MAX_LIMIT is 4194304. */
			if (!parse_u32(optarg, 1, 4194304, &o->pid))
				return bad(err, "not a process id", optarg);
			break;
		case OPT_BTF:
			if (!*optarg)
				return bad(err, "empty BTF file name", optarg);
			o->btf = optarg;
			break;
		case OPT_BUFFER_SIZE:
			if (!parse_size(optarg, &o->buffer_size))
				return bad(
					err,
					"buffer size must be a power of two from 4K to 1024M",
					optarg);
			break;
		case OPT_BACKEND:
			o->backend = backend_parse(optarg);
			if (o->backend < 0)
				return bad(
					err,
					"backend must be auto, fentry, kprobe or tracepoint",
					optarg);
			break;
		case OPT_SNAPSHOT:
			o->snapshot = true;
			break;
		case OPT_NO_NAMES:
			o->no_names = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			opts_usage(out);
			return OPTS_EXIT_OK;
		case 'V':
			fprintf(out, "nstrace %s (JSON schema %d)\n",
				NSTRACE_VERSION, NST_SCHEMA_VERSION);
			return OPTS_EXIT_OK;
		case ':':
			return bad(err, "option needs a value",
				   option_name(optopt, argv[optind - 1]));
		default:
			return bad(err, "unknown option",
				   option_name(optopt, argv[optind - 1]));
		}
	}
	if (optind < argc)
		return bad(err, "unexpected argument", argv[optind]);
	return OPTS_RUN;
}
