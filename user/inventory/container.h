/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which container a process belongs to, as far as its cgroup path tells:
 * docker, containerd (CRI), cri-o, podman, lxc, systemd-nspawn (machined's
 * scope) and Kubernetes pods.
 */
#ifndef NSTRACE_INVENTORY_CONTAINER_H
#define NSTRACE_INVENTORY_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

struct container {
	/*
	 * "docker", "containerd", "cri-o", "podman", "lxc", "systemd-nspawn",
	 * "kubernetes"
	 */
	char runtime[16];
	char id[72]; /* the runtime's container id (or lxc name) */
	char pod[40]; /* Kubernetes pod uid, "" if none */
	/* From the runtime's own state (runtime.h), "" when not known. */
	char name[128]; /* the runtime's name; a pod's container's name */
	char pod_namespace[64];
	char pod_name[254];
};

/* The contents of a /proc/PID/cgroup file; false when no pattern fits. */
bool container_from_cgroup(const char *text, struct container *c);
/* false when the file can't be read or says nothing. */
bool container_of_pid(uint32_t pid, struct container *c);

#endif
