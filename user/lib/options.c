// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every option of every command (lib/options.h). A command that takes an
 * option differently says so in its own table: its help line, or that
 * each use adds to the ones before.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/enums.h"
#include "lib/hostport.h"
#include "lib/options.h"
#include "nstrace.h"

static bool parse_types(void *field, const char *value, const char **shown)
{
	return cli_mask(field, value, shown, ns_type_parse, NST_NS_ALL);
}

static bool parse_all(void *field, const char *value, const char **shown)
{
	*(uint32_t *)field = NST_NS_ALL;
	return true;
}

static bool parse_pid(void *field, const char *value, const char **shown)
{
	/* The kernel's PID_MAX_LIMIT is 4194304. */
	return cli_number(value, 1, 4194304, field);
}

static bool parse_events(void *field, const char *value, const char **shown)
{
	return cli_mask(field, value, shown, event_parse, EV_ALL);
}

static bool parse_buffer_size(void *field, const char *value,
			      const char **shown)
{
	return cli_size(value, 4096, 1u << 30, field);
}

static bool parse_max_size(void *field, const char *value, const char **shown)
{
	return cli_bytes(value, 1024, 4096ULL << 20, field);
}

static bool parse_max_files(void *field, const char *value, const char **shown)
{
	return cli_number(value, 1, 999, field);
}

static bool parse_metrics_interval(void *field, const char *value,
				   const char **shown)
{
	return cli_ms(value, 1, 3600, field);
}

static bool parse_metrics(void *field, const char *value, const char **shown)
{
	return hostport_parse(value, field);
}

static bool parse_backend(void *field, const char *value, const char **shown)
{
	int b = backend_parse(value);

	if (b < 0)
		return false;
	*(int *)field = b;
	return true;
}

static bool parse_mark(void *field, const char *value, const char **shown)
{
	return cli_ms(value, 1, 3600, field);
}

static bool parse_refresh(void *field, const char *value, const char **shown)
{
	return cli_ms(value, 0, 3600, field);
}

static bool parse_dir(void *field, const char *value, const char **shown)
{
	struct stat st;

	if (stat(value, &st) || !S_ISDIR(st.st_mode))
		return false;
	*(const char **)field = value;
	return true;
}

static bool parse_pod(void *field, const char *value, const char **shown)
{
	const char *slash = strchr(value, '/');

	if (!slash || slash == value || !slash[1] || strchr(slash + 1, '/'))
		return false;
	*(const char **)field = value;
	return true;
}

static void show_version(FILE *out)
{
	fprintf(out, "nstrace %s (JSON schema %d)\n", NSTRACE_VERSION,
		NST_SCHEMA_VERSION);
}

const struct cli_opt options[OPT_COUNT] = {
	[OPT_JSON] = { .name = "json",
		       .letter = 'j',
		       .help = "one JSON document" },
	[OPT_OUTPUT] = { .name = "output",
			 .letter = 'o',
			 .value = "FILE",
			 .help = "write events to FILE instead of stdout",
			 .parse = cli_name,
			 .refused = "empty output file name" },
	[OPT_TYPE] = { .name = "type",
		       .letter = 't',
		       .value = "LIST",
		       .help = "namespace types: net,mnt,uts,ipc,pid,user,\n"
			       "cgroup,time (default: all)",
		       .parse = parse_types,
		       .refused = "unknown namespace type" },
	[OPT_ALL] = { .name = "all",
		      .letter = 'a',
		      .help = "namespaces of every type",
		      .parse = parse_all },
	[OPT_PID] = { .name = "pid",
		      .letter = 'p',
		      .value = "PID",
		      .help = "only events of this process",
		      .parse = parse_pid,
		      .refused = "not a process id" },
	[OPT_EVENT] = { .name = "event",
			.letter = 'e',
			.value = "LIST",
			.help = "ns.create,ns.setns,ns.destroy,netdev.move,\n"
				"netdev.create,netdev.delete,netdev.rename,\n"
				"ns.name (default: all)",
			.parse = parse_events,
			.refused = "unknown event" },
	[OPT_MAX_SIZE] = { .name = "max-size",
			   .value = "SIZE",
			   .help = "rotate FILE before it grows past SIZE bytes\n"
				   "(K and M suffixes; 1K to 4096M)",
			   .parse = parse_max_size,
			   .refused = "max size must be 1K to 4096M bytes" },
	[OPT_MAX_FILES] = { .name = "max-files",
			    .value = "N",
			    .help = "rotated files kept: FILE.1 to FILE.N\n"
				    "(1 to 999; default 5)",
			    .parse = parse_max_files,
			    .refused = "max files must be 1 to 999" },
	[OPT_METRICS_FILE] = { .name = "metrics-file",
			       .value = "PATH",
			       .help = "counters for node_exporter's textfile\n"
				       "collector, written every interval and at exit",
			       .parse = cli_name,
			       .refused = "empty metrics file name" },
	[OPT_METRICS_INTERVAL] = { .name = "metrics-interval",
				   .value = "SECS",
				   .help = "how often --metrics-file is written\n"
					   "(1 to 3600; default 15)",
				   .parse = parse_metrics_interval,
				   .refused =
					   "metrics interval must be 1 to 3600 seconds" },
	[OPT_METRICS] = { .name = "metrics",
			  .value = "ADDR:PORT",
			  .help = "serve the same counters over HTTP, at\n"
				  "http://ADDR:PORT/metrics, for Prometheus",
			  .parse = parse_metrics,
			  .refused =
				  "metrics address must be ADDR:PORT, ADDR an IPv4 address, [IPv6] or localhost and PORT 1 to 65535" },
	[OPT_BTF] = { .name = "btf",
		      .value = "FILE",
		      .help = "kernel BTF to use instead of\n"
			      "/sys/kernel/btf/vmlinux",
		      .parse = cli_name,
		      .refused = "empty BTF file name" },
	[OPT_BUFFER_SIZE] = { .name = "buffer-size",
			      .value = "N",
			      .help = "ring buffer bytes, a power of two\n"
				      "(K and M suffixes; default 4M)",
			      .parse = parse_buffer_size,
			      .refused =
				      "buffer size must be a power of two from 4K to 1024M" },
	[OPT_BACKEND] = { .name = "backend",
			  .value = "NAME",
			  .help = "hook flavour: auto, fentry, kprobe or\n"
				  "tracepoint (default auto)",
			  .parse = parse_backend,
			  .refused =
				  "backend must be auto, fentry, kprobe or tracepoint" },
	[OPT_NO_NAMES] = { .name = "no-names",
			   .help = "leave out the names, processes and container\n"
				   "of each namespace, and the ns.name events" },
	[OPT_SNAPSHOT] = { .name = "snapshot",
			   .help = "first every netns and interface as records,\n"
				   "and again after events were lost" },
	[OPT_VERBOSE] = { .name = "verbose",
			  .letter = 'v',
			  .help = "show libbpf's messages" },
	[OPT_MARK] = { .name = "mark",
		       .letter = 'm',
		       .value = "SECS",
		       .help = "how long a change stays marked (default 5)",
		       .parse = parse_mark,
		       .refused = "mark time must be 1 to 3600 seconds" },
	[OPT_REFRESH] = { .name = "refresh",
			  .letter = 'r',
			  .value = "SECS",
			  .help = "read the inventory again every SECS\n"
				  "(default 5; 0: only when events ask)",
			  .parse = parse_refresh,
			  .refused = "refresh must be 0 to 3600 seconds" },
	[OPT_AT] = { .name = "at",
		     .value = "TIME",
		     .help = "RFC 3339 (2026-12-01T08:45:05.9Z, offsets too),\n"
			     "or seq:N (the line with that seq); default: the end",
		     .parse = cli_at,
		     .refused = "not an RFC 3339 time nor seq:N" },
	[OPT_HOST_ROOT] = { .name = "host-root",
			    .value = "DIR",
			    .help = "read the container runtimes' state (/run,\n"
				    "/var) under DIR: the host's, mounted in a pod",
			    .parse = parse_dir,
			    .refused = "host root is not a directory" },
	[OPT_CONTAINER] = { .name = "container",
			    .value = "NAME|ID",
			    .help = "only events of this container: of its\n"
				    "namespaces, or of its processes",
			    .parse = cli_name,
			    .refused = "empty container name" },
	[OPT_POD] = { .name = "pod",
		      .value = "NAMESPACE/NAME",
		      .help = "only events of this Kubernetes pod's\n"
			      "containers",
		      .parse = parse_pod,
		      .refused = "a pod is NAMESPACE/NAME" },
	[OPT_NETNS] = { .name = "netns",
			.value = "NETNS",
			.help = "IFNAME is an ifindex in NETNS: a name (ip\n"
				"netns), inode, net:[INODE] or nsfs path",
			.parse = cli_name,
			.refused = "empty network namespace" },
	[OPT_VERSION] = { .name = "version",
			  .letter = 'V',
			  .help = "the version",
			  .show = show_version },
};
