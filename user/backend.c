// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "backend.h"
#include "nstrace.h"

/* The events each program feeds; a program no wanted event needs stays out. */
struct prog_use {
	size_t offset; /* of its struct bpf_program * in skel->progs */
	uint32_t events;
};

/* What an rtnetlink request can cause, and what a dying netns can. */
#define RTNL_EVENTS                                                          \
	(NST_EV_BIT(NST_EV_NETDEV_MOVE) | NST_EV_BIT(NST_EV_NETDEV_CREATE) | \
	 NST_EV_BIT(NST_EV_NETDEV_DELETE))
#define NETNS_EXIT_EVENTS                                                   \
	(NST_EV_BIT(NST_EV_NS_DESTROY) | NST_EV_BIT(NST_EV_NETDEV_DELETE) | \
	 NST_EV_BIT(NST_EV_NETDEV_MOVE))

#define PROG(name, ev)                                         \
	{                                                      \
		offsetof(struct nstrace_bpf, progs.name), (ev) \
	}

static const struct prog_use progs[] = {
	PROG(nst_tp_task_newtask, NST_EV_BIT(NST_EV_NS_CREATE)),
	PROG(nst_tp_enter_clone3, NST_EV_BIT(NST_EV_NS_CREATE)),
	PROG(nst_tp_exit_clone3, NST_EV_BIT(NST_EV_NS_CREATE)),
	PROG(nst_tp_enter_unshare, NST_EV_BIT(NST_EV_NS_CREATE)),
	PROG(nst_tp_exit_unshare, NST_EV_BIT(NST_EV_NS_CREATE)),
	PROG(nst_tp_enter_setns, NST_EV_BIT(NST_EV_NS_SETNS)),
	PROG(nst_tp_exit_setns, NST_EV_BIT(NST_EV_NS_SETNS)),
	PROG(nst_tp_enter_sendmsg, RTNL_EVENTS),
	PROG(nst_tp_exit_sendmsg, RTNL_EVENTS),
	PROG(nst_tp_enter_sendto, RTNL_EVENTS),
	PROG(nst_tp_exit_sendto, RTNL_EVENTS),
	PROG(nst_tp_queue_work, NETNS_EXIT_EVENTS),
	PROG(nst_tp_cleanup_start, NETNS_EXIT_EVENTS),
	PROG(nst_tp_cleanup_end, NST_EV_BIT(NST_EV_NETDEV_MOVE)),
};

int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask)
{
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_program *p = *(
			struct bpf_program **)((char *)skel + progs[i].offset);

		if (!(progs[i].events & ev_mask))
			bpf_program__set_autoload(p, false);
	}
	return 0;
}

const char *backend_describe(void)
{
	return "backend: tracepoint";
}
