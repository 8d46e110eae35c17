/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ns.create and ns.setns from a before/after pair of namespace sets, for
 * every hook that sees one: the syscall tracepoints (ns.bpf.c) and the
 * kernel functions that switch a task's namespaces (nsswitch.bpf.c).
 */
#ifndef NSTRACE_NS_BPF_H
#define NSTRACE_NS_BPF_H

#include "common.bpf.h"

/* The inodes of the namespaces an nsproxy holds (pid, time: children's). */
static __always_inline void nst_nsproxy_ns(struct nsproxy *nsp,
					   __u32 ns[NST_NS_TYPES])
{
	ns[NST_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	ns[NST_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns[NST_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns[NST_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns[NST_NS_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	ns[NST_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns[NST_NS_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
}

/* Every type a task is in; all zero but user for an exiting task. */
static __always_inline void nst_task_ns(struct task_struct *task,
					__u32 ns[NST_NS_TYPES])
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	__builtin_memset(ns, 0, sizeof(__u32) * NST_NS_TYPES);
	if (nsp)
		nst_nsproxy_ns(nsp, ns);
	ns[NST_NS_USER] = BPF_CORE_READ(task, real_cred, user_ns, ns.inum);
}

/*
 * One record per type that differs: ns.create (the new inode) after
 * unshare, ns.setns (both) after setns.
 */
static __always_inline void nst_emit_ns_changes(const __u32 *from,
						const __u32 *to, bool created)
{
	__u32 kind = created ? NST_EV_NS_CREATE : NST_EV_NS_SETNS;

	for (int i = 0; i < NST_NS_TYPES; i++) {
		struct nst_event *e;

		if (from[i] == to[i] || !to[i] || !nst_wants(kind, i))
			continue;
		/*
		 * One reservation for both kinds: with one per branch, clang
		 * merges them into code the 6.1 verifier sees leak.
		 */
		_Static_assert(sizeof(e->create) == sizeof(e->setns),
			       "ns.create and ns.setns records differ in size");
		e = nst_reserve(kind, sizeof(e->setns));
		if (!e)
			continue;
		if (created) {
			e->create.ns_type = i;
			e->create.ns = to[i];
			e->create.origin = NST_ORIGIN_UNSHARE;
		} else {
			e->setns.ns_type = i;
			e->setns.from_ns = from[i];
			e->setns.to_ns = to[i];
		}
		nst_submit(e);
	}
}

#endif /* NSTRACE_NS_BPF_H */
