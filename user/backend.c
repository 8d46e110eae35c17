// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "backend.h"
#include "nstrace.h"
#include "probe.h"

/* What an rtnetlink request can cause, and what a dying netns can. */
#define RTNL_EVENTS                                                          \
	(NST_EV_BIT(NST_EV_NETDEV_MOVE) | NST_EV_BIT(NST_EV_NETDEV_CREATE) |  \
	 NST_EV_BIT(NST_EV_NETDEV_DELETE))
#define NETNS_EXIT_EVENTS                                                    \
	(NST_EV_BIT(NST_EV_NS_DESTROY) | NST_EV_BIT(NST_EV_NETDEV_DELETE) |   \
	 NST_EV_BIT(NST_EV_NETDEV_MOVE))
#define MOVE_EVENTS NST_EV_BIT(NST_EV_NETDEV_MOVE)
#define DESTROY_EVENTS NST_EV_BIT(NST_EV_NS_DESTROY)
#define LIFE_EVENTS                                                          \
	(NST_EV_BIT(NST_EV_NETDEV_CREATE) | NST_EV_BIT(NST_EV_NETDEV_DELETE))

#define PROG_OFF(name) offsetof(struct nstrace_bpf, progs.name)

/* Tracepoint programs, needed whatever the flavour of the other hooks. */
struct tp_use {
	size_t prog;
	uint32_t events;
};

static const struct tp_use tps[] = {
	{ PROG_OFF(nst_tp_task_newtask), NST_EV_BIT(NST_EV_NS_CREATE) },
	{ PROG_OFF(nst_tp_enter_clone3), NST_EV_BIT(NST_EV_NS_CREATE) },
	{ PROG_OFF(nst_tp_exit_clone3), NST_EV_BIT(NST_EV_NS_CREATE) },
	{ PROG_OFF(nst_tp_enter_unshare), NST_EV_BIT(NST_EV_NS_CREATE) },
	{ PROG_OFF(nst_tp_exit_unshare), NST_EV_BIT(NST_EV_NS_CREATE) },
	{ PROG_OFF(nst_tp_enter_setns), NST_EV_BIT(NST_EV_NS_SETNS) },
	{ PROG_OFF(nst_tp_exit_setns), NST_EV_BIT(NST_EV_NS_SETNS) },
	{ PROG_OFF(nst_tp_enter_sendmsg), RTNL_EVENTS },
	{ PROG_OFF(nst_tp_exit_sendmsg), RTNL_EVENTS },
	{ PROG_OFF(nst_tp_enter_sendto), RTNL_EVENTS },
	{ PROG_OFF(nst_tp_exit_sendto), RTNL_EVENTS },
	{ PROG_OFF(nst_tp_queue_work), NETNS_EXIT_EVENTS },
	{ PROG_OFF(nst_tp_cleanup_start), NETNS_EXIT_EVENTS },
};

/*
 * A kernel function hooked by fentry (+ fexit) or by kprobe (+ kretprobe):
 * the loader keeps the programs of one flavour, per function.
 */
struct func_hook {
	const char *func;
	uint32_t events;
	size_t fentry[2]; /* 0: none */
	size_t kprobe[2];
};

#define DESTROY_HOOK(f)                                                      \
	{ #f, DESTROY_EVENTS, { PROG_OFF(nst_fentry_##f) },                  \
	  { PROG_OFF(nst_kprobe_##f) } }

static const struct func_hook hooks[] = {
	{ "__dev_change_net_namespace", MOVE_EVENTS,
	  { PROG_OFF(nst_fentry_dev_change_net_namespace),
	    PROG_OFF(nst_fexit_dev_change_net_namespace) },
	  { PROG_OFF(nst_kprobe_dev_change_net_namespace),
	    PROG_OFF(nst_kretprobe_dev_change_net_namespace) } },
	{ "register_netdevice", LIFE_EVENTS,
	  { PROG_OFF(nst_fexit_register_netdevice) },
	  { PROG_OFF(nst_kprobe_register_netdevice),
	    PROG_OFF(nst_kretprobe_register_netdevice) } },
	{ "unregister_netdevice_queue", LIFE_EVENTS,
	  { PROG_OFF(nst_fentry_unregister_netdevice_queue) },
	  { PROG_OFF(nst_kprobe_unregister_netdevice_queue) } },
	DESTROY_HOOK(free_uts_ns),
	DESTROY_HOOK(put_ipc_ns),
	DESTROY_HOOK(put_mnt_ns),
	DESTROY_HOOK(delayed_free_pidns),
	DESTROY_HOOK(__put_user_ns),
	DESTROY_HOOK(free_cgroup_ns),
	DESTROY_HOOK(free_time_ns),
};

#define N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

static const char *const names[] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_FENTRY] = "fentry",
	[BACKEND_KPROBE] = "kprobe",
	[BACKEND_TRACEPOINT] = "tracepoint",
};

static char description[160];

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

enum backend backend_for_func(const char *btf_path, const char *func,
			      enum backend want, const char **why)
{
	const char *reason = NULL;

	*why = NULL;
	if (want == BACKEND_TRACEPOINT)
		return BACKEND_TRACEPOINT;
	if ((want == BACKEND_AUTO || want == BACKEND_FENTRY) &&
	    !probe_fentry(btf_path, func, &reason))
		return BACKEND_FENTRY;
	if (want == BACKEND_FENTRY) {
		*why = reason;
		return BACKEND_AUTO;
	}
	if (!probe_kprobe(func, &reason))
		return BACKEND_KPROBE;
	if (want == BACKEND_KPROBE) {
		*why = reason;
		return BACKEND_AUTO;
	}
	return BACKEND_TRACEPOINT;
}

enum backend backend_for_move(const char *btf_path, enum backend want,
			      const char **why)
{
	return backend_for_func(btf_path, hooks[0].func, want, why);
}

int backend_destroy_types(const char *btf_path, enum backend *flavour)
{
	const char *why;
	int n = 0;

	*flavour = BACKEND_TRACEPOINT;
	for (size_t i = 0; i < N_HOOKS; i++) {
		enum backend b;

		if (hooks[i].events != DESTROY_EVENTS)
			continue;
		b = backend_for_func(btf_path, hooks[i].func, BACKEND_AUTO,
				     &why);
		if (b != BACKEND_TRACEPOINT) {
			*flavour = b;
			n++;
		}
	}
	return n;
}

enum backend backend_for_life(const char *btf_path)
{
	enum backend b = BACKEND_TRACEPOINT;
	const char *why;

	/* Both ends or neither: one without the other would miss or repeat. */
	for (size_t i = 0; i < N_HOOKS; i++) {
		if (hooks[i].events != LIFE_EVENTS)
			continue;
		b = backend_for_func(btf_path, hooks[i].func, BACKEND_AUTO,
				     &why);
		if (b == BACKEND_TRACEPOINT)
			return b;
	}
	return b;
}

static struct bpf_program *prog_at(struct nstrace_bpf *skel, size_t off)
{
	return *(struct bpf_program **)((char *)skel + off);
}

static void set_flavour(struct nstrace_bpf *skel, const struct func_hook *h,
			enum backend keep)
{
	for (int i = 0; i < 2; i++) {
		if (h->fentry[i])
			bpf_program__set_autoload(prog_at(skel, h->fentry[i]),
						  keep == BACKEND_FENTRY);
		if (h->kprobe[i])
			bpf_program__set_autoload(prog_at(skel, h->kprobe[i]),
						  keep == BACKEND_KPROBE);
	}
}

int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask,
		      enum backend want, const char *btf_path)
{
	enum backend chosen[N_HOOKS], move = BACKEND_TRACEPOINT;
	enum backend destroy = BACKEND_TRACEPOINT;
	bool life_hooked = true;
	int destroy_types = 0;
	const char *why;

	for (size_t i = 0; i < N_HOOKS; i++) {
		chosen[i] = BACKEND_TRACEPOINT;
		if (hooks[i].events & ev_mask)
			chosen[i] = backend_for_func(btf_path, hooks[i].func,
						     want, &why);
		/* A forced flavour must serve the move hook; others may lack. */
		if (chosen[i] == BACKEND_AUTO && hooks[i].events == MOVE_EVENTS) {
			fprintf(stderr,
				"nstrace: the %s backend is not available here: %s (see nstrace doctor)\n",
				backend_name(want), why);
			return -1;
		}
		if (chosen[i] == BACKEND_AUTO)
			chosen[i] = BACKEND_TRACEPOINT;
		if (hooks[i].events == MOVE_EVENTS)
			move = chosen[i];
		if (hooks[i].events == LIFE_EVENTS &&
		    chosen[i] == BACKEND_TRACEPOINT)
			life_hooked = false;
		if (hooks[i].events == DESTROY_EVENTS &&
		    chosen[i] != BACKEND_TRACEPOINT) {
			destroy = chosen[i];
			destroy_types++;
		}
	}
	for (size_t i = 0; i < N_HOOKS; i++) {
		if (hooks[i].events == LIFE_EVENTS && !life_hooked)
			chosen[i] = BACKEND_TRACEPOINT;
		set_flavour(skel, &hooks[i], chosen[i]);
	}
	skel->rodata->targ_move_hooked = move != BACKEND_TRACEPOINT;
	skel->rodata->targ_life_hooked = life_hooked;
	bpf_program__set_autoload(skel->progs.nst_tp_cleanup_end,
				  (ev_mask & MOVE_EVENTS) &&
					  move == BACKEND_TRACEPOINT);
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++)
		if (!(tps[i].events & ev_mask))
			bpf_program__set_autoload(prog_at(skel, tps[i].prog),
						  false);
	probe_release();
	if (move == BACKEND_TRACEPOINT && !life_hooked && !destroy_types)
		snprintf(description, sizeof(description),
			 "backend: tracepoint, netdev.move by tracepoint");
	else
		snprintf(description, sizeof(description),
			 "backend: netdev.move by %s, netdev.create/delete by %s, ns.destroy of %d more types by %s",
			 backend_name(move),
			 life_hooked ? backend_name(chosen[1]) : "tracepoint",
			 destroy_types,
			 destroy_types ? backend_name(destroy) : "none");
	return 0;
}

const char *backend_describe(void)
{
	return description;
}
