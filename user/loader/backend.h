/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which BPF programs run. Each event comes from a hook; some hooks have
 * several flavours (fentry, kprobe, tracepoint), tried in that order, the
 * cheapest and most exact first. Before load, the flavours not chosen and
 * the programs no wanted event needs are switched off.
 */
#ifndef NSTRACE_LOADER_BACKEND_H
#define NSTRACE_LOADER_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/enums.h"

struct nstrace_bpf;

/*
 * Kernel functions hooked by fentry or kprobe come in groups: a group is
 * hooked whole or not at all, since one function without its partner
 * would miss or repeat events.
 */
enum backend_group {
	BACKEND_GROUP_MOVE, /* __dev_change_net_namespace, and the rename */
	BACKEND_GROUP_LIFE, /* device registration and unregistration */
	BACKEND_GROUP_SWITCH, /* unshare and setns, inside the kernel */
	BACKEND_GROUP_DESTROY, /* the seven free paths; each may lack on its own */
	BACKEND_GROUPS,
};


/*
 * The flavour a hook on a kernel function gets here: fentry, else kprobe,
 * else BACKEND_TRACEPOINT (no hook). With want forced and not available:
 * BACKEND_AUTO, and the reason in *why.
 */
enum backend backend_for_func(const char *btf_path, const char *func,
			      enum backend want, const char **why);
/*
 * The flavour that the group of hooks func belongs to gets here with
 * --backend auto (BACKEND_TRACEPOINT: not hooked), for nstrace doctor.
 */
enum backend backend_for_group_of(const char *btf_path, const char *func);

/* How many of the seven non-net types get ns.destroy here, and by what. */
int backend_destroy_types(const char *btf_path, enum backend *flavour);
/*
 * 0 when the automatic choice can attach everything it picks here, else
 * -1 with the reason (syscall tracepoints where perf events are refused).
 */
int backend_usable(const char *btf_path, const char **why);

/*
 * Whether the programs that serve the events of ev_mask, with the groups
 * in hooked (bits of enum backend_group) hooked, include syscall
 * tracepoints (tp/): libbpf finds those in tracefs, and attaches them
 * through perf events. The other tracepoints (tp_btf/, raw_tp/) attach
 * by BTF id or by name, without tracefs.
 */
bool backend_syscall_tps(uint32_t ev_mask, uint32_t hooked);
/*
 * Whether the choice for ev_mask here (want: BACKEND_AUTO, or the one
 * forced) needs tracefs, for nstrace doctor: backend_configure() decides
 * by the same backend_syscall_tps().
 */
bool backend_needs_tracefs(const char *btf_path, uint32_t ev_mask,
			   enum backend want);

/*
 * Chooses (want: BACKEND_AUTO, or the one forced with --backend) and
 * switches programs off accordingly; mounts tracefs when the syscall
 * tracepoints need it. 0, or -1 after one message.
 */
int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask,
		      enum backend want, const char *btf_path);
/* For the "tracing" line: which hooks are in use. */
const char *backend_describe(void);
/* The flavours in use, '+' between them ("fentry+tracepoint"). */
const char *backend_names(void);

#endif
