// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netdev.create and netdev.delete from device registration and
 * unregistration, where fentry or kprobes exist: every device in every
 * namespace, whoever made it (rtnetlink from any sender, ioctls such as
 * TUNSETIFF, a new netns's loopback) and whatever deletes it.
 * unregister_netdevice_queue() is where each device, one by one, is put
 * on its way out, including those of a dying netns.
 */
#include "netdev.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} registering SEC(".maps");

static __always_inline __u32 create_origin(void)
{
	long nr = current_syscall();

	/* Devices a namespace is born with come inside clone or unshare. */
	if (nr == NST_NR_UNSHARE || nr == NST_NR_CLONE || nr == NST_NR_CLONE3)
		return NST_ORIGIN_NETNS_CREATE;
	return current_origin();
}

static __always_inline void registered(struct net_device *dev, long ret)
{
	struct dev_snap s;

	if (ret || !nst_wants_task())
		return;
	dev_snapshot(dev, &s);
	emit_life(NST_EV_NETDEV_CREATE, &s, create_origin());
}

/*
 * A veth pair wholly inside a dying netns is queued twice:
 * default_device_exit_batch() calls each end's dellink, and veth_dellink()
 * queues its peer as well. The second time the device is already linked
 * on the kill list; before the first, its unreg_list points to itself.
 */
static __always_inline bool already_queued(struct net_device *dev)
{
	struct list_head *self = &dev->unreg_list;
	struct list_head *next = read_list_next(self);

	return next && next != self;
}

/*
 * The dying netns whose device took this live one with it, or none.
 * veth_dellink() clears both peer pointers, then queues the device and
 * right after it the peer: a veth queued behind a veth of a dying netns
 * (the kill list's tail as this one is queued) is that one's peer.
 */
static __always_inline struct net_id
peer_netns_of(struct net_device *dev, struct list_head *head, struct net *net)
{
	struct net_id none = {};
	struct list_head *tail;
	struct net_device *prev;
	struct net *prev_net;

	if (!head)
		return none;
	tail = read_list_prev(head);
	if (!tail || tail == head || !is_veth(dev))
		return none;
	prev = (void *)tail - bpf_core_field_offset(struct net_device, unreg_list);
	if (BPF_CORE_READ(prev, rtnl_link_ops) != BPF_CORE_READ(dev, rtnl_link_ops))
		return none;
	prev_net = dev_net_of(prev);
	if (!prev_net || prev_net == net || ns_common_refs(&prev_net->ns))
		return none;
	return net_id_of(prev_net);
}

static __always_inline void unregistering(struct net_device *dev,
					  struct list_head *head)
{
	struct net *net = dev_net_of(dev);
	bool own_dying = ns_common_refs(&net->ns) == 0;
	bool dying = own_dying ||
		     nst_cleanup_tid == (__u32)bpf_get_current_pid_tgid();
	struct net_id peer = {};
	struct dev_snap s;

	if (dying ? targ_tgid != 0 : !nst_wants_task())
		return;
	if (already_queued(dev))
		return;
	if (dying && !own_dying)
		peer = peer_netns_of(dev, head, net);
	dev_snapshot(dev, &s);
	emit_life_peer(NST_EV_NETDEV_DELETE, &s,
		       dying ? NST_ORIGIN_NETNS_EXIT : current_origin(), peer);
}

SEC("fexit/register_netdevice")
int nst_fexit_register_netdevice(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	registered((void *)ctx[0], (int)ret);
	return 0;
}

NST_ENTRY_HOOKS(unregister_netdevice_queue, unregister_netdevice_queue,
		unregistering(dev, head), struct net_device *dev,
		struct list_head *head)

SEC("kprobe/register_netdevice")
int BPF_KPROBE(nst_kprobe_register_netdevice, struct net_device *dev)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 d = (__u64)dev;

	bpf_map_update_elem(&registering, &tid, &d, BPF_ANY);
	return 0;
}

SEC("kretprobe/register_netdevice")
int BPF_KRETPROBE(nst_kretprobe_register_netdevice, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *d = bpf_map_lookup_elem(&registering, &tid);

	if (!d)
		return 0;
	registered((void *)*d, ret);
	bpf_map_delete_elem(&registering, &tid);
	return 0;
}
