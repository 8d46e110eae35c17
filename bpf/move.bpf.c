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

/* Threads inside rtnetlink_rcv_msg() for a link request. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
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
	struct move_start m = {};
	struct net *from;

	if (!nst_wants(NST_EV_NETDEV_MOVE, NST_NS_NET))
		return;
	from = dev_net_of(dev);
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
	__u32 to = net_inum((void *)m->to_net);

	/* Moving into the netns it is already in is no move at all. */
	if (m->ret == 0 && m->was.netns == to)
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
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;
	__u16 type = BPF_CORE_READ(nlh, nlmsg_type);

	if (type == NST_RTM_NEWLINK || type == NST_RTM_SETLINK)
		bpf_map_update_elem(&in_link_request, &tid, &one, BPF_ANY);
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
