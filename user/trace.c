// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "output.h"
#include "privs.h"
#include "record.h"
#include "snapshot.h"
#include "stream.h"
#include "trace.h"

#define POLL_TIMEOUT_MS 100

struct trace {
	struct stream stream;
	struct output out;
	const char *out_name;
	bool snapshots; /* --snapshot */
	bool resync; /* events were lost: a snapshot is due */
	uint64_t nsnapshots;
};

static void on_event(void *ctx, const struct nst_event *e, int64_t realtime_off)
{
	struct trace *t = ctx;
	struct record r;

	if (t->out.err)
		return;
	record_from_event(&r, e, realtime_off);
	output_record(&t->out, &r);
}

/* Losses go into the stream itself, between the events around them. */
static void on_lost(void *ctx, uint64_t now_ns, uint64_t count, uint64_t total)
{
	struct trace *t = ctx;
	struct record r;

	record_lost(&r, now_ns, count, total);
	output_record(&t->out, &r);
	t->resync = t->snapshots;
}

/*
 * Taken after attaching: what changes while the inventory is read is
 * queued and follows the snapshot, so nothing falls between the two.
 */
static int take_snapshot(struct trace *t, const char *reason)
{
	t->resync = false;
	return snapshot_emit(&t->out, ++t->nsnapshots, reason);
}

static const struct stream_ops trace_ops = {
	.event = on_event,
	.lost = on_lost,
};

static int open_output(struct trace *t, const struct opts *o)
{
	int err = output_open(&t->out, o->output,
			      o->json ? OUTPUT_JSON : OUTPUT_TEXT);

	t->out_name = o->output ? o->output : "standard output";
	if (err)
		fprintf(stderr, "nstrace: cannot open %s: %s\n", t->out_name,
			strerror(-err));
	return err;
}

int trace_run(const struct opts *o)
{
	struct trace t = {};
	bool attached = false;
	int ret = 1;

	if (stream_preflight(o))
		return 1;
	/* Opened before anything is attached: no privilege is needed later. */
	if (open_output(&t, o))
		return 1;
	t.snapshots = o->snapshot;
	if (stream_open(&t.stream, o, &trace_ops, &t) ||
	    stream_drop_privs(&t.stream, t.snapshots ? PRIVS_INVENTORY_CAPS : 0))
		goto cleanup;
	stream_signals();
	output_header(&t.out);
	attached = true;
	if (t.snapshots && take_snapshot(&t, "start"))
		goto cleanup;
	output_flush(&t.out);
	fprintf(stderr,
		"nstrace: tracing namespace events (%s); Ctrl-C to stop\n",
		backend_describe());
	while (!stream_exiting && !t.out.err) {
		if (stream_poll(&t.stream, POLL_TIMEOUT_MS))
			goto cleanup;
		/*
		 * A failed one is said on stderr; the next loss tries again.
		 * Once a signal came, there is nobody left to resync.
		 */
		if (t.resync && !stream_exiting)
			take_snapshot(&t, "lost");
		output_flush(&t.out);
	}
	stream_drain(&t.stream);
	output_flush(&t.out);
	if (t.out.err && t.out.err != EPIPE) {
		fprintf(stderr, "nstrace: cannot write to %s: %s\n", t.out_name,
			strerror(t.out.err));
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (attached)
		fprintf(stderr, "nstrace: %llu events, %llu lost\n",
			(unsigned long long)t.stream.events,
			(unsigned long long)t.stream.lost_seen);
	stream_close(&t.stream);
	output_close(&t.out);
	return ret;
}
