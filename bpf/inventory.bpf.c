// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The inventory behind `nstrace ls`: one pass over the kernel's own lists,
 * with no setns and no fork per namespace. The Makefile builds it twice,
 * into two light skeletons: inventory.bpf.o, namespaces of every type
 * (`ls -t`, `--all`, top, --snapshot), and, with -DINVENTORY_NETNS_ONLY,
 * inventory_net.bpf.o, what the netns view (ls, identify, pids, where)
 * needs: the net namespaces, the mount namespaces (whose mountinfo gives
 * the names) and the user namespaces (the owners).
 *
 * - iter/task: every process (and every thread whose namespaces differ
 *   from its leader's), with its namespaces; at the end of the walk, the
 *   whole of net_namespace_list and each net's dev_base_head.
 * - iter/task_file: every open nsfs file (a namespace held by an fd) and
 *   every socket whose netns is not its process's own.
 *
 * Per-task records go through the iterator's seq_file. The net walk runs
 * in a single program call, and its output can be far larger than the
 * seq_file buffer (one call must fit in it), so it goes to a ring buffer
 * that the loader reads once the iterator is done.
 *
 * Load time: the kernel relocates a light skeleton itself, and caches the
 * candidates of each kernel type it looks up in 31 slots chosen by a hash
 * of the type's name (vmlinux_cand_cache in kernel/bpf/btf.c). Two names
 * that share a slot evict each other, and every miss is a search of all
 * of vmlinux's BTF (about 1.5 ms here). So the root types of the
 * relocations (the type a BPF_CORE_READ() step starts from) are chosen
 * to fall in distinct slots: the netns view's thirteen do, and after its
 * first load it costs no search at all. Hence the indirect reads below:
 * ns_common (the slot of file) is read through struct net's ns, inode
 * (the slot of net) through struct socket_alloc's vfs_inode, and neither
 * super_block nor proc_ns_operations is used. The other types' structures
 * (pid, upid, and the namespaces of the other five types) add seven root
 * types that share slots: hence the second build, without them.
 */
#ifdef INVENTORY_NETNS_ONLY
#define ALL_TYPES 0
#else
#define ALL_TYPES 1
#endif

/*
 * The iterators' contexts are ABI: declared here without CO-RE, for the
 * same reason as list_next() below.
 */
#define bpf_iter_meta bpf_iter_meta___vmlinux
#define bpf_iter__task bpf_iter__task___vmlinux
#define bpf_iter__task_file bpf_iter__task_file___vmlinux
#include "vmlinux.h"
#undef bpf_iter_meta
#undef bpf_iter__task
#undef bpf_iter__task_file
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "nstrace.h"
#include "inventory_records.h"
#include "compat.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};

#define PF_KTHREAD 0x00200000
#define IFF_UP 0x1

/* Bounds of the walks; reaching one sets `truncated`. */
#define MAX_NETS (1 << 20)
#define MAX_DEVS_PER_NET (1 << 20)
/* A user namespace is at most 32 levels deep. */
#define MAX_USERNS_DEPTH 33

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LS_WALK_BUF_SIZE);
} walk_out SEC(".maps");

/* Namespaces already reported, so that each has one LS_REC_NS record. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Filled as namespaces are seen, not all 2^16 set up at every load. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, __u32);
	__type(value, __u8);
} seen_ns SEC(".maps");

/* The walk's totals, read by the loader once the iterator is done. */
struct ls_walk_totals walk;

/* The address of init_net, as every kernel thread's nsproxy has it. */
__u64 init_net_addr;

/*
 * Each type's proc_ns_operations, as the tasks' namespaces show them
 * (one per type, shared by all its namespaces): the task iterator fills
 * it, and the file iterator, which runs after it, tells an nsfs file's
 * type by it.
 */
__u64 type_ops[NST_NS_TYPES];

/* Seen before: true. Else marks it (when the map has room) and says false. */
static __always_inline bool already_seen(__u32 inum)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&seen_ns, &inum))
		return true;
	bpf_map_update_elem(&seen_ns, &inum, &one, BPF_ANY);
	return false;
}

/* struct ns_common's fields, read as struct net's ns (see the top). */
#define ns_as_net(nc) \
	((struct net *)((char *)(nc)-bpf_core_field_offset(struct net, ns)))

static __always_inline __u32 ns_inum(struct ns_common *nc)
{
	return BPF_CORE_READ(ns_as_net(nc), ns.inum);
}

static __always_inline __u64 ns_ops(struct ns_common *nc)
{
	return (__u64)BPF_CORE_READ(ns_as_net(nc), ns.ops);
}

/* ns.__ns_ref, ns.count on older kernels (6.1): as ns_common_refs(). */
struct net___count {
	struct ns_common___count ns;
} __attribute__((preserve_access_index));

static __always_inline int net_refs(struct net *net)
{
	struct net___count *old = (void *)net;

	if (bpf_core_field_exists(net->ns.__ns_ref))
		return BPF_CORE_READ(net, ns.__ns_ref.refs.counter);
	return BPF_CORE_READ(old, ns.count.refs.counter);
}

/* The type whose namespaces have these ops, or -1 (none seen yet). */
static __always_inline int ns_type_of_ops(__u64 ops)
{
	for (int i = 0; i < NST_NS_TYPES; i++)
		if (ops && type_ops[i] == ops)
			return i;
	return -1;
}

/* struct inode's fields, read as struct socket_alloc's (see the top). */
#define inode_as_socket_alloc(inode)                                    \
	((struct socket_alloc *)((char *)(inode)-bpf_core_field_offset( \
		struct socket_alloc, vfs_inode)))

/* container_of() for the structure that embeds a namespace's ns_common. */
#define ns_container(nc, type) \
	((type *)((char *)(nc)-bpf_core_field_offset(type, ns)))

/* The owner of nc, kept in the user_ns of the struct type around it. */
#define user_ns_of(nc, type) \
	BPF_CORE_READ(ns_container(nc, struct type), user_ns)

/* The user namespace that owns the namespace nc of the given type. */
static __always_inline struct user_namespace *ns_owner(struct ns_common *nc,
						       int type)
{
	switch (type) {
	case NST_NS_NET:
		return user_ns_of(nc, net);
	case NST_NS_MNT:
		return user_ns_of(nc, mnt_namespace);
	case NST_NS_USER:
		/* A user namespace's owner is its parent. */
		return BPF_CORE_READ(ns_container(nc, struct user_namespace),
				     parent);
#if ALL_TYPES
	case NST_NS_UTS:
		return user_ns_of(nc, uts_namespace);
	case NST_NS_IPC:
		return user_ns_of(nc, ipc_namespace);
	case NST_NS_PID:
		return user_ns_of(nc, pid_namespace);
	case NST_NS_CGROUP:
		return user_ns_of(nc, cgroup_namespace);
	case NST_NS_TIME:
		return user_ns_of(nc, time_namespace);
#endif
	}
	return NULL;
}

static __always_inline __u32 ns_parent(struct ns_common *nc, int type)
{
#if ALL_TYPES
	if (type == NST_NS_PID)
		return BPF_CORE_READ(ns_container(nc, struct pid_namespace),
				     parent, ns.inum);
#endif
	if (type == NST_NS_USER)
		return BPF_CORE_READ(ns_container(nc, struct user_namespace),
				     parent, ns.inum);
	return 0;
}

struct user_chain {
	struct seq_file *seq;
	struct user_namespace *user;
};

static long emit_one_user(__u32 i, void *ctx)
{
	struct ls_ns r = { .kind = LS_REC_NS, .type = NST_NS_USER };
	struct user_chain *c = ctx;
	struct user_namespace *user = c->user;

	if (!user)
		return 1;
	r.inum = BPF_CORE_READ(user, ns.inum);
	if (!r.inum || already_seen(r.inum))
		return 1;
	/* BPF_CORE_READ() relocates every step: no local struct in it. */
	user = BPF_CORE_READ(user, parent);
	c->user = user;
	r.owner = r.parent = user ? BPF_CORE_READ(user, ns.inum) : 0;
	bpf_seq_write(c->seq, &r, sizeof(r));
	return 0;
}

/*
 * A user namespace can be alive only as the owner of others (a netns
 * bind-mounted by a process that has left it): report the owners too, up
 * to the first one already known.
 */
static __always_inline void emit_user_chain(struct seq_file *seq,
					    struct user_namespace *user)
{
	struct user_chain c = { .seq = seq, .user = user };

	bpf_loop(MAX_USERNS_DEPTH, emit_one_user, &c, 0);
}

/* One LS_REC_NS for the namespace nc of the given type, the first time. */
static __noinline void emit_ns(struct seq_file *seq, struct ns_common *nc,
			       int type)
{
	struct ls_ns r = { .kind = LS_REC_NS };
	struct user_namespace *owner;

	if (!nc || type < 0)
		return;
	r.inum = ns_inum(nc);
	if (!r.inum || already_seen(r.inum))
		return;
	r.type = type;
	owner = ns_owner(nc, type);
	r.owner = owner ? BPF_CORE_READ(owner, ns.inum) : 0;
	r.parent = ns_parent(nc, type);
	bpf_seq_write(seq, &r, sizeof(r));
	emit_user_chain(seq, owner);
}

#if ALL_TYPES
/* The pid namespace a task lives in (not the one of its future children). */
static __always_inline struct pid_namespace *
task_active_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level;
	struct upid *upid;

	if (!pid)
		return NULL;
	level = BPF_CORE_READ(pid, level);
	upid = (void *)((char *)pid +
			bpf_core_field_offset(struct pid, numbers) +
			(__u64)level * bpf_core_type_size(struct upid));
	return BPF_CORE_READ(upid, ns);
}
#endif

/*
 * The ns_common of the namespace nsp->field (a struct type), found by
 * address arithmetic on the pointer read from the kernel, with no read.
 */
#define nsproxy_ns(nsp, field, type)         \
	((void *)BPF_CORE_READ(nsp, field) + \
	 bpf_core_field_offset(struct type, ns))

/* The namespaces of a task, as /proc/PID/ns/ shows them. */
static __always_inline void task_namespaces(struct task_struct *task,
					    struct ns_common *ns[NST_NS_TYPES])
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct user_namespace *user = BPF_CORE_READ(task, real_cred, user_ns);

	for (int i = 0; i < NST_NS_TYPES; i++)
		ns[i] = NULL;
	ns[NST_NS_USER] = user ? &user->ns : NULL;
#if ALL_TYPES
	struct pid_namespace *pidns = task_active_pid_ns(task);

	ns[NST_NS_PID] = pidns ? &pidns->ns : NULL;
#endif
	/* An exiting task has given its nsproxy back. */
	if (!nsp)
		return;
	ns[NST_NS_NET] = nsproxy_ns(nsp, net_ns, net);
	ns[NST_NS_MNT] = nsproxy_ns(nsp, mnt_ns, mnt_namespace);
#if ALL_TYPES
	ns[NST_NS_UTS] = nsproxy_ns(nsp, uts_ns, uts_namespace);
	ns[NST_NS_IPC] = nsproxy_ns(nsp, ipc_ns, ipc_namespace);
	ns[NST_NS_CGROUP] = nsproxy_ns(nsp, cgroup_ns, cgroup_namespace);
	ns[NST_NS_TIME] = nsproxy_ns(nsp, time_ns, time_namespace);
#endif
}

/* ---- the walk of net_namespace_list and dev_base_head ---- */

/*
 * struct list_head is { next, prev } on every kernel: reading it without
 * CO-RE spares the loader one more search of the kernel's BTF.
 */
static __always_inline struct list_head *list_next(struct list_head *node)
{
	struct list_head *next = NULL;

	bpf_probe_read_kernel(&next, sizeof(next), node);
	return next;
}

struct dev_walk {
	struct list_head *head; /* &net->dev_base_head */
	struct list_head *node;
	__u32 netns;
	__u32 ndevs;
};

static __always_inline bool is_veth(const char *kind)
{
	return kind[0] == 'v' && kind[1] == 'e' && kind[2] == 't' &&
	       kind[3] == 'h' && kind[4] == '\0';
}

static __always_inline void fill_dev(struct ls_dev *r, struct net_device *dev)
{
	struct list_head *upper = list_next(&dev->adj_list.upper);
	const struct rtnl_link_ops *ops = BPF_CORE_READ(dev, rtnl_link_ops);
	const unsigned char *addr = BPF_CORE_READ(dev, dev_addr);

	r->ifindex = BPF_CORE_READ(dev, ifindex);
	r->flags = BPF_CORE_READ(dev, flags);
	r->mtu = BPF_CORE_READ(dev, mtu);
	/* An unsigned char in 6.1, an unsigned int in 6.18. */
	r->operstate = BPF_CORE_READ_BITFIELD_PROBED(dev, operstate);
	/* What rtnetlink reports for a device that is not running. */
	if (!(r->flags & IFF_UP))
		r->operstate = IF_OPER_DOWN;
	r->type = BPF_CORE_READ(dev, type);
	r->addr_len = BPF_CORE_READ(dev, addr_len);
	bpf_probe_read_kernel(r->name, sizeof(r->name), dev->name);
	if (addr && r->addr_len)
		bpf_probe_read_kernel(r->addr, sizeof(r->addr), addr);
	if (ops)
		bpf_probe_read_kernel_str(r->link_kind, sizeof(r->link_kind),
					  BPF_CORE_READ(ops, kind));

	/* netdev_master_upper_dev_get(): the master is the first upper. */
	if (upper && upper != &dev->adj_list.upper) {
		struct netdev_adjacent *adj =
			container_of(upper, struct netdev_adjacent, list);

		if (BPF_CORE_READ(adj, master))
			r->master = BPF_CORE_READ(adj, dev, ifindex);
	}

	if (is_veth(r->link_kind)) {
		struct net_device *peer = veth_priv_peer(dev);

		if (peer) {
			r->peer_ifindex = BPF_CORE_READ(peer, ifindex);
			r->peer_netns =
				BPF_CORE_READ(peer, nd_net.net, ns.inum);
			bpf_probe_read_kernel(r->peer_name,
					      sizeof(r->peer_name), peer->name);
		}
	}
}

static long walk_one_dev(__u32 i, void *ctx)
{
	struct dev_walk *w = ctx;
	struct list_head *node = w->node;
	struct net_device *dev;
	struct ls_dev *r;

	if (!node || node == w->head)
		return 1;
	dev = container_of(node, struct net_device, dev_list);
	w->node = list_next(node);
	w->ndevs++;
	r = bpf_ringbuf_reserve(&walk_out, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&walk.lost, 1);
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = LS_REC_DEV;
	r->netns = w->netns;
	fill_dev(r, dev);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

struct net_walk {
	struct list_head *start; /* &init_net->list, or our own net's */
	struct list_head *node;
	const void *ops; /* &netns_operations, every net's ns.ops */
	struct net *init_net;
};

static void emit_net(struct net_walk *w, struct net *net)
{
	struct dev_walk d = {};
	struct ls_net *r;
	long n;

	d.head = &net->dev_base_head;
	d.node = list_next(&net->dev_base_head);
	d.netns = BPF_CORE_READ(net, ns.inum);
	n = bpf_loop(MAX_DEVS_PER_NET, walk_one_dev, &d, 0);
	if (n >= MAX_DEVS_PER_NET)
		walk.truncated = 1;
	walk.devs += d.ndevs;

	r = bpf_ringbuf_reserve(&walk_out, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&walk.lost, 1);
		return;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = LS_REC_NET;
	r->inum = d.netns;
	r->owner = BPF_CORE_READ(net, user_ns, ns.inum);
	r->refs = net_refs(net);
	r->ndevs = d.ndevs;
	r->cookie = net_cookie(net);
	if (net == w->init_net)
		r->flags |= LS_NS_INIT;
	if (r->refs == 0)
		r->flags |= LS_NS_DYING;
	bpf_ringbuf_submit(r, 0);
}

/*
 * net_namespace_list is a data symbol, out of reach here (no
 * CONFIG_KALLSYMS_ALL, no BTF for variables), but every net is on it
 * through net->list, so going round the ring from any net visits them
 * all. The one node that is not a net, the list head, is told apart by
 * its ns.ops, which every real net shares (&netns_operations).
 */
static long walk_one_net(__u32 i, void *ctx)
{
	struct net_walk *w = ctx;
	struct list_head *node = w->node;
	struct net *net = container_of(node, struct net, list);

	if (BPF_CORE_READ(net, ns.ops) == w->ops) {
		emit_net(w, net);
		walk.nets++;
	} else {
		walk.heads++;
	}
	w->node = list_next(node);
	return !w->node || w->node == w->start;
}

static void walk_nets(void)
{
	struct task_struct *self = bpf_get_current_task_btf();
	struct net_walk w = {};
	struct net *net;
	long n;

	w.init_net = (struct net *)init_net_addr;
	net = w.init_net ? w.init_net : BPF_CORE_READ(self, nsproxy, net_ns);
	if (!net)
		return;
	w.start = w.node = &net->list;
	w.ops = BPF_CORE_READ(net, ns.ops);
	n = bpf_loop(MAX_NETS, walk_one_net, &w, 0);
	if (n >= MAX_NETS)
		walk.truncated = 1;
	walk.done = 1;
}

/* ---- the iterators ---- */

struct task_ns {
	struct seq_file *seq;
	struct ls_task *r;
	struct ns_common *ns[NST_NS_TYPES];
};

/*
 * A task's namespace of type i. A bpf_loop() callback rather than an
 * unrolled loop: the verifier goes through emit_ns() once, not once per
 * type, which is a third of ls_task's verification.
 */
static long task_ns_one(__u32 i, void *ctx)
{
	struct task_ns *t = ctx;
	struct ns_common *nc;

	if (i >= NST_NS_TYPES)
		return 1;
	nc = t->ns[i];
	if (!nc)
		return 0;
	t->r->ns[i] = ns_inum(nc);
	if (!type_ops[i])
		type_ops[i] = ns_ops(nc);
	emit_ns(t->seq, nc, i);
	return 0;
}

SEC("iter/task")
int ls_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct ls_task r = { .kind = LS_REC_TASK };
	struct task_ns t = { .seq = seq, .r = &r };

	if (!task) {
		/* The last call, after every task: walk the lists. */
		walk_nets();
		return 0;
	}
	if (task->flags & PF_KTHREAD) {
		r.flags |= LS_TASK_KTHREAD;
		if (!init_net_addr)
			init_net_addr =
				(__u64)BPF_CORE_READ(task, nsproxy, net_ns);
	}
	r.pid = task->tgid;
	r.tid = task->pid;
	if (r.pid != r.tid) {
		/*
		 * Pointers are read with probes, not loaded as trusted BTF
		 * pointers: the verifier would search the kernel's BTF for
		 * each of those, at every load.
		 */
		struct task_struct *leader = BPF_CORE_READ(task, group_leader);

		/* A thread is news only when it has switched namespaces. */
		if (BPF_CORE_READ(leader, nsproxy) ==
			    BPF_CORE_READ(task, nsproxy) &&
		    BPF_CORE_READ(leader, real_cred, user_ns) ==
			    BPF_CORE_READ(task, real_cred, user_ns))
			return 0;
		r.flags |= LS_TASK_THREAD;
	}
	r.ppid = BPF_CORE_READ(task, real_parent, tgid);
	r.uid = BPF_CORE_READ(task, real_cred, uid.val);
	bpf_probe_read_kernel(r.comm, sizeof(r.comm), task->comm);
	task_namespaces(task, t.ns);
	bpf_loop(NST_NS_TYPES, task_ns_one, &t, 0);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

SEC("iter/task_file")
int ls_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct socket_alloc *in;
	struct ns_common *nc;
	struct socket *sock;
	void *inode;
	int type;

	if (!task || !file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	in = inode_as_socket_alloc(inode);
	sock = BPF_CORE_READ(file, private_data);
	/*
	 * A sockfs file: its private_data is a socket, allocated with its
	 * inode in a socket_alloc, and the socket points back to the file.
	 */
	if (sock && (void *)sock == (void *)&in->socket &&
	    BPF_CORE_READ(sock, file) == file) {
		struct sock *sk = BPF_CORE_READ(sock, sk);
		struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		struct ls_sock r = { .kind = LS_REC_SOCK };

		/* A process's sockets in its own netns hold nothing new. */
		if (!net || net == BPF_CORE_READ(task, nsproxy, net_ns))
			return 0;
		r.pid = task->tgid;
		r.fd = ctx->fd;
		r.netns = BPF_CORE_READ(net, ns.inum);
		r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		r.type = BPF_CORE_READ(sk, sk_type);
		r.protocol = BPF_CORE_READ(sk, sk_protocol);
		bpf_seq_write(seq, &r, sizeof(r));
		return 0;
	}
	/*
	 * An nsfs file: nsfs keeps the namespace's ns_common in i_private and
	 * numbers the inode after it; its ops say the type. Another file
	 * system's inode would have to match all three.
	 */
	nc = BPF_CORE_READ(in, vfs_inode.i_private);
	if (!nc)
		return 0;
	type = ns_type_of_ops(ns_ops(nc));
	if (type >= 0 && ns_inum(nc) == BPF_CORE_READ(in, vfs_inode.i_ino)) {
		struct ls_nsfd r = { .kind = LS_REC_NSFD };

		r.pid = task->tgid;
		r.fd = ctx->fd;
		r.type = type;
		r.inum = ns_inum(nc);
		emit_ns(seq, nc, type);
		bpf_seq_write(seq, &r, sizeof(r));
	}
	return 0;
}
