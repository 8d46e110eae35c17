/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the kernel says, in one pass of bpf/inventory.bpf.c: every namespace
 * reachable from a process or an open file, every network namespace on
 * the kernel's list with its devices, and the fds and sockets that hold
 * namespaces. Nothing here comes from /proc.
 */
#ifndef NSTRACE_INVENTORY_INVENTORY_H
#define NSTRACE_INVENTORY_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory_records.h"

struct inventory {
	struct ls_ns *ns; /* sorted by inode, one per namespace */
	size_t nns;
	struct ls_task *tasks; /* sorted by pid, the leader first */
	size_t ntasks;
	struct ls_nsfd *fds;
	size_t nfds;
	struct ls_sock *socks;
	size_t nsocks;
	struct ls_net *nets; /* in the kernel's order: creation */
	size_t nnets;
	struct ls_dev *devs; /* grouped by netns, in each net's order */
	size_t ndevs;
	size_t *net_by_inum; /* indices into nets, sorted by inode */
	uint32_t init_ns[NST_NS_TYPES]; /* the initial namespaces' inodes */
	bool truncated; /* a walk stopped at its bound */
};

/*
 * What to collect: INVENTORY_NETNS has, of the other types, only the
 * mount and user namespaces (the tasks' ns[] of other types are 0, nsfs
 * fds of other types are left out) and loads faster; INVENTORY_ALL has
 * every type.
 */
enum inventory_scope {
	INVENTORY_NETNS,
	INVENTORY_ALL,
};

/* 0, or -1 after one line on stderr. */
int inventory_collect(struct inventory *inv, enum inventory_scope scope);
void inventory_free(struct inventory *inv);

/* Lookups by inode or pid; NULL when absent. */
const struct ls_ns *inventory_ns(const struct inventory *inv, uint32_t inum);
const struct ls_net *inventory_net(const struct inventory *inv, uint32_t inum);
const struct ls_task *inventory_task(const struct inventory *inv, uint32_t pid);

/*
 * The index of the first of n records of size bytes, sorted by the
 * uint32_t at offset off, whose key is key or above (n: none): the first
 * of equal keys, which bsearch() does not promise.
 */
size_t inventory_lower_bound(const void *base, size_t n, size_t size,
			     size_t off, uint32_t key);

#endif
