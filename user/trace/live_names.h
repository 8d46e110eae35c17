/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names cache of a live view: seeded from the inventory and the mount
 * table before privileges go, then told of every change of nstrace's own
 * mount table (the kernel wakes a poll() on mountinfo with POLLPRI).
 */
#ifndef NSTRACE_TRACE_LIVE_NAMES_H
#define NSTRACE_TRACE_LIVE_NAMES_H

#include <stdbool.h>

#include "trace/nscache.h"
#include "trace/nsfs.h"

struct live_names {
	struct nscache cache;
	struct nsfs_set mounts; /* as of the last read */
	int fd; /* /proc/self/mountinfo */
};

/* 0, or -1 after one line on stderr. Needs the privileges of nstrace ls. */
int live_names_open(struct live_names *n);
void live_names_close(struct live_names *n);

/*
 * Reads the mount table again after poll() said it changed; each name
 * that went or came is in the cache when cb hears of it. 0 or -1 after
 * one line on stderr.
 */
int live_names_update(struct live_names *n,
		      void (*cb)(void *ctx, bool added,
				 const struct nsfs_name *name),
		      void *ctx);

#endif
