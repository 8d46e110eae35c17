// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <string.h>

#include "lib/enums.h"
#include "lib/options.h"
#include "nstrace.h"
#include "trace/opts.h"

/* Rotated files kept when --max-size comes alone. */
#define OPTS_MAX_FILES 5
#define OPTS_METRICS_MS 15000

#define FIELD(f) offsetof(struct opts, f)

static const struct cli_use trace_opts[] = {
	{ .opt = &options[OPT_JSON],
	  .field = FIELD(json),
	  .help = "one JSON object per line (docs/events.md)" },
	{ .opt = &options[OPT_OUTPUT], .field = FIELD(output) },
	{ .opt = &options[OPT_MAX_SIZE], .field = FIELD(max_size) },
	{ .opt = &options[OPT_MAX_FILES], .field = FIELD(max_files) },
	{ .opt = &options[OPT_METRICS_FILE], .field = FIELD(metrics_file) },
	{ .opt = &options[OPT_METRICS_INTERVAL], .field = FIELD(metrics_ms) },
	{ .opt = &options[OPT_METRICS], .field = FIELD(metrics) },
	{ .opt = &options[OPT_TYPE], .field = FIELD(stream.ns_mask) },
	{ .opt = &options[OPT_PID], .field = FIELD(stream.pid) },
	{ .opt = &options[OPT_CONTAINER], .field = FIELD(container) },
	{ .opt = &options[OPT_POD], .field = FIELD(pod) },
	{ .opt = &options[OPT_EVENT], .field = FIELD(stream.ev_mask) },
	{ .opt = &options[OPT_BTF], .field = FIELD(stream.btf) },
	{ .opt = &options[OPT_BUFFER_SIZE],
	  .field = FIELD(stream.buffer_size) },
	{ .opt = &options[OPT_BACKEND], .field = FIELD(stream.backend) },
	{ .opt = &options[OPT_NO_NAMES], .field = FIELD(no_names) },
	{ .opt = &options[OPT_HOST_ROOT], .field = FIELD(host_root) },
	{ .opt = &options[OPT_SNAPSHOT], .field = FIELD(snapshot) },
	{ .opt = &options[OPT_VERBOSE], .field = FIELD(stream.verbose) },
	{ .opt = &options[OPT_VERSION] },
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
	const char *refused = NULL;
	enum cli_result res;

	memset(o, 0, sizeof(*o));
	o->stream.ns_mask = NST_NS_ALL;
	o->stream.ev_mask = EV_ALL;
	res = cli_parse(&trace_cli, o, argc, argv, out, err);
	if (res != CLI_RUN)
		return res;
	/* Rotation renames files: standard output has no name to rename. */
	if (o->max_size && (!o->output || !strcmp(o->output, "-")))
		refused = "--max-size needs -o FILE";
	else if (o->max_files && !o->max_size)
		refused = "--max-files needs --max-size";
	else if (o->metrics_ms && !o->metrics_file)
		refused = "--metrics-interval needs --metrics-file";
	else if ((o->container || o->pod) && o->no_names)
		refused =
			"--container and --pod need the containers --no-names leaves out";
	if (refused) {
		cli_refuse(&trace_cli, err, refused, NULL);
		return CLI_USAGE;
	}
	if (o->max_size && !o->max_files)
		o->max_files = OPTS_MAX_FILES;
	if (!o->metrics_ms)
		o->metrics_ms = OPTS_METRICS_MS;
	return CLI_RUN;
}
