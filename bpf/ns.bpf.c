// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.create and ns.setns from tracepoints, which every kernel with BTF
 * allows: task_newtask for clone and clone3, and the unshare and setns
 * syscall tracepoints, whose enter half saves where the thread was and
 * whose exit half compares. Where fentry or kprobes exist, nsswitch.bpf.c
 * replaces the syscall tracepoints, which slow every syscall down.
 */
#include "ns.bpf.h"

/*
 * Where a thread we trace was when its setns or unshare began, for the
 * exit half to compare. In the task's own storage: a lookup there is a
 * pointer walk from the task, where a hash map's update and delete cost
 * more than the rest of the two halves; it goes with the task.
 */
struct pending_ns {
	struct ns_set was;
	__u32 armed; /* set by the enter half, cleared by the exit half */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_ns);
} pending_ns SEC(".maps");

static const __u64 ns_clone_flag[NST_NS_TYPES] = {
	[NST_NS_NET] = NST_CLONE_NEWNET,       [NST_NS_MNT] = NST_CLONE_NEWNS,
	[NST_NS_UTS] = NST_CLONE_NEWUTS,       [NST_NS_IPC] = NST_CLONE_NEWIPC,
	[NST_NS_PID] = NST_CLONE_NEWPID,       [NST_NS_USER] = NST_CLONE_NEWUSER,
	[NST_NS_CGROUP] = NST_CLONE_NEWCGROUP, [NST_NS_TIME] = NST_CLONE_NEWTIME,
};

/*
 * Fires once copy_process() has given the child its namespaces: one
 * record per CLONE_NEW* flag, with the child's inode. Every fork and
 * thread creation passes here, so leave on the flags first.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(nst_tp_task_newtask, struct task_struct *task, u64 clone_flags)
{
	struct ns_set ns;
	__u32 origin;

	if (!(clone_flags & NST_CLONE_NS_FLAGS) || !nst_wants_task())
		return 0;
	origin = current_syscall() == NST_NR_CLONE3 ? NST_ORIGIN_CLONE3
						    : NST_ORIGIN_CLONE;
	nst_task_ns(task, &ns);
	for (int i = 0; i < NST_NS_TYPES; i++) {
		struct nst_event *e;

		if (!(clone_flags & ns_clone_flag[i]) ||
		    !nst_wants(NST_EV_NS_CREATE, i))
			continue;
		e = nst_reserve(NST_EV_NS_CREATE, sizeof(e->create));
		if (!e)
			continue;
		e->create.ns_type = i;
		e->create.ns = ns.ns[i];
		e->create.origin = origin;
		if (i == NST_NS_NET)
			e->create.ns_cookie = ns.net_cookie;
		e->create.child_pid = BPF_CORE_READ(task, tgid);
		nst_submit(e);
	}
	return 0;
}

/*
 * Whether a switch of the types in flags (CLONE_NEW*) could make a record
 * of that kind: most runs leave here, on filters the verifier knows.
 */
static __always_inline bool wants_switch(__u32 kind, __u64 flags)
{
	if (!(targ_ev_mask & NST_EV_BIT(kind)))
		return false;
	for (int i = 0; i < NST_NS_TYPES; i++)
		if ((flags & ns_clone_flag[i]) && (targ_ns_mask & (1u << i)))
			return true;
	return false;
}

/* Where a thread we trace is, for the exit half to compare. */
static __always_inline void save_ns(__u32 kind, __u64 flags)
{
	struct pending_ns *p;

	if (!wants_switch(kind, flags) || !nst_wants_task())
		return;
	p = bpf_task_storage_get(&pending_ns, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return;
	nst_current_ns(&p->was);
	p->armed = 1;
}

static __always_inline void compare_ns(long ret, bool created)
{
	struct pending_ns *p;
	struct ns_set now;

	p = bpf_task_storage_get(&pending_ns, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->armed)
		return;
	p->armed = 0;
	if (ret == 0) {
		nst_current_ns(&now);
		nst_emit_ns_changes(&p->was, &now, created);
	}
}

SEC("tp/syscalls/sys_enter_unshare")
int nst_tp_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	save_ns(NST_EV_NS_CREATE, ctx->args[0]);
	return 0;
}

SEC("tp/syscalls/sys_exit_unshare")
int nst_tp_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	compare_ns(ctx->ret, true);
	return 0;
}

SEC("tp/syscalls/sys_enter_setns")
int nst_tp_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	/*
	 * A nonzero nstype names the types that may change (an nsfs fd of
	 * another type fails); 0 takes the nsfs fd's type, which may be any.
	 */
	save_ns(NST_EV_NS_SETNS,
		ctx->args[1] ? ctx->args[1] : NST_CLONE_NS_FLAGS);
	return 0;
}

/* setns with a pidfd can switch several types at once: one event each. */
SEC("tp/syscalls/sys_exit_setns")
int nst_tp_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	compare_ns(ctx->ret, false);
	return 0;
}
