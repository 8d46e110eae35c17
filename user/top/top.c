// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "inventory/runtime.h"
#include "lib/cli.h"
#include "lib/options.h"
#include "loader/backend.h"
#include "loader/event.h"
#include "loader/privs.h"
#include "loader/stream.h"
#include "top/top.h"
#include "top/load.h"
#include "top/model.h"
#include "top/rows.h"
#include "top/screen.h"
#include "topology/live.h"

#define DRAW_EVERY_MS 100 /* at most this often while events pour in */
#define LOAD_AFTER_MS 300 /* a new netns gets its names by a bind mount */
#define LOAD_GAP_MS 1000 /* between two refreshes that events asked for */
#define QUEUE_MAX 65536 /* events held while paused; past it, a refresh */
#define FILTER_MAX 64

struct top_opts {
	struct stream_config stream;
	uint64_t mark_ms;
	uint64_t refresh_ms; /* 0: only when events or losses ask */
	const char *host_root; /* the runtimes' state under it; NULL: / */
	struct select select; /* --container, --pod */
};

struct top {
	struct stream stream;
	struct top_model model;
	struct top_rows rows;
	enum top_sort sort;
	char filter[FILTER_MAX];
	char filter_before[FILTER_MAX]; /* what Esc goes back to */
	bool editing, help, paused;
	size_t offset; /* the first row shown */
	struct nst_event *queue; /* while paused */
	size_t nqueued, queue_cap;
	bool load_after_pause; /* the queue overflowed, or events were lost */
	uint64_t last_load, load_soon; /* 0: none asked */
	uint64_t refresh_ms;
	uint64_t last_draw;
	bool dirty;
	const char *status;
	char backend[32];
	struct select select;
};

#define FIELD(f) offsetof(struct top_opts, f)

static const struct cli_use top_opts_used[] = {
	{ .opt = &options[OPT_MARK], .field = FIELD(mark_ms) },
	{ .opt = &options[OPT_REFRESH], .field = FIELD(refresh_ms) },
	{ .opt = &options[OPT_CONTAINER],
	  .field = FIELD(select.container),
	  .help = "only the network namespaces of this container" },
	{ .opt = &options[OPT_POD],
	  .field = FIELD(select.pod),
	  .help = "only the network namespaces of this pod's\ncontainers" },
	{ .opt = &options[OPT_HOST_ROOT], .field = FIELD(host_root) },
	{ .opt = &options[OPT_BACKEND], .field = FIELD(stream.backend) },
	{ .opt = &options[OPT_BTF], .field = FIELD(stream.btf) },
	{ .opt = &options[OPT_VERBOSE], .field = FIELD(stream.verbose) },
	{},
};

const struct cli_cmd top_cli = {
	.name = "top",
	.about =
		"The network namespaces, live and full screen: names, process\n"
		"counts and interfaces, with moves, new and dying namespaces\n"
		"marked as they happen. Keys: q quit, p pause, / filter, s sort,\n"
		"arrows and PgUp/PgDn scroll, ? help.",
	.opts = top_opts_used,
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void load_soon(struct top *t, uint64_t at)
{
	if (at < t->last_load + LOAD_GAP_MS)
		at = t->last_load + LOAD_GAP_MS;
	if (!t->load_soon || at < t->load_soon)
		t->load_soon = at;
}

static void apply(struct top *t, const struct nst_event *e, uint64_t now)
{
	struct topo_event ev;

	topo_from_stream(e, &ev);
	model_apply(&t->model, &ev, now);
	t->dirty = true;
	/* Names, peers and counts only the inventory knows. */
	if (e->kind == NST_EV_NS_CREATE || e->kind == NST_EV_NETDEV_CREATE ||
	    e->kind == NST_EV_NETDEV_MOVE)
		load_soon(t, now + LOAD_AFTER_MS);
}

static void queue_event(struct top *t, const struct nst_event *e)
{
	if (t->nqueued == QUEUE_MAX) {
		t->load_after_pause = true;
		return;
	}
	if (t->nqueued == t->queue_cap) {
		t->queue_cap = t->queue_cap ? 2 * t->queue_cap : 256;
		t->queue =
			reallocarray(t->queue, t->queue_cap, sizeof(*t->queue));
		if (!t->queue)
			abort();
	}
	memset(&t->queue[t->nqueued], 0, sizeof(*t->queue));
	/* The stream checked e: it holds its kind's bytes, maybe no more. */
	memcpy(&t->queue[t->nqueued++], e, event_size(e, sizeof(*e)));
}

static void on_event(void *ctx, const struct nst_event *e, int64_t realtime_off)
{
	struct top *t = ctx;

	if (t->paused && e->kind == NST_EV_NS_SETNS) {
		/* Counts only, and a storm of them: recount on resume instead. */
		t->load_after_pause = true;
	} else if (t->paused) {
		queue_event(t, e);
		t->dirty = true; /* the header counts what is held */
	} else
		apply(t, e, now_ms());
}

/* Whatever was lost may have changed anything: read it all again. */
static void on_lost(void *ctx, uint64_t now_ns, uint64_t count, uint64_t total)
{
	struct top *t = ctx;

	t->dirty = true;
	if (t->paused)
		t->load_after_pause = true;
	else
		load_soon(t, now_ms());
}

static const struct stream_ops top_ops = {
	.event = on_event,
	.lost = on_lost,
};

static void load(struct top *t, uint64_t now)
{
	/* What is queued happened before the walk: apply it first. */
	stream_poll(&t->stream);
	if (top_load(&t->model, now))
		t->status =
			"cannot read the inventory again: the reason is printed at exit";
	t->last_load = now;
	t->load_soon = 0;
	t->dirty = true;
}

static uint64_t next_load(const struct top *t)
{
	uint64_t at = t->load_soon ? t->load_soon : UINT64_MAX;

	if (t->refresh_ms && t->last_load + t->refresh_ms < at)
		at = t->last_load + t->refresh_ms;
	return at;
}

static void resume(struct top *t, uint64_t now)
{
	t->paused = false;
	for (size_t i = 0; i < t->nqueued; i++)
		apply(t, &t->queue[i], now);
	t->nqueued = 0;
	if (t->load_after_pause)
		load_soon(t, now);
	t->load_after_pause = false;
	t->dirty = true;
}

static int tree_height(void)
{
	int lines, cols;

	screen_size(&lines, &cols);
	return lines > 2 ? lines - 2 : 0;
}

static void clamp_offset(struct top *t)
{
	size_t h = (size_t)tree_height();
	size_t last = t->rows.n > h ? t->rows.n - h : 0;

	if (t->offset > last)
		t->offset = last;
}

static void scroll_by(struct top *t, long delta)
{
	if (delta < 0 && (size_t)-delta > t->offset)
		t->offset = 0;
	else
		t->offset += delta;
	clamp_offset(t);
}

static void edit_key(struct top *t, int key)
{
	size_t len = strlen(t->filter);

	if (key == TOP_KEY_ENTER) {
		t->editing = false;
	} else if (key == TOP_KEY_ESC) {
		memcpy(t->filter, t->filter_before, sizeof(t->filter));
		t->editing = false;
	} else if (key == TOP_KEY_BACKSPACE) {
		if (len)
			t->filter[len - 1] = '\0';
	} else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof(t->filter)) {
		/* Printable ASCII only: it is echoed on the screen as typed. */
		t->filter[len] = (char)key;
		t->filter[len + 1] = '\0';
	}
	t->offset = 0;
}

/* false: quit. */
static bool on_key(struct top *t, int key, uint64_t now)
{
	int page = tree_height() > 1 ? tree_height() - 1 : 1;

	t->dirty = true;
	t->status = NULL;
	if (t->editing) {
		edit_key(t, key);
		return true;
	}
	if (t->help && key != TOP_KEY_RESIZE) {
		t->help = false;
		return key != 'q' && key != 'Q';
	}
	switch (key) {
	case 'q':
	case 'Q':
		return false;
	case 'p':
	case 'P':
		if (t->paused)
			resume(t, now);
		else
			t->paused = true;
		break;
	case '/':
		/* A new filter is typed afresh; Esc gives the old one back. */
		memcpy(t->filter_before, t->filter, sizeof(t->filter));
		t->filter[0] = '\0';
		t->editing = true;
		break;
	case TOP_KEY_ESC:
		t->filter[0] = '\0';
		break;
	case 's':
	case 'S':
		t->sort = (t->sort + 1) % TOP_SORTS;
		t->offset = 0;
		break;
	case '?':
	case 'h':
		t->help = true;
		break;
	case TOP_KEY_UP:
	case 'k':
		scroll_by(t, -1);
		break;
	case TOP_KEY_DOWN:
	case 'j':
		scroll_by(t, 1);
		break;
	case TOP_KEY_PGUP:
		scroll_by(t, -page);
		break;
	case TOP_KEY_PGDN:
		scroll_by(t, page);
		break;
	case TOP_KEY_HOME:
		t->offset = 0;
		break;
	case TOP_KEY_END:
		t->offset = t->rows.n;
		clamp_offset(t);
		break;
	default:
		break;
	}
	return true;
}

static void draw_text(int y, struct buf *b, enum top_style style, bool bar)
{
	screen_line(y, b->data ? b->data : "", b->len, style, bar);
	b->len = 0;
}

/* The state first: a long filter may push the counts off the edge. */
static void draw_header(struct top *t, struct buf *b)
{
	if (t->paused)
		buf_addf(b, "PAUSED (%zu queued)  ", t->nqueued);
	if (t->filter[0])
		buf_addf(b, "filter %s  ", t->filter);
	buf_addf(b, "sort %s  %zu netns  %zu ifs  %llu events  %llu lost",
		 top_sort_name(t->sort), model_live_netns(&t->model),
		 model_live_ifaces(&t->model),
		 (unsigned long long)t->stream.events,
		 (unsigned long long)t->stream.lost_seen);
	draw_text(0, b, TOP_STYLE_PLAIN, true);
}

static void draw_help(struct buf *b, int height)
{
	static const char *const help[] = {
		"nstrace top: the network namespaces, live",
		"",
		"  q          quit",
		"  p          pause the picture; events are kept and shown on resume",
		"  /          filter by name or inode (Enter keeps, Esc cancels)",
		"  Esc        clear the filter",
		"  s          sort by inode, name, interface count",
		"  Up/Down    scroll (also k/j); PgUp/PgDn, Home/End",
		"  ?          this help; any key closes it",
		"",
		"  +new   a netns or interface that just appeared",
		"  -gone  a netns that died; '-' an interface deleted",
		"  <- from X / -> moved to X: an interface that moved",
		"",
	};
	int y = 1;

	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]) && y <= height;
	     i++, y++) {
		buf_adds(b, help[i]);
		draw_text(y, b, TOP_STYLE_PLAIN, false);
	}
	if (y <= height) {
		buf_addf(b, "  %s", backend_describe());
		draw_text(y, b, TOP_STYLE_PLAIN, false);
	}
}

static void draw_footer(struct top *t, struct buf *b, int y)
{
	if (t->editing)
		buf_addf(b, "filter: %s_", t->filter);
	else if (t->status)
		buf_adds(b, t->status);
	else
		buf_addf(
			b,
			"nstrace top (%s)  q quit p pause / filter s sort ? help  %zu-%zu/%zu",
			t->backend, t->rows.n ? t->offset + 1 : 0,
			t->offset + (size_t)tree_height() < t->rows.n ?
				t->offset + (size_t)tree_height() :
				t->rows.n,
			t->rows.n);
	draw_text(y, b, TOP_STYLE_PLAIN, t->editing);
}

static void draw(struct top *t, uint64_t now)
{
	struct buf b = {};
	int lines, cols, height = tree_height();

	screen_size(&lines, &cols);
	screen_clear();
	if (lines < 3 || cols < 20) {
		buf_adds(&b, "terminal too small");
		draw_text(0, &b, TOP_STYLE_PLAIN, false);
		goto show;
	}
	/* Paused, the model stands still: the picture is the one it had. */
	rows_build(&t->rows, &t->model, t->filter, &t->select, t->sort);
	clamp_offset(t);
	draw_header(t, &b);
	if (t->help) {
		draw_help(&b, height);
	} else {
		for (int y = 0; y < height && t->offset + y < t->rows.n; y++) {
			enum top_style style = row_text(
				&b, &t->model, &t->rows.r[t->offset + y]);

			draw_text(1 + y, &b, style, false);
		}
	}
	draw_footer(t, &b, lines - 1);
show:
	screen_show();
	buf_free(&b);
	t->last_draw = now;
	t->dirty = false;
}

static int wait_ms(const struct top *t, uint64_t now)
{
	/* Records that woke nobody are read at the next look. */
	uint64_t at = now + STREAM_POLL_MS;
	uint64_t expiry = model_next_expiry(&t->model);

	if (!t->paused) {
		if (expiry < at)
			at = expiry;
		if (next_load(t) < at)
			at = next_load(t);
	}
	if (t->dirty && t->last_draw + DRAW_EVERY_MS < at)
		at = t->last_draw + DRAW_EVERY_MS;
	return at > now ? (int)(at - now) : 0;
}

/* false: quit, or a fatal error (said in *rc). */
static bool step(struct top *t, int *rc)
{
	struct pollfd fds[2] = {
		{ .fd = stream_fd(&t->stream), .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	uint64_t now = now_ms();
	int key;

	if (!t->paused) {
		if (model_expire(&t->model, now))
			t->dirty = true;
		if (next_load(t) <= now)
			load(t, now);
	}
	if (t->dirty && now >= t->last_draw + DRAW_EVERY_MS)
		draw(t, now);
	if (poll(fds, 2, wait_ms(t, now)) < 0 && errno != EINTR) {
		fprintf(stderr, "nstrace: cannot wait for events: %s\n",
			strerror(errno));
		*rc = 1;
		return false;
	}
	if (stream_poll(&t->stream) < 0) {
		*rc = 1;
		return false;
	}
	while ((key = screen_key()) != TOP_KEY_NONE) {
		if (!on_key(t, key, now_ms()))
			return false;
		/* A key is answered at once, not at the next tick. */
		t->last_draw = 0;
	}
	return true;
}

static void on_hangup(int sig)
{
	stream_exiting = 1;
}

/*
 * While the screen is up, what would go to stderr (a failed refresh,
 * libbpf) is kept in memory, and printed once the terminal is back.
 */
struct held_stderr {
	int saved, mem;
};

static void hold_stderr(struct held_stderr *h)
{
	h->saved = dup(STDERR_FILENO);
	h->mem = memfd_create("nstrace-top-stderr", MFD_CLOEXEC);
	if (h->saved < 0 || h->mem < 0 || dup2(h->mem, STDERR_FILENO) < 0) {
		if (h->saved >= 0)
			close(h->saved);
		if (h->mem >= 0)
			close(h->mem);
		h->saved = h->mem = -1;
	}
}

static void release_stderr(struct held_stderr *h)
{
	char b[4096];
	ssize_t n;

	if (h->saved < 0)
		return;
	fflush(stderr);
	dup2(h->saved, STDERR_FILENO);
	close(h->saved);
	lseek(h->mem, 0, SEEK_SET);
	while ((n = read(h->mem, b, sizeof(b))) > 0)
		if (write(STDERR_FILENO, b, n) != n)
			break;
	close(h->mem);
	h->saved = h->mem = -1;
}

/* "tracepoint" out of "backend: tracepoint, netdev.move by ...". */
static void short_backend(char *out, size_t size)
{
	const char *d = backend_describe();
	const char *p = strstr(d, "backend: ");
	size_t n;

	p = p ? p + strlen("backend: ") : d;
	n = strcspn(p, ",;)");
	snprintf(out, size, "%.*s", (int)n, p);
}

static int run(struct top *t, const struct top_opts *o)
{
	struct held_stderr err = { -1, -1 };
	struct sigaction sa = { .sa_handler = on_hangup };
	int rc = 0;

	if (stream_preflight(&o->stream) ||
	    stream_open(&t->stream, &o->stream, &top_ops, t))
		return 1;
	model_init(&t->model, o->mark_ms);
	t->refresh_ms = o->refresh_ms;
	if (top_load(&t->model, now_ms()))
		return 1;
	t->last_load = now_ms();
	/* Refreshes load the inventory's BPF iterators again: keep that. */
	if (stream_drop_privs(&t->stream, PRIVS_INVENTORY_CAPS))
		return 1;
	short_backend(t->backend, sizeof(t->backend));
	stream_signals();
	sigaction(SIGHUP, &sa, NULL);
	hold_stderr(&err);
	if (screen_open()) {
		release_stderr(&err);
		return 1;
	}
	t->dirty = true;
	while (!stream_exiting && step(t, &rc))
		;
	screen_close();
	release_stderr(&err);
	fprintf(stderr, "nstrace: %llu events, %llu lost\n",
		(unsigned long long)t->stream.events,
		(unsigned long long)t->stream.lost_seen);
	return rc;
}

int top_main(int argc, char **argv)
{
	struct top t = {};
	struct top_opts o = {
		.mark_ms = 5000,
		.refresh_ms = 5000,
		/* Only what the picture is made of: network namespaces, devices. */
		.stream = { .ns_mask = 1u << NST_NS_NET,
			    .ev_mask = NST_EV_ALL &
				       ~NST_EV_BIT(NST_EV_NS_NAME) },
	};
	int rc;

	if (!cli_command(&top_cli, &o, argc, argv, &rc))
		return rc;
	if (o.host_root)
		runtime_set_root(o.host_root);
	t.select = o.select;
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"nstrace: top needs a terminal: its standard %s is not one\n",
			isatty(STDOUT_FILENO) ? "input" : "output");
		return 1;
	}
	rc = run(&t, &o);
	stream_close(&t.stream);
	model_free(&t.model);
	rows_free(&t.rows);
	free(t.queue);
	return rc;
}
