/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Everything the BPF side knows of the CPU architecture, in one place:
 * the syscall numbers that tell which syscall a kernel function serves,
 * and where a task's registers keep the number of the syscall it is in.
 * A new architecture adds a block here (and its vmlinux.h under
 * vmlinux/ARCH/, which the Makefile picks by `uname -m` or ARCH=); without
 * one the build stops rather than produce hooks that never tell a syscall.
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

#elif defined(__TARGET_ARCH_arm64)

/*
 * arm64 has no table of its own: include/uapi/asm-generic/unistd.h. Its
 * compat (AArch32) tasks number syscalls otherwise; they are not told.
 */
#define NST_NR_IOCTL 29
#define NST_NR_UNSHARE 97
#define NST_NR_SENDTO 206
#define NST_NR_SENDMSG 211
#define NST_NR_CLONE 220
#define NST_NR_SETNS 268
#define NST_NR_CLONE3 435

/*
 * An s32 that the entry code sets to NO_SYSCALL (-1) on every exception
 * from user mode and el0_svc then to the syscall's number: the same -1
 * outside a syscall as x86's orig_ax (and no interrupt vector in it).
 */
#define NST_REGS_SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)

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
