/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A container's names from its runtime's own files on disk (no daemon is
 * asked): docker's config.v2.json, podman's containers.json, the OCI
 * bundles of containerd and CRI-O with kubelet's annotations, kubelet's
 * /var/log/pods; and which container's state names a netns bind mount.
 * What is read is kept: the stream asks once per event.
 */
#ifndef NSTRACE_INVENTORY_RUNTIME_H
#define NSTRACE_INVENTORY_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "inventory/container.h"

/*
 * The host's root that every runtime's state is read under ("/" unless
 * set): a pod that mounts the host's /run and /var under /host sets
 * "/host". The cgroup hierarchy is looked for there too (cgroups.h).
 * Forgets everything read so far.
 */
void runtime_set_root(const char *dir);
/* Milliseconds of a monotonic clock; NULL for CLOCK_MONOTONIC's. */
void runtime_set_clock(uint64_t (*now_ms)(void));

/*
 * Fills c->name, c->pod_namespace and c->pod_name (and c->pod when it is
 * empty and the state tells it) for c->runtime and c->id as
 * container_from_cgroup() found them; false when the state tells no name.
 * A container once named is answered from memory; one whose state is not
 * there is looked for again at most every 2 s.
 */
bool runtime_fill(struct container *c);
/* container_of_pid(), then runtime_fill(): false when not in one. */
bool runtime_container_of_pid(uint32_t pid, struct container *c);

/*
 * The container whose runtime state names netns_path as its network
 * namespace (podman's /run/netns/netns-UUID, CNI's /run/netns/cni-UUID,
 * docker's /run/docker/netns/ID; /var/run and /run are the same): *c
 * filled as runtime_fill() would. The runtimes' directories are read
 * again only when a path is not known and 2 s passed since the last read.
 */
bool runtime_netns_owner(const char *netns_path, struct container *c);

#endif
