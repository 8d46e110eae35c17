// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inventory/inventory.h"
#include "trace/live_names.h"

int live_names_open(struct live_names *n)
{
	struct inventory inv;
	int err;

	memset(n, 0, sizeof(*n));
	nscache_init(&n->cache);
	n->fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (n->fd < 0) {
		fprintf(stderr,
			"nstrace: cannot open /proc/self/mountinfo: %s\n",
			strerror(errno));
		return -1;
	}
	err = nsfs_set_read(&n->mounts, n->fd);
	if (err) {
		fprintf(stderr,
			"nstrace: cannot read /proc/self/mountinfo: %s\n",
			strerror(-err));
		return -1;
	}
	for (size_t i = 0; i < n->mounts.n; i++)
		nscache_name_add(&n->cache, n->mounts.v[i].type,
				 n->mounts.v[i].inum, n->mounts.v[i].path);
	/*
	 * Every type, since events of every type carry the pids of their
	 * namespaces. Without it, processes are known from their events alone.
	 */
	if (inventory_collect(&inv, INVENTORY_ALL)) {
		fprintf(stderr,
			"nstrace: going on without the processes already in each namespace\n");
		return 0;
	}
	nscache_seed(&n->cache, &inv);
	inventory_free(&inv);
	return 0;
}

void live_names_close(struct live_names *n)
{
	if (n->fd > 0)
		close(n->fd);
	nsfs_set_free(&n->mounts);
	nscache_free(&n->cache);
	n->fd = -1;
}

struct update {
	struct live_names *n;
	void (*cb)(void *ctx, bool added, const struct nsfs_name *name);
	void *ctx;
};

static void on_change(void *ctx, bool added, const struct nsfs_name *name)
{
	struct update *u = ctx;

	if (added)
		nscache_name_add(&u->n->cache, name->type, name->inum,
				 name->path);
	else
		nscache_name_remove(&u->n->cache, name->type, name->inum,
				    name->path);
	u->cb(u->ctx, added, name);
}

int live_names_update(struct live_names *n,
		      void (*cb)(void *ctx, bool added,
				 const struct nsfs_name *name),
		      void *ctx)
{
	struct update u = { n, cb, ctx };
	struct nsfs_set cur;
	int err = nsfs_set_read(&cur, n->fd);

	if (err) {
		fprintf(stderr,
			"nstrace: cannot read /proc/self/mountinfo: %s\n",
			strerror(-err));
		return -1;
	}
	nsfs_set_diff(&n->mounts, &cur, on_change, &u);
	nsfs_set_free(&n->mounts);
	n->mounts = cur;
	return 0;
}
