/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names cache of a live view: seeded from the inventory and the mount
 * table before privileges go, then told of every name the mount syscalls
 * give or take (in any mount namespace), and of every change of nstrace's
 * own mount table they did not tell (the kernel wakes a poll() on
 * mountinfo with POLLPRI): the table is the safety net, and a name is
 * told once, by whichever saw it first.
 */
#ifndef NSTRACE_TRACE_LIVE_NAMES_H
#define NSTRACE_TRACE_LIVE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstrace.h"

#include "trace/nscache.h"
#include "trace/nsfs.h"

/* A name a mount syscall gave, until the mount table no longer has it. */
struct told_name {
	struct nsfs_name n;
	uint32_t mnt_ns; /* where path is */
	bool gone; /* its umount was told */
	uint64_t gone_ns; /* when, CLOCK_MONOTONIC */
};

/*
 * How long a change of the mount table waits for the syscall event that
 * tells it better (with its process): the table changes, and wakes us,
 * before the syscall has returned.
 */
#define LIVE_NAMES_GRACE_NS (50 * 1000000ULL)
/* How long an umount told is remembered, for the table to show it too. */
#define LIVE_NAMES_FORGET_NS (5 * 1000000000ULL)

struct held_name {
	struct nsfs_name n;
	bool added;
	uint64_t due_ns; /* CLOCK_MONOTONIC */
};

struct live_names {
	struct nscache cache;
	struct nsfs_set mounts; /* as of the last read */
	int fd; /* /proc/self/mountinfo */
	uint32_t own_mnt_ns; /* the one mounts is of */
	struct told_name *told;
	size_t ntold;
	struct held_name *held; /* changes of the table in their grace */
	size_t nheld;
};

/* 0, or -1 after one line on stderr. Needs the privileges of nstrace ls. */
int live_names_open(struct live_names *n);
void live_names_close(struct live_names *n);

/*
 * Reads the mount table again after poll() said it changed, and holds
 * each name that went or came for live_names_release(). 0 or -1 after
 * one line on stderr.
 */
int live_names_update(struct live_names *n);
/* How long poll() may wait, up to max_ms: until the next grace ends. */
int live_names_wait_ms(const struct live_names *n, int max_ms);
/*
 * Tells cb of the held changes of the mount table that no syscall event
 * told within LIVE_NAMES_GRACE_NS (all: every one not told, on the way
 * out); each is in the cache when cb hears of it.
 */
void live_names_release(struct live_names *n, bool all,
			void (*cb)(void *ctx, bool added,
				   const struct nsfs_name *name),
			void *ctx);

/*
 * A mount or umount the BPF side saw (an NST_EV_NS_NAME record). 1 when
 * it is to be told, with *out filled (path within path[len], relative
 * targets made absolute by the caller's cwd when it can be read) and the
 * cache up to date; 0 when not: an umount of a path that had no name, a
 * name the mount table told already.
 */
int live_names_event(struct live_names *n, const struct nst_event *e,
		     struct nsfs_name *out, char *path, size_t len);

/*
 * A namespace was destroyed: the names syscalls gave it are gone too
 * (their mount namespace died without an umount, for one).
 */
void live_names_forget(struct live_names *n, uint32_t type, uint32_t inum);

#endif
