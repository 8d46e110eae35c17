/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records of the inventory (nstrace ls): what bpf/inventory.bpf.c finds in the
 * kernel's own lists and hands to the loader. Every record starts with
 * its kind, and each kind has one fixed size, so a reader can walk a
 * stream of mixed records.
 */
#ifndef NSTRACE_INVENTORY_RECORDS_H
#define NSTRACE_INVENTORY_RECORDS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "nstrace.h"

#define LS_ADDR_LEN 32 /* MAX_ADDR_LEN */

/*
 * The ring buffer of the net walk: 16 MiB is about 120000 devices. The
 * loader tries LS_WALK_BUF_FIRST (about 8000) first, since the kernel
 * allocates, clears and maps all of it at every load, then the whole
 * size if that was too small.
 */
#define LS_WALK_BUF_SIZE (16u << 20)
#define LS_WALK_BUF_FIRST (1u << 20)

/* The walk's totals, a global of the BPF side that the loader reads. */
struct ls_walk_totals {
	__u32 nets;
	__u32 devs;
	__u32 lost; /* records the ring buffer had no room for */
	__u32 truncated; /* a walk stopped at its bound */
	__u32 done; /* the last call of the task iterator ran */
	__u32 heads; /* ring nodes that were not a net: 1, the list head */
};

enum ls_rec_kind {
	LS_REC_NS = 1, /* a namespace of any type, once per inode */
	LS_REC_TASK, /* a process, or a thread whose namespaces differ */
	LS_REC_NSFD, /* an open nsfs file: a namespace held by an fd */
	LS_REC_SOCK, /* a socket of another netns than its process's */
	LS_REC_NET, /* a struct net of net_namespace_list */
	LS_REC_DEV, /* a struct net_device of a net's dev_base_head */
};

/* ls_ns.flags, ls_net.flags */
#define LS_NS_INIT 0x1 /* the initial namespace of its type */
#define LS_NS_DYING 0x2 /* no reference left: cleanup_net has it queued */

/* ls_task.flags */
#define LS_TASK_KTHREAD 0x1
#define LS_TASK_THREAD 0x2 /* not its thread group's leader */

struct ls_ns {
	__u32 kind;
	__u32 type; /* enum nst_ns_type */
	__u32 inum;
	__u32 owner; /* the owning user namespace's inode, 0 if none */
	__u32 parent; /* pid and user namespaces: the parent's inode */
	__u32 flags;
};

struct ls_task {
	__u32 kind;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 flags;
	char comm[NST_COMM_LEN];
	__u32 ns[NST_NS_TYPES]; /* 0: none (an exiting task) */
};

struct ls_nsfd {
	__u32 kind;
	__u32 pid;
	__u32 fd;
	__u32 type; /* enum nst_ns_type */
	__u32 inum;
	__u32 pad;
};

struct ls_sock {
	__u32 kind;
	__u32 pid;
	__u32 fd;
	__u32 netns;
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 pad;
};

struct ls_net {
	__u32 kind;
	__u32 inum;
	__u32 owner; /* user namespace inode */
	__u32 flags;
	__s32 refs;
	__u32 ndevs;
	__u64 cookie; /* net_cookie: unique for the life of the machine */
};

struct ls_dev {
	__u32 kind;
	__u32 netns;
	__u32 ifindex;
	__u32 flags; /* IFF_* */
	__u32 mtu;
	__u32 operstate; /* IF_OPER_* */
	__u16 type; /* ARPHRD_* */
	__u8 addr_len;
	__u8 pad;
	__u32 master; /* the master device's ifindex, 0 if none */
	__u32 peer_netns; /* veth: the peer's netns inode, 0 if none */
	__u32 peer_ifindex;
	char name[NST_IFNAME_LEN];
	char link_kind[NST_KIND_LEN]; /* rtnl_link_ops->kind, "" if none */
	char peer_name[NST_IFNAME_LEN];
	__u8 addr[LS_ADDR_LEN];
};

#endif /* NSTRACE_INVENTORY_RECORDS_H */
