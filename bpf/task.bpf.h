/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Finding what a process names by number, as the kernel would: a task by
 * its pid in the caller's pid namespace, a file by its descriptor, the
 * namespace behind an nsfs file or of a task. For netdev.bpf.c (a
 * request's IFLA_NET_NS_PID and IFLA_NET_NS_FD) and mount.bpf.c (the
 * source of a bind mount).
 */
#ifndef NSTRACE_TASK_BPF_H
#define NSTRACE_TASK_BPF_H

#include "common.bpf.h"

#define NST_NSFS_MAGIC 0x6e736673
/* An xarray of 32-bit indexes is at most six levels of 64 slots deep. */
#define NST_XA_LEVELS 7

/* The file behind a task's fd, or NULL. */
static __always_inline struct file *task_file(struct task_struct *task,
					      unsigned long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/*
 * The file behind the current task's fd, or NULL. The task, its files and
 * fdtable are BTF pointers, read by plain loads; the table's slots are
 * not typed for BPF, so the slot takes one helper call.
 */
static __always_inline struct file *current_file(unsigned long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file;

	if (fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* The namespace an nsfs file (an open /run/netns/X) stands for, or NULL. */
static __always_inline struct ns_common *nsfs_ns(struct file *file)
{
	if (!file ||
	    BPF_CORE_READ(file, f_inode, i_sb, s_magic) != NST_NSFS_MAGIC)
		return NULL;
	return BPF_CORE_READ(file, f_inode, i_private);
}

/* An xarray's internal entry (a node, a retry or zero entry): low bits 10. */
static __always_inline bool xa_internal(const void *entry)
{
	return ((unsigned long)entry & 3) == 2;
}

/* A node pointer of an xarray: tagged, and above the small markers. */
static __always_inline bool xa_node_entry(const void *entry)
{
	return xa_internal(entry) && (unsigned long)entry > 4096;
}

struct xa_walk {
	void *entry;
	__u64 index;
};

/* One level down an xarray, towards w->index. */
static long xa_step_cb(__u64 i, struct xa_walk *w)
{
	const __u64 chunk =
		bpf_core_field_size(struct xa_node, slots) / sizeof(void *);
	struct xa_node *node;
	__u64 off;
	__u8 shift;

	if (!xa_node_entry(w->entry))
		return 1;
	node = w->entry - 2;
	shift = BPF_CORE_READ(node, shift);
	off = (w->index >> (shift & 63)) & (chunk - 1);
	if (bpf_probe_read_kernel(&w->entry, sizeof(w->entry),
				  (void *)node +
					  bpf_core_field_offset(struct xa_node,
								slots) +
					  off * sizeof(void *))) {
		w->entry = NULL;
		return 1;
	}
	return !shift;
}

/*
 * idr_find(): the pointer an IDR holds at id, or NULL. An IDR is an
 * xarray (since 4.20): the head is the entry at 0 or a node, and each
 * node's slots, chosen by the index's bits above the node's shift, hold
 * the next node or, at shift 0, the entries.
 */
static __always_inline void *idr_lookup(struct idr *idr, __u32 id)
{
	const __u64 chunk =
		bpf_core_field_size(struct xa_node, slots) / sizeof(void *);
	struct xa_walk w = {
		.entry = BPF_CORE_READ(idr, idr_rt.xa_head),
		.index = (__u32)(id - BPF_CORE_READ(idr, idr_base)),
	};
	struct xa_node *top;

	if (!xa_node_entry(w.entry))
		return w.index || xa_internal(w.entry) ? NULL : w.entry;
	/* Beyond what the top node spans: not there. */
	top = w.entry - 2;
	if (w.index >> (BPF_CORE_READ(top, shift) & 63) >= chunk)
		return NULL;
	bpf_loop(NST_XA_LEVELS, xa_step_cb, &w, 0);
	return xa_internal(w.entry) ? NULL : w.entry;
}

/* task_active_pid_ns(): the pid namespace a task's pid belongs to. */
static __always_inline struct pid_namespace *
task_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	struct upid *up;

	if (!pid || level > 32)
		return NULL;
	up = (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	     level * bpf_core_type_size(struct upid);
	return BPF_CORE_READ(up, ns);
}

/*
 * find_task_by_vpid(): the task (a process or one of its threads) that nr
 * names in the caller's pid namespace, or NULL.
 */
static __always_inline struct task_struct *task_of_vpid(__u32 nr)
{
	struct pid_namespace *ns = task_pid_ns(bpf_get_current_task_btf());
	struct hlist_node *first;
	struct pid *pid;

	if (!ns)
		return NULL;
	pid = idr_lookup(&ns->idr, nr);
	if (!pid)
		return NULL;
	/* tasks[PIDTYPE_PID]: the task whose pid it is. */
	first = BPF_CORE_READ(pid, tasks[0].first);
	if (!first)
		return NULL;
	return (void *)first -
	       bpf_core_field_offset(struct task_struct, pid_links);
}

#endif /* NSTRACE_TASK_BPF_H */
