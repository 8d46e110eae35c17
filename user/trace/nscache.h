/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What nstrace knows of each namespace while it streams: the names it has
 * in nstrace's mount namespace, a few of the processes in it and their
 * container. Seeded once at start; then kept current by the events
 * themselves (a creation or a setns moves a process, a destruction drops
 * the namespace) and by the changes of the mount table, never by a scan
 * of /proc per event. Whether a process it shows still lives is checked
 * when it is shown, at most once per batch of events (nscache_tick,
 * nscache_turn).
 */
#ifndef NSTRACE_TRACE_NSCACHE_H
#define NSTRACE_TRACE_NSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "inventory/inventory.h"
#include "inventory/container.h"
#include "nstrace.h"

/* The processes shown per namespace: enough to tell who is in it. */
#define NSC_SHOW_PIDS 4

struct nsc_view {
	const char *const *names; /* valid until the cache next changes */
	uint32_t nnames;
	uint32_t pids[NSC_SHOW_PIDS];
	uint32_t npids;
	/* Valid until the cache next changes, as names are. */
	const struct container *container; /* NULL: none recognised */
};

struct nscache {
	struct hmap ns; /* (type << 32 | inode) -> struct nsc_entry */
	struct hmap tasks; /* tid -> struct nsc_task */
	/* netns inode -> its net_cookie (never 0), cast to a pointer */
	struct hmap cookies;
	/*
	 * netns inode -> struct nsc_gone: a netns that died with names,
	 * whose removal from the mount table may come after its death.
	 */
	struct hmap gone;
	/* The host's namespaces, by type: no container's. */
	uint32_t init_ns[NST_NS_TYPES];
	uint64_t gen; /* the batch: liveness is checked once per batch */
	uint64_t stamp; /* counts what was learnt, to order it */
	size_t sweep_at; /* tasks known: the next full check of liveness */
	size_t swept_n; /* tasks known right after the last one */
	uint64_t swept_ns; /* when it ran, by now_ns */
	uint64_t owned_swept_ns; /* when empty owned entries were last let go */
	uint64_t batch_ns; /* when the current batch began, by now_ns */
	uint64_t (*now_ns)(void); /* CLOCK_MONOTONIC */
	/* A process's start time, or a negative errno: /proc/TID/stat. */
	int (*read_start)(uint32_t tid, uint64_t *start);
};

void nscache_init(struct nscache *c);
void nscache_free(struct nscache *c);

/*
 * Every process and thread of the inventory, in its namespaces, and the
 * cookie of every netns.
 */
void nscache_seed(struct nscache *c, const struct inventory *inv);
void nscache_name_add(struct nscache *c, uint32_t type, uint32_t inum,
		      const char *path);
void nscache_name_remove(struct nscache *c, uint32_t type, uint32_t inum,
			 const char *path);
/* tid now lives in namespace inum of type (and left the one before). */
void nscache_task_moved(struct nscache *c, uint32_t tid, uint32_t type,
			uint32_t inum);
/* The namespace died: nothing lives in it, and it has no name. */
void nscache_ns_gone(struct nscache *c, uint32_t type, uint32_t inum);

/* What an event changes, before it is shown (creation, setns)... */
void nscache_event_before(struct nscache *c, const struct nst_event *e);
/* ... and after (destruction: the event shows what died). */
void nscache_event_after(struct nscache *c, const struct nst_event *e);

/* The cookie of the live netns of inode inum, 0 when not known. */
uint64_t nscache_netns_cookie(const struct nscache *c, uint32_t inum);
/*
 * The cookie of the netns a name of inode inum that came (added) or went
 * is of, 0 when not known: a name that goes may be a dead netns's, whose
 * inode is another's already. Called once for each name that comes or
 * goes, after the cache heard of it.
 */
uint64_t nscache_name_cookie(struct nscache *c, uint32_t inum, bool added);

/* false when there is nothing to say of it. */
bool nscache_view(struct nscache *c, uint32_t type, uint32_t inum,
		  struct nsc_view *v);

/* A new batch of events begins: processes are checked again when shown. */
void nscache_tick(struct nscache *c);

/*
 * A turn of the stream's loop: a new batch once NSC_BATCH_NS have passed
 * since the last. Under a flood the loop turns for every few hundred
 * records, and a batch per turn would read /proc for them every time.
 */
#define NSC_BATCH_NS (10 * 1000000ULL)
void nscache_turn(struct nscache *c);

/* How many namespaces and processes it holds, for tests. */
size_t nscache_namespaces(const struct nscache *c);
size_t nscache_tasks(const struct nscache *c);

#endif
