/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ns.create and ns.setns from a before/after pair of namespace sets, for
 * every hook that sees one: the syscall tracepoints (ns.bpf.c) and the
 * kernel functions that switch a task's namespaces (nsswitch.bpf.c).
 */
#ifndef NSTRACE_NS_BPF_H
#define NSTRACE_NS_BPF_H

#include "common.bpf.h"

/*
 * Where a task is: the inodes of every type (pid, time: its children's),
 * and the cookie of its netns.
 */
struct ns_set {
	__u32 ns[NST_NS_TYPES];
	__u64 net_cookie;
};

/* Every type but user, which the credentials hold. */
static __always_inline void nst_nsproxy_ns(struct nsproxy *nsp,
					   struct ns_set *s)
{
	struct net *net = BPF_CORE_READ(nsp, net_ns);

	s->ns[NST_NS_NET] = BPF_CORE_READ(net, ns.inum);
	s->net_cookie = net_cookie(net);
	s->ns[NST_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	s->ns[NST_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	s->ns[NST_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	s->ns[NST_NS_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	s->ns[NST_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	s->ns[NST_NS_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
}

/* Every type a task is in; all zero but user for an exiting task. */
static __always_inline void nst_task_ns(struct task_struct *task,
					struct ns_set *s)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	__builtin_memset(s, 0, sizeof(*s));
	if (nsp)
		nst_nsproxy_ns(nsp, s);
	s->ns[NST_NS_USER] = BPF_CORE_READ(task, real_cred, user_ns, ns.inum);
}

/*
 * nst_task_ns() for the current task, by plain loads through its BTF
 * pointer: a load each, where BPF_CORE_READ() calls a helper per link.
 * The syscall tracepoints run on every setns and unshare; the kprobe
 * hooks have raw pointers and keep to nst_task_ns().
 */
static __always_inline void nst_current_ns(struct ns_set *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct nsproxy *nsp = task->nsproxy;
	struct net *net;

	__builtin_memset(s, 0, sizeof(*s));
	s->ns[NST_NS_USER] = task->real_cred->user_ns->ns.inum;
	if (!nsp)
		return;
	net = nsp->net_ns;
	s->ns[NST_NS_NET] = net->ns.inum;
	if (bpf_core_field_exists(net->net_cookie))
		s->net_cookie = net->net_cookie;
	s->ns[NST_NS_MNT] = nsp->mnt_ns->ns.inum;
	s->ns[NST_NS_UTS] = nsp->uts_ns->ns.inum;
	s->ns[NST_NS_IPC] = nsp->ipc_ns->ns.inum;
	s->ns[NST_NS_PID] = nsp->pid_ns_for_children->ns.inum;
	s->ns[NST_NS_CGROUP] = nsp->cgroup_ns->ns.inum;
	s->ns[NST_NS_TIME] = nsp->time_ns_for_children->ns.inum;
}

/*
 * One record per type that differs: ns.create (the new inode) after
 * unshare, ns.setns (both) after setns.
 */
static __always_inline void nst_emit_ns_changes(const struct ns_set *from,
						const struct ns_set *to,
						bool created)
{
	__u32 kind = created ? NST_EV_NS_CREATE : NST_EV_NS_SETNS;

	/*
	 * Unrolled: clang may lay the loop out with its latch falling through
	 * into its head, a back-edge that verifiers before 6.3 refuse even
	 * where bounded loops are allowed.
	 */
#pragma unroll
	for (int i = 0; i < NST_NS_TYPES; i++) {
		bool net = i == NST_NS_NET;
		struct nst_event *e;

		if (from->ns[i] == to->ns[i] || !to->ns[i] ||
		    !nst_wants(kind, i))
			continue;
		/*
		 * One reservation for both kinds: with one per branch, clang
		 * merges them into code the 6.1 verifier sees leak.
		 */
		_Static_assert(sizeof(e->create) <= sizeof(e->setns),
			       "ns.create records outgrew ns.setns ones");
		e = nst_reserve(kind, sizeof(e->setns));
		if (!e)
			continue;
		if (created) {
			e->create.ns_type = i;
			e->create.ns = to->ns[i];
			e->create.origin = NST_ORIGIN_UNSHARE;
			e->create.ns_cookie = net ? to->net_cookie : 0;
		} else {
			e->setns.ns_type = i;
			e->setns.from_ns = from->ns[i];
			e->setns.to_ns = to->ns[i];
			e->setns.from_ns_cookie = net ? from->net_cookie : 0;
			e->setns.to_ns_cookie = net ? to->net_cookie : 0;
		}
		nst_submit(e);
	}
}

#endif /* NSTRACE_NS_BPF_H */
