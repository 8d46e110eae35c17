// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inventory/inventory.h"
#include "trace/live_names.h"

int live_names_open(struct live_names *n)
{
	struct inventory inv;
	struct stat st;
	int err;

	memset(n, 0, sizeof(*n));
	nscache_init(&n->cache);
	if (!stat("/proc/self/ns/mnt", &st))
		n->own_mnt_ns = st.st_ino;
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
	for (size_t i = 0; i < n->ntold; i++)
		free(n->told[i].n.path);
	free(n->told);
	n->told = NULL;
	for (size_t i = 0; i < n->nheld; i++)
		free(n->held[i].n.path);
	free(n->held);
	n->held = NULL;
	n->nheld = 0;
	n->ntold = 0;
	n->fd = -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One more element of size bytes at the end of *v; aborts without memory. */
static void *grow(void **v, size_t *n, size_t size)
{
	char *p = realloc(*v, (*n + 1) * size);

	if (!p)
		abort();
	*v = p;
	return p + (*n)++ * size;
}

static void told_gone(struct told_name *t, uint64_t now)
{
	t->gone = true;
	t->gone_ns = now;
}

/*
 * Whether a name a syscall told at told (as the process gave it) is the
 * one at path: a relative path that could not be made absolute stands
 * for any path that ends in the same name.
 */
static bool same_path(const char *told, const char *path)
{
	if (told[0] == '/')
		return !strcmp(told, path);
	return !strcmp(nsfs_last_component(told), nsfs_last_component(path));
}

/*
 * The name a mount syscall told at path (any mount namespace), the
 * newest first, or NULL.
 */
static struct told_name *told_at(struct live_names *n, uint32_t inum,
				 const char *path)
{
	for (size_t i = n->ntold; i-- > 0;)
		if (n->told[i].n.inum == inum &&
		    same_path(n->told[i].n.path, path))
			return &n->told[i];
	return NULL;
}

/* What the last umount of path in mnt_ns takes away, or NULL. */
static struct told_name *told_in(struct live_names *n, uint32_t mnt_ns,
				 const char *path)
{
	for (size_t i = n->ntold; i-- > 0;)
		if (!n->told[i].gone && n->told[i].mnt_ns == mnt_ns &&
		    !strcmp(n->told[i].n.path, path))
			return &n->told[i];
	return NULL;
}

static struct told_name *told_add(struct live_names *n, uint32_t mnt_ns,
				  uint32_t type, uint32_t inum,
				  const char *path)
{
	struct told_name *t = grow((void **)&n->told, &n->ntold, sizeof(*t));

	t->n.type = type;
	t->n.inum = inum;
	t->n.path = strdup(path);
	if (!t->n.path)
		abort();
	t->n.name = nsfs_last_component(t->n.path);
	t->mnt_ns = mnt_ns;
	t->gone = false;
	return t;
}

/*
 * The names whose umount was told, once the mount table has long shown
 * it (or never will: another mount namespace's).
 */
static void told_purge(struct live_names *n, uint64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < n->ntold; i++) {
		if (n->told[i].gone &&
		    now > n->told[i].gone_ns + LIVE_NAMES_FORGET_NS)
			free(n->told[i].n.path);
		else
			n->told[k++] = n->told[i];
	}
	n->ntold = k;
}

/* The target as the caller meant it: relative to its working directory. */
static void absolute_path(const struct nst_event *e, char *path, size_t len)
{
	const char *given = e->name.path;
	int glen = strnlen(given, sizeof(e->name.path));
	char link[64], cwd[4096];
	ssize_t got;

	snprintf(link, sizeof(link), "/proc/%u/cwd", e->task.pid);
	if (given[0] == '/' ||
	    (got = readlink(link, cwd, sizeof(cwd) - 1)) <= 0) {
		snprintf(path, len, "%.*s", glen, given);
	} else {
		cwd[got] = '\0';
		snprintf(path, len, "%s/%.*s", cwd, glen, given);
	}
	/* The mount table shows /run/netns/x for /run/netns/./x. */
	if (path[0] == '/')
		nsfs_clean_path(path);
}

/* A change of the mount table at path not yet told, or NULL. */
static struct held_name *held_at(struct live_names *n, bool added,
				 const char *path)
{
	for (size_t i = 0; i < n->nheld; i++)
		if (n->held[i].added == added &&
		    !strcmp(n->held[i].n.path, path))
			return &n->held[i];
	return NULL;
}

int live_names_event(struct live_names *n, const struct nst_event *e,
		     struct nsfs_name *out, char *path, size_t len)
{
	const struct nst_ns_name *m = &e->name;
	const struct nsfs_name *seen;
	struct told_name *t;

	absolute_path(e, path, len);
	out->path = path;
	out->name = nsfs_last_component(path);
	if (m->op == NST_NAME_ADD) {
		seen = m->mnt_ns == n->own_mnt_ns ?
			       nsfs_set_find(&n->mounts, path) :
			       NULL;
		/* Mounted twice, or told by the mount table past its grace. */
		if (seen && seen->inum == m->ns && seen->type == m->ns_type &&
		    !held_at(n, true, path))
			return 0;
		told_add(n, m->mnt_ns, m->ns_type, m->ns, path);
		out->type = m->ns_type;
		out->inum = m->ns;
		nscache_name_add(&n->cache, out->type, out->inum, path);
		return 1;
	}
	t = told_in(n, m->mnt_ns, path);
	if (t) {
		told_gone(t, now_ns());
		out->type = t->n.type;
		out->inum = t->n.inum;
	} else {
		/*
		 * Known from the mount table alone (mounted before start),
		 * which may have seen it go already.
		 */
		seen = NULL;
		if (m->mnt_ns == n->own_mnt_ns) {
			struct held_name *h = held_at(n, false, path);

			seen = h ? &h->n : nsfs_set_find(&n->mounts, path);
		}
		if (!seen || told_at(n, seen->inum, path))
			return 0;
		out->type = seen->type;
		out->inum = seen->inum;
		told_gone(told_add(n, m->mnt_ns, out->type, out->inum, path),
			  now_ns());
	}
	nscache_name_remove(&n->cache, out->type, out->inum, path);
	return 1;
}

/* A change of the mount table, not told until the grace is over. */
void live_names_forget(struct live_names *n, uint32_t type, uint32_t inum)
{
	size_t k = 0;

	for (size_t i = 0; i < n->ntold; i++) {
		/* A told umount waits for the mount table to show it. */
		if (n->told[i].n.type == type && n->told[i].n.inum == inum &&
		    !n->told[i].gone)
			free(n->told[i].n.path);
		else
			n->told[k++] = n->told[i];
	}
	n->ntold = k;
}

static void on_change(void *ctx, bool added, const struct nsfs_name *name)
{
	struct live_names *n = ctx;
	struct held_name *h = grow((void **)&n->held, &n->nheld, sizeof(*h));

	h->n = *name;
	h->n.path = strdup(name->path);
	if (!h->n.path)
		abort();
	h->n.name = nsfs_last_component(h->n.path);
	h->added = added;
	h->due_ns = now_ns() + LIVE_NAMES_GRACE_NS;
}

int live_names_update(struct live_names *n)
{
	struct nsfs_set cur;
	int err = nsfs_set_read(&cur, n->fd);

	if (err) {
		fprintf(stderr,
			"nstrace: cannot read /proc/self/mountinfo: %s\n",
			strerror(-err));
		return -1;
	}
	nsfs_set_diff(&n->mounts, &cur, on_change, n);
	nsfs_set_free(&n->mounts);
	n->mounts = cur;
	return 0;
}

/* Whether the syscalls told what h says, or will not need to. */
static bool held_told(struct live_names *n, const struct held_name *h)
{
	struct told_name *t = told_at(n, h->n.inum, h->n.path);

	/* An add it told stays told when its umount was told too. */
	return t && (h->added || t->gone);
}

int live_names_wait_ms(const struct live_names *n, int max_ms)
{
	uint64_t now = now_ns(), wait = (uint64_t)max_ms * 1000000;

	for (size_t i = 0; i < n->nheld; i++) {
		if (n->held[i].due_ns <= now)
			return 0;
		if (n->held[i].due_ns - now < wait)
			wait = n->held[i].due_ns - now;
	}
	return (wait + 999999) / 1000000;
}

void live_names_release(struct live_names *n, bool all,
			void (*cb)(void *ctx, bool added,
				   const struct nsfs_name *name),
			void *ctx)
{
	uint64_t now = now_ns();
	size_t k = 0;

	for (size_t i = 0; i < n->nheld; i++) {
		struct held_name *h = &n->held[i];
		struct told_name *t;

		if (!held_told(n, h) && !all && now < h->due_ns) {
			n->held[k++] = *h;
			continue;
		}
		if (!held_told(n, h)) {
			/* Its umount, if it comes late, is not told again. */
			t = told_at(n, h->n.inum, h->n.path);
			if (t)
				told_gone(t, now);
			if (h->added)
				nscache_name_add(&n->cache, h->n.type,
						 h->n.inum, h->n.path);
			else
				nscache_name_remove(&n->cache, h->n.type,
						    h->n.inum, h->n.path);
			cb(ctx, h->added, &h->n);
		}
		free(h->n.path);
	}
	n->nheld = k;
	told_purge(n, now);
}
