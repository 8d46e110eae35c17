// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.destroy of network namespaces, and what becomes of their interfaces,
 * from the workqueue tracepoints around the kernel's cleanup_net().
 *
 * A network namespace whose last reference goes is queued for cleanup_net,
 * which runs as a work item. When it starts, every namespace of the batch
 * still sits in the kernel's list of namespaces with a zero reference
 * count, and its devices are still listed: those that may move (devices
 * without rtnl dellink, such as physical NICs) go back to the initial
 * netns, the others are deleted with it. When it ends, the devices that
 * went back show their new name and ifindex.
 */
#include "netdev.bpf.h"

#define NST_MAX_NETS_WALKED 65536
#define NST_MAX_NET_DEVS 4096

extern const void cleanup_net __ksym;

/* Who queued the cleanup work: the task that dropped the last reference. */
struct queuer {
	__u32 pid;
	__u32 valid;
	char comm[NST_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct queuer);
} cleanup_queuer SEC(".maps");

/* Devices on their way back to init_net: dev -> where they came from. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct dev_snap);
} returning SEC(".maps");

/*
 * Namespaces reported dying, so that a namespace that reaches a zero count
 * while a batch runs (and so is seen by this batch and the next) is
 * reported once: net pointer -> inode.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u32);
} reported_dying SEC(".maps");

/* ns.destroy records are too big for the BPF stack: built here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nst_event);
} destroy_scratch SEC(".maps");

/*
 * Counters of the walks live in map values, not on the stack: the verifier
 * tracks stack values exactly and, inside nested bpf_loop() callbacks,
 * would explore every count separately.
 */
struct cleanup_state {
	__u32 dying; /* pass one: how many of the batch are new to us */
	__u32 emit; /* pass two: report them */
	struct queuer killer;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cleanup_state);
} cleanup_scratch SEC(".maps");

struct net_walk {
	struct list_head *head; /* the kernel's net_namespace_list */
	struct list_head *pos;
	struct cleanup_state *st;
};

struct dev_walk {
	struct list_head *head;
	struct list_head *pos;
	struct nst_event *e; /* e->destroy.nr_devs counts the walk */
	struct net *net;
};

static __always_inline bool net_is_dying(struct net *net)
{
	return ns_common_refs(&net->ns) == 0;
}

/* Devices that default_device_exit_net() sends back instead of deleting. */
static __always_inline bool dev_returns(struct net_device *dev)
{
	const struct rtnl_link_ops *ops = BPF_CORE_READ(dev, rtnl_link_ops);

	if (netdev_netns_immutable(dev))
		return false;
	return !ops || BPF_CORE_READ(ops, netns_refund);
}

static long dev_walk_cb(__u64 i, struct dev_walk *w)
{
	struct net_device *dev, *peer;
	struct dev_snap s;
	bool back;
	__u32 n;

	w->pos = read_list_next(w->pos);
	if (!w->pos || w->pos == w->head)
		return 1;
	dev = (void *)w->pos -
	      bpf_core_field_offset(struct net_device, dev_list);
	dev_snapshot(dev, &s);
	back = dev_returns(dev);
	n = w->e->destroy.nr_devs;
	if (n < NST_MAX_DEVS) {
		struct nst_dev *d = &w->e->destroy.devs[n & (NST_MAX_DEVS - 1)];

		d->ifindex = s.ifindex;
		d->fate = back ? NST_FATE_RETURNED : NST_FATE_DELETED;
		__builtin_memcpy(d->ifname, s.ifname, sizeof(d->ifname));
	}
	w->e->destroy.nr_devs = n + 1;
	if (back) {
		/* A hooked __dev_change_net_namespace reports it itself. */
		if (!targ_move_hooked)
			bpf_map_update_elem(&returning, &s.dev, &s, BPF_ANY);
		return 0;
	}
	/* Hooks on unregistration report deletions themselves. */
	if (targ_life_hooked)
		return 0;
	emit_life(NST_EV_NETDEV_DELETE, &s, NST_ORIGIN_NETNS_EXIT);
	/* Its veth peer dies with it, wherever the peer is. */
	peer = veth_peer(dev);
	if (peer && dev_net_of(peer) != w->net) {
		dev_snapshot(peer, &s);
		emit_life(NST_EV_NETDEV_DELETE, &s, NST_ORIGIN_NETNS_EXIT);
	}
	return 0;
}

static __always_inline void emit_destroy(struct net *net,
					 struct cleanup_state *st)
{
	struct dev_walk w = {};
	struct nst_event *e;
	__u32 zero = 0;

	if (!(targ_ns_mask & (1u << NST_NS_NET)))
		return;
	e = bpf_map_lookup_elem(&destroy_scratch, &zero);
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	nst_fill_task(e, NST_EV_NS_DESTROY);
	e->destroy.ns_type = NST_NS_NET;
	e->destroy.ns = net_inum(net);
	/* The queuer dropped the last reference of one of the batch only. */
	if (st->killer.valid && st->dying == 1) {
		e->destroy.killer_pid = st->killer.pid;
		__builtin_memcpy(e->destroy.killer_comm, st->killer.comm,
				 sizeof(e->destroy.killer_comm));
	}
	/*
	 * The walk runs even without a wanted ns.destroy: it also feeds
	 * netdev.delete and netdev.move.
	 */
	w.head = (void *)net + bpf_core_field_offset(struct net, dev_base_head);
	w.pos = w.head;
	w.e = e;
	w.net = net;
	bpf_loop(NST_MAX_NET_DEVS, dev_walk_cb, &w, 0);
	if (targ_ev_mask & NST_EV_BIT(NST_EV_NS_DESTROY)) {
		/* Stamped after the netdev.delete records it sits behind. */
		e->task.ts_boot_ns = bpf_ktime_get_boot_ns();
		nst_output(e, sizeof(e->destroy));
	}
}

static long net_walk_cb(__u64 i, struct net_walk *nw)
{
	struct net *net;
	__u64 key;
	__u32 inum, *seen;

	nw->pos = read_list_next(nw->pos);
	if (!nw->pos || nw->pos == nw->head)
		return 1;
	net = (void *)nw->pos - bpf_core_field_offset(struct net, list);
	if (!net_is_dying(net))
		return 0;
	key = (__u64)net;
	inum = net_inum(net);
	seen = bpf_map_lookup_elem(&reported_dying, &key);
	if (seen && *seen == inum)
		return 0;
	if (!nw->st->emit) {
		nw->st->dying++;
		return 0;
	}
	bpf_map_update_elem(&reported_dying, &key, &inum, BPF_ANY);
	emit_destroy(net, nw->st);
	return 0;
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(nst_tp_queue_work, int req_cpu, struct pool_workqueue *pwq,
	     struct work_struct *work)
{
	struct queuer q = { .valid = 1 };
	__u32 zero = 0;

	if (work->func != (void *)&cleanup_net)
		return 0;
	q.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(q.comm, sizeof(q.comm));
	bpf_map_update_elem(&cleanup_queuer, &zero, &q, BPF_ANY);
	return 0;
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(nst_tp_cleanup_start, struct work_struct *work)
{
	struct net_walk nw = {};
	struct cleanup_state *st;
	struct queuer *q;
	struct net *init;
	__u32 zero = 0;

	if (work->func != (void *)&cleanup_net)
		return 0;
	nst_cleanup_tid = (__u32)bpf_get_current_pid_tgid();
	/* -p PID: the kernel's worker is never that process. */
	if (!nst_wants_task())
		return 0;
	st = bpf_map_lookup_elem(&cleanup_scratch, &zero);
	q = bpf_map_lookup_elem(&cleanup_queuer, &zero);
	if (!st || !q)
		return 0;
	st->dying = 0;
	st->emit = 0;
	st->killer = *q;
	q->valid = 0;
	/*
	 * A kworker lives in the initial namespaces, and init_net is the
	 * first entry of the kernel's list: its prev is the list head.
	 */
	init = BPF_CORE_READ(bpf_get_current_task_btf(), nsproxy, net_ns);
	nw.head = BPF_CORE_READ(init, list.prev);
	nw.st = st;
	nw.pos = nw.head;
	bpf_loop(NST_MAX_NETS_WALKED, net_walk_cb, &nw, 0);
	nw.pos = nw.head;
	st->emit = 1;
	bpf_loop(NST_MAX_NETS_WALKED, net_walk_cb, &nw, 0);
	return 0;
}

static long emit_returned_cb(struct bpf_map *map, __u64 *key,
			     struct dev_snap *was, void *ctx)
{
	struct net_device *dev = (void *)*key;

	if (nst_wants(NST_EV_NETDEV_MOVE, NST_NS_NET))
		emit_move_of(was, NST_CAUSE_NETNS_EXIT, NST_ORIGIN_NETNS_EXIT,
			     net_inum(dev_net_of(dev)), 0);
	bpf_map_delete_elem(map, key);
	return 0;
}

/*
 * A raw tracepoint: BTF-typed programs can't read the work_func_t
 * argument (a function pointer), and work itself may be freed by now.
 */
SEC("raw_tp/workqueue_execute_end")
int nst_tp_cleanup_end(struct bpf_raw_tracepoint_args *ctx)
{
	if ((void *)ctx->args[1] != (void *)&cleanup_net)
		return 0;
	nst_cleanup_tid = 0;
	if (!targ_move_hooked)
		bpf_for_each_map_elem(&returning, emit_returned_cb, NULL, 0);
	return 0;
}
