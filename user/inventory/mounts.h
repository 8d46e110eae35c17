/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of namespaces: their nsfs bind mounts (/run/netns/NAME and the
 * like), in every mount namespace, from one process's mountinfo each.
 * The kernel keeps no list of these that BPF can reach cheaply.
 */
#ifndef NSTRACE_INVENTORY_MOUNTS_H
#define NSTRACE_INVENTORY_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/inventory.h"

struct ns_mount {
	uint32_t type; /* enum nst_ns_type */
	uint32_t inum;
	uint32_t mntns; /* the mount namespace that has it */
	uint32_t pid; /* a process of that mount namespace */
	char *path; /* as that process sees it */
	const char *name; /* the ip-netns name within path, or NULL */
	size_t order; /* found order: our own mount namespace first */
};

struct ns_mounts {
	struct ns_mount *m; /* sorted by inode, then as found */
	size_t n;
	uint32_t mntns_read; /* mount namespaces whose mountinfo was read */
	uint32_t mntns_skipped; /* ... and those none could be read of */
};

/* Never fails: an unreadable mountinfo is counted, not fatal. */
void ns_mounts_collect(struct ns_mounts *out, const struct inventory *inv);
void ns_mounts_free(struct ns_mounts *m);

/* The first mount of inode inum, and how many follow it; 0 if none. */
size_t ns_mounts_find(const struct ns_mounts *m, uint32_t inum,
		      const struct ns_mount **first);

/* The mountinfo line's parsers, for tests: 0 when line is an nsfs mount. */
int mountinfo_nsfs(const char *line, char *path, size_t path_size,
		   uint32_t *type, uint32_t *inum);

#endif
