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
	for (size_t i = 1; i < N_HOOKS; i++) {
		enum backend b = backend_for_func(btf_path, hooks[i].func,
						  BACKEND_AUTO, &why);

		if (b != BACKEND_TRACEPOINT) {
			*flavour = b;
			n++;
		}
	}
	return n;
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
	enum backend chosen[N_HOOKS];
	int hooked_types = 0;
	const char *why;

	for (size_t i = 0; i < N_HOOKS; i++) {
		chosen[i] = BACKEND_TRACEPOINT;
		if (hooks[i].events & ev_mask)
			chosen[i] = backend_for_func(btf_path, hooks[i].func,
						     want, &why);
		/* A forced flavour must serve the move hook; the rest may lack. */
		if (chosen[i] == BACKEND_AUTO && i == 0) {
			fprintf(stderr,
				"nstrace: the %s backend is not available here: %s (see nstrace doctor)\n",
				backend_name(want), why);
			return -1;
		}
		if (chosen[i] == BACKEND_AUTO)
			chosen[i] = BACKEND_TRACEPOINT;
		set_flavour(skel, &hooks[i], chosen[i]);
		if (i && chosen[i] != BACKEND_TRACEPOINT)
			hooked_types++;
	}
	skel->rodata->targ_move_hooked = chosen[0] != BACKEND_TRACEPOINT;
	bpf_program__set_autoload(skel->progs.nst_tp_cleanup_end,
				  (ev_mask & MOVE_EVENTS) &&
					  chosen[0] == BACKEND_TRACEPOINT);
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++)
		if (!(tps[i].events & ev_mask))
			bpf_program__set_autoload(prog_at(skel, tps[i].prog),
						  false);
	if (chosen[0] == BACKEND_TRACEPOINT && !hooked_types)
		snprintf(description, sizeof(description),
			 "backend: tracepoint, netdev.move by tracepoint");
	else
		snprintf(description, sizeof(description),
			 "backend: netdev.move by %s, ns.destroy of %d more types by %s, the rest by tracepoint",
			 backend_name(chosen[0]), hooked_types,
			 hooked_types ? backend_name(chosen[1]) : "none");
	return 0;
}

const char *backend_describe(void)
{
	return description;
}
