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
 * netns, the others are deleted with it. A namespace that dies just as the
 * work starts joins the batch unseen; the batch is walked once more at the
 * worker's first notifier call, which finds it. When the work ends, the
 * devices that went back show their new name and ifindex.
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
 * Namespaces reported dying, by net_identity(): a namespace whose count
 * reaches zero while a batch starts can be seen by this batch's walk and
 * by the next one's, and is reported once. The value is the stamp of the
 * last walk that saw it dying; a walk drops the entries it did not see,
 * since those namespaces left the kernel's list, to be freed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} reported_dying SEC(".maps");

/* ns.destroy records are too big for the BPF stack: built here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nst_event);
} destroy_scratch SEC(".maps");

#define NST_ANCHORS 4

/*
 * Counters of the walks live in map values, not on the stack: the verifier
 * tracks stack values exactly and, inside nested bpf_loop() callbacks,
 * would explore every count separately. Not per CPU: the worker moves
 * between CPUs within a batch, and runs one batch at a time.
 */
struct cleanup_state {
	__u64 stamp; /* this batch's, unique: the time it started */
	__u64 first; /* pass one: the identity of the first dying netns */
	__u32 dying; /* pass one: dying namespaces listed, reported or not */
	__u32 emit; /* pass two: report the new ones */
	__u32 nanchors; /* anchor[] holds that many; 0: nothing left to do */
	__u32 pad;
	/* Dying namespaces pass one saw: some are of this batch. */
	__u64 anchor[NST_ANCHORS];
	struct queuer killer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
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
	/* Kill list: a device of a live netns, maybe the next one's peer. */
	struct net_device *peer;
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

static __always_inline void mark_exit_reported(const struct dev_snap *s)
{
	struct exit_seen seen = { .net_id = s->net_id, .ifindex = s->ifindex };

	bpf_map_update_elem(&exit_reported, &s->dev, &seen, BPF_ANY);
}

/* The veth peer, in a live netns, of a device of w->net. */
static __always_inline void peer_dies(struct dev_walk *w,
				      struct net_device *peer)
{
	struct dev_snap s;

	dev_snapshot(peer, &s);
	emit_life_peer(NST_EV_NETDEV_DELETE, &s, NST_ORIGIN_NETNS_EXIT,
		       net_id_of(w->net));
	mark_exit_reported(&s);
}

/* One device of the dying netns: into its ns.destroy, and its delete. */
static __always_inline long dev_one(struct dev_walk *w, struct net_device *dev)
{
	struct net_device *peer;
	struct net *peer_net;
	struct dev_snap s;
	bool back;
	__u32 n;

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
	mark_exit_reported(&s);
	/*
	 * Its veth peer dies with it, wherever the peer is; one in a dying
	 * netns too is that netns's own to report.
	 */
	peer = veth_peer_dying(dev);
	peer_net = peer ? dev_net_of(peer) : NULL;
	if (peer && peer_net != w->net && !net_is_dying(peer_net))
		peer_dies(w, peer);
	return 0;
}

static long dev_walk_cb(__u64 i, struct dev_walk *w)
{
	w->pos = read_list_next(w->pos);
	if (!w->pos || w->pos == w->head)
		return 1;
	return dev_one(w,
		       (void *)w->pos - bpf_core_field_offset(struct net_device,
							      dev_list));
}

/*
 * The batch's kill list, backwards from w->head, the unreg_list of w->net's
 * loopback: default_device_exit_batch() queued the netns's devices in
 * reverse list order, the loopback last, each veth's peer right behind it
 * (veth_dellink() has cleared both peer pointers by now). So the walk meets
 * them in list order, a peer in a live netns just before its device, and
 * it ends at the first node that is neither: a device of another dying
 * netns, or the list's head on the kernel's stack.
 */
static long kill_walk_cb(__u64 i, struct dev_walk *w)
{
	struct net_device *dev;
	struct net *net;

	if (!w->pos || (i && w->pos == w->head))
		return 1;
	dev = (void *)w->pos -
	      bpf_core_field_offset(struct net_device, unreg_list);
	w->pos = read_list_prev(w->pos);
	net = dev_net_of(dev);
	if (net != w->net) {
		if (w->peer || !net || net_is_dying(net))
			return 1;
		w->peer = dev;
		return 0;
	}
	/* A veth's peer is the node behind it: dev_one() finds it there. */
	dev_one(w, dev);
	w->peer = NULL;
	return 0;
}

static __always_inline void emit_destroy(struct net *net,
					 const struct queuer *killer)
{
	struct dev_walk w = {};
	struct net_device *lo;
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
	e->destroy.ns_cookie = net_cookie(net);
	if (killer) {
		e->destroy.killer_pid = killer->pid;
		__builtin_memcpy(e->destroy.killer_comm, killer->comm,
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
	/*
	 * A netns that died after the cleanup work's first walk is seen by
	 * the notifier walk; with every device down, the first notifier
	 * call is NETDEV_UNREGISTER, once the devices are off the netns's
	 * list. They are on the batch's kill list still, its loopback too.
	 */
	lo = BPF_CORE_READ(net, loopback_dev);
	if (!w.e->destroy.nr_devs && lo) {
		w.head = (void *)lo +
			 bpf_core_field_offset(struct net_device, unreg_list);
		if (read_list_prev(w.head) != w.head) {
			w.pos = w.head;
			bpf_loop(NST_MAX_NET_DEVS, kill_walk_cb, &w, 0);
		}
	}
	if (targ_ev_mask & NST_EV_BIT(NST_EV_NS_DESTROY)) {
		/* Stamped after the netdev.delete records it sits behind. */
		e->task.ts_boot_ns = bpf_ktime_get_boot_ns();
		nst_output(e, sizeof(e->destroy));
	}
}

/*
 * Who dropped the last reference of this one, when that is sure. The
 * kernel queues the cleanup work only when it adds a namespace to an
 * empty cleanup list, and the queue_work tracepoint fires only then,
 * since the work is never pending while the list is empty: the queuer
 * killed the first namespace of this batch, which was dying before the
 * work started, and so is on the list the first pass walked. If that
 * pass saw one dying namespace, reported or not, it was that one; with
 * more, any of them could be.
 */
static __always_inline const struct queuer *
killer_of(const struct cleanup_state *st, __u64 id)
{
	if (st->killer.valid && st->dying == 1 && st->first == id)
		return &st->killer;
	return NULL;
}

/* Once per namespace, whichever of the walks below sees it first. */
static __always_inline void report_new(struct net *net,
				       struct cleanup_state *st)
{
	__u64 id = net_identity(net);

	if (bpf_map_lookup_elem(&reported_dying, &id))
		return;
	bpf_map_update_elem(&reported_dying, &id, &st->stamp, BPF_ANY);
	emit_destroy(net, killer_of(st, id));
}

static long net_walk_cb(__u64 i, struct net_walk *nw)
{
	struct cleanup_state *st = nw->st;
	struct net *net;
	__u64 id, *seen;
	__u32 n;

	nw->pos = read_list_next(nw->pos);
	if (!nw->pos || nw->pos == nw->head)
		return 1;
	net = (void *)nw->pos - bpf_core_field_offset(struct net, list);
	if (!net_is_dying(net))
		return 0;
	if (st->emit) {
		report_new(net, st);
		return 0;
	}
	id = net_identity(net);
	if (!st->dying++)
		st->first = id;
	n = st->nanchors;
	if (n < NST_ANCHORS) {
		st->anchor[n & (NST_ANCHORS - 1)] = (__u64)net;
		st->nanchors = n + 1;
	}
	seen = bpf_map_lookup_elem(&reported_dying, &id);
	if (seen)
		*seen = st->stamp;
	return 0;
}

/* Namespaces this walk did not see dying are gone from the list. */
static long forget_gone_cb(struct bpf_map *map, __u64 *id, __u64 *stamp,
			   struct net_walk *nw)
{
	if (*stamp != nw->st->stamp)
		bpf_map_delete_elem(map, id);
	return 0;
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(nst_tp_queue_work, int req_cpu, struct pool_workqueue *pwq,
	     struct work_struct *work)
{
	struct queuer q = {};
	__u32 zero = 0;

	if (work->func != (void *)&cleanup_net)
		return 0;
	/* From an interrupt or a kernel thread, no process is to blame. */
	q.valid = current_is_process(ctx);
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
	st = bpf_map_lookup_elem(&cleanup_scratch, &zero);
	q = bpf_map_lookup_elem(&cleanup_queuer, &zero);
	if (!st || !q)
		return 0;
	st->nanchors = 0;
	/* -p PID: the kernel's worker is never that process. */
	if (!nst_wants_task())
		return 0;
	st->stamp = bpf_ktime_get_ns();
	st->first = 0;
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
	st->emit = 1;
	nw.pos = nw.head;
	bpf_loop(NST_MAX_NETS_WALKED, net_walk_cb, &nw, 0);
	bpf_for_each_map_elem(&reported_dying, forget_gone_cb, &nw, 0);
	return 0;
}

struct batch_walk {
	struct list_head *start;
	struct list_head *pos;
	struct cleanup_state *st;
};

/*
 * cleanup_net() links its batch through exit_list, newest first, on a
 * list head of its own stack: the oldest, the one added to an empty
 * cleanup list (its cleanup_list.next is NULL), comes last, and the next
 * entry after it is that head, which is no namespace.
 */
static long batch_walk_cb(__u64 i, struct batch_walk *bw)
{
	struct net *net =
		(void *)bw->pos - bpf_core_field_offset(struct net, exit_list);
	struct list_head *next = read_list_next(bw->pos);

	if (net_is_dying(net))
		report_new(net, bw->st);
	if (next && !BPF_CORE_READ(net, cleanup_list.next))
		next = read_list_next(next);
	if (!next || next == bw->start)
		return 1;
	bw->pos = next;
	return 0;
}

/* The batch, from a namespace of it; false if that one is not linked. */
static __always_inline bool walk_batch(struct net *net,
				       struct cleanup_state *st)
{
	struct batch_walk bw = { .st = st };
	struct list_head *next;

	bw.start = (void *)net + bpf_core_field_offset(struct net, exit_list);
	next = read_list_next(bw.start);
	if (!next || next == bw.start)
		return false;
	bw.pos = bw.start;
	bpf_loop(NST_MAX_NETS_WALKED, batch_walk_cb, &bw, 0);
	return true;
}

/*
 * The kernel takes its batch (llist_del_all) only after the program
 * above returns: a namespace whose last reference went while it walked
 * is taken too, and is off the list before the next batch. The first
 * notifier call in the worker (the batch's interfaces going down) comes
 * once the batch is linked by exit_list, its interfaces still listed:
 * the batch is walked there, from a namespace of it pass one saw.
 */
SEC("raw_tp/notifier_run")
int nst_tp_cleanup_notifier(struct bpf_raw_tracepoint_args *ctx)
{
	struct cleanup_state *st;
	__u32 zero = 0, n;

	if (!nst_cleanup_tid ||
	    (__u32)bpf_get_current_pid_tgid() != nst_cleanup_tid)
		return 0;
	st = bpf_map_lookup_elem(&cleanup_scratch, &zero);
	if (!st)
		return 0;
	n = st->nanchors;
	for (__u32 i = 0; i < NST_ANCHORS && i < n; i++) {
		if (walk_batch((void *)st->anchor[i], st)) {
			st->nanchors = 0;
			break;
		}
	}
	return 0;
}

static long emit_returned_cb(struct bpf_map *map, __u64 *key,
			     struct dev_snap *was, void *ctx)
{
	struct net_device *dev = (void *)*key;

	if (nst_wants(NST_EV_NETDEV_MOVE, NST_NS_NET))
		emit_move_of(was, NST_CAUSE_NETNS_EXIT, NST_ORIGIN_NETNS_EXIT,
			     net_id_of(dev_net_of(dev)), 0);
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
