// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inventory/cgroups.h"
#include "inventory/runtime.h"
#include "trace/nscache.h"

/* Below this many known processes, no full liveness sweep is worth it... */
#define SWEEP_MIN 256
/*
 * ... but short-lived processes (an ip netns exec a second) would take
 * minutes to reach it: this long after a sweep, one more runs if they
 * came in since. Memory then stops growing within seconds.
 */
#define SWEEP_EVERY_NS (5 * 1000000000ULL)
#define SWEEP_AFTER_NEW 32
/*
 * A container's namespace outlives its last known process for as long as
 * its teardown takes (a runtime's bind mount removed after the stop, the
 * kernel's cleanup work): its owner is kept that long for its ns.destroy.
 * ns.destroy forgets it at once; this bounds what a stream without
 * ns.destroy (-e, -t, the types the tracepoint backend sees no death
 * of) keeps.
 */
#define OWNED_KEEP_NS (60 * 1000000000ULL)

struct nsc_task {
	uint32_t tid;
	bool alive; /* as of checked_gen */
	bool has_container; /* as of container_gen */
	uint64_t start; /* start time in ticks; 0 until first read */
	uint64_t start_stamp; /* the cache's stamp when start was read */
	uint64_t checked_gen;
	uint64_t container_gen;
	struct container container;
	uint32_t ns[NST_NS_TYPES]; /* 0: not known */
	uint64_t ns_stamp[NST_NS_TYPES]; /* when each was learnt */
};

struct nsc_gone {
	uint64_t cookie;
	uint32_t names; /* not yet removed */
};

struct nsc_entry {
	uint32_t type, inum;
	char **paths; /* the mount points that name it */
	const char **names; /* their last components */
	uint32_t nnames;
	struct nsc_task **tasks; /* in the order they came */
	uint32_t ntasks, cap;
	/* What the last view found, reused within a batch until a change. */
	uint64_t view_gen;
	bool changed;
	uint32_t shown[NSC_SHOW_PIDS];
	uint32_t nshown;
	/*
	 * Its container: the first seen in it of its processes' or, for a
	 * netns held by a bind mount, the runtime's that made the mount. It
	 * stays until the namespace dies, when no process may be left.
	 */
	struct container owner;
	bool owned;
	bool looked; /* at its processes since they changed */
	uint64_t names_gen; /* the batch its names were last looked up in */
	uint64_t filled_gen; /* the batch the owner's names were last asked */
	uint64_t empty_since; /* owned, with no process nor name left: when */
};

static uint64_t ns_key(uint32_t type, uint32_t inum)
{
	return (uint64_t)type << 32 | inum;
}

/* include/linux/sched.h: the task is exiting. */
#define PF_EXITING 0x00000004

/* Field 22 of /proc/TID/stat, after the comm that may hold anything. */
static int read_start(uint32_t tid, uint64_t *start)
{
	char path[48], text[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH; /* it died between the open and the read */
	text[n] = '\0';
	p = strrchr(text, ')');
	/* A zombie has left its namespaces already: it is no member. */
	if (p && (p[1] != ' ' || p[2] == 'Z' || p[2] == 'X'))
		return -ESRCH;
	/* ") S ppid ...": the state is field 3, the start time field 22. */
	for (int field = 2; p && field < 22; field++) {
		p = strchr(p + 1, ' ');
		/*
		 * Field 9, the flags: PF_EXITING is set as do_exit() begins,
		 * before the task drops its namespaces and long before it is a
		 * zombie. The netns its exit killed is being cleaned up by
		 * then: it must not be listed there.
		 */
		if (p && field == 8 && strtoul(p + 1, NULL, 10) & PF_EXITING)
			return -ESRCH;
	}
	if (!p)
		return -EINVAL;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void nscache_init(struct nscache *c)
{
	memset(c, 0, sizeof(*c));
	c->gen = 1;
	c->sweep_at = SWEEP_MIN;
	c->read_start = read_start;
	c->now_ns = monotonic_ns;
	c->swept_ns = monotonic_ns();
}

static void entry_free(struct nsc_entry *e)
{
	for (uint32_t i = 0; i < e->nnames; i++)
		free(e->paths[i]);
	free(e->paths);
	free(e->names);
	free(e->tasks);
	free(e);
}

void nscache_free(struct nscache *c)
{
	for (size_t i = 0; i < c->ns.cap; i++)
		if (hmap_at(&c->ns, i))
			entry_free(hmap_at(&c->ns, i));
	hmap_free_values(&c->tasks);
	hmap_free_values(&c->gone);
	hmap_free(&c->ns);
	hmap_free(&c->cookies);
}

static struct nsc_entry *entry_get(struct nscache *c, uint32_t type,
				   uint32_t inum, bool create)
{
	struct nsc_entry *e = hmap_get(&c->ns, ns_key(type, inum));

	if (e || !create)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->type = type;
	e->inum = inum;
	e->changed = true;
	hmap_put(&c->ns, ns_key(type, inum), e);
	return e;
}

/* An entry with nothing to say takes no room: namespaces come and go. */
static void entry_drop_if_empty(struct nscache *c, struct nsc_entry *e)
{
	if (e->nnames || e->ntasks)
		return;
	if (e->owned) {
		if (!e->empty_since)
			e->empty_since = c->now_ns();
		return;
	}
	hmap_del(&c->ns, ns_key(e->type, e->inum));
	entry_free(e);
}

static void entry_add_task(struct nsc_entry *e, struct nsc_task *t)
{
	if (e->ntasks == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4;
		e->tasks = realloc(e->tasks, e->cap * sizeof(*e->tasks));
		if (!e->tasks)
			abort();
	}
	e->tasks[e->ntasks++] = t;
	e->changed = true;
	e->looked = false;
	e->empty_since = 0;
}

static void entry_remove_task(struct nsc_entry *e, const struct nsc_task *t)
{
	for (uint32_t i = 0; i < e->ntasks; i++) {
		if (e->tasks[i] != t)
			continue;
		/* Kept in order: the processes shown stay the same ones. */
		memmove(&e->tasks[i], &e->tasks[i + 1],
			(e->ntasks - i - 1) * sizeof(*e->tasks));
		e->ntasks--;
		e->changed = true;
		return;
	}
}

static void move_task(struct nscache *c, struct nsc_task *t, uint32_t type,
		      uint32_t inum)
{
	struct nsc_entry *e;

	if (type >= NST_NS_TYPES || t->ns[type] == inum)
		return;
	if (t->ns[type]) {
		e = entry_get(c, type, t->ns[type], false);
		if (e) {
			entry_remove_task(e, t);
			entry_drop_if_empty(c, e);
		}
	}
	t->ns[type] = inum;
	t->ns_stamp[type] = ++c->stamp;
	if (inum)
		entry_add_task(entry_get(c, type, inum, true), t);
}

static struct nsc_task *task_get(struct nscache *c, uint32_t tid)
{
	struct nsc_task *t = hmap_get(&c->tasks, tid);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->tid = tid;
	hmap_put(&c->tasks, tid, t);
	return t;
}

/* A dead process leaves every namespace it was in, but keep's entry. */
static void task_forget(struct nscache *c, struct nsc_task *t,
			struct nsc_entry *keep)
{
	for (uint32_t type = 0; type < NST_NS_TYPES; type++) {
		struct nsc_entry *e;

		if (!t->ns[type])
			continue;
		e = entry_get(c, type, t->ns[type], false);
		if (!e)
			continue;
		entry_remove_task(e, t);
		if (e != keep)
			entry_drop_if_empty(c, e);
	}
	hmap_del(&c->tasks, t->tid);
	free(t);
}

void nscache_task_moved(struct nscache *c, uint32_t tid, uint32_t type,
			uint32_t inum)
{
	if (tid)
		move_task(c, task_get(c, tid), type, inum);
}

/* 0 is no cookie: the kernel had none to give. */
static void learn_cookie(struct nscache *c, uint32_t inum, uint64_t cookie)
{
	if (inum && cookie)
		hmap_put(&c->cookies, inum, (void *)(uintptr_t)cookie);
}

uint64_t nscache_netns_cookie(const struct nscache *c, uint32_t inum)
{
	return (uintptr_t)hmap_get(&c->cookies, inum);
}

uint64_t nscache_name_cookie(struct nscache *c, uint32_t inum, bool added)
{
	struct nsc_gone *g = added ? NULL : hmap_get(&c->gone, inum);
	uint64_t cookie;

	if (!g)
		return nscache_netns_cookie(c, inum);
	cookie = g->cookie;
	if (!--g->names)
		free(hmap_del(&c->gone, inum));
	return cookie;
}

/* Its names will go from the mount table: they are the dead one's. */
static void netns_gone(struct nscache *c, uint32_t inum, uint64_t cookie)
{
	struct nsc_entry *e = entry_get(c, NST_NS_NET, inum, false);
	struct nsc_gone *g;

	if (nscache_netns_cookie(c, inum) == cookie)
		hmap_del(&c->cookies, inum);
	if (!cookie || !e || !e->nnames)
		return;
	g = hmap_get(&c->gone, inum);
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g)
			abort();
		hmap_put(&c->gone, inum, g);
	}
	g->cookie = cookie;
	g->names = e->nnames;
}

static void seed_owner(struct nscache *c, struct nsc_entry *e)
{
	if (e->inum == c->init_ns[e->type])
		return;
	for (uint32_t i = 0; i < e->ntasks && i < NSC_SHOW_PIDS; i++)
		if (runtime_container_of_pid(e->tasks[i]->tid, &e->owner)) {
			e->owned = true;
			return;
		}
}

void nscache_seed(struct nscache *c, const struct inventory *inv)
{
	memcpy(c->init_ns, inv->init_ns, sizeof(c->init_ns));
	for (size_t i = 0; i < inv->nnets; i++)
		learn_cookie(c, inv->nets[i].inum, inv->nets[i].cookie);
	for (size_t i = 0; i < inv->ntasks; i++) {
		const struct ls_task *lt = &inv->tasks[i];

		/* Kernel threads live in the initial namespaces: no news. */
		if (lt->flags & LS_TASK_KTHREAD)
			continue;
		for (uint32_t type = 0; type < NST_NS_TYPES; type++)
			if (lt->ns[type])
				nscache_task_moved(c, lt->tid, type,
						   lt->ns[type]);
	}
	/*
	 * Now, while its processes live: a container stopped later leaves
	 * none to tell whose its namespaces were.
	 */
	for (size_t i = 0; i < c->ns.cap; i++)
		if (hmap_at(&c->ns, i))
			seed_owner(c, hmap_at(&c->ns, i));
}

void nscache_name_add(struct nscache *c, uint32_t type, uint32_t inum,
		      const char *path)
{
	struct nsc_entry *e = entry_get(c, type, inum, true);
	const char *slash;
	uint32_t n = e->nnames;

	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(e->paths[i], path))
			return;
	e->paths = realloc(e->paths, (n + 1) * sizeof(*e->paths));
	e->names = realloc(e->names, (n + 1) * sizeof(*e->names));
	if (!e->paths || !e->names || !(e->paths[n] = strdup(path)))
		abort();
	slash = strrchr(e->paths[n], '/');
	e->names[n] = slash && slash[1] ? slash + 1 : e->paths[n];
	e->nnames = n + 1;
	e->names_gen = 0; /* looked up again at once */
	e->empty_since = 0;
}

void nscache_name_remove(struct nscache *c, uint32_t type, uint32_t inum,
			 const char *path)
{
	struct nsc_entry *e = entry_get(c, type, inum, false);

	if (!e)
		return;
	for (uint32_t i = 0; i < e->nnames; i++) {
		if (strcmp(e->paths[i], path))
			continue;
		free(e->paths[i]);
		memmove(&e->paths[i], &e->paths[i + 1],
			(e->nnames - i - 1) * sizeof(*e->paths));
		memmove(&e->names[i], &e->names[i + 1],
			(e->nnames - i - 1) * sizeof(*e->names));
		e->nnames--;
		break;
	}
	entry_drop_if_empty(c, e);
}

void nscache_ns_gone(struct nscache *c, uint32_t type, uint32_t inum)
{
	struct nsc_entry *e = entry_get(c, type, inum, false);

	if (!e)
		return;
	for (uint32_t i = 0; i < e->ntasks; i++)
		e->tasks[i]->ns[type] = 0;
	hmap_del(&c->ns, ns_key(type, inum));
	entry_free(e);
}

/*
 * pid and time namespaces of unshare and setns are the ones the caller's
 * children get: the caller itself stays where it was.
 */
static bool lives_in_new(uint32_t type)
{
	return type != NST_NS_PID && type != NST_NS_TIME;
}

/* Each netns an event names, with its cookie: the newest word on it. */
static void learn_cookies(struct nscache *c, const struct nst_event *e)
{
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		if (e->create.ns_type == NST_NS_NET)
			learn_cookie(c, e->create.ns, e->create.ns_cookie);
		break;
	case NST_EV_NS_SETNS:
		if (e->setns.ns_type != NST_NS_NET)
			break;
		learn_cookie(c, e->setns.from_ns, e->setns.from_ns_cookie);
		learn_cookie(c, e->setns.to_ns, e->setns.to_ns_cookie);
		break;
	case NST_EV_NETDEV_MOVE:
		learn_cookie(c, e->move.from_netns, e->move.from_netns_cookie);
		learn_cookie(c, e->move.to_netns, e->move.to_netns_cookie);
		break;
	case NST_EV_NETDEV_CREATE:
	case NST_EV_NETDEV_DELETE:
		learn_cookie(c, e->life.netns, e->life.netns_cookie);
		break;
	case NST_EV_NETDEV_RENAME:
		learn_cookie(c, e->rename.netns, e->rename.netns_cookie);
		break;
	}
}

/*
 * A namespace that a container's process creates or enters is that
 * container's, told by the event's cgroup even when the process is gone
 * by the time the event is read (runc's child, which makes them).
 */
static void attribute_by_cgroup(struct nscache *c, const struct nst_event *e,
				uint32_t type, uint32_t inum)
{
	struct container ct;
	struct nsc_entry *n;

	if (type >= NST_NS_TYPES || !inum || inum == c->init_ns[type])
		return;
	n = entry_get(c, type, inum, false);
	if ((n && n->owned) || !cgroup_container(e->task.cgroup_id, &ct))
		return;
	if (!n)
		n = entry_get(c, type, inum, true);
	n->owner = ct;
	n->owned = true;
	entry_drop_if_empty(c, n); /* empty: kept OWNED_KEEP_NS, no longer */
}

void nscache_event_before(struct nscache *c, const struct nst_event *e)
{
	learn_cookies(c, e);
	if (e->kind == NST_EV_NS_CREATE)
		attribute_by_cgroup(c, e, e->create.ns_type, e->create.ns);
	else if (e->kind == NST_EV_NS_SETNS)
		attribute_by_cgroup(c, e, e->setns.ns_type, e->setns.to_ns);
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		if (e->create.child_pid)
			nscache_task_moved(c, e->create.child_pid,
					   e->create.ns_type, e->create.ns);
		else if (lives_in_new(e->create.ns_type))
			nscache_task_moved(c, e->task.tid, e->create.ns_type,
					   e->create.ns);
		break;
	case NST_EV_NS_SETNS:
		if (lives_in_new(e->setns.ns_type))
			nscache_task_moved(c, e->task.tid, e->setns.ns_type,
					   e->setns.to_ns);
		break;
	}
}

void nscache_event_after(struct nscache *c, const struct nst_event *e)
{
	if (e->kind != NST_EV_NS_DESTROY)
		return;
	/* Unless a new netns has that inode already: its cookie stays. */
	if (e->destroy.ns_type == NST_NS_NET)
		netns_gone(c, e->destroy.ns, e->destroy.ns_cookie);
	nscache_ns_gone(c, e->destroy.ns_type, e->destroy.ns);
}

/*
 * kill(tid, 0) would not do: it looks for a thread group, and says ESRCH
 * for a thread that is not its group's leader.
 */
static bool task_exists(uint32_t tid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u", tid);
	return !access(path, F_OK) || errno != ENOENT;
}

/*
 * The pid is another process's now: what was learnt of it before its
 * start time was read belongs to the one that died; what its events said
 * since is the new one's. keep's entry is not dropped, even if empty.
 * Whether anything is left of it.
 */
static bool task_renew(struct nscache *c, struct nsc_task *t, uint64_t start,
		       struct nsc_entry *keep)
{
	bool left = false;

	for (uint32_t type = 0; type < NST_NS_TYPES; type++) {
		struct nsc_entry *e;

		if (t->ns[type] && t->ns_stamp[type] > t->start_stamp)
			left = true;
		if (!t->ns[type] || t->ns_stamp[type] > t->start_stamp)
			continue;
		e = entry_get(c, type, t->ns[type], false);
		t->ns[type] = 0;
		if (!e)
			continue;
		entry_remove_task(e, t);
		if (e != keep)
			entry_drop_if_empty(c, e);
	}
	t->start = start;
	t->start_stamp = ++c->stamp;
	return left; /* false: nothing known of the new one */
}

/*
 * Alive and still in e: a dead one leaves every namespace it was in (but
 * e stays, for the caller to drop), and a reused pid keeps only what its
 * own events said. The start time tells a reused pid apart.
 */
static bool task_alive_in(struct nscache *c, struct nsc_task *t,
			  struct nsc_entry *e)
{
	uint64_t start;
	int err;

	if (t->checked_gen != c->gen) {
		t->checked_gen = c->gen;
		err = c->read_start(t->tid, &start);
		if (err == -ENOENT || err == -ESRCH)
			t->alive = false;
		else if (err) /* unreadable (PID 1 can be): is it there? */
			t->alive = task_exists(t->tid);
		else if (t->start == start)
			t->alive = true;
		else /* the first read (nothing learnt before it), or reused */
			t->alive = task_renew(c, t, start, e);
		if (!t->alive) {
			task_forget(c, t, e);
			return false;
		}
	}
	return t->ns[e->type] == e->inum;
}

/*
 * Read again once per batch: a process may move to another cgroup, but
 * reading it per event would cost more than everything else together.
 */
static const struct container *task_container(struct nscache *c,
					      struct nsc_task *t)
{
	if (t->container_gen != c->gen) {
		t->has_container =
			runtime_container_of_pid(t->tid, &t->container);
		t->container_gen = c->gen;
	}
	return t->has_container ? &t->container : NULL;
}

/*
 * Its processes are looked at when they change, not per event: a process
 * that joins a container's cgroup later, without moving, is not seen.
 * Its names once a batch: a bind mount's runtime may write its state
 * after the mount. The initial namespaces are the host's, whichever
 * containers share them (--network host).
 */
static void entry_attribute(struct nscache *c, struct nsc_entry *e)
{
	const struct container *ct;

	if (e->owned || e->inum == c->init_ns[e->type])
		return;
	for (uint32_t i = 0; !e->looked && i < e->nshown; i++) {
		ct = task_container(c, e->tasks[i]);
		if (ct) {
			e->owner = *ct;
			e->owned = true;
			return;
		}
	}
	e->looked = true;
	if (e->type != NST_NS_NET || !e->nnames || e->names_gen == c->gen)
		return;
	e->names_gen = c->gen;
	for (uint32_t i = 0; i < e->nnames; i++)
		if (runtime_netns_owner(e->paths[i], &e->owner)) {
			e->owned = true;
			return;
		}
}

static void entry_refresh(struct nscache *c, struct nsc_entry *e)
{
	uint32_t i = 0;

	e->nshown = 0;
	while (i < e->ntasks && e->nshown < NSC_SHOW_PIDS) {
		struct nsc_task *t = e->tasks[i];

		if (!task_alive_in(c, t, e))
			continue; /* out of e->tasks now: i holds the next */
		e->shown[e->nshown++] = t->tid;
		i++;
	}
	e->view_gen = c->gen;
	e->changed = false;
}

bool nscache_view(struct nscache *c, uint32_t type, uint32_t inum,
		  struct nsc_view *v)
{
	struct nsc_entry *e = entry_get(c, type, inum, false);
	v->nnames = v->npids = 0;
	v->container = NULL;
	if (!e)
		return false;
	if (e->view_gen != c->gen || e->changed)
		entry_refresh(c, e);
	entry_attribute(c, e);
	if (!e->nnames && !e->ntasks) {
		entry_drop_if_empty(c, e);
		if (!e->owned)
			return false;
	}
	v->names = e->names;
	v->nnames = e->nnames;
	memcpy(v->pids, e->shown, e->nshown * sizeof(v->pids[0]));
	v->npids = e->nshown;
	if (e->owned) {
		/* Its runtime may write the names after the first look. */
		if (!e->owner.name[0] && !e->owner.pod_name[0] &&
		    e->filled_gen != c->gen) {
			e->filled_gen = c->gen;
			runtime_fill(&e->owner);
		}
		v->container = &e->owner;
	}
	return v->nnames || v->npids || v->container;
}

/* Processes that died unseen would pile up: drop them now and then. */
static void sweep(struct nscache *c)
{
	struct nsc_task **dead = malloc(c->tasks.n * sizeof(*dead));
	size_t ndead = 0;

	if (!dead)
		abort();
	for (size_t i = 0; i < c->tasks.cap; i++) {
		struct nsc_task *t = hmap_at(&c->tasks, i);

		if (t && !task_exists(t->tid))
			dead[ndead++] = t;
	}
	for (size_t i = 0; i < ndead; i++)
		task_forget(c, dead[i], NULL);
	free(dead);
	c->sweep_at = c->tasks.n * 2 > SWEEP_MIN ? c->tasks.n * 2 : SWEEP_MIN;
	c->swept_n = c->tasks.n;
	c->swept_ns = c->now_ns();
}

/* Owned entries left empty longer than OWNED_KEEP_NS. */
static void forget_owned(struct nscache *c, uint64_t now)
{
	struct nsc_entry **old = malloc(c->ns.n * sizeof(*old) + 1);
	size_t nold = 0;

	if (!old)
		abort();
	for (size_t i = 0; i < c->ns.cap; i++) {
		struct nsc_entry *e = hmap_at(&c->ns, i);

		if (e && e->empty_since && now - e->empty_since > OWNED_KEEP_NS)
			old[nold++] = e;
	}
	for (size_t i = 0; i < nold; i++) {
		hmap_del(&c->ns, ns_key(old[i]->type, old[i]->inum));
		entry_free(old[i]);
	}
	free(old);
	c->owned_swept_ns = now;
}

void nscache_tick(struct nscache *c)
{
	uint64_t now = c->now_ns();

	c->gen++;
	if (now - c->owned_swept_ns >= SWEEP_EVERY_NS)
		forget_owned(c, now);
	if (c->tasks.n >= c->sweep_at ||
	    (c->tasks.n >= c->swept_n + SWEEP_AFTER_NEW &&
	     c->now_ns() - c->swept_ns >= SWEEP_EVERY_NS))
		sweep(c);
}

void nscache_turn(struct nscache *c)
{
	uint64_t now = c->now_ns();

	if (now - c->batch_ns < NSC_BATCH_NS)
		return;
	c->batch_ns = now;
	nscache_tick(c);
}

size_t nscache_namespaces(const struct nscache *c)
{
	return c->ns.n;
}

size_t nscache_tasks(const struct nscache *c)
{
	return c->tasks.n;
}
