// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/enums.h"
#include "loader/options.h"
#include "nstrace.h"
#include "trace/opts.h"
#include "trace/record.h"

#define NSTRACE_VERSION "0.1.0"

#define RINGBUF_MIN (4096u)
#define RINGBUF_MAX (1u << 30)

#define FIELD(f) offsetof(struct opts, f)

/* A list of names into a mask; the offending item quoted. */
static bool parse_mask(void *field, const char *value, const char **shown,
		       int (*parse)(const char *), uint32_t all)
{
	int64_t mask = parse_list(value, parse, all, shown);

	if (mask < 0)
		return false;
	*(uint32_t *)field = (uint32_t)mask;
	return true;
}

static bool parse_types(void *field, const char *value, const char **shown)
{
	return parse_mask(field, value, shown, ns_type_parse, NST_NS_ALL);
}

static bool parse_events(void *field, const char *value, const char **shown)
{
	return parse_mask(field, value, shown, event_parse, EV_ALL);
}

static bool parse_pid(void *field, const char *value, const char **shown)
{
	/* The kernel's PID_MAX_LIMIT is 4194304. */
	return cli_number(value, 1, 4194304, field);
}

static bool parse_size(void *field, const char *value, const char **shown)
{
	unsigned long long n, mult = 1;
	char *end;

	/* strtoull() would skip blanks and take a sign: only digits here. */
	if (*value < '0' || *value > '9')
		return false;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno || end == value)
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
	*(uint32_t *)field = (uint32_t)n;
	return true;
}

static void show_version(FILE *out)
{
	fprintf(out, "nstrace %s (JSON schema %d)\n", NSTRACE_VERSION,
		NST_SCHEMA_VERSION);
}

static const struct cli_opt opt_output = {
	.name = "output",
	.letter = 'o',
	.value = "FILE",
	.help = "write events to FILE instead of stdout",
	.parse = cli_name,
	.refused = "empty output file name",
};

static const struct cli_opt opt_type = {
	.name = "type",
	.letter = 't',
	.value = "LIST",
	.help = "namespace types: net,mnt,uts,ipc,pid,user,\n"
		"cgroup,time (default: all)",
	.parse = parse_types,
	.refused = "unknown namespace type",
};

static const struct cli_opt opt_pid = {
	.name = "pid",
	.letter = 'p',
	.value = "PID",
	.help = "only events of this process",
	.parse = parse_pid,
	.refused = "not a process id",
};

static const struct cli_opt opt_event = {
	.name = "event",
	.letter = 'e',
	.value = "LIST",
	.help = "ns.create,ns.setns,ns.destroy,netdev.move,\n"
		"netdev.create,netdev.delete,ns.name\n"
		"(default: all)",
	.parse = parse_events,
	.refused = "unknown event",
};

static const struct cli_opt opt_buffer_size = {
	.name = "buffer-size",
	.value = "N",
	.help = "ring buffer bytes, a power of two\n"
		"(K and M suffixes; default 4M)",
	.parse = parse_size,
	.refused = "buffer size must be a power of two from 4K to 1024M",
};

static const struct cli_opt opt_no_names = {
	.name = "no-names",
	.help = "leave out the names, processes and container\n"
		"of each namespace, and the ns.name events",
};

static const struct cli_opt opt_snapshot = {
	.name = "snapshot",
	.help = "first every netns and interface as records,\n"
		"and again after events were lost",
};

static const struct cli_opt opt_version = {
	.name = "version",
	.letter = 'V',
	.help = "the version",
	.show = show_version,
};

static const struct cli_use trace_opts[] = {
	{ .opt = &cli_json,
	  .field = FIELD(json),
	  .help = "one JSON object per line (docs/events.md)" },
	{ .opt = &opt_output, .field = FIELD(output) },
	{ .opt = &opt_type, .field = FIELD(stream.ns_mask) },
	{ .opt = &opt_pid, .field = FIELD(stream.pid) },
	{ .opt = &opt_event, .field = FIELD(stream.ev_mask) },
	{ .opt = &loader_opt_btf, .field = FIELD(stream.btf) },
	{ .opt = &opt_buffer_size, .field = FIELD(stream.buffer_size) },
	{ .opt = &loader_opt_backend, .field = FIELD(stream.backend) },
	{ .opt = &opt_no_names, .field = FIELD(no_names) },
	{ .opt = &opt_snapshot, .field = FIELD(snapshot) },
	{ .opt = &loader_opt_verbose, .field = FIELD(stream.verbose) },
	{ .opt = &opt_version },
	{},
};

const struct cli_cmd trace_cli = {
	.about =
		"Trace namespace events live: creation, setns, destruction, and\n"
		"network interfaces created, deleted or moved between netns.",
	.opts = trace_opts,
};

enum cli_result opts_parse(struct opts *o, int argc, char **argv, FILE *out,
			   FILE *err)
{
	memset(o, 0, sizeof(*o));
	o->stream.ns_mask = NST_NS_ALL;
	o->stream.ev_mask = EV_ALL;
	return cli_parse(&trace_cli, o, argc, argv, out, err);
}
