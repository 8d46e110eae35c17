/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel field renames, in one place. Each flavour below is the older
 * layout of a structure; bpf_core_field_exists() picks the one the running
 * kernel has, so one object file loads on every kernel nstrace supports.
 */
#ifndef NSTRACE_COMPAT_BPF_H
#define NSTRACE_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include "arch.bpf.h"

/* Newer kernels call the namespace reference count __ns_ref, older ones count. */
struct ns_common___count {
	refcount_t count;
} __attribute__((preserve_access_index));

static __always_inline int ns_common_refs(struct ns_common *ns)
{
	struct ns_common___count *old = (void *)ns;

	if (bpf_core_field_exists(ns->__ns_ref))
		return BPF_CORE_READ(ns, __ns_ref.refs.counter);
	return BPF_CORE_READ(old, count.refs.counter);
}

/*
 * The "may not leave its netns" mark (loopback and friends) was a feature
 * bit, NETIF_F_NETNS_LOCAL (bit 13 for as long as it existed), then the
 * bitfield netns_local, now netns_immutable.
 */
struct net_device___netns_local {
	unsigned long netns_local : 1;
} __attribute__((preserve_access_index));

#define NST_NETIF_F_NETNS_LOCAL_BIT 13

static __always_inline bool netdev_netns_immutable(struct net_device *dev)
{
	struct net_device___netns_local *mid = (void *)dev;

	if (bpf_core_field_exists(dev->netns_immutable))
		return BPF_CORE_READ_BITFIELD_PROBED(dev, netns_immutable);
	if (bpf_core_field_exists(mid->netns_local))
		return BPF_CORE_READ_BITFIELD_PROBED(mid, netns_local);
	return BPF_CORE_READ(dev, features) &
	       (1ULL << NST_NETIF_F_NETNS_LOCAL_BIT);
}

/*
 * A namespace's type (its CLONE_NEW* flag): newer kernels (6.18) keep it
 * in ns_common.ns_type, older ones (6.1) only in its proc_ns_operations.
 */
struct proc_ns_operations___type {
	int type;
} __attribute__((preserve_access_index));

static __always_inline __u32 ns_common_clone_flag(struct ns_common *ns)
{
	const struct proc_ns_operations___type *ops;

	if (bpf_core_field_exists(ns->ns_type))
		return BPF_CORE_READ(ns, ns_type);
	ops = (const void *)BPF_CORE_READ(ns, ops);
	return BPF_CORE_READ(ops, type);
}

/*
 * netdev_priv(): newer kernels (6.18) end struct net_device with the
 * flexible array priv[]; older ones (6.1) put the driver's area at the
 * next NETDEV_ALIGN (32) boundary after the structure.
 */
static __always_inline void *netdev_priv_area(struct net_device *dev)
{
	if (bpf_core_field_exists(dev->priv))
		return (char *)dev + bpf_core_field_offset(dev->priv);
	return (char *)dev +
	       ((bpf_core_type_size(struct net_device) + 31) & ~31UL);
}

/*
 * A veth's peer. struct veth_priv is the veth module's, so relocating a
 * field of it makes libbpf search every module's BTF, and listing those
 * (BPF_BTF_GET_NEXT_ID) needs CAP_SYS_ADMIN: an nstrace run with only
 * CAP_BPF and CAP_PERFMON could not load where veth is a module. peer has
 * been the first member of veth_priv since veth was added, so it is read
 * at offset 0 of the private area, with no relocation.
 */
struct nst_veth_priv {
	struct net_device *peer;
};

static __always_inline struct net_device *veth_priv_peer(struct net_device *dev)
{
	struct nst_veth_priv *priv = netdev_priv_area(dev);
	struct net_device *peer = NULL;

	bpf_probe_read_kernel(&peer, sizeof(peer), &priv->peer);
	return peer;
}

/*
 * The lowest ifindex a device registered from now on in net can get.
 * net->ifindex is the last index handed out on older kernels (6.1), and
 * the next one to try since indexes live in the dev_by_index xarray.
 */
static __always_inline __u32 net_next_ifindex(struct net *net)
{
	__u32 counter = BPF_CORE_READ(net, ifindex);

	if (bpf_core_field_exists(net->dev_by_index))
		return counter;
	return counter + 1;
}

/*
 * net_cookie itself, what SO_NETNS_COOKIE gives, or 0 before 5.12: the
 * cookie fields of the records, which never carry a number of nstrace's.
 */
static __always_inline __u64 net_cookie(struct net *net)
{
	if (bpf_core_field_exists(net->net_cookie))
		return BPF_CORE_READ(net, net_cookie);
	return 0;
}

/*
 * What tells one network namespace from every other, for as long as the
 * machine runs: net_cookie, a plain u64 set once when the netns is set up
 * (5.12 on). The address of struct net and the inode are both used again
 * by the next netns once one is freed. Before 5.12 net_cookie was an
 * atomic64_t filled only when asked for (CO-RE sees another type, so the
 * field does not match); there the address is mixed with hash_mix, a
 * random number each netns gets: a netns in the memory of a dead one
 * almost surely draws another. net_identity_of() takes the cookie where
 * the caller has read it already.
 */
static __always_inline __u64 net_identity_of(struct net *net, __u64 cookie)
{
	if (cookie)
		return cookie;
	return (__u64)net ^ ((__u64)BPF_CORE_READ(net, hash_mix) << 32);
}

static __always_inline __u64 net_identity(struct net *net)
{
	return net_identity_of(net, net_cookie(net));
}

/*
 * Whether a process is acting, rather than a kernel thread or an
 * interrupt (a softirq running RCU callbacks that free sockets, say) on
 * top of whichever task it interrupted. The preempt count would say, but
 * x86 keeps it in a per-CPU variable that kernels without
 * CONFIG_KALLSYMS_ALL do not let BPF find. x86_64 and arm64 run
 * interrupts on stacks of their own, though, and a hook's context (the
 * tracepoint's arguments, the probe's registers) is on the stack the hook
 * runs on, unlike the program's own frame, which newer kernels keep per
 * CPU: on the task's stack only in the task's context. That stack is
 * stack_vm_area->size long (guard page included) where CONFIG_VMAP_STACK
 * is on, else THREAD_SIZE, 16 KiB without KASAN. An interrupt that came
 * from user mode stays on the task's stack, though, and so do the softirqs
 * run as it ends: the saved registers then hold no syscall number but, on
 * x86, the interrupt's vector, negative for the timer and IPIs that raise
 * RCU's softirq, and on arm64 -1 (NO_SYSCALL). A process outside a syscall (killed at an interrupt's return,
 * say) is then not named either: better no name than a bystander's.
 */
#define NST_PF_KTHREAD 0x00200000
#define NST_THREAD_SIZE 16384

static __always_inline bool current_is_process(const void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 base = (__u64)BPF_CORE_READ(task, stack);
	__u64 size = NST_THREAD_SIZE, at = 0;
	struct vm_struct *area = NULL;

	if ((BPF_CORE_READ(task, flags) & NST_PF_KTHREAD) ||
	    current_syscall() < 0)
		return false;
	/* Read back, the address is a number to compare, not a pointer. */
	bpf_probe_read_kernel(&at, sizeof(at), &ctx);
	if (bpf_core_field_exists(task->stack_vm_area))
		area = BPF_CORE_READ(task, stack_vm_area);
	if (area)
		size = BPF_CORE_READ(area, size);
	return at - base < size;
}

#endif /* NSTRACE_COMPAT_BPF_H */
