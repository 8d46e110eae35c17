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

/*
 * veth ends queued as the peer of a device of a dying netns: the peer ->
 * that netns. veth_dellink() queues the device first, then its
 * peer, and clears both peer pointers in between.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct net_id);
} dying_peer SEC(".maps");

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

/* The dying netns whose device took this one with it, or none. */
static __always_inline struct net_id
peer_netns_of(struct net_device *dev, bool own_dying, struct net *net)
{
	struct net_id id = {}, *was;
	struct net_device *peer;
	__u64 key = (__u64)dev;

	/* Taken whatever comes next: the address goes to another device. */
	was = bpf_map_lookup_elem(&dying_peer, &key);
	if (was) {
		id = *was;
		bpf_map_delete_elem(&dying_peer, &key);
	}
	if (!own_dying)
		return id;
	peer = veth_peer(dev);
	if (peer && dev_net_of(peer) != net) {
		key = (__u64)peer;
		id = net_id_of(net);
		bpf_map_update_elem(&dying_peer, &key, &id, BPF_ANY);
	}
	id.inum = 0;
	id.cookie = 0;
	return id;
}

static __always_inline void unregistering(struct net_device *dev)
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
	if (dying)
		peer = peer_netns_of(dev, own_dying, net);
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
		unregistering(dev), struct net_device *dev)

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
