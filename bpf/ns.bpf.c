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
 * Syscalls in flight, by thread: where the thread was. LRU, so that a
 * thread that never reaches the exit half cannot fill the map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ns_set);
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

/* Where a thread we trace is, for the exit half to compare. */
static __always_inline void save_ns(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ns_set ns;

	if (!nst_wants_task())
		return;
	nst_task_ns(bpf_get_current_task_btf(), &ns);
	bpf_map_update_elem(&pending_ns, &tid, &ns, BPF_ANY);
}

static __always_inline void compare_ns(long ret, bool created)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ns_set *was = bpf_map_lookup_elem(&pending_ns, &tid), now;

	if (!was)
		return;
	if (ret == 0) {
		nst_task_ns(bpf_get_current_task_btf(), &now);
		nst_emit_ns_changes(was, &now, created);
	}
	bpf_map_delete_elem(&pending_ns, &tid);
}

SEC("tp/syscalls/sys_enter_unshare")
int nst_tp_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] & NST_CLONE_NS_FLAGS)
		save_ns();
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
	save_ns();
	return 0;
}

/* setns with a pidfd can switch several types at once: one event each. */
SEC("tp/syscalls/sys_exit_setns")
int nst_tp_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	compare_ns(ctx->ret, false);
	return 0;
}
