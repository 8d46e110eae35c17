/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The network topology a JSON log describes (nstrace replay): network
 * namespaces and their interfaces, set from snapshot records and changed
 * by events. Every change is idempotent, since events queued while a
 * snapshot was read follow it and may be in it already (docs/replay.md).
 */
#ifndef NSTRACE_TOPOLOGY_TOPOLOGY_H
#define NSTRACE_TOPOLOGY_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory_records.h"
#include "inventory/view.h"

struct topo_ns {
	uint32_t inum;
	uint32_t owner;
	uint64_t cookie;
	bool init, dying;
	char **names; /* ip netns names, malloc'ed */
	size_t nnames;
};

struct topo_dev {
	struct ls_dev d; /* d.netns: where it is */
	uint64_t pair_tid; /* veth created by this thread, not paired yet */
	bool limbo; /* handed back by a dying netns, not moved yet */
};

struct topo {
	struct topo_ns *ns; /* in creation order, as the kernel lists them */
	size_t nns;
	struct topo_dev *devs; /* in each netns's order */
	size_t ndevs;
	uint64_t snapshot; /* the snapshot it starts from, 0 if none */
	bool truncated; /* that snapshot was */
};

void topo_free(struct topo *t);

/* Snapshot records: add or replace. */
void topo_set_netns(struct topo *t, const struct topo_ns *ns);
void topo_set_dev(struct topo *t, const struct ls_dev *d);

/* Events. */
void topo_ns_create(struct topo *t, uint32_t inum);
/* A dying netns: its devices go, but those returned (fate "returned"). */
void topo_ns_destroy(struct topo *t, uint32_t inum, const uint32_t *returned,
		     size_t nreturned);
/* tid pairs the two ends of a veth made by one request. */
void topo_dev_create(struct topo *t, uint32_t netns, const char *ifname,
		     uint32_t ifindex, const char *kind, uint64_t tid);
void topo_dev_delete(struct topo *t, uint32_t netns, uint32_t ifindex);
void topo_dev_move(struct topo *t, uint32_t from, uint32_t ifindex,
		   const char *ifname, uint32_t to, uint32_t new_ifindex,
		   const char *new_ifname);

const struct topo_ns *topo_find_ns(const struct topo *t, uint32_t inum);
const struct topo_dev *topo_find_dev(const struct topo *t, uint32_t netns,
				     uint32_t ifindex);

/*
 * The topology as nstrace ls's model, for its renderers: no processes
 * nor holders but the names' bind mounts (at /run/netns/NAME).
 */
void topo_to_view(const struct topo *t, struct ls_view *v);

#endif
