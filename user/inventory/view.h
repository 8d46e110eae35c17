/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The inventory joined up: for each namespace, its processes, the fds and
 * sockets that hold it, its bind mounts and, for a netns, its devices;
 * for each process, its container. Renderers read this and nothing else.
 */
#ifndef NSTRACE_INVENTORY_VIEW_H
#define NSTRACE_INVENTORY_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "inventory/inventory.h"
#include "inventory/container.h"
#include "inventory/mounts.h"

/* A growable array of pointers, in a struct buf. */
#define PTRS_N(b) ((b).len / sizeof(void *))
#define PTRS_AT(b, type, i) (((type *const *)(void *)(b).data)[i])

struct ns_view {
	const struct ls_ns *ns;
	const struct ls_net *net; /* a netns on the kernel's list, else NULL */
	struct buf tasks; /* const struct ls_task *, leaders first */
	struct buf fds; /* const struct ls_nsfd * */
	struct buf socks; /* const struct ls_sock *, netns only */
	const struct ns_mount *mounts;
	size_t nmounts;
	const struct ls_dev *devs; /* netns only, in the kernel's order */
	size_t ndevs;
	/*
	 * The first container of its processes' or, for a netns held by a
	 * runtime's bind mount, that runtime's; never an initial namespace.
	 */
	struct container owner;
	bool owned;
};

struct ls_view {
	struct inventory inv;
	struct ns_mounts mounts;
	struct ns_view *ns; /* parallel to inv.ns */
	struct container *containers; /* parallel to inv.tasks */
	bool *in_container; /* parallel to inv.tasks */
	bool replayed; /* rebuilt from a log: no processes nor holders known */
};

/* 0, or -1 after one line on stderr. Namespaces of every type. */
int ls_view_build(struct ls_view *v);
/*
 * The same for the netns view, faster to load: of the other types only
 * the mount and user namespaces (see inventory_collect()).
 */
int ls_view_build_netns(struct ls_view *v);
/* Joins up an inventory and mounts filled by other means (a log). */
void ls_view_index(struct ls_view *v);
void ls_view_free(struct ls_view *v);

const struct ns_view *ls_view_ns(const struct ls_view *v, uint32_t inum);
/* How many processes have a thread in nv (its tasks are by pid). */
size_t ls_view_nprocs(const struct ns_view *nv);
/* The process of pid (its leader's record), or NULL. */
const struct ls_task *ls_view_task(const struct ls_view *v, uint32_t pid);
/* Its container, or NULL. */
const struct container *ls_view_container(const struct ls_view *v,
					  const struct ls_task *t);
/* nv's container (its owner above), or NULL. */
const struct container *ls_view_ns_container(const struct ns_view *nv);
/* The device of nv with that ifindex, or NULL. */
const struct ls_dev *ls_view_dev(const struct ns_view *nv, uint32_t ifindex);
/* The device of nv with that name (names are unique in a netns), or NULL. */
const struct ls_dev *ls_view_dev_named(const struct ns_view *nv,
				       const char *name);
/*
 * The ip netns name of nv's mount i, or NULL when it has none or an
 * earlier mount has the same: /run/netns/x and /var/run/netns/x name one
 * thing.
 */
const char *ls_view_name(const struct ns_view *nv, size_t i);
/*
 * Its ip netns names, each once, in the order of its mounts: up to max
 * of them into names, which point into the view. How many.
 */
size_t ls_view_names(const struct ns_view *nv, const char **names, size_t max);
/* A netns named NAME (ip netns), or NULL. */
const struct ns_view *ls_view_netns_named(const struct ls_view *v,
					  const char *name);

#endif
