// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.name from the mount syscalls: a namespace gets a name when one of
 * its nsfs files is bind-mounted (ip netns add, podman, docker, unshare
 * --net=PATH all mount a /proc/.../ns/TYPE or an open nsfs file), and
 * loses it when that path is unmounted. The enter half finds which
 * namespace the source stands for, as the kernel's path walk would, and
 * the exit half tells it once the syscall succeeded, with the caller.
 *
 * An umount says only its path: which namespace was there is the
 * loader's to know (from the add, or from the mount table). Every
 * umount of the machine is told; the loader drops those it has no name
 * for. A mount without MS_BIND leaves after one load.
 */
#include "task.bpf.h"

#define NST_MS_REMOUNT 32
#define NST_MS_BIND 4096
/* "/proc/thread-self/task/4194304/ns/time_for_children" and shorter. */
#define NST_SRC_LEN 64
#define NST_SRC_PARTS 8

/* A component of the source path: its first bytes, length and number. */
struct src_part {
	__u64 word; /* the first 8 bytes, zero-padded */
	__u32 len;
	__u32 num; /* its value when it is all digits */
	__u32 digits; /* all digits (and not empty) */
	__u32 pad;
};

struct src_split {
	char s[NST_SRC_LEN];
	struct src_part part[NST_SRC_PARTS];
	__u32 n; /* components, the one after the leading '/' first */
	__u32 bad; /* more components than part[] holds */
};

/* A mount or umount between its enter and exit. */
struct mount_req {
	__u64 src; /* user pointers, read again at exit if they failed */
	__u64 tgt;
	struct nst_ns_name name;
	__u32 have_src; /* the source was read (name.ns says if it named one) */
	__u32 have_path;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mount_req);
} pending_mount SEC(".maps");

/*
 * A relative target made absolute as d_path() would: the caller's cwd,
 * built backwards from its dentry up to its root in buf[0..NST_CWD_HALF),
 * then '/' and the target from buf[NST_CWD_HALF].
 */
#define NST_CWD_HALF 256
#define NST_CWD_LEVELS 64

struct cwd_walk {
	char buf[2 * NST_CWD_HALF];
	struct dentry *dentry;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 pos; /* where the path starts in buf */
	__u32 failed; /* too long or too deep */
};

struct mount_scratch {
	struct mount_req req;
	struct src_split split;
	struct cwd_walk cwd;
};

struct cwd_ctx {
	struct cwd_walk *w;
};

/* One step up: a component of the path, or from a mount to its parent. */
static long cwd_step_cb(__u64 i, struct cwd_ctx *c)
{
	struct cwd_walk *w = c->w;
	struct dentry *d = w->dentry;
	struct mount *m = w->mnt, *parent;
	struct vfsmount *vm;
	const unsigned char *name;
	__u32 len, pos = w->pos;

	vm = (void *)m + bpf_core_field_offset(struct mount, mnt);
	if (d == w->root_dentry && vm == w->root_mnt)
		return 1;
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		parent = BPF_CORE_READ(m, mnt_parent);
		if (parent == m)
			return 1; /* the root of its mount namespace */
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = parent;
		return 0;
	}
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	if (i + 1 == NST_CWD_LEVELS || len + 1 > pos || pos > NST_CWD_HALF) {
		w->failed = 1;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(w->buf + (pos & (NST_CWD_HALF - 1)),
			      len & (NST_CWD_HALF - 1), name);
	pos--;
	w->buf[pos & (NST_CWD_HALF - 1)] = '/';
	w->pos = pos;
	w->dentry = BPF_CORE_READ(d, d_parent);
	return 0;
}

/* path, relative, made absolute in place; left as it is on failure. */
static __always_inline void absolute_target(struct cwd_walk *w, char *path)
{
	struct fs_struct *fs = BPF_CORE_READ(bpf_get_current_task_btf(), fs);
	struct cwd_ctx ctx = { w };
	struct vfsmount *pwd_mnt;
	__u32 pos;

	if (!fs)
		return;
	pwd_mnt = BPF_CORE_READ(fs, pwd.mnt);
	w->dentry = BPF_CORE_READ(fs, pwd.dentry);
	w->mnt = (void *)pwd_mnt - bpf_core_field_offset(struct mount, mnt);
	w->root_dentry = BPF_CORE_READ(fs, root.dentry);
	w->root_mnt = BPF_CORE_READ(fs, root.mnt);
	w->pos = NST_CWD_HALF;
	w->failed = 0;
	w->buf[NST_CWD_HALF] = '/';
	if (bpf_probe_read_kernel_str(w->buf + NST_CWD_HALF + 1,
				      NST_CWD_HALF - 1, path) < 0)
		return;
	bpf_loop(NST_CWD_LEVELS, cwd_step_cb, &ctx, 0);
	pos = w->pos;
	if (w->failed || pos > NST_CWD_HALF)
		return;
	bpf_probe_read_kernel_str(path, NST_PATH_LEN, w->buf + pos);
}

/* Too big for the BPF stack: built here, then copied into the map. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mount_scratch);
} mount_scratch SEC(".maps");

/* The first 8 bytes of a string constant, as src_part.word has them. */
static __always_inline __u64 word_of(const char *s)
{
	__u64 w = 0;

	for (int i = 0; i < 8 && s[i]; i++)
		w |= (__u64)(__u8)s[i] << (8 * i);
	return w;
}

static __always_inline bool part_is(const struct src_part *p, const char *s,
				    __u32 len)
{
	return p->len == len && p->word == word_of(s);
}

/* bpf_loop() takes a pointer to the stack only. */
struct split_ctx {
	struct src_split *sp;
};

static long split_cb(__u64 i, struct split_ctx *ctx)
{
	struct src_split *sp = ctx->sp;
	struct src_part *p;
	__u32 n = sp->n;
	char c;

	if (i + 1 >= NST_SRC_LEN)
		return 1;
	c = sp->s[i + 1];
	if (!c)
		return 1;
	if (c == '/') {
		if (n + 1 >= NST_SRC_PARTS) {
			sp->bad = 1;
			return 1;
		}
		sp->n = n + 1;
		return 0;
	}
	if (n >= NST_SRC_PARTS)
		return 1;
	p = &sp->part[n];
	if (p->len < 8)
		p->word |= (__u64)(__u8)c << (8 * (p->len & 7));
	if (!p->len)
		p->digits = 1;
	p->len++;
	if (c >= '0' && c <= '9')
		p->num = p->num * 10 + (c - '0');
	else
		p->digits = 0;
	return 0;
}

/* The namespace of type T (a /proc/PID/ns/T name) that a task is in. */
static __always_inline struct ns_common *
task_ns(struct task_struct *task, const struct src_part *t, __u32 *type)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct pid_namespace *pidns;

	if (part_is(t, "user", 4)) {
		*type = NST_NS_USER;
		return (void *)BPF_CORE_READ(task, real_cred, user_ns) +
		       bpf_core_field_offset(struct user_namespace, ns);
	}
	/* An exiting task has none of the others. */
	if (!nsp)
		return NULL;
	if (part_is(t, "net", 3)) {
		*type = NST_NS_NET;
		return (void *)BPF_CORE_READ(nsp, net_ns) +
		       bpf_core_field_offset(struct net, ns);
	}
	if (part_is(t, "mnt", 3)) {
		*type = NST_NS_MNT;
		return (void *)BPF_CORE_READ(nsp, mnt_ns) +
		       bpf_core_field_offset(struct mnt_namespace, ns);
	}
	if (part_is(t, "uts", 3)) {
		*type = NST_NS_UTS;
		return (void *)BPF_CORE_READ(nsp, uts_ns) +
		       bpf_core_field_offset(struct uts_namespace, ns);
	}
	if (part_is(t, "ipc", 3)) {
		*type = NST_NS_IPC;
		return (void *)BPF_CORE_READ(nsp, ipc_ns) +
		       bpf_core_field_offset(struct ipc_namespace, ns);
	}
	if (part_is(t, "cgroup", 6)) {
		*type = NST_NS_CGROUP;
		return (void *)BPF_CORE_READ(nsp, cgroup_ns) +
		       bpf_core_field_offset(struct cgroup_namespace, ns);
	}
	*type = NST_NS_PID;
	if (part_is(t, "pid", 3))
		pidns = task_pid_ns(task);
	else if (part_is(t, "pid_for_", 16))
		pidns = BPF_CORE_READ(nsp, pid_ns_for_children);
	else
		pidns = NULL;
	if (pidns)
		return (void *)pidns +
		       bpf_core_field_offset(struct pid_namespace, ns);
	*type = NST_NS_TIME;
	if (part_is(t, "time", 4))
		return (void *)BPF_CORE_READ(nsp, time_ns) +
		       bpf_core_field_offset(struct time_namespace, ns);
	if (part_is(t, "time_for", 17))
		return (void *)BPF_CORE_READ(nsp, time_ns_for_children) +
		       bpf_core_field_offset(struct time_namespace, ns);
	return NULL;
}

static __always_inline __u32 type_of_clone_flag(__u32 flag)
{
	switch (flag) {
	case NST_CLONE_NEWNET:
		return NST_NS_NET;
	case NST_CLONE_NEWNS:
		return NST_NS_MNT;
	case NST_CLONE_NEWUTS:
		return NST_NS_UTS;
	case NST_CLONE_NEWIPC:
		return NST_NS_IPC;
	case NST_CLONE_NEWPID:
		return NST_NS_PID;
	case NST_CLONE_NEWUSER:
		return NST_NS_USER;
	case NST_CLONE_NEWCGROUP:
		return NST_NS_CGROUP;
	case NST_CLONE_NEWTIME:
		return NST_NS_TIME;
	}
	return NST_NS_TYPES;
}

/*
 * The namespace a source path of /proc names, from sp->s (read in
 * already): /proc/{self,thread-self,PID}[/task/TID]/ns/TYPE, or .../fd/N
 * of an nsfs file. 0 when it is none of those (a bind of anything else,
 * or of an nsfs mount's own path: those are left to the mount table).
 */
static __always_inline int resolve_src(struct src_split *sp,
				       struct nst_ns_name *name)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct split_ctx ctx = { sp };
	struct ns_common *ns;
	__u32 type = NST_NS_TYPES, at = 2;

	__builtin_memset(sp->part, 0, sizeof(sp->part));
	sp->n = 0;
	sp->bad = 0;
	if (sp->s[0] != '/')
		return 0;
	bpf_loop(NST_SRC_LEN, split_cb, &ctx, 0);
	sp->n++;
	if (sp->bad || sp->n < 4 || !part_is(&sp->part[0], "proc", 4))
		return 0;
	if (sp->part[1].digits)
		task = task_of_vpid(sp->part[1].num);
	else if (!part_is(&sp->part[1], "self", 4) &&
		 !part_is(&sp->part[1], "thread-s", 11))
		return 0;
	if (sp->n == 6 && part_is(&sp->part[2], "task", 4) &&
	    sp->part[3].digits) {
		task = task_of_vpid(sp->part[3].num);
		at = 4;
	}
	if (!task || sp->n != at + 2)
		return 0;
	if (at == 2 && part_is(&sp->part[2], "ns", 2))
		ns = task_ns(task, &sp->part[3], &type);
	else if (at == 4 && part_is(&sp->part[4], "ns", 2))
		ns = task_ns(task, &sp->part[5], &type);
	else if (at == 2 && part_is(&sp->part[2], "fd", 2) &&
		 sp->part[3].digits)
		ns = nsfs_ns(task_file(task, sp->part[3].num));
	else if (at == 4 && part_is(&sp->part[4], "fd", 2) &&
		 sp->part[5].digits)
		ns = nsfs_ns(task_file(task, sp->part[5].num));
	else
		return 0;
	if (!ns)
		return 0;
	if (type == NST_NS_TYPES)
		type = type_of_clone_flag(ns_common_clone_flag(ns));
	if (type >= NST_NS_TYPES)
		return 0;
	name->ns_type = type;
	name->ns = BPF_CORE_READ(ns, inum);
	return name->ns != 0;
}

static __always_inline struct mount_scratch *mount_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mount_scratch, &zero);
}

/*
 * Reads the strings the syscall was given, those the enter half could
 * not: a page the kernel had yet to fault in, which it has by the exit.
 */
static __always_inline void read_req(struct mount_scratch *m)
{
	struct mount_req *r = &m->req;

	if (r->name.op == NST_NAME_ADD && !r->have_src &&
	    bpf_probe_read_user_str(m->split.s, sizeof(m->split.s),
				    (const void *)r->src) > 0) {
		r->have_src = 1;
		resolve_src(&m->split, &r->name);
	}
	if (!r->have_path &&
	    bpf_probe_read_user_str(r->name.path, sizeof(r->name.path),
				    (const void *)r->tgt) > 0) {
		r->have_path = 1;
		/* The kernel walks a relative one from the cwd, as of now. */
		if (r->name.path[0] != '/')
			absolute_target(&m->cwd, r->name.path);
	}
}

static __always_inline void mount_enter(__u32 op, const void *src,
					const void *tgt)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mount_scratch *m = mount_scratch_get();

	if (!m)
		return;
	__builtin_memset(&m->req, 0, sizeof(m->req));
	m->req.src = (__u64)src;
	m->req.tgt = (__u64)tgt;
	m->req.name.op = op;
	m->req.name.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	read_req(m);
	/* A bind of anything but a namespace gives it no name. */
	if (op == NST_NAME_ADD && m->req.have_src && !m->req.name.ns)
		return;
	bpf_map_update_elem(&pending_mount, &tid, &m->req, BPF_ANY);
}

static __always_inline void mount_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mount_scratch *m;
	struct mount_req *r;
	struct nst_event *e;

	r = bpf_map_lookup_elem(&pending_mount, &tid);
	if (!r)
		return;
	m = mount_scratch_get();
	if (!ret && m)
		bpf_probe_read_kernel(&m->req, sizeof(m->req), r);
	bpf_map_delete_elem(&pending_mount, &tid);
	if (ret || !m)
		return;
	read_req(m);
	if (!m->req.have_path ||
	    (m->req.name.op == NST_NAME_ADD && !m->req.name.ns))
		return;
	if (m->req.name.op == NST_NAME_ADD &&
	    !nst_wants(NST_EV_NS_NAME, m->req.name.ns_type))
		return;
	e = nst_reserve(NST_EV_NS_NAME, sizeof(e->name));
	if (!e)
		return;
	bpf_probe_read_kernel(&e->name, sizeof(e->name), &m->req.name);
	nst_submit(e);
}

/* mount(source, target, fstype, flags, data) */
SEC("tp/syscalls/sys_enter_mount")
int nst_tp_enter_mount(struct trace_event_raw_sys_enter *ctx)
{
	unsigned long flags = ctx->args[3];

	/* A remount of a bind changes its flags, not what is mounted. */
	if ((flags & (NST_MS_BIND | NST_MS_REMOUNT)) != NST_MS_BIND ||
	    !nst_wants_task())
		return 0;
	mount_enter(NST_NAME_ADD, (const void *)ctx->args[0],
		    (const void *)ctx->args[1]);
	return 0;
}

SEC("tp/syscalls/sys_exit_mount")
int nst_tp_exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	mount_exit(ctx->ret);
	return 0;
}

/* umount2(target, flags), which the kernel calls umount. */
SEC("tp/syscalls/sys_enter_umount")
int nst_tp_enter_umount(struct trace_event_raw_sys_enter *ctx)
{
	if (nst_wants_task())
		mount_enter(NST_NAME_REMOVE, NULL, (const void *)ctx->args[0]);
	return 0;
}

SEC("tp/syscalls/sys_exit_umount")
int nst_tp_exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	mount_exit(ctx->ret);
	return 0;
}
