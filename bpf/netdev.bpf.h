/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading network devices and namespaces, for netdev.bpf.c and netns.bpf.c. */
#ifndef NSTRACE_NETDEV_BPF_H
#define NSTRACE_NETDEV_BPF_H

#include "common.bpf.h"

/*
 * The rtnetlink ABI (linux/rtnetlink.h, linux/if_link.h): the link
 * requests that move, create or delete a device, and the attributes that
 * name another netns.
 */
#define NST_RTM_NEWLINK 16
#define NST_RTM_DELLINK 17
#define NST_RTM_SETLINK 19
#define NST_IFLA_NET_NS_PID 19
#define NST_IFLA_NET_NS_FD 28
#define NST_IFLA_TARGET_NETNSID 46

/* What a device was: copied out, since the device itself may be freed. */
struct dev_snap {
	__u64 dev; /* struct net_device *, 0: none */
	__u64 net_cookie; /* of netns */
	__u64 net_id; /* net_identity() of its netns: inodes are reused */
	__u32 netns;
	__u32 ifindex;
	char ifname[NST_IFNAME_LEN];
	char kind[NST_KIND_LEN];
};

/*
 * List steps through a local pointer: BPF_CORE_READ() on a member of one
 * of our own structs would ask CO-RE to relocate that struct too.
 */
static __always_inline struct list_head *read_list_next(struct list_head *n)
{
	return BPF_CORE_READ(n, next);
}

static __always_inline struct list_head *read_list_prev(struct list_head *n)
{
	return BPF_CORE_READ(n, prev);
}

static __always_inline struct net *dev_net_of(struct net_device *dev)
{
	return BPF_CORE_READ(dev, nd_net.net);
}

static __always_inline __u32 net_inum(struct net *net)
{
	return BPF_CORE_READ(net, ns.inum);
}

static __always_inline void dev_snapshot(struct net_device *dev,
					 struct dev_snap *s)
{
	const char *kind = BPF_CORE_READ(dev, rtnl_link_ops, kind);
	struct net *net = dev_net_of(dev);

	s->dev = (__u64)dev;
	s->netns = net_inum(net);
	s->net_cookie = net_cookie(net);
	s->net_id = net_identity_of(net, s->net_cookie);
	s->ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&s->ifname, dev, name);
	if (kind)
		bpf_probe_read_kernel_str(s->kind, sizeof(s->kind), kind);
	else
		s->kind[0] = '\0';
}

/* Whether the device named now differs from its snapshot's name. */
static __always_inline bool dev_snap_renamed(const struct dev_snap *s,
					     const char now[NST_IFNAME_LEN])
{
	for (int i = 0; i < NST_IFNAME_LEN; i++) {
		if (now[i] != s->ifname[i])
			return true;
		if (!now[i])
			break;
	}
	return false;
}

static __always_inline bool is_veth(struct net_device *dev)
{
	const char *kind = BPF_CORE_READ(dev, rtnl_link_ops, kind);
	char k[5] = {};

	return kind && bpf_probe_read_kernel_str(k, sizeof(k), kind) == 5 &&
	       k[0] == 'v' && k[1] == 'e' && k[2] == 't' && k[3] == 'h';
}

/* The other end of a veth pair, or NULL for any other kind of device. */
static __always_inline struct net_device *veth_peer(struct net_device *dev)
{
	return is_veth(dev) ? veth_priv_peer(dev) : NULL;
}

/*
 * The same, for a device of a netns being torn down, even once
 * veth_dellink() has run: it clears both peer pointers and queues the
 * peer on the kill list right behind the device, which stays on its
 * netns's list until unregister_netdevice_many() unlists the batch. The
 * cleanup work's first notifier call can come in between: the batch's
 * devices that are up are told NETDEV_GOING_DOWN before any is unlisted.
 * (A veth is never last on the kill list: its netns's loopback follows.)
 */
static __always_inline struct net_device *veth_peer_dying(struct net_device *dev)
{
	struct list_head *self, *next;
	struct net_device *peer;

	if (!is_veth(dev))
		return NULL;
	peer = veth_priv_peer(dev);
	if (peer)
		return peer;
	self = &dev->unreg_list;
	next = read_list_next(self);
	if (!next || next == self)
		return NULL;
	peer = (void *)next - bpf_core_field_offset(struct net_device, unreg_list);
	if (BPF_CORE_READ(peer, rtnl_link_ops) != BPF_CORE_READ(dev, rtnl_link_ops))
		return NULL;
	return peer;
}

/* How a request reached the kernel, for hooks inside the kernel. */
static __always_inline __u32 current_origin(void)
{
	long nr = current_syscall();

	if (nr == NST_NR_SENDMSG)
		return NST_ORIGIN_SENDMSG;
	if (nr == NST_NR_SENDTO)
		return NST_ORIGIN_SENDTO;
	if (nr == NST_NR_IOCTL)
		return NST_ORIGIN_IOCTL;
	return NST_ORIGIN_NONE;
}

/* The inode and cookie of a netns a record names. */
struct net_id {
	__u32 inum;
	__u32 pad;
	__u64 cookie;
};

static __always_inline struct net_id net_id_of(struct net *net)
{
	struct net_id id = { .inum = net_inum(net), .cookie = net_cookie(net) };

	return id;
}

/* peer: the peer_netns of struct nst_netdev_life, or none. */
static __always_inline void emit_life_peer(__u32 kind, const struct dev_snap *s,
					   __u32 origin, struct net_id peer)
{
	struct nst_event *e;

	if (!(targ_ev_mask & NST_EV_BIT(kind)) ||
	    !(targ_ns_mask & (1u << NST_NS_NET)))
		return;
	e = nst_reserve(kind, sizeof(e->life));
	if (!e)
		return;
	e->life.netns = s->netns;
	e->life.ifindex = s->ifindex;
	e->life.origin = origin;
	e->life.netns_cookie = s->net_cookie;
	e->life.peer_netns = peer.inum;
	e->life.peer_netns_cookie = peer.cookie;
	__builtin_memcpy(e->life.ifname, s->ifname, sizeof(e->life.ifname));
	__builtin_memcpy(e->life.kind, s->kind, sizeof(e->life.kind));
	nst_submit(e);
}

static __always_inline void emit_life(__u32 kind, const struct dev_snap *s,
				      __u32 origin)
{
	struct net_id none = {};

	emit_life_peer(kind, s, origin, none);
}

/*
 * netdev.move of the device snapshotted in was, to the netns to: with
 * error 0, under the index and name the device has now; else refused,
 * with that error.
 */
static __always_inline void emit_move_of(const struct dev_snap *was,
					 __u32 cause, __u32 origin,
					 struct net_id to, __s32 error)
{
	struct net_device *dev = (void *)was->dev;
	struct nst_event *e;

	e = nst_reserve(NST_EV_NETDEV_MOVE, sizeof(e->move));
	if (!e)
		return;
	e->move.cause = cause;
	e->move.origin = origin;
	e->move.from_netns = was->netns;
	e->move.from_netns_cookie = was->net_cookie;
	e->move.to_netns = to.inum;
	e->move.to_netns_cookie = to.cookie;
	e->move.ifindex = was->ifindex;
	__builtin_memcpy(e->move.ifname, was->ifname, sizeof(e->move.ifname));
	e->move.error = error;
	if (!error) {
		e->move.new_ifindex = BPF_CORE_READ(dev, ifindex);
		BPF_CORE_READ_STR_INTO(&e->move.new_ifname, dev, name);
	}
	nst_submit(e);
}

#endif /* NSTRACE_NETDEV_BPF_H */
