// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netdev.move, netdev.create and netdev.delete caused by rtnetlink
 * requests, seen from the sendmsg and sendto syscall tracepoints. The
 * kernel handles an rtnetlink request synchronously inside the syscall, so
 * what the enter half finds (the device, its namespace) can be compared
 * with what the exit half sees, and the kernel's answer (the ack) is
 * already queued on the sender's socket when the syscall returns.
 *
 * Every sendmsg on the machine passes here: the enter half leaves after a
 * few loads unless the socket is NETLINK_ROUTE, and the exit half after
 * one load unless a request is in flight.
 */
#include "netdev.bpf.h"

#define NST_AF_NETLINK 16
#define NST_NSFS_MAGIC 0x6e736673
#define NST_NETLINK_ROUTE 0
#define NST_NLMSG_ERROR 2
#define NST_NLA_TYPE_MASK 0x3fff
#define NST_NLMSG_HDRLEN 16
#define NST_IFINFOMSG_LEN 16
#define NST_MAX_ATTRS 32
#define NST_MAX_DEVS_WALKED 4096
#define NST_ACKS_LOOKED_AT 4

/* A request between its sendmsg's enter and exit. */
struct rtnl_req {
	__u64 sk; /* struct sock * it was sent on */
	__u64 src_net; /* struct net * of that socket */
	__u64 dest_net; /* struct net * named by IFLA_NET_NS_FD, else 0 */
	__u32 seq;
	__u16 type; /* RTM_* */
	__u16 has_target; /* asked for another netns */
	__u32 dest_netns; /* inode of dest_net */
	__u32 new_ifindex; /* a device created now gets this or above */
	__u32 origin;
	__u32 pad;
	struct dev_snap dev; /* the device it names, as it was */
	struct dev_snap peer; /* the veth peer of that device */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct rtnl_req);
} pending_rtnl SEC(".maps");

/* Too big for the BPF stack: built here, then copied into the map. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnl_req);
} rtnl_scratch SEC(".maps");

/*
 * Requests in flight anywhere: the exit half of every sendmsg reads this
 * and leaves when it is zero, sparing a hash lookup. It is a hint (a
 * thread killed mid-request leaves it high): the map has the truth.
 */
__u64 rtnl_in_flight = 0;

/* The file behind the current task's fd, or NULL. */
static __always_inline struct file *current_file(unsigned long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/*
 * The socket behind fd when it is NETLINK_ROUTE and the caller one we
 * trace, else NULL.
 */
static __always_inline struct sock *rtnl_sock(unsigned long fd)
{
	struct file *file = current_file(fd);
	struct socket *sock;
	struct sock *sk;

	if (!file)
		return NULL;
	/*
	 * private_data is a struct socket only for sockets; for any other
	 * file the syscall fails with ENOTSOCK and the exit half drops it.
	 */
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) != NST_AF_NETLINK ||
	    BPF_CORE_READ(sk, sk_protocol) != NST_NETLINK_ROUTE ||
	    !nst_wants_task())
		return NULL;
	return sk;
}

/* The struct net that an nsfs file (an open /run/netns/X) stands for. */
static __always_inline struct net *net_of_nsfs_fd(__u32 fd)
{
	struct file *file = current_file(fd);
	struct ns_common *ns;

	if (!file)
		return NULL;
	/* Only an nsfs file of a network namespace has one behind it. */
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != NST_NSFS_MAGIC)
		return NULL;
	ns = BPF_CORE_READ(file, f_inode, i_private);
	if (!ns || ns_common_clone_flag(ns) != NST_CLONE_NEWNET)
		return NULL;
	return (void *)ns - bpf_core_field_offset(struct net, ns);
}

struct find_ctx {
	struct list_head *head;
	struct list_head *pos;
	int ifindex;
	__u32 first_new; /* find_new: the lowest index a new device has */
	struct net_device *found;
	struct rtnl_req *req; /* find_new: where to report */
	__u32 origin;
};

static __always_inline struct net_device *dev_of_node(struct list_head *node)
{
	return (void *)node -
	       bpf_core_field_offset(struct net_device, dev_list);
}

static long find_by_index_cb(__u64 i, struct find_ctx *c)
{
	struct net_device *dev;

	c->pos = read_list_next(c->pos);
	if (!c->pos || c->pos == c->head)
		return 1;
	dev = dev_of_node(c->pos);
	if (BPF_CORE_READ(dev, ifindex) == c->ifindex) {
		c->found = dev;
		return 1;
	}
	return 0;
}

static __always_inline struct net_device *find_dev(struct net *net, int ifindex)
{
	struct find_ctx c = {};

	c.head = (void *)net + bpf_core_field_offset(struct net, dev_base_head);
	c.pos = c.head;
	c.ifindex = ifindex;
	bpf_loop(NST_MAX_DEVS_WALKED, find_by_index_cb, &c, 0);
	return c.found;
}

/* Reads IFLA_* attributes of interest; returns false when malformed. */
static __always_inline bool parse_request(const void *msg, __u32 len,
					  struct rtnl_req *r, int *ifindex,
					  __u32 *ns_fd)
{
	struct nlmsghdr nlh;
	__u32 off = NST_NLMSG_HDRLEN + NST_IFINFOMSG_LEN;

	if (len < off || bpf_probe_read_user(&nlh, sizeof(nlh), msg))
		return false;
	if (nlh.nlmsg_type != NST_RTM_NEWLINK &&
	    nlh.nlmsg_type != NST_RTM_DELLINK &&
	    nlh.nlmsg_type != NST_RTM_SETLINK)
		return false;
	if (nlh.nlmsg_len < len)
		len = nlh.nlmsg_len;
	r->type = nlh.nlmsg_type;
	r->seq = nlh.nlmsg_seq;
	/* struct ifinfomsg: ifi_index after family, pad and type. */
	if (bpf_probe_read_user(ifindex, sizeof(*ifindex),
				msg + NST_NLMSG_HDRLEN + 4))
		return false;
	for (int i = 0; i < NST_MAX_ATTRS; i++) {
		struct {
			__u16 len;
			__u16 type;
		} rta;

		if (off + 4 > len ||
		    bpf_probe_read_user(&rta, sizeof(rta), msg + off) ||
		    rta.len < 4)
			break;
		switch (rta.type & NST_NLA_TYPE_MASK) {
		case NST_IFLA_NET_NS_PID:
		case NST_IFLA_TARGET_NETNSID:
			r->has_target = 1;
			break;
		case NST_IFLA_NET_NS_FD:
			r->has_target = 1;
			bpf_probe_read_user(ns_fd, sizeof(*ns_fd),
					    msg + off + 4);
			break;
		}
		off += (rta.len + 3) & ~3;
	}
	return true;
}

static __always_inline void rtnl_enter(struct sock *sk, const void *msg,
				       __u32 len, __u32 origin)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct net *src_net, *dest_net;
	struct net_device *dev = NULL;
	__u32 ns_fd = (__u32)-1;
	struct rtnl_req *r;
	int ifindex = 0;

	r = bpf_map_lookup_elem(&rtnl_scratch, &zero);
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	if (!parse_request(msg, len, r, &ifindex, &ns_fd))
		return;
	src_net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	r->sk = (__u64)sk;
	r->src_net = (__u64)src_net;
	r->origin = origin;
	if (ns_fd != (__u32)-1 && (dest_net = net_of_nsfs_fd(ns_fd))) {
		r->dest_net = (__u64)dest_net;
		r->dest_netns = net_inum(dest_net);
	}
	if (ifindex > 0)
		dev = find_dev(src_net, ifindex);
	if (dev) {
		struct net_device *peer = veth_peer(dev);

		dev_snapshot(dev, &r->dev);
		if (peer)
			dev_snapshot(peer, &r->peer);
	} else if (r->type == NST_RTM_NEWLINK) {
		dest_net = r->dest_net ? (void *)r->dest_net : src_net;
		r->new_ifindex = net_next_ifindex(dest_net);
	} else {
		return;
	}
	bpf_map_update_elem(&pending_rtnl, &tid, r, BPF_ANY);
	__sync_fetch_and_add(&rtnl_in_flight, 1);
}

/*
 * The kernel's answer to request seq, from the sender's receive queue:
 * 0 for an ack, a negative errno for an error, 1 when none is there (no
 * NLM_F_ACK asked and no error, or a full receive buffer).
 */
static __always_inline int rtnl_answer(struct sock *sk, __u32 seq)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb = BPF_CORE_READ(q, prev);

	for (int i = 0; i < NST_ACKS_LOOKED_AT; i++) {
		struct nlmsghdr nlh;
		unsigned char *data;
		int error;

		if (!skb || (void *)skb == (void *)q)
			break;
		data = BPF_CORE_READ(skb, data);
		if (!bpf_probe_read_kernel(&nlh, sizeof(nlh), data) &&
		    nlh.nlmsg_type == NST_NLMSG_ERROR && nlh.nlmsg_seq == seq &&
		    !bpf_probe_read_kernel(&error, sizeof(error),
					   data + NST_NLMSG_HDRLEN))
			return error;
		skb = BPF_CORE_READ(skb, prev);
	}
	return 1;
}

static __always_inline void emit_move(const struct rtnl_req *r, int answer)
{
	struct net *now = dev_net_of((void *)r->dev.dev);
	bool moved = (void *)r->src_net != now;
	__s32 error = 0;

	if (!moved && !r->has_target)
		return; /* a change that is not a move */
	if (targ_move_hooked) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		/* The hook reported it, unless it never got that far. */
		if (bpf_map_delete_elem(&move_seen, &tid) == 0 || moved)
			return;
	}
	if (!nst_wants(NST_EV_NETDEV_MOVE, NST_NS_NET))
		return;
	/* Asked for and refused: say why, and where it was to go. */
	if (!moved)
		error = answer < 0 ? answer : NST_ERR_UNKNOWN;
	emit_move_of(&r->dev, NST_CAUSE_REQUEST, r->origin,
		     moved ? net_inum(now) : r->dest_netns, error);
}

static long find_new_cb(__u64 i, struct find_ctx *c)
{
	struct net_device *dev, *peer;
	struct dev_snap s;

	/* New devices are at the tail: walk back while they are new. */
	c->pos = read_list_prev(c->pos);
	if (!c->pos || c->pos == c->head)
		return 1;
	dev = dev_of_node(c->pos);
	if ((__u32)BPF_CORE_READ(dev, ifindex) < c->first_new)
		return 1;
	dev_snapshot(dev, &s);
	emit_life(NST_EV_NETDEV_CREATE, &s, c->origin);
	/* A veth created with its peer in another netns: that one too. */
	peer = veth_peer(dev);
	if (peer && dev_net_of(peer) != dev_net_of(dev)) {
		dev_snapshot(peer, &s);
		emit_life(NST_EV_NETDEV_CREATE, &s, c->origin);
	}
	return 0;
}

static __always_inline void emit_created(const struct rtnl_req *r)
{
	struct net *net = r->dest_net ? (void *)r->dest_net :
					(void *)r->src_net;
	struct find_ctx c = {};

	c.head = (void *)net + bpf_core_field_offset(struct net, dev_base_head);
	c.pos = c.head;
	c.first_new = r->new_ifindex;
	c.origin = r->origin;
	bpf_loop(NST_MAX_DEVS_WALKED, find_new_cb, &c, 0);
}

/* The exit half of every sendmsg: one load when no request is in flight. */
static __always_inline void rtnl_exit(long ret)
{
	struct rtnl_req *r;
	int answer;
	__u32 tid;

	if (!rtnl_in_flight)
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	r = bpf_map_lookup_elem(&pending_rtnl, &tid);
	if (!r)
		return;
	__sync_fetch_and_add(&rtnl_in_flight, -1);
	if (ret < 0)
		goto out; /* never reached the kernel's rtnetlink */
	answer = rtnl_answer((void *)r->sk, r->seq);
	if (!r->dev.dev) {
		if (answer >= 0 && !targ_life_hooked)
			emit_created(r);
	} else if (r->type != NST_RTM_DELLINK) {
		emit_move(r, answer);
	} else if (answer >= 0 && !targ_life_hooked) {
		emit_life(NST_EV_NETDEV_DELETE, &r->dev, r->origin);
		/* Deleting one end of a veth deletes the other. */
		if (r->peer.dev)
			emit_life(NST_EV_NETDEV_DELETE, &r->peer, r->origin);
	}
out:
	bpf_map_delete_elem(&pending_rtnl, &tid);
}

SEC("tp/syscalls/sys_enter_sendmsg")
int nst_tp_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr *umsg = (void *)ctx->args[1];
	struct iovec iov, *iovp;
	struct sock *sk;

	/* rtnetlink clients put one request in the first iovec. */
	sk = rtnl_sock(ctx->args[0]);
	if (!sk || bpf_probe_read_user(&iovp, sizeof(iovp), &umsg->msg_iov) ||
	    bpf_probe_read_user(&iov, sizeof(iov), iovp))
		return 0;
	rtnl_enter(sk, iov.iov_base, iov.iov_len, NST_ORIGIN_SENDMSG);
	return 0;
}

SEC("tp/syscalls/sys_exit_sendmsg")
int nst_tp_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	rtnl_exit(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_enter_sendto")
int nst_tp_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	struct sock *sk = rtnl_sock(ctx->args[0]);

	if (sk)
		rtnl_enter(sk, (void *)ctx->args[1], ctx->args[2],
			   NST_ORIGIN_SENDTO);
	return 0;
}

SEC("tp/syscalls/sys_exit_sendto")
int nst_tp_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	rtnl_exit(ctx->ret);
	return 0;
}
