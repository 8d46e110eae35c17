/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The picture `nstrace top` draws: every network namespace with its names,
 * process count and interfaces, kept up to date from the events, and the
 * marks that show for a few seconds what just changed. Pure data: no
 * terminal, no BPF, and times are whatever milliseconds the caller counts.
 *
 * What left (a dead netns, an interface that moved out or was deleted)
 * stays as a ghost until its mark expires; a live entry of the same inode
 * or ifindex may exist beside it, since the kernel reuses both at once.
 */
#ifndef NSTRACE_TOP_MODEL_H
#define NSTRACE_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstrace.h"

enum top_mark {
	TOP_MARK_NONE,
	TOP_MARK_NEW, /* a netns or interface that just appeared */
	TOP_MARK_GONE, /* a netns that died, an interface deleted */
	TOP_MARK_MOVED_IN, /* an interface that came from mark_netns */
	TOP_MARK_MOVED_OUT, /* an interface that left for mark_netns */
};

struct top_iface {
	uint32_t ifindex;
	char name[NST_IFNAME_LEN];
	char kind[NST_KIND_LEN];
	uint32_t peer_netns; /* veth: where its other end is, 0 if none */
	uint32_t peer_ifindex;
	char peer_name[NST_IFNAME_LEN];
	enum top_mark mark;
	uint32_t mark_netns; /* a move's other namespace */
	uint64_t mark_until;
	bool ghost;
	bool seen; /* by the rebuild in progress */
};

/* top_netns.flags */
#define TOP_NS_INIT 0x1
#define TOP_NS_DYING 0x2 /* no reference left, not yet cleaned up */

struct top_netns {
	uint32_t inum;
	uint32_t flags;
	char *names; /* "a,b": ip netns names, raw bytes; NULL if none */
	int64_t nprocs;
	enum top_mark mark;
	uint64_t mark_until;
	bool ghost;
	bool seen;
	struct top_iface *ifs; /* in the kernel's order, then arrivals */
	size_t nifs, cap;
};

struct top_model {
	struct top_netns *ns; /* by inode; a live entry before its ghosts */
	size_t nns, cap;
	uint64_t mark_ms; /* how long a mark shows */
	bool loaded; /* one picture is in: what a rebuild finds anew is new */
};

void model_init(struct top_model *m, uint64_t mark_ms);
void model_free(struct top_model *m);

/* The live netns of inode inum, or NULL. */
struct top_netns *model_netns(const struct top_model *m, uint32_t inum);
/* Its names, or a ghost's when it died: for the other end of a move. */
const char *model_names(const struct top_model *m, uint32_t inum);
/* Its live interface of that ifindex, or NULL. */
struct top_iface *model_iface(struct top_netns *n, uint32_t ifindex);
size_t model_live_netns(const struct top_model *m);
size_t model_live_ifaces(const struct top_model *m);

/*
 * A rebuild from the inventory: begin, then put every netns and its
 * interfaces, then end. Entries the inventory no longer has go (a netns
 * as a ghost marked gone); marks of what stays are kept.
 */
void model_rebuild_begin(struct top_model *m);
struct top_netns *model_put_netns(struct top_model *m, uint32_t inum,
				  uint32_t flags, const char *names,
				  int64_t nprocs, uint64_t now);
/* in must have its name, kind and peer set; the marks are not read. */
void model_put_iface(struct top_model *m, struct top_netns *n,
		     const struct top_iface *in, uint64_t now);
void model_rebuild_end(struct top_model *m, uint64_t now);

/* An event of the stream, applied at time now. */
void model_apply(struct top_model *m, const struct nst_event *e, uint64_t now);

/* Drops the marks and ghosts whose time is over; true if any. */
bool model_expire(struct top_model *m, uint64_t now);
/* When the next mark expires, or UINT64_MAX. */
uint64_t model_next_expiry(const struct top_model *m);

#endif
