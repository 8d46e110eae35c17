/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One change to the network topology, decoded: what the ring buffer's
 * records (topology/live.h) and a JSON log's lines (replay/decode.h) are
 * both turned into, so that one model (topology/topology.h) takes either.
 * Strings are raw bytes from outside, NUL-terminated; the name lists
 * point into the decoder's input and live as long as it.
 */
#ifndef NSTRACE_TOPOLOGY_EVENT_H
#define NSTRACE_TOPOLOGY_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "inventory_records.h"

/* ip netns names of one netns that a record carries. */
#define TOPO_NAMES_MAX 32

enum topo_ev_kind {
	TOPO_EV_NONE, /* nothing the topology is told */
	TOPO_EV_NETNS_CREATE, /* ns.create of a netns */
	TOPO_EV_NETNS_ENTER, /* ns.setns: netns -> to_netns; a count only */
	TOPO_EV_NETNS_DESTROY, /* ns.destroy: netns, with devs' fates */
	TOPO_EV_NETNS_NAME, /* ns.name: name added to netns, or removed */
	TOPO_EV_NETNS_SEEN, /* snapshot.netns, or the inventory: all of it */
	TOPO_EV_DEV_SEEN, /* snapshot.netdev, or the inventory: every field */
	TOPO_EV_DEV_CREATE, /* netdev.create */
	TOPO_EV_DEV_DELETE, /* netdev.delete */
	TOPO_EV_DEV_MOVE, /* netdev.move: dev -> to_netns, new_* */
	TOPO_EV_DEV_RENAME, /* netdev.rename: dev.name -> new_ifname in place */
};

struct topo_names {
	uint32_t netns; /* 0: the record names none */
	uint32_t n;
	const char *name[TOPO_NAMES_MAX];
};

/* A device of a dying netns, and whether the kernel hands it back. */
struct topo_fate {
	uint32_t ifindex;
	bool returned; /* else deleted with its netns */
	char ifname[NST_IFNAME_LEN];
};

struct topo_event {
	enum topo_ev_kind kind;
	uint32_t netns; /* a netns event's netns; ENTER: the one left */
	uint32_t to_netns; /* MOVE: where to; ENTER: the one entered */
	/*
	 * The cookie of netns, or of dev.netns for a device event; 0 where
	 * the record has none. Two cookies for one inode are two netns.
	 */
	uint64_t cookie;
	uint64_t to_cookie; /* MOVE, ENTER: to_netns's */
	uint32_t owner; /* NETNS_SEEN: its user namespace */
	bool init, dying; /* NETNS_SEEN */
	/*
	 * Device events: dev.netns (a move: where from), dev.ifindex,
	 * dev.name, dev.link_kind; DEV_SEEN: every field, peer and master.
	 */
	struct ls_dev dev;
	uint32_t new_ifindex; /* MOVE */
	char new_ifname[NST_IFNAME_LEN]; /* MOVE, RENAME */
	uint64_t tid; /* the acting thread: one makes both ends of a veth */
	bool refused; /* MOVE: the kernel said no, nothing moved */
	bool netns_exit; /* cause netns-exit: the kernel's, as a netns died */
	const char *name; /* NETNS_NAME: the name */
	bool unnamed; /* NETNS_NAME: it went (op remove) */
	uint32_t nfates,
		nfates_total; /* DESTROY: listed, and how many it had */
	struct topo_fate fates[NST_MAX_DEVS];
	/*
	 * Names the record gives of the netns it names (ns_names,
	 * from_netns_names, ...): NETNS_SEEN's are all it has; any other's
	 * are some of them (nstrace's own mount namespace only).
	 */
	struct topo_names names[2];
	uint64_t snapshot; /* the SEEN kinds from a log: which snapshot */
};

#endif
