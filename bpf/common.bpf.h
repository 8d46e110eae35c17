/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every nstrace BPF program shares: the ring buffer, the loss
 * counter, the filters set by the loader, and the helpers that fill the
 * common part of a record. The maps and globals are defined once, in
 * common.bpf.c; the other objects see them as externs, and bpftool's
 * linker joins them all into one skeleton.
 */
#ifndef NSTRACE_COMMON_BPF_H
#define NSTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "nstrace.h"
#include "compat.bpf.h"
#include "arch.bpf.h"

#define NST_CLONE_NEWTIME 0x00000080ULL
#define NST_CLONE_NEWNS 0x00020000ULL
#define NST_CLONE_NEWCGROUP 0x02000000ULL
#define NST_CLONE_NEWUTS 0x04000000ULL
#define NST_CLONE_NEWIPC 0x08000000ULL
#define NST_CLONE_NEWUSER 0x10000000ULL
#define NST_CLONE_NEWPID 0x20000000ULL
#define NST_CLONE_NEWNET 0x40000000ULL
#define NST_CLONE_NS_FLAGS                                           \
	(NST_CLONE_NEWTIME | NST_CLONE_NEWNS | NST_CLONE_NEWCGROUP | \
	 NST_CLONE_NEWUTS | NST_CLONE_NEWIPC | NST_CLONE_NEWUSER |   \
	 NST_CLONE_NEWPID | NST_CLONE_NEWNET)

/* The loader resizes it with --buffer-size. */
#define NST_RINGBUF_DEFAULT (1 << 22)

/* common.bpf.c defines what the other objects declare. */
#ifdef NST_DEFINE_SHARED
#define NST_SHARED
#define NST_INIT(v) = v
#else
#define NST_SHARED extern
#define NST_INIT(v)
#endif

NST_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NST_RINGBUF_DEFAULT);
} events SEC(".maps");

/*
 * Unread bytes past which a record wakes the reader up. Below it no record
 * does (a wake-up is an interrupt, dearer than the record itself): the
 * reader looks at the buffer every STREAM_POLL_MS anyway. The loader sets
 * it from the buffer's size.
 */
NST_SHARED const volatile __u64 targ_wakeup_bytes NST_INIT(NST_RINGBUF_DEFAULT /
							   8);

/* Reservations the ring buffer refused, per CPU; the loader reports them. */
NST_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* Filters, set by the loader between open and load. */
NST_SHARED const volatile __u32 targ_tgid NST_INIT(0); /* 0: any process */
/*
 * Set when netdev.move comes from a hook on __dev_change_net_namespace
 * (fentry or kprobe): the tracepoint path then reports only the refused
 * requests that never reached the function.
 */
NST_SHARED const volatile bool targ_move_hooked NST_INIT(false);

/*
 * Set when netdev.create and netdev.delete come from hooks on device
 * registration: the tracepoint paths then leave them alone.
 */
NST_SHARED const volatile bool targ_life_hooked NST_INIT(false);

/*
 * The kernel worker running cleanup_net() right now (0: none): what it
 * unregisters dies with a netns even when the device itself, a veth peer,
 * lives in one that stays.
 */
NST_SHARED __u32 nst_cleanup_tid NST_INIT(0);

/* Threads inside a hooked __dev_change_net_namespace during a syscall. */
NST_SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} move_seen SEC(".maps");

/*
 * Devices netns.bpf.c reported deleted with their dying netns (cause
 * netns-exit), as it walked them when the cleanup work started: device
 * -> where it was and its ifindex. The kernel deletes them a little
 * later, and a request can come first and delete one (ip netns del X,
 * then ip link del of X's veth peer): that request's own netdev.delete
 * would be a second one. When the kernel wins instead, the entry stays
 * behind, and the next device may get the same memory in the same netns:
 * its ifindex is not the same.
 */
struct exit_seen {
	__u64 net_id; /* net_identity() of its netns */
	__u32 ifindex;
	__u32 pad;
};

NST_SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct exit_seen);
} exit_reported SEC(".maps");

/* A bit per enum nst_ns_type, and per enum nst_event_kind. */
NST_SHARED const volatile __u32 targ_ns_mask NST_INIT(NST_NS_ALL);
NST_SHARED const volatile __u32 targ_ev_mask NST_INIT(NST_EV_ALL);

static __always_inline bool nst_wants(__u32 kind, __u32 ns_type)
{
	return (targ_ev_mask & NST_EV_BIT(kind)) &&
	       (targ_ns_mask & (1u << ns_type));
}

static __always_inline bool nst_wants_task(void)
{
	return !targ_tgid || (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline void nst_count_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&lost_events, &zero);

	if (lost)
		__sync_fetch_and_add(lost, 1);
}

/*
 * Reserve a record whose kind-specific part is size bytes, and fill in the
 * acting task; NULL (and counted) when the ring buffer is full. Records are
 * only as long as their kind needs, so small events stay small.
 */
#define nst_reserve(kind, size) \
	nst_reserve_bytes(kind, offsetof(struct nst_event, create) + (size))

/*
 * The common part of every record: the kind, the time, the acting task.
 * The uid, comm and cgroup are plain loads through the task's BTF pointer,
 * as the helpers would read them: the three helper calls cost a third of
 * a setns exit that emits (about 130 ns of 400 here, by the kernel's
 * program statistics). Every program runs under RCU, which the cred and
 * css_set pointers need. A comm renamed meanwhile may be read torn, as
 * the helper's copy may; the loader bounds it by its size.
 */
static __always_inline void nst_fill_task(struct nst_event *e, __u32 kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	e->kind = kind;
	e->task.ts_boot_ns = bpf_ktime_get_boot_ns();
	e->task.pid = pid_tgid >> 32;
	e->task.tid = (__u32)pid_tgid;
	e->task.ppid = task->real_parent->tgid;
	e->task.uid = task->cred->uid.val;
	__builtin_memcpy(e->task.comm, task->comm, sizeof(e->task.comm));
	e->task.cgroup_id = task->cgroups->dfl_cgrp->kn->id;
}

static __always_inline struct nst_event *nst_reserve_bytes(__u32 kind,
							   __u32 bytes)
{
	struct nst_event *e;

	e = bpf_ringbuf_reserve(&events, bytes, 0);
	if (!e) {
		nst_count_lost();
		return NULL;
	}
	__builtin_memset(e, 0, bytes);
	nst_fill_task(e, kind);
	return e;
}

/*
 * For a record built elsewhere (a per-CPU scratch map): holding a ring
 * buffer reservation across a bpf_loop() walk would make the verifier's
 * work explode, so such records are built first and copied in at the end.
 */
#define nst_output(e, size) \
	nst_output_bytes(e, offsetof(struct nst_event, create) + (size))

/* A wake-up only once the reader is that far behind. */
static __always_inline __u64 nst_wakeup(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >=
			       targ_wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

static __always_inline void nst_output_bytes(struct nst_event *e, __u32 bytes)
{
	if (bpf_ringbuf_output(&events, e, bytes, nst_wakeup()))
		nst_count_lost();
}

static __always_inline void nst_submit(struct nst_event *e)
{
	bpf_ringbuf_submit(e, nst_wakeup());
}

/*
 * The same work from an fentry program and from its kprobe twin, or from
 * an fexit and its kretprobe twin: the loader keeps one of each pair
 * (user/backend.c). The programs are nst_fentry_NAME and nst_kprobe_NAME,
 * or nst_fexit_NAME and nst_kretprobe_NAME; call may use the arguments.
 */
#define NST_ENTRY_HOOKS(func, name, call, args...) \
	SEC("fentry/" #func)                       \
	int BPF_PROG(nst_fentry_##name, ##args)    \
	{                                          \
		call;                              \
		return 0;                          \
	}                                          \
	SEC("kprobe/" #func)                       \
	int BPF_KPROBE(nst_kprobe_##name, ##args)  \
	{                                          \
		call;                              \
		return 0;                          \
	}

#define NST_RETURN_HOOKS(func, name, call)      \
	SEC("fexit/" #func)                     \
	int BPF_PROG(nst_fexit_##name)          \
	{                                       \
		call;                           \
		return 0;                       \
	}                                       \
	SEC("kretprobe/" #func)                 \
	int BPF_KRETPROBE(nst_kretprobe_##name) \
	{                                       \
		call;                           \
		return 0;                       \
	}

#endif /* NSTRACE_COMMON_BPF_H */
