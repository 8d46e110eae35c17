// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "loader/backend.h"
#include "nstrace.h"
#include "loader/preflight.h"
#include "loader/probe.h"

#define EV(k) NST_EV_BIT(NST_EV_##k)
#define RTNL_EVENTS                                           \
	(EV(NETDEV_MOVE) | EV(NETDEV_CREATE) | EV(NETDEV_DELETE) | \
	 EV(NETDEV_RENAME))
/* The rename hook needs the move hooks to tell the rename of a move. */
#define MOVE_EVENTS (EV(NETDEV_MOVE) | EV(NETDEV_RENAME))
#define NETNS_EXIT_EVENTS (EV(NS_DESTROY) | EV(NETDEV_DELETE) | EV(NETDEV_MOVE))
#define SWITCH_EVENTS (EV(NS_CREATE) | EV(NS_SETNS))
#define LIFE_EVENTS (EV(NETDEV_CREATE) | EV(NETDEV_DELETE))

#define PROG_OFF(name) offsetof(struct nstrace_bpf, progs.name)

/* Kernel functions hooked by fentry (+ fexit) or kprobe (+ kretprobe). */
struct func_hook {
	const char *func;
	enum backend_group group;
	uint32_t events;
	size_t fentry[2]; /* 0: none */
	size_t kprobe[2];
};

#define DESTROY_HOOK(f)                                                  \
	{ #f, BACKEND_GROUP_DESTROY, EV(NS_DESTROY),                     \
	  { PROG_OFF(nst_fentry_##f) }, { PROG_OFF(nst_kprobe_##f) } }

static const struct func_hook hooks[] = {
	{ "__dev_change_net_namespace", BACKEND_GROUP_MOVE, MOVE_EVENTS,
	  { PROG_OFF(nst_fentry_dev_change_net_namespace),
	    PROG_OFF(nst_fexit_dev_change_net_namespace) },
	  { PROG_OFF(nst_kprobe_dev_change_net_namespace),
	    PROG_OFF(nst_kretprobe_dev_change_net_namespace) } },
	{ "rtnetlink_rcv_msg", BACKEND_GROUP_MOVE, MOVE_EVENTS,
	  { PROG_OFF(nst_fentry_rtnetlink_rcv_msg),
	    PROG_OFF(nst_fexit_rtnetlink_rcv_msg) },
	  { PROG_OFF(nst_kprobe_rtnetlink_rcv_msg),
	    PROG_OFF(nst_kretprobe_rtnetlink_rcv_msg) } },
	/* dev_change_name() calls netif_change_name() where both exist. */
	{ "netif_change_name", BACKEND_GROUP_MOVE, MOVE_EVENTS,
	  { PROG_OFF(nst_fentry_netif_change_name),
	    PROG_OFF(nst_fexit_netif_change_name) },
	  { PROG_OFF(nst_kprobe_netif_change_name),
	    PROG_OFF(nst_kretprobe_netif_change_name) } },
	{ "dev_change_name", BACKEND_GROUP_MOVE, MOVE_EVENTS,
	  { PROG_OFF(nst_fentry_dev_change_name),
	    PROG_OFF(nst_fexit_dev_change_name) },
	  { PROG_OFF(nst_kprobe_dev_change_name),
	    PROG_OFF(nst_kretprobe_dev_change_name) } },
	{ "register_netdevice", BACKEND_GROUP_LIFE, LIFE_EVENTS,
	  { PROG_OFF(nst_fexit_register_netdevice) },
	  { PROG_OFF(nst_kprobe_register_netdevice),
	    PROG_OFF(nst_kretprobe_register_netdevice) } },
	{ "unregister_netdevice_queue", BACKEND_GROUP_LIFE, LIFE_EVENTS,
	  { PROG_OFF(nst_fentry_unregister_netdevice_queue) },
	  { PROG_OFF(nst_kprobe_unregister_netdevice_queue) } },
	{ "switch_task_namespaces", BACKEND_GROUP_SWITCH, SWITCH_EVENTS,
	  { PROG_OFF(nst_fentry_switch_task_namespaces) },
	  { PROG_OFF(nst_kprobe_switch_task_namespaces) } },
	{ "commit_creds", BACKEND_GROUP_SWITCH, SWITCH_EVENTS,
	  { PROG_OFF(nst_fentry_commit_creds) },
	  { PROG_OFF(nst_kprobe_commit_creds) } },
	DESTROY_HOOK(free_uts_ns),
	DESTROY_HOOK(put_ipc_ns),
	DESTROY_HOOK(put_mnt_ns),
	DESTROY_HOOK(delayed_free_pidns),
	DESTROY_HOOK(__put_user_ns),
	DESTROY_HOOK(free_cgroup_ns),
	DESTROY_HOOK(free_time_ns),
};

#define N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

/*
 * Functions of which one is hooked, the first the kernel has: newer
 * kernels moved dev_change_name()'s work into netif_change_name() and
 * call it from both dev_change_name() and rtnetlink, so hooking both
 * would see each rename twice. Twins are next to each other in hooks[].
 */
static const char *const twins[][2] = {
	{ "netif_change_name", "dev_change_name" },
};

/* 1 for the first of twins, 2 for the second, 0 for any other function. */
static int twin_rank(const char *func)
{
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		for (int j = 0; j < 2; j++)
			if (!strcmp(func, twins[i][j]))
				return j + 1;
	return 0;
}

/*
 * Tracepoint programs and what makes them unneeded: a group of hooks that
 * does their work (with both MOVE and LIFE for the rtnetlink path).
 */
struct tp_use {
	size_t prog;
	uint32_t events;
	uint32_t replaced_by; /* bits of enum backend_group, all needed */
	bool syscall; /* tp/syscalls/: its id is in tracefs, attached by perf */
};

#define G(g) (1u << BACKEND_GROUP_##g)

static const struct tp_use tps[] = {
	{ PROG_OFF(nst_tp_task_newtask), EV(NS_CREATE), 0, false },
	{ PROG_OFF(nst_tp_enter_unshare), EV(NS_CREATE), G(SWITCH), true },
	{ PROG_OFF(nst_tp_exit_unshare), EV(NS_CREATE), G(SWITCH), true },
	{ PROG_OFF(nst_tp_enter_setns), EV(NS_SETNS), G(SWITCH), true },
	{ PROG_OFF(nst_tp_exit_setns), EV(NS_SETNS), G(SWITCH), true },
	{ PROG_OFF(nst_tp_enter_sendmsg), RTNL_EVENTS, G(MOVE) | G(LIFE),
	  true },
	{ PROG_OFF(nst_tp_exit_sendmsg), RTNL_EVENTS, G(MOVE) | G(LIFE),
	  true },
	{ PROG_OFF(nst_tp_enter_sendto), RTNL_EVENTS, G(MOVE) | G(LIFE),
	  true },
	{ PROG_OFF(nst_tp_exit_sendto), RTNL_EVENTS, G(MOVE) | G(LIFE),
	  true },
	{ PROG_OFF(nst_tp_queue_work), NETNS_EXIT_EVENTS, 0, false },
	{ PROG_OFF(nst_tp_cleanup_start), NETNS_EXIT_EVENTS, 0, false },
	{ PROG_OFF(nst_tp_cleanup_notifier), NETNS_EXIT_EVENTS, 0, false },
	{ PROG_OFF(nst_tp_cleanup_end), NETNS_EXIT_EVENTS, 0, false },
	{ PROG_OFF(nst_tp_enter_mount), EV(NS_NAME), 0, true },
	{ PROG_OFF(nst_tp_exit_mount), EV(NS_NAME), 0, true },
	{ PROG_OFF(nst_tp_enter_umount), EV(NS_NAME), 0, true },
	{ PROG_OFF(nst_tp_exit_umount), EV(NS_NAME), 0, true },
};

static char description[200];
static char names[64]; /* the flavours in use, '+' between them */

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

/*
 * The flavour of each hook, and of each group (BACKEND_TRACEPOINT for a
 * group not hooked whole, or whose events are not wanted). Destroy hooks
 * count one by one: *destroy_types says how many of them got one. A hook
 * left out for its twin stays unhooked.
 */
struct choice {
	enum backend hook[N_HOOKS];
	enum backend group[BACKEND_GROUPS];
	bool left_out[N_HOOKS];
	int destroy_types;
};

static int choose_now(struct choice *c, const char *btf_path,
		      uint32_t ev_mask, enum backend want)
{
	bool whole[BACKEND_GROUPS];
	const char *why;

	for (int g = 0; g < BACKEND_GROUPS; g++) {
		whole[g] = true;
		c->group[g] = BACKEND_TRACEPOINT;
	}
	c->destroy_types = 0;
	for (size_t i = 0; i < N_HOOKS; i++) {
		const struct func_hook *h = &hooks[i];
		enum backend b = BACKEND_TRACEPOINT;
		int twin = twin_rank(h->func);

		/* The second of twins, when the first is in use. */
		c->left_out[i] = twin == 2 && !c->left_out[i - 1];
		if (!c->left_out[i] && (h->events & ev_mask))
			b = backend_for_func(btf_path, h->func, want, &why);
		/* The first of twins that cannot be hooked: the second may. */
		if (twin == 1 && (h->events & ev_mask) &&
		    want != BACKEND_TRACEPOINT &&
		    (b == BACKEND_AUTO || b == BACKEND_TRACEPOINT))
			c->left_out[i] = true;
		if (c->left_out[i]) {
			c->hook[i] = BACKEND_TRACEPOINT;
			continue;
		}
		/* A forced flavour must at least serve netdev.move. */
		if (b == BACKEND_AUTO && h->group == BACKEND_GROUP_MOVE) {
			fprintf(stderr,
				"nstrace: the %s backend is not available here: %s (see nstrace doctor)\n",
				backend_name(want), why);
			return -1;
		}
		if (b == BACKEND_AUTO)
			b = BACKEND_TRACEPOINT;
		c->hook[i] = b;
		if (b == BACKEND_TRACEPOINT)
			whole[h->group] = false;
		else
			c->group[h->group] = b;
		if (h->group == BACKEND_GROUP_DESTROY &&
		    b != BACKEND_TRACEPOINT)
			c->destroy_types++;
	}
	for (int g = 0; g < BACKEND_GROUPS; g++)
		if (!whole[g] && g != BACKEND_GROUP_DESTROY)
			c->group[g] = BACKEND_TRACEPOINT;
	for (size_t i = 0; i < N_HOOKS; i++)
		if (hooks[i].group != BACKEND_GROUP_DESTROY && !c->left_out[i])
			c->hook[i] = c->group[hooks[i].group];
	probe_release();
	return 0;
}

/* The probes parse the kernel's BTF: doctor asks several times, once is enough. */
static int choose(struct choice *c, const char *btf_path, uint32_t ev_mask,
		  enum backend want)
{
	static struct choice last;
	static const char *last_btf;
	static uint32_t last_mask;
	static enum backend last_want;
	static bool have;

	if (!have || last_btf != btf_path || last_mask != ev_mask ||
	    last_want != want) {
		if (choose_now(&last, btf_path, ev_mask, want))
			return -1;
		have = true;
		last_btf = btf_path;
		last_mask = ev_mask;
		last_want = want;
	}
	*c = last;
	return 0;
}

static uint32_t hooked_groups(const struct choice *c)
{
	uint32_t hooked = 0;

	for (int g = 0; g < BACKEND_GROUPS; g++)
		if (c->group[g] != BACKEND_TRACEPOINT)
			hooked |= 1u << g;
	return hooked;
}

static bool tp_loads(const struct tp_use *t, uint32_t ev_mask,
		     uint32_t hooked)
{
	bool replaced = t->replaced_by &&
			(hooked & t->replaced_by) == t->replaced_by;

	return (t->events & ev_mask) && !replaced;
}

bool backend_syscall_tps(uint32_t ev_mask, uint32_t hooked)
{
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++)
		if (tps[i].syscall && tp_loads(&tps[i], ev_mask, hooked))
			return true;
	return false;
}

/*
 * The events to load programs for. Where every other event has a hook of
 * its own and perf events are refused, ns.name's syscall tracepoints
 * would be all that stops nstrace: names then come from the mount table
 * alone (docs/events.md, ns.name).
 */
static uint32_t loadable(const struct choice *c, uint32_t ev_mask)
{
	const uint32_t others = ev_mask & ~EV(NS_NAME);
	const char *why;

	if ((ev_mask & EV(NS_NAME)) &&
	    !backend_syscall_tps(others, hooked_groups(c)) &&
	    probe_perf_events(&why))
		return others;
	return ev_mask;
}

bool backend_needs_tracefs(const char *btf_path, uint32_t ev_mask,
			   enum backend want)
{
	struct choice c;

	/* No choice (a forced flavour missing): the stream stops before. */
	return !choose(&c, btf_path, ev_mask, want) &&
	       backend_syscall_tps(loadable(&c, ev_mask), hooked_groups(&c));
}

/* 0, or -1 with the reason when a syscall tracepoint needed cannot attach. */
static int check_perf(const struct choice *c, uint32_t ev_mask,
		      const char **why)
{
	if (backend_syscall_tps(ev_mask, hooked_groups(c)) &&
	    probe_perf_events(why))
		return -1;
	return 0;
}

int backend_usable(const char *btf_path, const char **why)
{
	struct choice c;

	*why = "no backend fits (see the checks above)";
	if (choose(&c, btf_path, NST_EV_ALL, BACKEND_AUTO))
		return -1;
	return check_perf(&c, loadable(&c, NST_EV_ALL), why);
}

enum backend backend_for_group_of(const char *btf_path, const char *func)
{
	struct choice c;

	if (choose(&c, btf_path, NST_EV_ALL, BACKEND_AUTO))
		return BACKEND_TRACEPOINT;
	for (size_t i = 0; i < N_HOOKS; i++)
		if (!strcmp(hooks[i].func, func))
			return c.hook[i];
	return BACKEND_TRACEPOINT;
}

int backend_destroy_types(const char *btf_path, enum backend *flavour)
{
	struct choice c;

	*flavour = BACKEND_TRACEPOINT;
	if (choose(&c, btf_path, NST_EV_ALL, BACKEND_AUTO))
		return 0;
	*flavour = c.group[BACKEND_GROUP_DESTROY];
	return c.destroy_types;
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

/* The flavours the groups of c use, in the order of enum backend. */
static void set_names(const struct choice *c, uint32_t hooked)
{
	uint32_t used = 0;
	size_t len = 0;

	for (int g = 0; g < BACKEND_GROUPS; g++)
		if (g != BACKEND_GROUP_DESTROY || c->destroy_types)
			used |= 1u << (hooked ? c->group[g] : BACKEND_TRACEPOINT);
	names[0] = '\0';
	for (int b = BACKEND_FENTRY; b <= BACKEND_TRACEPOINT; b++)
		if (used & (1u << b))
			len += snprintf(names + len, sizeof(names) - len, "%s%s",
					len ? "+" : "", backend_name(b));
}

int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask,
		      enum backend want, const char *btf_path)
{
	const uint32_t want_mask = ev_mask;
	const char *why;
	uint32_t hooked;
	struct choice c;

	if (choose(&c, btf_path, ev_mask, want))
		return -1;
	ev_mask = loadable(&c, ev_mask);
	if (check_perf(&c, ev_mask, &why)) {
		if (want == BACKEND_TRACEPOINT)
			fprintf(stderr,
				"nstrace: the tracepoint backend needs perf events: %s (see nstrace doctor)\n",
				why);
		else
			fprintf(stderr,
				"nstrace: fentry does not cover every event here, and syscall tracepoints need perf events: %s (see nstrace doctor)\n",
				why);
		return -1;
	}
	hooked = hooked_groups(&c);
	if (backend_syscall_tps(ev_mask, hooked) && preflight_tracefs())
		return -1;
	for (size_t i = 0; i < N_HOOKS; i++)
		set_flavour(skel, &hooks[i], c.hook[i]);
	skel->rodata->targ_move_hooked = hooked & G(MOVE);
	skel->rodata->targ_life_hooked = hooked & G(LIFE);
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		const struct tp_use *t = &tps[i];

		bpf_program__set_autoload(prog_at(skel, t->prog),
					  tp_loads(t, ev_mask, hooked));
	}
	/*
	 * notifier_run (not in 6.1, for one) only finds a netns that died
	 * just as its cleanup work started: without it, the batch is walked
	 * at the work's start alone.
	 */
	if (probe_tracepoint(btf_path, "notifier_run", &why))
		bpf_program__set_autoload(skel->progs.nst_tp_cleanup_notifier,
					  false);
	set_names(&c, hooked);
	if (!hooked)
		snprintf(description, sizeof(description),
			 "backend: tracepoint, netdev.move by tracepoint");
	else
		snprintf(description, sizeof(description),
			 "backend: netdev.move by %s, netdev.create/delete by %s, unshare/setns by %s, ns.destroy of %d more types by %s",
			 backend_name(c.group[BACKEND_GROUP_MOVE]),
			 backend_name(c.group[BACKEND_GROUP_LIFE]),
			 backend_name(c.group[BACKEND_GROUP_SWITCH]),
			 c.destroy_types,
			 c.destroy_types ?
				 backend_name(c.group[BACKEND_GROUP_DESTROY]) :
				 "none");
	if (!(ev_mask & EV(NS_NAME)) && (want_mask & EV(NS_NAME)))
		strncat(description, ", ns.name by the mount table alone",
			sizeof(description) - strlen(description) - 1);
	return 0;
}

const char *backend_describe(void)
{
	return description;
}

const char *backend_names(void)
{
	return names;
}
