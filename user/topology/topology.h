/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The network topology: every network namespace with its names and
 * devices, veth peers across namespaces, masters, and the devices a dying
 * netns hands back. The one model that nstrace top (live events and the
 * inventory), replay and history (a JSON log) keep; they change it only
 * through topo_apply(), one decoded event at a time (topology/event.h).
 *
 * Every change is idempotent: events queued while a snapshot was read
 * follow it and may be in it already (docs/replay.md). A watcher is told
 * each change as it is made, for what it keeps beside the model (top's
 * marks, history's followed interfaces).
 */
#ifndef NSTRACE_TOPOLOGY_TOPOLOGY_H
#define NSTRACE_TOPOLOGY_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory_records.h"
#include "inventory/view.h"
#include "lib/buf.h"
#include "lib/hmap.h"
#include "topology/event.h"

struct topo_dev {
	struct ls_dev d; /* d.netns: where it is */
	uint64_t pair_tid; /* veth created by this thread, not paired yet */
	uint32_t tag; /* the caller's, kept where the device goes */
	bool seen; /* by the sweep in progress */
};

struct topo_ns {
	uint32_t inum;
	uint32_t owner;
	uint64_t cookie;
	bool init, dying;
	bool dead; /* ns.destroy came: it holds what it hands back, no more */
	bool seen;
	char **names; /* ip netns names, raw bytes */
	size_t nnames;
	struct topo_dev *devs; /* in the kernel's order: arrivals last */
	size_t ndevs, cap;
};

enum topo_what {
	TOPO_NETNS_ADDED,
	TOPO_NETNS_NAMED, /* its names changed */
	TOPO_NETNS_GONE, /* died, or a sweep lost it; its devices went first */
	TOPO_DEV_ADDED,
	TOPO_DEV_MOVED, /* to ns; old and from: where it was, if known */
	TOPO_DEV_RENAMED, /* old: before */
	TOPO_DEV_RETURNED, /* handed back: out of sight until its move */
	TOPO_DEV_GONE, /* deleted, with its peer or its netns; or swept */
};

/* What the watcher is told; the pointers hold during the call only. */
struct topo_change {
	enum topo_what what;
	const struct topo_ns *ns; /* the netns, or the device's */
	const struct topo_dev *dev; /* as it is now, or was before it went */
	const struct topo_dev *old; /* MOVED, RENAMED: as it was, or NULL */
	const struct topo_ns *from; /* MOVED: the netns it left, or NULL */
	const struct topo_event *why; /* NULL: a sweep */
};

struct topo {
	struct topo_ns **ns; /* in creation order, as the kernel lists them */
	size_t nns, cap;
	struct hmap live; /* inode -> its live topo_ns */
	size_t ndead; /* of t->ns: dead, holding what they hand back */
	uint64_t snapshot; /* replay: the snapshot it starts from, 0 if none */
	bool truncated; /* that snapshot was */
	void (*watch)(void *ctx, const struct topo_change *c);
	void *watch_ctx;
};

/* A zeroed struct topo is an empty one. */
void topo_free(struct topo *t);

/* The one update: e, whichever kind, into t (TOPO_EV_NONE: nothing). */
void topo_apply(struct topo *t, const struct topo_event *e);
/*
 * Only what e tells of names and cookies, which topo_apply() does first:
 * for a caller that must look at t between the two (history).
 */
void topo_learn(struct topo *t, const struct topo_event *e);

/*
 * A refresh from a whole inventory: begin, then the SEEN events of all
 * it has, then end, which removes what none of them named.
 */
void topo_sweep_begin(struct topo *t);
void topo_sweep_end(struct topo *t);

/* The live netns of inum, or NULL. */
const struct topo_ns *topo_find_ns(const struct topo *t, uint32_t inum);
/* The same, else a dead one still holding a device it hands back. */
const struct topo_ns *topo_any_ns(const struct topo *t, uint32_t inum);
const struct topo_dev *topo_find_dev(const struct topo *t, uint32_t netns,
				     uint32_t ifindex);
/* In topo_any_ns(netns): a device handed back, not yet moved, too. */
const struct topo_dev *topo_any_dev(const struct topo *t, uint32_t netns,
				    uint32_t ifindex);
/* Sets the tag of topo_any_dev(); false if there is none. */
bool topo_tag(struct topo *t, uint32_t netns, uint32_t ifindex, uint32_t tag);
/* Its names joined by sep ("a,b"), raw, appended to b. */
void topo_join_names(struct buf *b, const struct topo_ns *ns, char sep);
size_t topo_live_netns(const struct topo *t);
size_t topo_live_devs(const struct topo *t);

/*
 * The topology as nstrace ls's model, for its renderers: no processes
 * nor holders but the names' bind mounts (at /run/netns/NAME).
 */
void topo_to_view(const struct topo *t, struct ls_view *v);

#endif
