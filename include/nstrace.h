/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records shared by the BPF programs and the loader. Every backend
 * (tracepoint, fentry, kprobe) fills the very same records, so the loader
 * never needs to know which one produced an event.
 */
#ifndef NSTRACE_H
#define NSTRACE_H

/* The BPF side has the kernel's types from vmlinux.h. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * The version of the JSON lines' schema (docs/events.md), on every line
 * and every JSON document: it changes only when a field is removed,
 * renamed or changes meaning.
 */
#define NST_SCHEMA_VERSION 1

#define NST_COMM_LEN 16
#define NST_IFNAME_LEN 16
#define NST_KIND_LEN 16
#define NST_MAX_DEVS 16
#define NST_PATH_LEN 256

/* Namespace types, in the order users list them. */
enum nst_ns_type {
	NST_NS_NET,
	NST_NS_MNT,
	NST_NS_UTS,
	NST_NS_IPC,
	NST_NS_PID,
	NST_NS_USER,
	NST_NS_CGROUP,
	NST_NS_TIME,
	NST_NS_TYPES,
};

#define NST_NS_ALL ((1u << NST_NS_TYPES) - 1)

enum nst_event_kind {
	NST_EV_NS_CREATE = 1,
	NST_EV_NS_SETNS,
	NST_EV_NS_DESTROY,
	NST_EV_NETDEV_MOVE,
	NST_EV_NETDEV_CREATE,
	NST_EV_NETDEV_DELETE,
	NST_EV_NETDEV_RENAME,
	NST_EV_NS_NAME,
	NST_EV_KINDS,
};

#define NST_EV_BIT(kind) (1u << (kind))
#define NST_EV_ALL (NST_EV_BIT(NST_EV_KINDS) - 2)

/* Which system call (or kernel path) produced an event. */
enum nst_origin {
	NST_ORIGIN_NONE,
	NST_ORIGIN_CLONE,
	NST_ORIGIN_CLONE3,
	NST_ORIGIN_UNSHARE,
	NST_ORIGIN_SETNS,
	NST_ORIGIN_SENDMSG,
	NST_ORIGIN_SENDTO,
	NST_ORIGIN_NETNS_EXIT,	 /* the kernel's cleanup of a dying netns */
	NST_ORIGIN_NETNS_CREATE, /* devices a new netns starts with (lo) */
	NST_ORIGIN_IOCTL,	 /* SIOCSIFNAME, seen by the rename hooks */
};

/* Why an interface left its network namespace, or was renamed. */
enum nst_move_cause {
	NST_CAUSE_REQUEST,
	NST_CAUSE_NETNS_EXIT,
	NST_CAUSE_KERNEL, /* a rename no request asked for (a driver's) */
};

/* What became of an interface of a dying network namespace. */
enum nst_dev_fate {
	NST_FATE_DELETED,
	NST_FATE_RETURNED,
};

struct nst_task {
	__u64 ts_boot_ns; /* CLOCK_BOOTTIME */
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	char comm[NST_COMM_LEN];
	/*
	 * Its cgroup v2 id, the inode of its cgroup's directory: what tells
	 * a container's process after it is gone (runc's short-lived child).
	 */
	__u64 cgroup_id;
};

struct nst_ns_create {
	__u32 ns_type;
	__u32 ns;
	__u32 origin;
	__u32 child_pid; /* clone only: the new process */
	/*
	 * A netns's net_cookie: never given to another netns while the
	 * machine runs, unlike its inode. 0 for other types, and where the
	 * kernel has no net_cookie as a plain number (before 5.12). Each
	 * netns inode field below has one beside it.
	 */
	__u64 ns_cookie;
};

struct nst_ns_setns {
	__u32 ns_type;
	__u32 from_ns;
	__u32 to_ns;
	__u32 pad;
	__u64 from_ns_cookie;
	__u64 to_ns_cookie;
};

struct nst_dev {
	__u32 ifindex;
	__u32 fate;
	char ifname[NST_IFNAME_LEN];
};

struct nst_ns_destroy {
	__u32 ns_type;
	__u32 ns;
	__u32 nr_devs; /* devices held when it died, may exceed NST_MAX_DEVS */
	__u32 killer_pid; /* 0 when unknown */
	char killer_comm[NST_COMM_LEN];
	__u64 ns_cookie;
	struct nst_dev devs[NST_MAX_DEVS];
};

/* nst_netdev_move.error when a request was refused without saying why. */
#define NST_ERR_UNKNOWN 1

struct nst_netdev_move {
	__u32 cause;
	__s32 error; /* 0, a negative errno, or NST_ERR_UNKNOWN */
	__u32 from_netns;
	__u32 to_netns;
	__u32 ifindex;
	__u32 new_ifindex;
	__u32 origin;
	__u32 pad;
	__u64 from_netns_cookie;
	__u64 to_netns_cookie; /* 0 when to_netns is */
	char ifname[NST_IFNAME_LEN];
	char new_ifname[NST_IFNAME_LEN];
};

struct nst_netdev_life {
	__u32 netns;
	__u32 ifindex;
	__u32 origin;
	/*
	 * netdev.delete at NST_ORIGIN_NETNS_EXIT of a veth end whose own
	 * netns lives on: the dying netns of its peer. 0 otherwise.
	 */
	__u32 peer_netns;
	__u64 netns_cookie;
	__u64 peer_netns_cookie;
	char ifname[NST_IFNAME_LEN];
	char kind[NST_KIND_LEN];
};

struct nst_netdev_rename {
	__u32 netns;
	__u32 ifindex;
	__u32 cause;
	__u32 origin;
	__u64 netns_cookie;
	char ifname[NST_IFNAME_LEN]; /* before */
	char new_ifname[NST_IFNAME_LEN];
};

/* ns.name from a mount or umount syscall; the mount table says the rest. */
enum nst_name_op {
	NST_NAME_ADD,
	NST_NAME_REMOVE,
};

struct nst_ns_name {
	__u32 op;
	__u32 ns_type; /* a remove: unknown to the kernel side, 0 */
	__u32 ns; /* a remove: 0 */
	__u32 mnt_ns; /* the caller's mount namespace, where path is */
	char path[NST_PATH_LEN]; /* the target as given, maybe relative */
};

struct nst_event {
	__u32 kind; /* enum nst_event_kind */
	__u32 pad;
	struct nst_task task;
	union {
		struct nst_ns_create create;
		struct nst_ns_setns setns;
		struct nst_ns_destroy destroy;
		struct nst_netdev_move move;
		struct nst_netdev_life life;
		struct nst_netdev_rename rename;
		struct nst_ns_name name;
	};
};

#endif /* NSTRACE_H */
