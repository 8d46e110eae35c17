/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names namespaces have in nstrace's own mount namespace: its nsfs
 * bind mounts (/run/netns/NAME and the like), read from mountinfo, and
 * what changed between two reads. A mount stacked twice on one path is
 * one name: names come and go, not mounts.
 */
#ifndef NSTRACE_TRACE_NSFS_H
#define NSTRACE_TRACE_NSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nsfs_name {
	uint32_t type; /* enum nst_ns_type */
	uint32_t inum;
	char *path; /* the mount point, unescaped */
	const char *name; /* its last component, within path */
};

struct nsfs_set {
	struct nsfs_name *v; /* sorted by path, then inode; no duplicates */
	size_t n;
};

/* The nsfs mounts in a mountinfo text; aborts when out of memory. */
void nsfs_set_parse(struct nsfs_set *s, const char *text);
/* Reads the mountinfo open at fd from its start: 0 or a negative errno. */
int nsfs_set_read(struct nsfs_set *s, int fd);
void nsfs_set_free(struct nsfs_set *s);
/* The name mounted at path (the first, if stacked), or NULL. */
const struct nsfs_name *nsfs_set_find(const struct nsfs_set *s,
				      const char *path);
/*
 * An absolute path without ".", ".." (by its text: the symbolic links
 * along it are not read), empty components or a slash at the end.
 */
void nsfs_clean_path(char *path);
/* A name is a path's last component (the path itself when it has none). */
const char *nsfs_last_component(const char *path);

/*
 * What is in old and not in cur (removed), then what is in cur and not
 * in old (added): a name that moved to another namespace is one of each,
 * the removal first.
 */
void nsfs_set_diff(const struct nsfs_set *old, const struct nsfs_set *cur,
		   void (*cb)(void *ctx, bool added, const struct nsfs_name *n),
		   void *ctx);

#endif
