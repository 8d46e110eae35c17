/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Everything the BPF side knows of the CPU architecture, in one place:
 * the syscall numbers that tell which syscall a kernel function serves,
 * and where a task's registers keep the number of the syscall it is in.
 * A new architecture adds a block here (and its vmlinux.h under
 * vmlinux/ARCH/, which the Makefile picks by `uname -m`); without one the
 * build stops rather than produce hooks that never tell a syscall.
 */
#ifndef NSTRACE_ARCH_BPF_H
#define NSTRACE_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#if defined(__TARGET_ARCH_x86)

/* arch/x86/entry/syscalls/syscall_64.tbl */
#define NST_NR_IOCTL 16
#define NST_NR_SENDTO 44
#define NST_NR_SENDMSG 46
#define NST_NR_CLONE 56
#define NST_NR_UNSHARE 272
#define NST_NR_SETNS 308
#define NST_NR_CLONE3 435

/* The syscall number as the entry code saved it (-1 outside a syscall). */
#define NST_REGS_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)

#else
#error "no syscall numbers for this architecture: add them to bpf/arch.bpf.h"
#endif

/* The syscall the current task is in, or -1 (kernel threads, others). */
static __always_inline long current_syscall(void)
{
	struct pt_regs *regs;

	regs = (void *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return NST_REGS_SYSCALL_NR(regs);
}

#endif /* NSTRACE_ARCH_BPF_H */
