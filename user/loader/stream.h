/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The event engine every live view shares (the stream, and whatever else
 * reads events): open, configure, load, attach, poll, clean up. What a
 * view does with an event is its own business, through stream_ops.
 */
#ifndef NSTRACE_LOADER_STREAM_H
#define NSTRACE_LOADER_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstrace.h"

struct nstrace_bpf;
struct ring_buffer;

/* What the BPF side is loaded with; each view fills it from its options. */
struct stream_config {
	int backend; /* enum backend */
	const char *btf; /* NULL: the kernel's own */
	uint32_t pid; /* 0: every process */
	uint32_t ns_mask; /* bit per enum nst_ns_type */
	uint32_t ev_mask; /* bit per enum nst_event_kind; others are ignored */
	uint32_t buffer_size; /* ring buffer bytes; 0: the BPF object's */
	bool verbose; /* libbpf's messages on stderr */
};

struct stream_ops {
	/* A whole, valid record; realtime_off turns its boot time into UTC. */
	void (*event)(void *ctx, const struct nst_event *e,
		      int64_t realtime_off);
	/* count records the kernel could not queue since the last call. */
	void (*lost)(void *ctx, uint64_t now_ns, uint64_t count,
		     uint64_t total);
};

struct stream {
	struct nstrace_bpf *skel;
	struct ring_buffer *rb;
	const struct stream_ops *ops;
	void *ctx;
	int64_t realtime_off;
	uint64_t events;
	uint64_t lost_seen; /* what the counter said last time we looked */
	uint64_t *lost_percpu;
	int ncpus;
	/* The ring buffer's consumer and producer pages, read-only. */
	void *ring_pos;
	size_t page_size;
};

/*
 * The BPF side wakes the reader only once a buffer's 1/STREAM_WAKEUP_DIVISOR
 * is unread: a wake-up per record would cost more than the record. Below
 * that, records wait for the reader's next look, at most STREAM_POLL_MS
 * later: the longest a view may wait in a poll of the stream.
 */
#define STREAM_WAKEUP_DIVISOR 8
#define STREAM_POLL_MS 40
/*
 * But the fd is readable while any record is queued: under a flood a look
 * per few hundred records would cost more in system calls than the
 * records. After a look that read some, the next comes STREAM_BUSY_MS
 * later, whatever the fd says.
 */
#define STREAM_BUSY_MS 2

/* Set by SIGINT and SIGTERM once stream_signals() has run. */
extern volatile sig_atomic_t stream_exiting;

/* What must hold before anything is created: capabilities, BTF, pid. */
int stream_preflight(const struct stream_config *cfg);
/* Opens, configures, loads and attaches. Returns 0 or -1, said on stderr. */
int stream_open(struct stream *s, const struct stream_config *cfg,
		const struct stream_ops *ops, void *ctx);
/* Gives up every capability reading events does not need, but keep_caps. */
int stream_drop_privs(struct stream *s, uint64_t keep_caps);
void stream_signals(void);
/*
 * Hands over the records queued, the ones that woke nobody too, then
 * reports losses; the caller waits on stream_fd(). Returns how many it
 * read, or a negative errno, said on stderr.
 */
int stream_poll(struct stream *s);
/* The ring buffer's size, and what it holds that was not read yet. */
void stream_ring_usage(const struct stream *s, uint64_t *size, uint64_t *used);
/* The epoll fd of the ring buffer, for a view that waits on more fds. */
int stream_fd(const struct stream *s);
/* Stops the producers, then hands over what they left behind. */
void stream_drain(struct stream *s);
void stream_close(struct stream *s);
uint64_t stream_now_realtime_ns(void);

#endif
