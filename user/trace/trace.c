// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "inventory/cgroups.h"
#include "inventory/runtime.h"
#include "lib/httpd.h"
#include "loader/backend.h"
#include "trace/enrich.h"
#include "trace/metrics.h"
#include "trace/live_names.h"
#include "lib/enums.h"
#include "lib/notify.h"
#include "trace/output.h"
#include "loader/privs.h"
#include "trace/record.h"
#include "trace/select.h"
#include "trace/snapshot.h"
#include "loader/stream.h"
#include "trace/trace.h"

/* The ring buffer, the mount table, and what HTTP waits for. */
#define TRACE_FDS (2 + HTTPD_FDS)
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Every record written, by kind, for the summary line. */
struct written {
	uint64_t events, names, lost, snapshot;
};

struct trace {
	struct stream stream;
	struct output out;
	const char *out_name;
	const struct opts *o;
	bool names; /* enrichment on: names is open */
	struct live_names names_live;
	bool snapshots; /* --snapshot */
	bool resync; /* events were lost: a snapshot is due */
	uint64_t nsnapshots;
	struct written written;
	struct metrics metrics; /* with --metrics-file or --metrics */
	bool serving; /* --metrics: http is open */
	struct httpd http;
	struct select select; /* --container, --pod */
	bool busy; /* the last look at the ring buffer read records */
};

/*
 * With --container or --pod: whether the event is of one of them, by a
 * namespace it names or by its process's cgroup.
 */
static bool selected(struct trace *t, const struct enrich *x,
		     uint64_t cgroup_id)
{
	struct container c;

	if (!select_any(&t->select))
		return true;
	for (int i = 0; i < x->n; i++)
		if (select_container(&t->select, x->v[i].container))
			return true;
	return cgroup_container(cgroup_id, &c) &&
	       select_container(&t->select, &c);
}

/*
 * The cookie of the netns a name comes to or goes from: the cache keeps a
 * dead one's for the names it still had. Asked once for each name.
 */
static uint64_t name_cookie(struct trace *t, bool added,
			    const struct nsfs_name *name)
{
	if (name->type != NST_NS_NET)
		return 0;
	return nscache_name_cookie(&t->names_live.cache, name->inum, added);
}

static void write_name(struct trace *t, uint64_t time_ns,
		       const struct nst_task *task, bool added,
		       const struct nsfs_name *name, uint64_t cookie)
{
	struct enrich x;
	struct record r;

	record_ns_name(&r, time_ns, task, name->type, name->inum, cookie,
		       added, name->name, name->path);
	x.n = 0;
	enrich_ns(&r, &t->names_live.cache, &x, ENRICH_NS, name->type,
		  name->inum);
	if (!selected(t, &x, task ? task->cgroup_id : 0))
		return;
	output_record(&t->out, &r);
	t->written.names++;
}

/* A mount syscall's name: the one who mounted is its process. */
static void on_name_event(struct trace *t, const struct nst_event *e,
			  int64_t realtime_off)
{
	bool added = e->name.op == NST_NAME_ADD;
	char path[NST_PATH_LEN + 4096];
	struct nsfs_name name;
	uint64_t cookie;

	if (!live_names_event(&t->names_live, e, &name, path, sizeof(path)))
		return;
	cookie = name_cookie(t, added, &name);
	if (!(t->o->stream.ev_mask & NST_EV_BIT(EV_NS_NAME)) ||
	    !(t->o->stream.ns_mask & (1u << name.type)))
		return;
	write_name(t, e->task.ts_boot_ns + (uint64_t)realtime_off, &e->task,
		   added, &name, cookie);
}

static void on_event(void *ctx, const struct nst_event *e, int64_t realtime_off)
{
	struct trace *t = ctx;
	struct enrich x;
	struct record r;

	if (t->out.err)
		return;
	if (e->kind == NST_EV_NS_NAME) {
		if (t->names)
			on_name_event(t, e, realtime_off);
		return;
	}
	if (t->names)
		nscache_event_before(&t->names_live.cache, e);
	record_from_event(&r, e, realtime_off);
	x.n = 0;
	if (t->names)
		enrich_event(&r, &t->names_live.cache, &x, e);
	if (selected(t, &x, e->task.cgroup_id)) {
		output_record(&t->out, &r);
		t->written.events++;
	}
	if (t->names)
		nscache_event_after(&t->names_live.cache, e);
	if (t->names && e->kind == NST_EV_NS_DESTROY)
		live_names_forget(&t->names_live, e->destroy.ns_type,
				  e->destroy.ns);
}

/* Losses go into the stream itself, between the events around them. */
static void on_lost(void *ctx, uint64_t now_ns, uint64_t count, uint64_t total)
{
	struct trace *t = ctx;
	struct record r;

	record_lost(&r, now_ns, count, total);
	output_record(&t->out, &r);
	t->written.lost++;
	t->resync = t->snapshots;
}

/*
 * Taken after attaching: what changes while the inventory is read is
 * queued and follows the snapshot, so nothing falls between the two.
 */
static int take_snapshot(struct trace *t, const char *reason)
{
	long n;

	t->resync = false;
	n = snapshot_emit(&t->out, ++t->nsnapshots, reason);
	if (n < 0)
		return -1;
	t->written.snapshot += n;
	return 0;
}

static const struct stream_ops trace_ops = {
	.event = on_event,
	.lost = on_lost,
};

/*
 * A name the mount table shows came or went and no syscall told: the
 * table does not say who, so no process is named.
 */
static void on_name(void *ctx, bool added, const struct nsfs_name *name)
{
	struct trace *t = ctx;
	/* Asked for each name, written or not: the cache counts them. */
	uint64_t cookie = name_cookie(t, added, name);

	if (!(t->o->stream.ev_mask & NST_EV_BIT(EV_NS_NAME)) ||
	    !(t->o->stream.ns_mask & (1u << name->type)) || t->o->stream.pid)
		return;
	write_name(t, stream_now_realtime_ns(), NULL, added, name, cookie);
}

static int open_output(struct trace *t, const struct opts *o)
{
	int err = output_open(&t->out, o->output,
			      o->json ? OUTPUT_JSON : OUTPUT_TEXT, o->max_size,
			      o->max_files);

	t->out_name = o->output ? o->output : "standard output";
	if (err)
		fprintf(stderr, "nstrace: cannot open %s: %s\n", t->out_name,
			strerror(-err));
	return err;
}

static void metrics_sample(const struct trace *t, struct metrics_sample *s)
{
	s->lost = t->stream.lost_seen;
	stream_ring_usage(&t->stream, &s->ring_size, &s->ring_used);
	s->names = t->names ? t->names_live.cache.ns.n : 0;
}

/* A scrape: the counters as they are now, every line of them written. */
static void render_metrics(void *ctx, struct buf *body)
{
	struct trace *t = ctx;
	struct metrics_sample s;

	metrics_sample(t, &s);
	metrics_render(&t->metrics, &s, body);
}

/* Bound before anything is attached: a port in use fails early. */
static int open_http(struct trace *t, const struct hostport *addr)
{
	int err = httpd_open(&t->http, addr, "/metrics", METRICS_TYPE,
			     render_metrics, t);

	if (err) {
		fprintf(stderr, "nstrace: cannot listen on %s: %s\n",
			addr->text, strerror(-err));
		return -1;
	}
	t->serving = true;
	return 0;
}

/*
 * One turn of the loop: waits for the ring buffer, the mount table and
 * the HTTP clients at once, then serves each. The ring buffer is read
 * first: a name is mounted after its namespace was created, so its
 * ns.create is already queued when the mount table says so. A scrape is
 * answered last, when what was read is written: its counts are the
 * stream's lines.
 */
static int step(struct trace *t)
{
	struct pollfd fds[TRACE_FDS] = {
		{ .fd = stream_fd(&t->stream), .events = POLLIN },
	};
	int n = 1, names_at = 0, http_at, timeout = STREAM_POLL_MS, nread;
	struct metrics_sample s;

	if (t->names) {
		nscache_turn(&t->names_live.cache);
		names_at = n;
		fds[n++] = (struct pollfd){ .fd = t->names_live.fd,
					    .events = POLLPRI };
		timeout = live_names_wait_ms(&t->names_live, STREAM_POLL_MS);
	}
	http_at = n;
	if (t->serving)
		n += httpd_pollfds(&t->http, fds + n);
	if (t->busy) {
		fds[0].fd = -1; /* poll(2) leaves it out */
		if (timeout > STREAM_BUSY_MS)
			timeout = STREAM_BUSY_MS;
	}
	if (poll(fds, n, timeout) < 0 && errno != EINTR) {
		fprintf(stderr, "nstrace: cannot wait for events: %s\n",
			strerror(errno));
		return -1;
	}
	nread = stream_poll(&t->stream);
	if (nread < 0)
		return -1;
	t->busy = nread > 0;
	if (t->names) {
		live_names_release(&t->names_live, false, on_name, t);
		if ((fds[names_at].revents & (POLLPRI | POLLERR)) &&
		    live_names_update(&t->names_live))
			return -1;
	}
	/*
	 * A failed one is said on stderr; the next loss tries again. Once a
	 * signal came, there is nobody left to resync.
	 */
	if (t->resync && !stream_exiting)
		take_snapshot(t, "lost");
	output_flush(&t->out);
	if (t->metrics.path) {
		metrics_sample(t, &s);
		if (metrics_tick(&t->metrics, &s))
			return -1;
	}
	if (t->serving)
		httpd_serve(&t->http, fds + http_at, n - http_at);
	return 0;
}

/* On the way out: a name that came or went just before is still told. */
static void drain_names(struct trace *t)
{
	struct pollfd fd = { .fd = t->names_live.fd, .events = POLLPRI };

	if (poll(&fd, 1, 0) > 0 && (fd.revents & (POLLPRI | POLLERR)))
		live_names_update(&t->names_live);
	live_names_release(&t->names_live, true, on_name, t);
}

/* The records add up to the lines written after the text header. */
static void print_summary(const struct trace *t)
{
	const struct written *w = &t->written;

	fprintf(stderr,
		"nstrace: %llu records written (%llu events, %llu ns.name, %llu lost, %llu snapshot), %llu events lost\n",
		(unsigned long long)(w->events + w->names + w->lost +
				     w->snapshot),
		(unsigned long long)w->events, (unsigned long long)w->names,
		(unsigned long long)w->lost, (unsigned long long)w->snapshot,
		(unsigned long long)t->stream.lost_seen);
}

int trace_run(const struct opts *o)
{
	struct trace t = { .o = o };
	struct stream_config cfg = o->stream;
	struct metrics_sample s;
	bool attached = false;
	int ret = 1;

	if (stream_preflight(&o->stream))
		return 1;
	if (o->host_root)
		runtime_set_root(o->host_root);
	t.select.container = o->container;
	t.select.pod = o->pod;
	/*
	 * Opened before anything is attached: no privilege is needed later,
	 * and a port below 1024 wants one.
	 */
	if (open_output(&t, o))
		return 1;
	if (o->metrics.len && open_http(&t, &o->metrics)) {
		output_close(&t.out);
		return 1;
	}
	t.snapshots = o->snapshot;
	/*
	 * ns.name needs the names: the mount table says what an umount took.
	 * The names need the mount syscalls whatever -e writes: the mount
	 * table alone tells a name's removal too late, after the ns.destroy
	 * an ip netns del brings at once.
	 */
	if (o->no_names)
		cfg.ev_mask &= ~NST_EV_BIT(EV_NS_NAME);
	else
		cfg.ev_mask |= NST_EV_BIT(EV_NS_NAME);
	if (stream_open(&t.stream, &cfg, &trace_ops, &t))
		goto cleanup;
	/* After the attach, so that no move between the two goes unseen. */
	if (!o->no_names) {
		if (live_names_open(&t.names_live))
			goto cleanup;
		t.names = true;
	}
	if (stream_drop_privs(&t.stream, t.snapshots ? PRIVS_INVENTORY_CAPS : 0))
		goto cleanup;
	stream_signals();
	output_watch_hup();
	/* Attached: the hooks in use are known. The snapshot counts too. */
	if (o->metrics_file || t.serving) {
		metrics_init(&t.metrics, o->metrics_file, o->metrics_ms,
			     backend_names());
		t.out.metrics = &t.metrics;
	}
	output_header(&t.out);
	attached = true;
	if (t.snapshots && take_snapshot(&t, "start"))
		goto cleanup;
	output_flush(&t.out);
	fprintf(stderr,
		"nstrace: tracing namespace events (%s); Ctrl-C to stop\n",
		backend_describe());
	metrics_sample(&t, &s);
	if (t.metrics.path && metrics_write(&t.metrics, &s))
		goto cleanup;
	/* After the line scripts wait for: both say the same moment. */
	if (notify_send("READY=1"))
		goto cleanup;
	while (!stream_exiting && !t.out.err)
		if (step(&t))
			goto cleanup;
	stream_drain(&t.stream);
	if (t.names && !t.out.err)
		drain_names(&t);
	output_flush(&t.out);
	if (t.out.err && t.out.err != EPIPE) {
		fprintf(stderr, "nstrace: cannot write to %s: %s\n", t.out_name,
			strerror(t.out.err));
		goto cleanup;
	}
	metrics_sample(&t, &s);
	if (t.metrics.path && metrics_write(&t.metrics, &s))
		goto cleanup;
	ret = 0;
cleanup:
	if (attached)
		print_summary(&t);
	stream_close(&t.stream);
	if (t.names)
		live_names_close(&t.names_live);
	if (t.serving)
		httpd_close(&t.http);
	output_close(&t.out);
	return ret;
}
