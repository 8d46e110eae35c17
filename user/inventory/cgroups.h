/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The container of a cgroup v2 id, as the events carry it: the id is the
 * inode of the cgroup's directory, whose path (under the cgroup2 mount of
 * nstrace's mount table) the patterns of container.h read. It tells the
 * container of a process that has exited by the time its event is read,
 * as runc's child has, with no capability: the paths are found by walking
 * the hierarchy's directories, once per id not seen before, and kept.
 */
#ifndef NSTRACE_INVENTORY_CGROUPS_H
#define NSTRACE_INVENTORY_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "inventory/container.h"

/* false when the id is no container's, or its cgroup is gone unseen. */
bool cgroup_container(uint64_t id, struct container *c);
/* The cgroup2 mount point it walks ("" for none): tests point it away. */
void cgroup_set_mount(const char *dir);
/*
 * The host's hierarchy under root (--host-root): root/sys/fs/cgroup, or
 * its unified/ on a hybrid host. A pod's own /sys/fs/cgroup is its cgroup
 * namespace's, where the host's processes are not.
 */
void cgroup_set_root(const char *root);

#endif
