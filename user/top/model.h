/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The picture `nstrace top` draws: the topology (topology/topology.h),
 * and beside it only what top adds: each netns's process count and names
 * as drawn, and the marks that show for a few seconds what just changed.
 * Pure data: no terminal, no BPF, and times are whatever milliseconds the
 * caller counts.
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
#include "inventory/container.h"
#include "topology/topology.h"

enum top_mark {
	TOP_MARK_NONE,
	TOP_MARK_NEW, /* a netns or interface that just appeared */
	TOP_MARK_GONE, /* a netns that died, an interface deleted */
	TOP_MARK_MOVED_IN, /* an interface that came from mark_netns */
	TOP_MARK_MOVED_OUT, /* an interface that left for mark_netns */
	TOP_MARK_RENAMED, /* a live interface renamed in place, from name */
};

/* The mark of a live interface (ifindex), or an interface that left. */
struct top_iface {
	uint32_t ifindex;
	char name[NST_IFNAME_LEN]; /* a ghost's, a renamed one's: its old name */
	enum top_mark mark;
	uint32_t mark_netns; /* a move's other namespace */
	uint64_t mark_until;
	bool ghost;
};

/* What top keeps of a netns beside the model's. */
struct top_netns {
	uint32_t inum;
	bool init; /* a ghost's; a live one's is in the model */
	char *names; /* "a,b": ip netns names, raw bytes; NULL if none */
	/* As of the last load of the inventory (its ls_view_ns_container). */
	struct container ctr;
	bool has_ctr;
	int64_t nprocs;
	enum top_mark mark;
	uint64_t mark_until;
	bool ghost;
	struct top_iface *ifs; /* marks of its interfaces, and its ghosts */
	size_t nifs, cap;
};

struct top_model {
	struct topo topo; /* what there is */
	struct top_netns *ns; /* by inode: one per live netns, and ghosts */
	size_t nns, cap;
	uint64_t mark_ms; /* how long a mark shows */
	uint64_t now; /* of the change being made */
	bool loaded; /* one picture is in: what a rebuild finds anew is new */
};

/* m must stay where it is: the model tells it of every change. */
void model_init(struct top_model *m, uint64_t mark_ms);
void model_free(struct top_model *m);

/* What top keeps of the live netns of inode inum, or NULL. */
struct top_netns *model_netns(const struct top_model *m, uint32_t inum);
/* Its names, or a ghost's when it died: for the other end of a move. */
const char *model_names(const struct top_model *m, uint32_t inum);
/* The model's netns of n, NULL for a ghost. */
const struct topo_ns *model_topo_ns(const struct top_model *m,
				    const struct top_netns *n);
/* The mark of a live interface of n, or NULL. */
const struct top_iface *model_mark(const struct top_netns *n, uint32_t ifindex);
size_t model_live_netns(const struct top_model *m);
size_t model_live_ifaces(const struct top_model *m);

/*
 * A rebuild from the inventory: begin, then put every netns (a
 * TOPO_EV_NETNS_SEEN) and its interfaces, then end. Entries the inventory
 * no longer has go (as ghosts marked gone); marks of what stays are kept.
 * put_netns is false when the netns is to be skipped, with its devices:
 * it died already, and the kernel still lists it.
 */
void model_rebuild_begin(struct top_model *m);
bool model_put_netns(struct top_model *m, const struct topo_event *seen,
		     int64_t nprocs, uint64_t now);
void model_put_dev(struct top_model *m, const struct ls_dev *d, uint64_t now);
void model_rebuild_end(struct top_model *m, uint64_t now);

/* An event (topology/live.h makes one of the stream's), at time now. */
void model_apply(struct top_model *m, const struct topo_event *e, uint64_t now);

/* Drops the marks and ghosts whose time is over; true if any. */
bool model_expire(struct top_model *m, uint64_t now);
/* When the next mark expires, or UINT64_MAX. */
uint64_t model_next_expiry(const struct top_model *m);

#endif
