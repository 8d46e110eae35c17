// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "inventory/cgroups.h"
#include "inventory/runtime.h"
#include "lib/hmap.h"

/* Past this many ids, the answers are forgotten and found again. */
#define IDS_MAX 8192
/* Containers' cgroups are a few levels down; a loop of binds is not. */
#define DEPTH_MAX 16

struct answer {
	bool has;
	struct container c;
};

static char mount_dir[PATH_MAX];
static bool mount_known;
static struct hmap answers; /* id -> struct answer */
static struct hmap paths; /* id -> its path below the mount, as last walked */

static void forget_all(void);

void cgroup_set_mount(const char *dir)
{
	forget_all();
	snprintf(mount_dir, sizeof(mount_dir), "%s", dir);
	mount_known = true;
}

static bool is_cgroup2(const char *dir)
{
	struct statfs fs;

	return !statfs(dir, &fs) && fs.f_type == CGROUP2_SUPER_MAGIC;
}

void cgroup_set_root(const char *root)
{
	static const char *const under[] = { "/sys/fs/cgroup",
					     "/sys/fs/cgroup/unified" };
	char dir[PATH_MAX];

	forget_all();
	if (!root[0] || !strcmp(root, "/")) {
		mount_known = false;
		return;
	}
	mount_known = true;
	mount_dir[0] = '\0';
	for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++) {
		snprintf(dir, sizeof(dir), "%s%s", root, under[i]);
		if (is_cgroup2(dir)) {
			snprintf(mount_dir, sizeof(mount_dir), "%s", dir);
			return;
		}
	}
}

/* The first cgroup2 mount of our mount table: on hybrid hosts, unified. */
static void find_mount(void)
{
	char line[4096], dir[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	mount_known = true;
	mount_dir[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", dir) == 1) {
			/* Octal escapes (a blank is \040) are left: rare here. */
			snprintf(mount_dir, sizeof(mount_dir), "%s", dir);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void forget_all(void)
{
	hmap_free_values(&answers);
	hmap_free_values(&paths);
}

static void walk(char *path, size_t len, size_t base, int depth)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (depth > DEPTH_MAX || !(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name);
		char *rel;

		if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
		    len + 1 + n >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, d->d_name, n + 1);
		if (!stat(path, &st) && (rel = strdup(path + base))) {
			free(hmap_del(&paths, st.st_ino));
			hmap_put(&paths, st.st_ino, rel);
		}
		walk(path, len + 1 + n, base, depth + 1);
		path[len] = '\0';
	}
	closedir(dir);
}

static const char *path_of(uint64_t id)
{
	char path[PATH_MAX];
	const char *p = hmap_get(&paths, id);
	size_t len;

	if (p)
		return p;
	if (!mount_known)
		find_mount();
	if (!mount_dir[0])
		return NULL;
	hmap_free_values(&paths);
	len = snprintf(path, sizeof(path), "%s", mount_dir);
	if (len >= sizeof(path))
		return NULL;
	walk(path, len, len, 0);
	return hmap_get(&paths, id);
}

bool cgroup_container(uint64_t id, struct container *c)
{
	struct answer *a = hmap_get(&answers, id);
	const char *path;
	char text[PATH_MAX + 8];

	/* 0: no cgroup told; 1: the root, the host's. */
	if (id <= 1)
		return false;
	if (!a) {
		if (answers.n >= IDS_MAX)
			hmap_free_values(&answers);
		a = calloc(1, sizeof(*a));
		if (!a)
			abort();
		path = path_of(id);
		if (path) {
			snprintf(text, sizeof(text), "0::%s\n", path);
			a->has = container_from_cgroup(text, &a->c);
		}
		hmap_put(&answers, id, a);
	}
	if (!a->has)
		return false;
	/* Its runtime may write its names after the first look. */
	if (!a->c.name[0] && !a->c.pod_name[0])
		runtime_fill(&a->c);
	*c = a->c;
	return true;
}
