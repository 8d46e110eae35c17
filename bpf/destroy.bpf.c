// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.destroy for the seven namespace types other than net, from the
 * functions that free them, where the kernel allows fentry or kprobes.
 * Each type has its own free path; where the kernel frees from a work
 * item or an RCU callback (user, pid), the last holder is gone by then
 * and is not named. Network namespaces come from netns.bpf.c, under
 * every backend, since there the dying netns's interfaces can be read.
 */
#include "netdev.bpf.h"

/*
 * dropper: the hook's context where the put that frees runs in the task
 * that dropped the last reference, NULL where the kernel frees it later.
 */
static __always_inline void emit_ns_destroy(__u32 type, struct ns_common *ns,
					    const void *dropper)
{
	__u32 inum = BPF_CORE_READ(ns, inum);
	struct nst_event *e;

	/* Mount namespaces of open_tree() and friends have no inode. */
	if (!inum || inum == ~0u || !nst_wants(NST_EV_NS_DESTROY, type))
		return;
	if (dropper && !nst_wants_task())
		return;
	if (!dropper && targ_tgid)
		return; /* a kernel worker is never the traced process */
	e = nst_reserve(NST_EV_NS_DESTROY,
			offsetof(struct nst_ns_destroy, devs));
	if (!e)
		return;
	e->destroy.ns_type = type;
	e->destroy.ns = inum;
	if (dropper && current_is_process(dropper)) {
		e->destroy.killer_pid = e->task.pid;
		__builtin_memcpy(e->destroy.killer_comm, e->task.comm,
				 sizeof(e->destroy.killer_comm));
	}
	nst_submit(e);
}

/* Called with the last reference about to go: the put that frees. */
static __always_inline bool last_ref(struct ns_common *ns)
{
	return ns_common_refs(ns) == 1;
}

static __always_inline void on_uts(const void *ctx, struct uts_namespace *ns)
{
	emit_ns_destroy(NST_NS_UTS, &ns->ns, ctx);
}

static __always_inline void on_ipc_put(const void *ctx,
				       struct ipc_namespace *ns)
{
	if (last_ref(&ns->ns))
		emit_ns_destroy(NST_NS_IPC, &ns->ns, ctx);
}

static __always_inline void on_mnt_put(const void *ctx,
				       struct mnt_namespace *ns)
{
	if (last_ref(&ns->ns))
		emit_ns_destroy(NST_NS_MNT, &ns->ns, ctx);
}

static __always_inline void on_pid_rcu(const void *ctx,
				       struct callback_head *rcu)
{
	struct pid_namespace *ns =
		(void *)rcu - bpf_core_field_offset(struct pid_namespace, rcu);

	emit_ns_destroy(NST_NS_PID, &ns->ns, NULL);
}

static __always_inline void on_user(const void *ctx, struct user_namespace *ns)
{
	emit_ns_destroy(NST_NS_USER, &ns->ns, ctx);
}

static __always_inline void on_cgroup(const void *ctx,
				      struct cgroup_namespace *ns)
{
	emit_ns_destroy(NST_NS_CGROUP, &ns->ns, ctx);
}

static __always_inline void on_time(const void *ctx, struct time_namespace *ns)
{
	emit_ns_destroy(NST_NS_TIME, &ns->ns, ctx);
}

#define NST_DESTROY_HOOK(func, handler, type) \
	NST_ENTRY_HOOKS(func, func, handler(ctx, arg), type arg)

NST_DESTROY_HOOK(free_uts_ns, on_uts, struct uts_namespace *)
NST_DESTROY_HOOK(put_ipc_ns, on_ipc_put, struct ipc_namespace *)
NST_DESTROY_HOOK(put_mnt_ns, on_mnt_put, struct mnt_namespace *)
NST_DESTROY_HOOK(delayed_free_pidns, on_pid_rcu, struct callback_head *)
NST_DESTROY_HOOK(__put_user_ns, on_user, struct user_namespace *)
NST_DESTROY_HOOK(free_cgroup_ns, on_cgroup, struct cgroup_namespace *)
NST_DESTROY_HOOK(free_time_ns, on_time, struct time_namespace *)
