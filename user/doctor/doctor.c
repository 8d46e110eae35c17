// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "loader/backend.h"
#include "lib/buf.h"
#include "doctor/doctor.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "lib/options.h"
#include "loader/preflight.h"
#include "loader/probe.h"
#include "trace/record.h"

struct check {
	const char *name;
	bool ok;
	bool required; /* nstrace cannot run without it */
	const char *detail;
};

struct event_use {
	const char *event;
	const char *backend;
	bool exact;
	const char *note;
};

#define MAX_CHECKS 12
#define N_EVENTS 8

struct report {
	struct check checks[MAX_CHECKS];
	int n;
	struct event_use events[N_EVENTS];
	bool can_run;
	char why_not[160];
	char rename_note[64];
};

static void add_check(struct report *r, const char *name, bool required,
		      int err, const char *ok_detail, const char *why)
{
	struct check *c = &r->checks[r->n++];

	c->name = name;
	c->required = required;
	c->ok = !err;
	c->detail = err ? why : ok_detail;
	if (err && required && r->can_run) {
		r->can_run = false;
		snprintf(r->why_not, sizeof(r->why_not), "%s: %s", name, why);
	}
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void examine(struct report *r, const char *btf)
{
	const char *why = NULL, *missing = NULL, *fentry_why, *kprobe_why;
	enum backend move, destroy, life, sw, rename;
	const char *renamer = "netif_change_name";
	char lacking[96];
	bool tracefs, notifier;
	int err;

	r->can_run = true;
	err = caps_check(&missing);
	snprintf(lacking, sizeof(lacking), "missing %s: run as root",
		 err ? missing : "");
	add_check(r, "privileges", true, err, "CAP_BPF and CAP_PERFMON",
		  lacking);
	err = access(btf ? btf : "/sys/kernel/btf/vmlinux", R_OK);
	add_check(r, "btf", true, err, btf ? btf : "/sys/kernel/btf/vmlinux",
		  "no readable BTF: pass --btf FILE");
	/* Without privileges no probe answers: the tracepoint backend's case. */
	tracefs = !r->can_run ||
		  backend_needs_tracefs(btf, NST_EV_ALL, BACKEND_AUTO);
	err = tracefs_check(&why);
	if (err && !tracefs)
		why = "not needed: hooks on kernel functions replace the syscall tracepoints";
	add_check(r, "tracefs", tracefs, tracefs && err < 0,
		  err ? why : "syscall tracepoints listed", why);
	if (!r->can_run)
		return; /* the probes below need the privileges */
	err = probe_ringbuf(&why);
	add_check(r, "ring buffer", true, err, "BPF_MAP_TYPE_RINGBUF", why);
	err = probe_bpf_features(&why);
	add_check(r, "bpf helpers", true, err,
		  "bpf_loop, task storage, bpf_get_current_task_btf, ...", why);
	err = probe_tp_btf(btf, "task_newtask", &why);
	add_check(r, "tp_btf", true, err, "BTF tracepoints (task_newtask)",
		  why);
	err = probe_fentry(btf, "__dev_change_net_namespace", &fentry_why);
	add_check(r, "fentry", false, err, "on __dev_change_net_namespace",
		  fentry_why);
	err = probe_perf_events(&why);
	add_check(r, "perf events", false, err,
		  "perf_event_open (kprobes, syscall tracepoints)", why);
	/* ns.name has no other hook: without perf events, the table alone. */
	if (err)
		r->events[7] = (struct event_use){
			"ns.name", "mount table", false,
			"nstrace's own mount table, without a process"
		};
	else
		r->events[7] = (struct event_use){
			"ns.name", "tracepoint", false,
			"mount and umount2 syscalls, the mount table for what they miss"
		};
	err = probe_kprobe("__dev_change_net_namespace", &kprobe_why);
	add_check(r, "kprobe", false, err, "on __dev_change_net_namespace",
		  kprobe_why);
	err = backend_usable(btf, &why);
	add_check(r, "backend", true, err, "every event kind has a hook", why);

	move = backend_for_group_of(btf, "__dev_change_net_namespace");
	sw = backend_for_group_of(btf, "switch_task_namespaces");
	r->events[0] = (struct event_use){
		"ns.create",
		sw == BACKEND_TRACEPOINT ? "tracepoint" : backend_name(sw),
		true,
		sw == BACKEND_TRACEPOINT ?
			"task_newtask, unshare syscall" :
			"task_newtask, switch_task_namespaces"
	};
	r->events[1] = (struct event_use){
		"ns.setns",
		sw == BACKEND_TRACEPOINT ? "tracepoint" : backend_name(sw),
		true,
		sw == BACKEND_TRACEPOINT ?
			"setns syscall" :
			"switch_task_namespaces, commit_creds"
	};
	/*
	 * Without notifier_run, a netns that dies just as cleanup_net starts
	 * joins a batch its first walk did not see, on every backend.
	 */
	notifier = !probe_tracepoint(btf, "notifier_run", &why);
	if (backend_destroy_types(btf, &destroy) == 7)
		r->events[2] = (struct event_use){
			"ns.destroy", backend_name(destroy), notifier,
			notifier ?
				"every type as the kernel frees it (net: cleanup_net)" :
				"every type as the kernel frees it; net: cleanup_net, without a netns that dies as it starts (no notifier_run)"
		};
	else
		r->events[2] = (struct event_use){
			"ns.destroy", "tracepoint", false,
			notifier ?
				"network namespaces only, when cleanup_net runs" :
				"network namespaces only, when cleanup_net runs, without one that dies as it starts (no notifier_run)"
		};
	if (move == BACKEND_TRACEPOINT)
		r->events[3] = (struct event_use){
			"netdev.move", "tracepoint", false,
			"rtnetlink requests by sendmsg/sendto, and netns exit"
		};
	else
		r->events[3] = (struct event_use){
			"netdev.move", backend_name(move), true,
			"__dev_change_net_namespace: every move"
		};
	life = backend_for_group_of(btf, "register_netdevice");
	if (life != BACKEND_TRACEPOINT) {
		r->events[4] = (struct event_use){
			"netdev.create", backend_name(life), true,
			"register_netdevice: every device"
		};
		r->events[5] = (struct event_use){
			"netdev.delete", backend_name(life), true,
			"unregister_netdevice_queue: every device"
		};
	} else {
		r->events[4] = (struct event_use){
			"netdev.create", "tracepoint", false,
			"rtnetlink requests by sendmsg/sendto"
		};
		r->events[5] = (struct event_use){
			"netdev.delete", "tracepoint", false,
			"rtnetlink requests by sendmsg/sendto, and netns exit"
		};
	}
	/* One of the twins is hooked: the newer name where it exists. */
	rename = backend_for_group_of(btf, renamer);
	if (rename == BACKEND_TRACEPOINT) {
		renamer = "dev_change_name";
		rename = backend_for_group_of(btf, renamer);
	}
	if (rename != BACKEND_TRACEPOINT) {
		snprintf(r->rename_note, sizeof(r->rename_note),
			 "%s: every rename", renamer);
		r->events[6] = (struct event_use){ "netdev.rename",
						   backend_name(rename), true,
						   r->rename_note };
	} else {
		r->events[6] = (struct event_use){
			"netdev.rename", "tracepoint", false,
			"rtnetlink requests by sendmsg/sendto, not SIOCSIFNAME"
		};
	}
}

static void print_text(const struct report *r, const char *release)
{
	printf("kernel %s\n", release);
	for (int i = 0; i < r->n; i++)
		printf("  %-4s %-12s %s\n", r->checks[i].ok ? "ok" : "no",
		       r->checks[i].name, r->checks[i].detail);
	if (r->can_run) {
		printf("events:\n");
		for (int i = 0; i < N_EVENTS; i++)
			printf("  %-14s %-11s %-12s %s\n", r->events[i].event,
			       r->events[i].backend,
			       r->events[i].exact ? "exact" : "approximate",
			       r->events[i].note);
		printf("nstrace can run here.\n");
	} else {
		printf("nstrace cannot run here: %s.\n", r->why_not);
	}
}

static void print_json(const struct report *r, const char *release)
{
	struct buf b = {};
	struct jw j;

	jw_init(&j, &b);
	jw_obj_open(&j);
	jw_key_u(&j, "schema", NST_SCHEMA_VERSION);
	jw_key_str(&j, "kernel", release);
	jw_key(&j, "checks");
	jw_arr_open(&j);
	for (int i = 0; i < r->n; i++) {
		jw_obj_open(&j);
		jw_key_str(&j, "name", r->checks[i].name);
		jw_key_bool(&j, "ok", r->checks[i].ok);
		jw_key_bool(&j, "required", r->checks[i].required);
		jw_key_str(&j, "detail", r->checks[i].detail);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	jw_key(&j, "events");
	jw_arr_open(&j);
	for (int i = 0; r->can_run && i < N_EVENTS; i++) {
		jw_obj_open(&j);
		jw_key_str(&j, "event", r->events[i].event);
		jw_key_str(&j, "backend", r->events[i].backend);
		jw_key_bool(&j, "exact", r->events[i].exact);
		jw_key_str(&j, "note", r->events[i].note);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	jw_key_bool(&j, "can_run", r->can_run);
	jw_obj_close(&j);
	buf_addc(&b, '\n');
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

struct doctor_opts {
	bool json;
	const char *btf;
};

static const struct cli_use doctor_opts_used[] = {
	{ .opt = &options[OPT_JSON],
	  .field = offsetof(struct doctor_opts, json) },
	{ .opt = &options[OPT_BTF],
	  .field = offsetof(struct doctor_opts, btf) },
	{},
};

const struct cli_cmd doctor_cli = {
	.name = "doctor",
	.about = "What this kernel allows nstrace to use, and which hook each\n"
		 "event comes from. Exit 0 when nstrace can run, else 1.",
	.opts = doctor_opts_used,
};

int doctor_main(int argc, char **argv)
{
	struct doctor_opts o = {};
	struct report r = {};
	struct utsname u;
	int rc;

	if (!cli_command(&doctor_cli, &o, argc, argv, &rc))
		return rc;
	libbpf_set_print(silent);
	uname(&u);
	examine(&r, o.btf);
	if (o.json)
		print_json(&r, u.release);
	else
		print_text(&r, u.release);
	if (!r.can_run)
		fprintf(stderr, "nstrace: cannot run here: %s\n", r.why_not);
	return r.can_run ? 0 : 1;
}
