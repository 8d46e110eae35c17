// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.create by unshare and ns.setns from the two kernel functions that
 * switch a task's namespaces, where fentry or kprobes exist:
 * switch_task_namespaces() for the nsproxy (every type but user) and
 * commit_creds() for the user namespace. Unlike the syscall tracepoints
 * of ns.bpf.c, these cost nothing to the syscalls of the machine that
 * never switch namespaces.
 */
#include "ns.bpf.h"

/* Only unshare and setns switch to namespaces worth a record. */
static __always_inline int switching_syscall(void)
{
	long nr = current_syscall();

	if (nr == NST_NR_UNSHARE)
		return 1;
	if (nr == NST_NR_SETNS)
		return 0;
	return -1;
}

static __always_inline void on_switch(struct task_struct *p,
				      struct nsproxy *new)
{
	struct ns_set from = {}, to = {};
	struct nsproxy *old;
	int created;

	/* new is NULL on exit; p is another task only at exec and clone. */
	if (!new || p != bpf_get_current_task_btf())
		return;
	created = switching_syscall();
	if (created < 0 || !nst_wants_task())
		return;
	old = BPF_CORE_READ(p, nsproxy);
	if (old)
		nst_nsproxy_ns(old, &from);
	nst_nsproxy_ns(new, &to);
	nst_emit_ns_changes(&from, &to, created);
}

static __always_inline void on_commit_creds(struct cred *new)
{
	struct ns_set from = {}, to = {};
	struct task_struct *task = bpf_get_current_task_btf();
	int created;

	from.ns[NST_NS_USER] = BPF_CORE_READ(task, real_cred, user_ns, ns.inum);
	to.ns[NST_NS_USER] = BPF_CORE_READ(new, user_ns, ns.inum);
	/* Most commits (setuid, exec) keep the user namespace: leave. */
	if (from.ns[NST_NS_USER] == to.ns[NST_NS_USER])
		return;
	created = switching_syscall();
	if (created < 0 || !nst_wants_task())
		return;
	nst_emit_ns_changes(&from, &to, created);
}

NST_ENTRY_HOOKS(switch_task_namespaces, switch_task_namespaces,
		on_switch(p, new), struct task_struct *p, struct nsproxy *new)
NST_ENTRY_HOOKS(commit_creds, commit_creds, on_commit_creds(new),
		struct cred *new)
