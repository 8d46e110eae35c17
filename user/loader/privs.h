/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Once the BPF programs are attached, the stream needs no privilege: the
 * ring buffer is mapped, the links and maps are open fds, and the output
 * is open. Whatever could be abused in a long-running root process goes.
 */
#ifndef NSTRACE_LOADER_PRIVS_H
#define NSTRACE_LOADER_PRIVS_H

#include <stdint.h>

/*
 * Drops every capability (effective, permitted, inheritable, ambient and,
 * when CAP_SETPCAP allows, the bounding set) and sets no_new_privs.
 * CAP_BPF is kept only when a lookup in probe_map_fd fails without it:
 * kernels before 6.5 refuse every bpf() command to a task without CAP_BPF
 * when unprivileged BPF is disabled. keep_caps (bit N for capability N)
 * are kept, permitted and effective, when held: for a view that must
 * still read the inventory; 0 for the stream. Returns 0, or -1 after one
 * line on stderr.
 */
int privs_drop(int probe_map_fd, uint64_t keep_caps);

/*
 * What a view that reads the inventory again while it runs (nstrace top,
 * --snapshot) keeps: loading the inventory's iterators wants CAP_BPF and
 * CAP_PERFMON; its /proc reads (mountinfo, cgroup) are open to any
 * process of the same uid.
 */
#define PRIVS_INVENTORY_CAPS ((1ULL << 38) | (1ULL << 39)) /* PERFMON, BPF */

#endif
