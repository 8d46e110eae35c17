// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netdev.move straight from __dev_change_net_namespace(), the one function
 * every move goes through: requests from any sender (sendmsg, sendmmsg,
 * io_uring) and the kernel's own hand-back of devices from a dying netns.
 * Two flavours of the same hook, fentry/fexit and kprobe/kretprobe; the
 * loader keeps the one the kernel allows and switches the other off.
 *
 * A request can move and rename at once (ip link set X netns Y name Z):
 * the kernel renames after the move, so a move asked for by rtnetlink is
 * reported when the message is done, from rtnetlink_rcv_msg()'s return,
 * with the name the device ended up with.
 *
 * netdev.rename from the function that renames: netif_change_name(),
 * which rtnetlink's do_setlink() and dev_change_name() (the SIOCSIFNAME
 * ioctl, drivers) call on newer kernels, or dev_change_name() itself on
 * older ones (6.1), where do_setlink() calls that. The loader hooks the
 * first of the two the kernel has. The rename of a move is the move's.
 */
#include "netdev.bpf.h"

struct move_start {
	struct dev_snap was;
	__u64 to_net;
	__u32 cause;
	__u32 origin;
	__s32 ret;
	__u32 done; /* the function returned; waiting for the message's end */
};

/*
 * Threads inside rtnetlink_rcv_msg() for a link request, and the device
 * it moved (0: none yet).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} in_link_request SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct move_start);
} moving SEC(".maps");

static __always_inline void move_enter(struct net_device *dev, struct net *to)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;
	__u64 *request = bpf_map_lookup_elem(&in_link_request, &tid);
	struct net *from = dev_net_of(dev);
	struct move_start m = {};

	/*
	 * Whatever is wanted, the rename that follows is this move's; into
	 * the netns it is in, there is no move, and the rename is its own.
	 */
	if (request && from != to)
		*request = (__u64)dev;
	if (!nst_wants(NST_EV_NETDEV_MOVE, NST_NS_NET))
		return;
	/* Only a dying netns gives its devices back on its own. */
	m.cause = ns_common_refs(&from->ns) ? NST_CAUSE_REQUEST :
					      NST_CAUSE_NETNS_EXIT;
	if (m.cause == NST_CAUSE_REQUEST && !nst_wants_task())
		return;
	if (m.cause == NST_CAUSE_NETNS_EXIT && targ_tgid)
		return;
	dev_snapshot(dev, &m.was);
	m.to_net = (__u64)to;
	m.origin = m.cause == NST_CAUSE_REQUEST ? current_origin() :
						  NST_ORIGIN_NETNS_EXIT;
	bpf_map_update_elem(&moving, &tid, &m, BPF_ANY);
	if (m.cause == NST_CAUSE_REQUEST)
		bpf_map_update_elem(&move_seen, &tid, &one, BPF_ANY);
}

static __always_inline void emit_move(const struct move_start *m)
{
	struct net_id to = net_id_of((void *)m->to_net);

	/* Moving into the netns it is already in is no move at all. */
	if (m->ret == 0 && m->was.netns == to.inum)
		return;
	emit_move_of(&m->was, m->cause, m->origin, to, m->ret < 0 ? m->ret : 0);
}

static __always_inline void move_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct move_start *m = bpf_map_lookup_elem(&moving, &tid);

	if (!m)
		return;
	m->ret = ret;
	m->done = 1;
	/* Inside a link request, wait for its rename (link_request_end). */
	if (m->cause == NST_CAUSE_REQUEST &&
	    bpf_map_lookup_elem(&in_link_request, &tid))
		return;
	emit_move(m);
	bpf_map_delete_elem(&moving, &tid);
}

static __always_inline void link_request_start(struct nlmsghdr *nlh)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u16 type = BPF_CORE_READ(nlh, nlmsg_type);
	__u64 none = 0;

	if (type == NST_RTM_NEWLINK || type == NST_RTM_SETLINK)
		bpf_map_update_elem(&in_link_request, &tid, &none, BPF_ANY);
}

static __always_inline void link_request_end(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct move_start *m;

	if (bpf_map_delete_elem(&in_link_request, &tid))
		return; /* not a link request */
	m = bpf_map_lookup_elem(&moving, &tid);
	if (!m || !m->done)
		return;
	emit_move(m);
	bpf_map_delete_elem(&moving, &tid);
}

NST_ENTRY_HOOKS(rtnetlink_rcv_msg, rtnetlink_rcv_msg, link_request_start(nlh),
		struct sk_buff *skb, struct nlmsghdr *nlh)
NST_RETURN_HOOKS(rtnetlink_rcv_msg, rtnetlink_rcv_msg, link_request_end())

NST_ENTRY_HOOKS(__dev_change_net_namespace, dev_change_net_namespace,
		move_enter(dev, net), struct net_device *dev, struct net *net)

/* The return value's place depends on the kernel's argument count. */
SEC("fexit/__dev_change_net_namespace")
int nst_fexit_dev_change_net_namespace(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	move_exit((int)ret);
	return 0;
}

SEC("kretprobe/__dev_change_net_namespace")
int BPF_KRETPROBE(nst_kretprobe_dev_change_net_namespace, int ret)
{
	move_exit(ret);
	return 0;
}

struct rename_start {
	struct dev_snap was;
	__u32 cause;
	__u32 origin;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct rename_start);
} renaming SEC(".maps");

static __always_inline void rename_enter(struct net_device *dev)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *request = bpf_map_lookup_elem(&in_link_request, &tid);
	struct rename_start r = {};

	if (!nst_wants(NST_EV_NETDEV_RENAME, NST_NS_NET))
		return;
	if (request && *request == (__u64)dev)
		return; /* the move's netdev.move has the new name */
	r.origin = current_origin();
	/* Neither rtnetlink nor SIOCSIFNAME: a driver renames on its own. */
	r.cause = request || r.origin == NST_ORIGIN_IOCTL ? NST_CAUSE_REQUEST :
							    NST_CAUSE_KERNEL;
	if (r.cause == NST_CAUSE_REQUEST ? !nst_wants_task() : targ_tgid)
		return;
	if (r.cause == NST_CAUSE_KERNEL)
		r.origin = NST_ORIGIN_NONE;
	dev_snapshot(dev, &r.was);
	bpf_map_update_elem(&renaming, &tid, &r, BPF_ANY);
}

static __always_inline void rename_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rename_start *r = bpf_map_lookup_elem(&renaming, &tid);
	char now[NST_IFNAME_LEN] = {};
	struct net_device *dev;
	struct nst_event *e;

	if (!r)
		return;
	dev = (void *)r->was.dev;
	BPF_CORE_READ_STR_INTO(&now, dev, name);
	/* Refused, or the same name again: nothing was renamed. */
	if (ret || !dev_snap_renamed(&r->was, now))
		goto out;
	e = nst_reserve(NST_EV_NETDEV_RENAME, sizeof(e->rename));
	if (!e)
		goto out;
	e->rename.netns = r->was.netns;
	e->rename.netns_cookie = r->was.net_cookie;
	e->rename.ifindex = r->was.ifindex;
	e->rename.cause = r->cause;
	e->rename.origin = r->origin;
	__builtin_memcpy(e->rename.ifname, r->was.ifname,
			 sizeof(e->rename.ifname));
	__builtin_memcpy(e->rename.new_ifname, now, sizeof(now));
	nst_submit(e);
out:
	bpf_map_delete_elem(&renaming, &tid);
}

/* Both functions take (dev, newname) and return 0 or -errno. */
#define RENAME_HOOKS(func)                                                     \
	NST_ENTRY_HOOKS(func, func, rename_enter(dev), struct net_device *dev, \
			const char *newname)                                   \
	SEC("fexit/" #func)                                                    \
	int BPF_PROG(nst_fexit_##func, struct net_device *dev,                 \
		     const char *newname, int ret)                             \
	{                                                                      \
		rename_exit(ret);                                              \
		return 0;                                                      \
	}                                                                      \
	SEC("kretprobe/" #func)                                                \
	int BPF_KRETPROBE(nst_kretprobe_##func, int ret)                       \
	{                                                                      \
		rename_exit(ret);                                              \
		return 0;                                                      \
	}

RENAME_HOOKS(netif_change_name)
RENAME_HOOKS(dev_change_name)
