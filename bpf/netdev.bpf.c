// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netdev.move, netdev.create, netdev.delete and netdev.rename caused by
 * rtnetlink requests, seen from the sendmsg and sendto syscall
 * tracepoints. The kernel handles an rtnetlink request synchronously
 * inside the syscall, so what the enter half finds (the device, its
 * namespace, its name) can be compared with what the exit half sees, and
 * the kernel's answer (the ack) is already queued on the sender's socket
 * when the syscall returns.
 *
 * A request names its device the ways the kernel accepts: by ifi_index,
 * or with ifi_index 0 by IFLA_IFNAME or IFLA_ALT_IFNAME, looked up in the
 * socket's netns (for RTM_DELLINK with IFLA_TARGET_NETNSID, in that one).
 * One buffer may carry several messages; each is handled in turn.
 *
 * Every sendmsg on the machine passes here: the enter half leaves after a
 * few loads unless the socket is NETLINK_ROUTE, and the exit half after
 * one load unless a request is in flight.
 */
#include "netdev.bpf.h"
#include "task.bpf.h"

#define NST_AF_NETLINK 16
#define NST_NETLINK_ROUTE 0
#define NST_NLMSG_ERROR 2
#define NST_NLM_F_REQUEST 1
#define NST_NLA_TYPE_MASK 0x3fff
#define NST_NLMSG_HDRLEN 16
#define NST_IFINFOMSG_LEN 16
#define NST_IFLA_IFNAME 3
#define NST_IFLA_ALT_IFNAME 53
#define NST_ALTIFNAMSIZ 128
#define NST_MAX_ATTRS 32
#define NST_MAX_DEVS_WALKED 4096
#define NST_MAX_ALT_NAMES 64
/* Link requests read from one buffer; the rest of a batch is not seen. */
#define NST_MAX_MSGS 8
#define NST_ACKS_LOOKED_AT (2 * NST_MAX_MSGS)

/* One link request of a buffer, between its syscall's enter and exit. */
struct rtnl_req {
	__u64 dest_net; /* struct net * it asked for (fd, pid or nsid), else 0 */
	__u64 create_net; /* a NEWLINK that creates: where the device goes */
	__u64 tail; /* the last device of create_net's list before it */
	__u32 seq;
	__u16 type; /* RTM_* */
	__u8 has_target; /* asked for another netns */
	__u8 rename; /* names an existing device by index and gives a name */
	__u32 dest_netns; /* inode of dest_net */
	__u32 new_ifindex; /* a device created now gets this or above */
	__u32 walked; /* exit: its new devices were reported */
	__u32 pad;
	__u64 dest_cookie; /* of dest_net */
	struct dev_snap dev; /* the device it names, as it was */
	struct dev_snap peer; /* the veth peer of that device */
};

/* The link requests of one sendmsg or sendto. */
struct rtnl_batch {
	__u64 sk; /* struct sock * they were sent on */
	__u64 src_net; /* struct net * of that socket */
	__u32 origin;
	__u32 n;
	struct rtnl_req req[NST_MAX_MSGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct rtnl_batch);
} pending_rtnl SEC(".maps");

/* Too big for the BPF stack: built here, then copied into the map. */
struct rtnl_scratch {
	struct rtnl_batch batch;
	/* The name a request looks its device up by, NUL-padded. */
	__u64 name[NST_ALTIFNAMSIZ / 8];
	/* A device's name, to compare with it. */
	__u64 cand[NST_ALTIFNAMSIZ / 8];
	__u32 name_len; /* with its NUL; 0: no name */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnl_scratch);
} rtnl_scratch SEC(".maps");

/*
 * Requests in flight anywhere: the exit half of every sendmsg reads this
 * and leaves when it is zero, sparing a hash lookup. It is a hint (a
 * thread killed mid-request leaves it high): the map has the truth.
 */
__u64 rtnl_in_flight = 0;

static __always_inline struct rtnl_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rtnl_scratch, &zero);
}

/*
 * The socket behind fd when it is NETLINK_ROUTE and the caller one we
 * trace, else NULL. Every sendmsg and sendto of the machine comes here:
 * the family, read once, sends nearly all of them away.
 */
static __always_inline struct sock *rtnl_sock(unsigned long fd)
{
	struct file *file = current_file(fd);
	struct socket *sock;
	struct sock *sk;
	__u16 family;
	__u8 protocol;

	if (!file)
		return NULL;
	/*
	 * private_data is a struct socket only for sockets; for any other
	 * file the syscall fails with ENOTSOCK and the exit half drops it.
	 */
	if (bpf_probe_read_kernel(
		    &sock, sizeof(sock),
		    (void *)file + bpf_core_field_offset(file->private_data)) ||
	    bpf_probe_read_kernel(&sk, sizeof(sk),
				  (void *)sock +
					  bpf_core_field_offset(sock->sk)) ||
	    bpf_probe_read_kernel(
		    &family, sizeof(family),
		    (void *)sk + bpf_core_field_offset(
					 sk->__sk_common.skc_family)) ||
	    family != NST_AF_NETLINK)
		return NULL;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if (protocol != NST_NETLINK_ROUTE || !nst_wants_task())
		return NULL;
	return sk;
}

#ifndef NST_NO_RDONLY_CAST
/*
 * bpf_rdonly_cast() (6.2 on) makes a BTF pointer of any address, whose
 * loads may fault and read zero instead, as a helper's would. The loader
 * loads the programs that call it only where the kernel has it.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define nst_cast(p, type) \
	((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

/*
 * rtnl_sock() with no helper call: the fd's slot is read as the first
 * fd_array entry of a files_struct cast around it, the file's
 * private_data as a struct socket.
 */
static __always_inline struct sock *rtnl_sock_cast(unsigned long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct files_struct *slot;
	struct socket *sock;
	struct file *file;
	struct sock *sk;

	if (fd >= fdt->max_fds)
		return NULL;
	slot = nst_cast((void *)fdt->fd + fd * sizeof(file) -
				bpf_core_field_offset(struct files_struct,
						      fd_array),
			struct files_struct);
	file = slot->fd_array[0];
	if (!file)
		return NULL;
	sock = nst_cast(file->private_data, struct socket);
	sk = sock->sk;
	if (!sk || sk->__sk_common.skc_family != NST_AF_NETLINK ||
	    sk->sk_protocol != NST_NETLINK_ROUTE || !nst_wants_task())
		return NULL;
	return sk;
}
#else
/*
 * The object for kernels without bpf_rdonly_cast() (the Makefile's
 * nstrace_nocast): its _cast programs are the others again, and nothing
 * names the kfunc. libbpf 1.1 (Debian 12's) looks for a missing kfunc,
 * weak or not, in the modules' BTF too, which it may not list without
 * CAP_SYS_ADMIN: the whole object would fail to load for the sake of
 * programs left out.
 */
#define rtnl_sock_cast rtnl_sock
#endif

/* The struct net that an nsfs file (an open /run/netns/X) stands for. */
static __always_inline struct net *net_of_nsfs_fd(__u32 fd)
{
	struct ns_common *ns =
		nsfs_ns(current_file(fd));

	if (!ns || ns_common_clone_flag(ns) != NST_CLONE_NEWNET)
		return NULL;
	return (void *)ns - bpf_core_field_offset(struct net, ns);
}

/*
 * The netns of the process pid names in the caller's pid namespace, as
 * IFLA_NET_NS_PID means it (find_task_by_vpid()).
 */
static __always_inline struct net *net_of_pid(__u32 nr)
{
	struct task_struct *task = task_of_vpid(nr);

	if (!task)
		return NULL;
	return BPF_CORE_READ(task, nsproxy, net_ns);
}

/* The peer netns that id stands for in net (IFLA_TARGET_NETNSID). */
static __always_inline struct net *net_of_nsid(struct net *net, __s32 id)
{
	if (id < 0)
		return NULL;
	return idr_lookup(&net->netns_ids, id);
}

struct find_ctx {
	struct list_head *head;
	struct list_head *pos;
	struct list_head *stop; /* find_new: the tail before the request */
	int ifindex;
	__u32 first_new; /* find_new: the lowest index a new device has */
	struct net_device *found;
	__u32 origin;
	bool alt; /* find_by_name: IFLA_ALT_IFNAME, alt names match too */
};

static __always_inline struct net_device *dev_of_node(struct list_head *node)
{
	return (void *)node -
	       bpf_core_field_offset(struct net_device, dev_list);
}

static __always_inline struct list_head *net_devs(struct net *net)
{
	return (void *)net + bpf_core_field_offset(struct net, dev_base_head);
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

/*
 * Whether the name at src (a kernel string) is the request's name: read
 * into the NUL-padded candidate, then compared a word at a time.
 */
static __always_inline bool name_is(struct rtnl_scratch *s, const void *src,
				    __u32 size)
{
	long len;

	for (int i = 0; i < NST_ALTIFNAMSIZ / 8; i++)
		if (i < size / 8)
			s->cand[i] = 0;
	if (size == NST_IFNAME_LEN)
		len = bpf_probe_read_kernel_str(s->cand, NST_IFNAME_LEN, src);
	else
		len = bpf_probe_read_kernel_str(s->cand, NST_ALTIFNAMSIZ, src);
	if (len != s->name_len)
		return false;
	for (int i = 0; i < NST_ALTIFNAMSIZ / 8; i++)
		if (i < size / 8 && s->cand[i] != s->name[i])
			return false;
	return true;
}

struct alt_walk {
	struct list_head *head;
	struct list_head *pos;
	bool found;
};

static long alt_name_cb(__u64 i, struct alt_walk *w)
{
	struct rtnl_scratch *s = scratch();
	struct netdev_name_node *node;

	w->pos = read_list_next(w->pos);
	if (!s || !w->pos || w->pos == w->head)
		return 1;
	node = (void *)w->pos -
	       bpf_core_field_offset(struct netdev_name_node, list);
	w->found = name_is(s, BPF_CORE_READ(node, name), NST_ALTIFNAMSIZ);
	return w->found;
}

/*
 * Whether the request's name is one of dev's alt names: they hang off
 * the name node of its own name. A walk of its own, not a state of the
 * device walk: 6.1's verifier checks a callback once, with the state of
 * its first call, and drops branches that state rules out.
 */
static __always_inline bool has_alt_name(struct net_device *dev)
{
	struct netdev_name_node *own = BPF_CORE_READ(dev, name_node);
	struct alt_walk w = {};

	if (!own)
		return false;
	w.head = (void *)own + bpf_core_field_offset(own->list);
	w.pos = w.head;
	bpf_loop(NST_MAX_ALT_NAMES, alt_name_cb, &w, 0);
	return w.found;
}

/*
 * __dev_get_by_name() looks in the netns's name hash, which holds every
 * device's name and alt names: here the device list, each device's name,
 * and for IFLA_ALT_IFNAME its alt names too.
 */
static long find_by_name_cb(__u64 i, struct find_ctx *c)
{
	struct rtnl_scratch *s = scratch();
	struct net_device *dev;

	c->pos = read_list_next(c->pos);
	if (!s || !c->pos || c->pos == c->head)
		return 1;
	dev = dev_of_node(c->pos);
	if ((s->name_len <= NST_IFNAME_LEN &&
	     name_is(s, (void *)dev + bpf_core_field_offset(dev->name),
		     NST_IFNAME_LEN)) ||
	    (c->alt && has_alt_name(dev))) {
		c->found = dev;
		return 1;
	}
	return 0;
}

/*
 * The device of net with that ifindex, or (ifindex 0) with the name in
 * the scratch, alt names too when alt.
 */
static __always_inline struct net_device *find_dev(struct net *net, int ifindex,
						   bool alt)
{
	struct find_ctx c = {};

	c.head = net_devs(net);
	c.pos = c.head;
	c.ifindex = ifindex;
	c.alt = alt;
	if (ifindex)
		bpf_loop(NST_MAX_DEVS_WALKED, find_by_index_cb, &c, 0);
	else
		bpf_loop(NST_MAX_DEVS_WALKED, find_by_name_cb, &c, 0);
	return c.found;
}

/* Where the attributes of interest are in one message. */
struct link_attrs {
	__u32 name_off, name_len; /* IFLA_IFNAME payload */
	__u32 alt_off, alt_len; /* IFLA_ALT_IFNAME payload */
	__u32 ns_fd, ns_pid;
	__s32 nsid;
	__u8 has_fd, has_pid, has_nsid;
};

struct attrs_ctx {
	const void *msg;
	__u32 len;
	__u32 off;
	struct link_attrs a;
};

/* One attribute; a callback, so the verifier walks it once, not 32 times. */
static long read_attr_cb(__u64 i, struct attrs_ctx *c)
{
	const void *p = c->msg + c->off;
	struct {
		__u16 len;
		__u16 type;
	} rta;

	if (c->off + 4 > c->len || bpf_probe_read_user(&rta, sizeof(rta), p) ||
	    rta.len < 4 || rta.len > c->len - c->off)
		return 1;
	switch (rta.type & NST_NLA_TYPE_MASK) {
	case NST_IFLA_IFNAME:
		c->a.name_off = c->off + 4;
		c->a.name_len = rta.len - 4;
		break;
	case NST_IFLA_ALT_IFNAME:
		c->a.alt_off = c->off + 4;
		c->a.alt_len = rta.len - 4;
		break;
	case NST_IFLA_NET_NS_PID:
		c->a.has_pid = !bpf_probe_read_user(&c->a.ns_pid,
						    sizeof(c->a.ns_pid), p + 4);
		break;
	case NST_IFLA_NET_NS_FD:
		c->a.has_fd = !bpf_probe_read_user(&c->a.ns_fd,
						   sizeof(c->a.ns_fd), p + 4);
		break;
	case NST_IFLA_TARGET_NETNSID:
		c->a.has_nsid = !bpf_probe_read_user(&c->a.nsid,
						     sizeof(c->a.nsid), p + 4);
		break;
	}
	c->off += (rta.len + 3) & ~3;
	return 0;
}

/*
 * The request's name into s->name, as nla_strscpy() takes it: up to the
 * first NUL or the payload's end, at most size - 1 bytes.
 */
static __always_inline void read_name(struct rtnl_scratch *s, const void *src,
				      __u32 len, __u32 size)
{
	__u32 n = len < size - 1 ? len : size - 1;
	long got;

	for (int i = 0; i < NST_ALTIFNAMSIZ / 8; i++)
		s->name[i] = 0;
	/* Keep the mask: the verifier needs a bound it can see. */
	barrier_var(n);
	n &= NST_ALTIFNAMSIZ - 1;
	got = bpf_probe_read_user_str(s->name, n + 1, src);
	s->name_len = got > 0 ? got : 0;
}

/* The target a link request names: fd and pid come first, as the kernel's. */
static __always_inline struct net *target_net(const struct link_attrs *a,
					      struct net *src_net)
{
	if (a->has_fd)
		return net_of_nsfs_fd(a->ns_fd);
	if (a->has_pid)
		return net_of_pid(a->ns_pid);
	return net_of_nsid(src_net, a->nsid);
}

/* Reads one link request at msg (len bytes) into the next slot of s. */
static __always_inline void parse_request(struct rtnl_scratch *s,
					  const void *msg, __u32 len,
					  const struct nlmsghdr *nlh)
{
	struct net *src_net = (void *)s->batch.src_net, *net = src_net;
	struct attrs_ctx ac = { .msg = msg, .len = len };
	struct link_attrs *a = &ac.a;
	struct net_device *dev = NULL, *peer;
	__u32 n = s->batch.n;
	struct rtnl_req *r;
	int ifindex;

	if (n >= NST_MAX_MSGS || len < NST_NLMSG_HDRLEN + NST_IFINFOMSG_LEN)
		return;
	/* struct ifinfomsg: ifi_index after family, pad and type. */
	if (bpf_probe_read_user(&ifindex, sizeof(ifindex),
				msg + NST_NLMSG_HDRLEN + 4))
		return;
	/* Bound it where it is used: 6.1's verifier forgets a spilled check. */
	barrier_var(n);
	r = &s->batch.req[n & (NST_MAX_MSGS - 1)];
	__builtin_memset(r, 0, sizeof(*r));
	r->type = nlh->nlmsg_type;
	r->seq = nlh->nlmsg_seq;
	ac.off = NST_NLMSG_HDRLEN + NST_IFINFOMSG_LEN;
	bpf_loop(NST_MAX_ATTRS, read_attr_cb, &ac, 0);
	if (r->type == NST_RTM_DELLINK) {
		/* DELLINK's netnsid says where the device is, not where to. */
		if (a->has_nsid && !(net = net_of_nsid(src_net, a->nsid)))
			return;
	} else if (a->has_fd || a->has_pid || a->has_nsid) {
		r->has_target = 1;
		r->dest_net = (__u64)target_net(a, src_net);
		if (r->dest_net) {
			r->dest_netns = net_inum((void *)r->dest_net);
			r->dest_cookie = net_cookie((void *)r->dest_net);
		}
	}
	if (ifindex > 0) {
		dev = find_dev(net, ifindex, false);
	} else if (!ifindex && (a->name_len || a->alt_len)) {
		/* IFLA_IFNAME wins when both are there, as in rtnl_dev_get(). */
		bool alt = !a->name_len;

		read_name(s, msg + (alt ? a->alt_off : a->name_off),
			  alt ? a->alt_len : a->name_len,
			  alt ? NST_ALTIFNAMSIZ : NST_IFNAME_LEN);
		if (s->name_len > 1)
			dev = find_dev(net, 0, alt);
	}
	if (dev) {
		dev_snapshot(dev, &r->dev);
		peer = veth_peer(dev);
		if (peer)
			dev_snapshot(peer, &r->peer);
		/* By index with a name: do_setlink() renames. */
		r->rename = ifindex > 0 && a->name_len &&
			    r->type != NST_RTM_DELLINK;
	} else if (r->type == NST_RTM_NEWLINK) {
		/* A target that cannot be read: where it goes is unknown. */
		if (r->has_target && !r->dest_net)
			return;
		net = r->dest_net ? (void *)r->dest_net : src_net;
		r->create_net = (__u64)net;
		r->tail = (__u64)read_list_prev(net_devs(net));
		r->new_ifindex = net_next_ifindex(net);
	} else {
		return;
	}
	s->batch.n = n + 1;
}

struct walk_ctx {
	const void *buf;
	__u32 len;
	__u32 off;
};

/* One netlink message of the buffer, as netlink_rcv_skb() takes them. */
static long parse_msg_cb(__u64 i, struct walk_ctx *c)
{
	struct rtnl_scratch *s = scratch();
	struct nlmsghdr nlh;

	if (!s || c->off + NST_NLMSG_HDRLEN > c->len ||
	    bpf_probe_read_user(&nlh, sizeof(nlh), c->buf + c->off) ||
	    nlh.nlmsg_len < NST_NLMSG_HDRLEN || nlh.nlmsg_len > c->len - c->off)
		return 1;
	if ((nlh.nlmsg_flags & NST_NLM_F_REQUEST) &&
	    (nlh.nlmsg_type == NST_RTM_NEWLINK ||
	     nlh.nlmsg_type == NST_RTM_DELLINK ||
	     nlh.nlmsg_type == NST_RTM_SETLINK))
		parse_request(s, c->buf + c->off, nlh.nlmsg_len, &nlh);
	c->off += (nlh.nlmsg_len + 3) & ~3;
	return c->off >= c->len || s->batch.n >= NST_MAX_MSGS;
}

static __always_inline void rtnl_enter(struct sock *sk, const void *buf,
				       __u32 len, __u32 origin)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct walk_ctx c = { .buf = buf, .len = len };
	struct rtnl_scratch *s = scratch();

	if (!s)
		return;
	s->batch.sk = (__u64)sk;
	s->batch.src_net = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
	s->batch.origin = origin;
	s->batch.n = 0;
	bpf_loop(NST_MAX_MSGS * 4, parse_msg_cb, &c, 0);
	if (!s->batch.n)
		return;
	bpf_map_update_elem(&pending_rtnl, &tid, &s->batch, BPF_ANY);
	__sync_fetch_and_add(&rtnl_in_flight, 1);
}

/*
 * The kernel's answer to the request of that seq and type, from the
 * sender's receive queue (an nlmsgerr quotes the request's header): 0 for
 * an ack, a negative errno for an error, 1 when none is there (no
 * NLM_F_ACK asked and no error, or a full receive buffer).
 */
static __always_inline int rtnl_answer(struct sock *sk, __u32 seq, __u16 type)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb = BPF_CORE_READ(q, prev);

	for (int i = 0; i < NST_ACKS_LOOKED_AT; i++) {
		struct {
			struct nlmsghdr nlh;
			int error;
			struct nlmsghdr req;
		} ack;
		unsigned char *data;

		if (!skb || (void *)skb == (void *)q)
			break;
		data = BPF_CORE_READ(skb, data);
		if (!bpf_probe_read_kernel(&ack, sizeof(ack), data) &&
		    ack.nlh.nlmsg_type == NST_NLMSG_ERROR &&
		    ack.nlh.nlmsg_seq == seq && ack.req.nlmsg_type == type)
			return ack.error;
		skb = BPF_CORE_READ(skb, prev);
	}
	return 1;
}

static __always_inline void emit_move(const struct rtnl_batch *b,
				      const struct rtnl_req *r, int answer)
{
	struct net *now = dev_net_of((void *)r->dev.dev);
	bool moved = (void *)b->src_net != now;
	struct net_id asked = { .inum = r->dest_netns,
				.cookie = r->dest_cookie };
	__s32 error = 0;

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
	emit_move_of(&r->dev, NST_CAUSE_REQUEST, b->origin,
		     moved ? net_id_of(now) : asked, error);
}

/* A rename done by this request: the device's name is not what it was. */
static __always_inline void emit_rename(const struct rtnl_batch *b,
					const struct rtnl_req *r)
{
	struct net_device *dev = (void *)r->dev.dev;
	char now[NST_IFNAME_LEN] = {};
	struct nst_event *e;

	if (!nst_wants(NST_EV_NETDEV_RENAME, NST_NS_NET))
		return;
	BPF_CORE_READ_STR_INTO(&now, dev, name);
	if (!dev_snap_renamed(&r->dev, now))
		return;
	e = nst_reserve(NST_EV_NETDEV_RENAME, sizeof(e->rename));
	if (!e)
		return;
	e->rename.netns = net_inum(dev_net_of(dev));
	e->rename.netns_cookie = net_cookie(dev_net_of(dev));
	e->rename.ifindex = BPF_CORE_READ(dev, ifindex);
	e->rename.cause = NST_CAUSE_REQUEST;
	e->rename.origin = b->origin;
	__builtin_memcpy(e->rename.ifname, r->dev.ifname,
			 sizeof(e->rename.ifname));
	__builtin_memcpy(e->rename.new_ifname, now, sizeof(now));
	nst_submit(e);
}

/*
 * A NEWLINK or SETLINK on an existing device: a move (done or refused),
 * else perhaps a rename. A move that renames too (ip link set X netns Y
 * name Z) is one netdev.move with the new name.
 */
static __always_inline void emit_changed(const struct rtnl_batch *b,
					 const struct rtnl_req *r, int answer)
{
	struct net *now = dev_net_of((void *)r->dev.dev);
	bool moved = now != (void *)b->src_net;

	/* Asked to move into the netns it is in: no move at all. */
	if (moved ||
	    (r->has_target && r->dest_net != b->src_net && answer != 0)) {
		emit_move(b, r, answer);
		return;
	}
	if (r->rename && !targ_move_hooked)
		emit_rename(b, r);
}

static long find_new_cb(__u64 i, struct find_ctx *c)
{
	struct net_device *dev, *peer;
	struct dev_snap s;

	/*
	 * New devices are at the tail: walk back to the old tail. A device
	 * moved in earlier keeps its ifindex, which may be above the new
	 * ones'; the index stops the walk if the old tail itself is gone.
	 */
	c->pos = read_list_prev(c->pos);
	if (!c->pos || c->pos == c->head || c->pos == c->stop)
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

static __always_inline void emit_created(const struct rtnl_req *r, __u32 origin)
{
	struct find_ctx c = {};

	c.head = net_devs((void *)r->create_net);
	c.pos = c.head;
	c.stop = (void *)r->tail;
	c.first_new = r->new_ifindex;
	c.origin = origin;
	bpf_loop(NST_MAX_DEVS_WALKED, find_new_cb, &c, 0);
}

/*
 * Creations of one batch into one netns all read the same first new
 * index: the first one's walk reports every device they made.
 */
static __always_inline bool walked_before(const struct rtnl_batch *b, __u32 n)
{
	for (int j = 0; j < NST_MAX_MSGS; j++) {
		if (j >= n)
			break;
		if (b->req[j].walked &&
		    b->req[j].create_net == b->req[n].create_net)
			return true;
	}
	return false;
}

/*
 * A device a request deleted, unless its netns's death reported it
 * already: the same device, index and netns (its memory and its netns's
 * inode may be another's since).
 */
static __always_inline void emit_deleted(const struct dev_snap *s,
					 __u32 origin)
{
	struct exit_seen *seen = bpf_map_lookup_elem(&exit_reported, &s->dev);
	bool reported;

	if (seen) {
		reported = seen->net_id == s->net_id &&
			   seen->ifindex == s->ifindex;
		bpf_map_delete_elem(&exit_reported, &s->dev);
		if (reported)
			return;
	}
	emit_life(NST_EV_NETDEV_DELETE, s, origin);
}

struct exit_ctx {
	__u32 tid;
};

static long exit_one_cb(__u64 i, struct exit_ctx *c)
{
	struct rtnl_batch *b = bpf_map_lookup_elem(&pending_rtnl, &c->tid);
	struct rtnl_req *r;
	int answer;

	if (!b || i >= NST_MAX_MSGS || i >= b->n)
		return 1;
	r = &b->req[i];
	answer = rtnl_answer((void *)b->sk, r->seq, r->type);
	if (!r->dev.dev) {
		if (answer >= 0 && !targ_life_hooked && !walked_before(b, i)) {
			emit_created(r, b->origin);
			r->walked = 1;
		}
	} else if (r->type != NST_RTM_DELLINK) {
		emit_changed(b, r, answer);
	} else if (answer >= 0 && !targ_life_hooked) {
		emit_deleted(&r->dev, b->origin);
		/* Deleting one end of a veth deletes the other. */
		if (r->peer.dev)
			emit_deleted(&r->peer, b->origin);
	}
	return 0;
}

/* The exit half of every sendmsg: one load when no request is in flight. */
static __always_inline void rtnl_exit(long ret)
{
	struct exit_ctx c;

	if (!rtnl_in_flight)
		return;
	c.tid = (__u32)bpf_get_current_pid_tgid();
	if (!bpf_map_lookup_elem(&pending_rtnl, &c.tid))
		return;
	__sync_fetch_and_add(&rtnl_in_flight, -1);
	/* Below 0: it never reached the kernel's rtnetlink. */
	if (ret >= 0)
		bpf_loop(NST_MAX_MSGS, exit_one_cb, &c, 0);
	bpf_map_delete_elem(&pending_rtnl, &c.tid);
}

/* rtnetlink clients put their messages in the first iovec. */
static __always_inline void enter_sendmsg(struct sock *sk,
					  struct user_msghdr *umsg)
{
	struct iovec iov, *iovp;

	if (!sk || bpf_probe_read_user(&iovp, sizeof(iovp), &umsg->msg_iov) ||
	    bpf_probe_read_user(&iov, sizeof(iov), iovp))
		return;
	rtnl_enter(sk, iov.iov_base, iov.iov_len, NST_ORIGIN_SENDMSG);
}

static __always_inline void enter_sendto(struct sock *sk,
					 struct trace_event_raw_sys_enter *ctx)
{
	if (sk)
		rtnl_enter(sk, (void *)ctx->args[1], ctx->args[2],
			   NST_ORIGIN_SENDTO);
}

/* The loader keeps one of each pair: the _cast ones where it can. */
SEC("tp/syscalls/sys_enter_sendmsg")
int nst_tp_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	enter_sendmsg(rtnl_sock(ctx->args[0]), (void *)ctx->args[1]);
	return 0;
}

SEC("tp/syscalls/sys_enter_sendmsg")
int nst_tp_enter_sendmsg_cast(struct trace_event_raw_sys_enter *ctx)
{
	enter_sendmsg(rtnl_sock_cast(ctx->args[0]), (void *)ctx->args[1]);
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
	enter_sendto(rtnl_sock(ctx->args[0]), ctx);
	return 0;
}

SEC("tp/syscalls/sys_enter_sendto")
int nst_tp_enter_sendto_cast(struct trace_event_raw_sys_enter *ctx)
{
	enter_sendto(rtnl_sock_cast(ctx->args[0]), ctx);
	return 0;
}

SEC("tp/syscalls/sys_exit_sendto")
int nst_tp_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	rtnl_exit(ctx->ret);
	return 0;
}
