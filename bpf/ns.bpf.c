// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.create and ns.setns from tracepoints, which every kernel with BTF
 * allows: task_newtask for clone/clone3, the unshare and setns syscall
 * tracepoints for the rest.
 */
#include "common.bpf.h"

/*
 * Syscalls in flight, by thread: what the enter half saw. LRU, so that a
 * thread that never reaches the exit half cannot fill the map.
 */
struct pending {
	__u64 flags; /* clone3 and unshare: the CLONE_NEW* asked for */
	__u32 ns[NST_NS_TYPES]; /* setns: where the thread was */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending);
} pending_clone3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending);
} pending_unshare SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending);
} pending_setns SEC(".maps");

static const __u64 ns_clone_flag[NST_NS_TYPES] = {
	[NST_NS_NET] = NST_CLONE_NEWNET,
	[NST_NS_MNT] = NST_CLONE_NEWNS,
	[NST_NS_UTS] = NST_CLONE_NEWUTS,
	[NST_NS_IPC] = NST_CLONE_NEWIPC,
	[NST_NS_PID] = NST_CLONE_NEWPID,
	[NST_NS_USER] = NST_CLONE_NEWUSER,
	[NST_NS_CGROUP] = NST_CLONE_NEWCGROUP,
	[NST_NS_TIME] = NST_CLONE_NEWTIME,
};

static __always_inline void emit_created(struct task_struct *task, __u64 flags,
					 __u32 origin, __u32 child_pid)
{
	__u32 ns[NST_NS_TYPES];

	nst_task_ns(task, ns);
	for (int i = 0; i < NST_NS_TYPES; i++) {
		struct nst_event *e;

		if (!(flags & ns_clone_flag[i]) ||
		    !nst_wants(NST_EV_NS_CREATE, i))
			continue;
		e = nst_reserve(NST_EV_NS_CREATE, sizeof(e->create));
		if (!e)
			continue;
		e->create.ns_type = i;
		e->create.ns = ns[i];
		e->create.origin = origin;
		e->create.child_pid = child_pid;
		nst_submit(e);
	}
}

/*
 * Fires once copy_process() has given the child its namespaces. Every
 * fork and thread creation passes here, so leave on the flags first.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(nst_tp_task_newtask, struct task_struct *task, u64 clone_flags)
{
	__u32 tid, origin = NST_ORIGIN_CLONE;
	struct pending *p;

	if (!(clone_flags & NST_CLONE_NS_FLAGS) || !nst_wants_task())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	p = bpf_map_lookup_elem(&pending_clone3, &tid);
	if (p && p->flags == (clone_flags & NST_CLONE_NS_FLAGS))
		origin = NST_ORIGIN_CLONE3;
	if (p)
		bpf_map_delete_elem(&pending_clone3, &tid);
	emit_created(task, clone_flags, origin, BPF_CORE_READ(task, tgid));
	return 0;
}

/* clone3 and clone reach task_newtask alike; remember which one it was. */
SEC("tp/syscalls/sys_enter_clone3")
int nst_tp_enter_clone3(struct trace_event_raw_sys_enter *ctx)
{
	struct clone_args *uargs = (void *)ctx->args[0];
	struct pending p = {};
	__u32 tid;

	if (bpf_probe_read_user(&p.flags, sizeof(p.flags), &uargs->flags))
		return 0;
	p.flags &= NST_CLONE_NS_FLAGS;
	if (!p.flags || !nst_wants_task())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_clone3, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_clone3")
int nst_tp_exit_clone3(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid;

	/* A failed clone3 never reached task_newtask: forget it. */
	if (ctx->ret >= 0)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&pending_clone3, &tid);
	return 0;
}

SEC("tp/syscalls/sys_enter_unshare")
int nst_tp_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	struct pending p = { .flags = ctx->args[0] & NST_CLONE_NS_FLAGS };
	__u32 tid;

	if (!p.flags || !nst_wants_task())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_unshare, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_unshare")
int nst_tp_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&pending_unshare, &tid);

	if (!p)
		return 0;
	if (ctx->ret == 0)
		emit_created(bpf_get_current_task_btf(), p->flags,
			     NST_ORIGIN_UNSHARE, 0);
	bpf_map_delete_elem(&pending_unshare, &tid);
	return 0;
}

SEC("tp/syscalls/sys_enter_setns")
int nst_tp_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	struct pending p = {};
	__u32 tid;

	if (!nst_wants_task())
		return 0;
	nst_task_ns(bpf_get_current_task_btf(), p.ns);
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_setns, &tid, &p, BPF_ANY);
	return 0;
}

/* setns with a pidfd can switch several types at once: one event each. */
SEC("tp/syscalls/sys_exit_setns")
int nst_tp_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&pending_setns, &tid);
	__u32 now[NST_NS_TYPES];

	if (!p)
		return 0;
	if (ctx->ret == 0) {
		nst_task_ns(bpf_get_current_task_btf(), now);
		for (int i = 0; i < NST_NS_TYPES; i++) {
			struct nst_event *e;

			if (now[i] == p->ns[i] ||
			    !nst_wants(NST_EV_NS_SETNS, i))
				continue;
			e = nst_reserve(NST_EV_NS_SETNS, sizeof(e->setns));
			if (!e)
				continue;
			e->setns.ns_type = i;
			e->setns.from_ns = p->ns[i];
			e->setns.to_ns = now[i];
			nst_submit(e);
		}
	}
	bpf_map_delete_elem(&pending_setns, &tid);
	return 0;
}
