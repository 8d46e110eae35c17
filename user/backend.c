// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "backend.h"
#include "nstrace.h"
#include "probe.h"

#define MOVE_FUNC "__dev_change_net_namespace"

/* What an rtnetlink request can cause, and what a dying netns can. */
#define RTNL_EVENTS                                                          \
	(NST_EV_BIT(NST_EV_NETDEV_MOVE) | NST_EV_BIT(NST_EV_NETDEV_CREATE) |  \
	 NST_EV_BIT(NST_EV_NETDEV_DELETE))
#define NETNS_EXIT_EVENTS                                                    \
	(NST_EV_BIT(NST_EV_NS_DESTROY) | NST_EV_BIT(NST_EV_NETDEV_DELETE) |   \
	 NST_EV_BIT(NST_EV_NETDEV_MOVE))
#define MOVE_EVENTS NST_EV_BIT(NST_EV_NETDEV_MOVE)

/*
 * The events each program feeds, and the flavour it belongs to
 * (BACKEND_AUTO: needed whatever the flavour of the move hook).
 */
struct prog_use {
	size_t offset; /* of its struct bpf_program * in skel->progs */
	uint32_t events;
	enum backend flavour;
};

#define PROG(name, ev, fl) { offsetof(struct nstrace_bpf, progs.name), (ev), (fl) }

static const struct prog_use progs[] = {
	PROG(nst_tp_task_newtask, NST_EV_BIT(NST_EV_NS_CREATE), BACKEND_AUTO),
	PROG(nst_tp_enter_clone3, NST_EV_BIT(NST_EV_NS_CREATE), BACKEND_AUTO),
	PROG(nst_tp_exit_clone3, NST_EV_BIT(NST_EV_NS_CREATE), BACKEND_AUTO),
	PROG(nst_tp_enter_unshare, NST_EV_BIT(NST_EV_NS_CREATE), BACKEND_AUTO),
	PROG(nst_tp_exit_unshare, NST_EV_BIT(NST_EV_NS_CREATE), BACKEND_AUTO),
	PROG(nst_tp_enter_setns, NST_EV_BIT(NST_EV_NS_SETNS), BACKEND_AUTO),
	PROG(nst_tp_exit_setns, NST_EV_BIT(NST_EV_NS_SETNS), BACKEND_AUTO),
	PROG(nst_tp_enter_sendmsg, RTNL_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_exit_sendmsg, RTNL_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_enter_sendto, RTNL_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_exit_sendto, RTNL_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_queue_work, NETNS_EXIT_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_cleanup_start, NETNS_EXIT_EVENTS, BACKEND_AUTO),
	PROG(nst_tp_cleanup_end, MOVE_EVENTS, BACKEND_TRACEPOINT),
	PROG(nst_fentry_dev_change_net_namespace, MOVE_EVENTS, BACKEND_FENTRY),
	PROG(nst_fexit_dev_change_net_namespace, MOVE_EVENTS, BACKEND_FENTRY),
	PROG(nst_kprobe_dev_change_net_namespace, MOVE_EVENTS, BACKEND_KPROBE),
	PROG(nst_kretprobe_dev_change_net_namespace, MOVE_EVENTS,
	     BACKEND_KPROBE),
};

static const char *const names[] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_FENTRY] = "fentry",
	[BACKEND_KPROBE] = "kprobe",
	[BACKEND_TRACEPOINT] = "tracepoint",
};

static char description[128];

const char *backend_name(enum backend b)
{
	return names[b];
}

int backend_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

enum backend backend_for_move(const char *btf_path, enum backend want,
			      const char **why)
{
	const char *reason = NULL;

	*why = NULL;
	if (want == BACKEND_TRACEPOINT)
		return BACKEND_TRACEPOINT;
	if ((want == BACKEND_AUTO || want == BACKEND_FENTRY) &&
	    !probe_fentry(btf_path, MOVE_FUNC, &reason))
		return BACKEND_FENTRY;
	if (want == BACKEND_FENTRY) {
		*why = reason;
		return BACKEND_AUTO;
	}
	if (!probe_kprobe(MOVE_FUNC, &reason))
		return BACKEND_KPROBE;
	if (want == BACKEND_KPROBE) {
		*why = reason;
		return BACKEND_AUTO;
	}
	return BACKEND_TRACEPOINT;
}

int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask,
		      enum backend want, const char *btf_path)
{
	enum backend move = BACKEND_TRACEPOINT;
	const char *why;

	if (ev_mask & MOVE_EVENTS) {
		move = backend_for_move(btf_path, want, &why);
		if (move == BACKEND_AUTO) {
			fprintf(stderr,
				"nstrace: the %s backend is not available here: %s (see nstrace doctor)\n",
				backend_name(want), why);
			return -1;
		}
	}
	skel->rodata->targ_move_hooked = move != BACKEND_TRACEPOINT;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_program *p =
			*(struct bpf_program **)((char *)skel + progs[i].offset);

		if (!(progs[i].events & ev_mask) ||
		    (progs[i].flavour != BACKEND_AUTO &&
		     progs[i].flavour != move))
			bpf_program__set_autoload(p, false);
	}
	snprintf(description, sizeof(description),
		 "backend: %s for netdev.move, tracepoint for the rest",
		 backend_name(move));
	return 0;
}

const char *backend_describe(void)
{
	return description;
}
