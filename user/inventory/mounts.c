// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/enums.h"
#include "inventory/mounts.h"

/* The prefixes under which `ip netns` keeps its names. */
static const char *const netns_dirs[] = { "/run/netns/", "/var/run/netns/" };

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* The n-th space-separated field of line (from 0), and its length. */
static const char *field(const char *line, int n, size_t *len)
{
	const char *p = line;

	for (int i = 0; i < n; i++) {
		p = strchr(p, ' ');
		if (!p)
			return NULL;
		p++;
	}
	*len = strcspn(p, " \n");
	return p;
}

int mountinfo_nsfs(const char *line, char *path, size_t path_size,
		   uint32_t *type, uint32_t *inum)
{
	const char *root, *mnt, *sep;
	char tname[16];
	size_t len, n;
	unsigned long v;
	int t;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE ..." */
	sep = strstr(line, " - ");
	if (!sep || strncmp(sep + 3, "nsfs ", 5))
		return -1;
	root = field(line, 3, &len);
	if (!root || !len)
		return -1;
	/* The root of an nsfs mount is "TYPE:[INODE]". */
	n = strcspn(root, ":");
	if (n >= len || n >= sizeof(tname) || root[n + 1] != '[')
		return -1;
	memcpy(tname, root, n);
	tname[n] = '\0';
	t = ns_type_parse(tname);
	v = strtoul(root + n + 2, NULL, 10);
	if (t < 0 || !v || v > UINT32_MAX)
		return -1;
	mnt = field(line, 4, &len);
	if (!mnt || !len || len >= path_size)
		return -1;
	memcpy(path, mnt, len);
	path[len] = '\0';
	unescape(path);
	*type = (uint32_t)t;
	*inum = (uint32_t)v;
	return 0;
}

static const char *netns_name(const char *path)
{
	for (size_t i = 0; i < sizeof(netns_dirs) / sizeof(netns_dirs[0]);
	     i++) {
		size_t n = strlen(netns_dirs[i]);

		if (!strncmp(path, netns_dirs[i], n) && path[n] &&
		    !strchr(path + n, '/'))
			return path + n;
	}
	return NULL;
}

static size_t b_count(const struct buf *b)
{
	return b->len / sizeof(struct ns_mount);
}

static bool known(const struct buf *b, uint32_t inum, const char *path)
{
	const struct ns_mount *m = (const void *)b->data;

	for (size_t i = 0; i < b->len / sizeof(*m); i++)
		if (m[i].inum == inum && !strcmp(m[i].path, path))
			return true;
	return false;
}

/* 0 when pid's mountinfo was read. */
static int read_mountinfo(struct buf *out, const char *file, uint32_t pid,
			  uint32_t mntns)
{
	char *line = NULL, path[4096];
	size_t cap = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct ns_mount m = { .mntns = mntns, .pid = pid };

		if (mountinfo_nsfs(line, path, sizeof(path), &m.type, &m.inum))
			continue;
		/* The same mount in a copied mount namespace says nothing new. */
		if (known(out, m.inum, path))
			continue;
		m.order = b_count(out);
		m.path = strdup(path);
		if (!m.path)
			abort();
		if (m.type == NST_NS_NET)
			m.name = netns_name(m.path);
		buf_add(out, &m, sizeof(m));
	}
	free(line);
	fclose(f);
	return 0;
}

static int cmp_mount(const void *a, const void *b)
{
	const struct ns_mount *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	/* Ours first: they were found first. */
	return x->order < y->order ? -1 : x->order > y->order;
}

void ns_mounts_collect(struct ns_mounts *out, const struct inventory *inv)
{
	const struct ls_task *self = inventory_task(inv, (uint32_t)getpid());
	uint32_t own_mntns = self ? self->ns[NST_NS_MNT] : 0;
	struct buf b = {}, done = {};
	char file[64];

	memset(out, 0, sizeof(*out));
	/* Our own mount namespace first: its paths are the ones users see. */
	if (!read_mountinfo(&b, "/proc/self/mountinfo", (uint32_t)getpid(),
			    own_mntns)) {
		buf_add(&done, &own_mntns, sizeof(own_mntns));
		out->mntns_read++;
	}
	for (size_t i = 0; i < inv->ntasks; i++) {
		const struct ls_task *t = &inv->tasks[i];
		uint32_t mntns = t->ns[NST_NS_MNT];
		const uint32_t *d = (const void *)done.data;
		bool seen = false;

		if (!mntns || (t->flags & LS_TASK_KTHREAD))
			continue;
		for (size_t j = 0; j < done.len / sizeof(*d) && !seen; j++)
			seen = d[j] == mntns;
		if (seen)
			continue;
		/* Some processes are out of reach (PID 1 here): try the next. */
		snprintf(file, sizeof(file), "/proc/%u/mountinfo", t->pid);
		if (read_mountinfo(&b, file, t->pid, mntns))
			continue;
		buf_add(&done, &mntns, sizeof(mntns));
		out->mntns_read++;
	}
	/* Mount namespaces with no readable process at all. */
	for (size_t i = 0; i < inv->nns; i++) {
		const uint32_t *d = (const void *)done.data;
		bool seen = false;

		if (inv->ns[i].type != NST_NS_MNT)
			continue;
		for (size_t j = 0; j < done.len / sizeof(*d) && !seen; j++)
			seen = d[j] == inv->ns[i].inum;
		out->mntns_skipped += !seen;
	}
	buf_free(&done);
	out->m = (void *)b.data;
	out->n = b.len / sizeof(*out->m);
	qsort(out->m, out->n, sizeof(*out->m), cmp_mount);
}

void ns_mounts_free(struct ns_mounts *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->m[i].path);
	free(m->m);
	memset(m, 0, sizeof(*m));
}

size_t ns_mounts_find(const struct ns_mounts *m, uint32_t inum,
		      const struct ns_mount **first)
{
	size_t lo = inventory_lower_bound(m->m, m->n, sizeof(*m->m),
					  offsetof(struct ns_mount, inum),
					  inum);
	size_t n = 0;

	while (lo + n < m->n && m->m[lo + n].inum == inum)
		n++;
	*first = n ? &m->m[lo] : NULL;
	return n;
}
