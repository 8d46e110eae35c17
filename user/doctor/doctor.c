// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <getopt.h>
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
#define N_EVENTS 7

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
	err = access("/sys/kernel/tracing/events/syscalls/sys_enter_setns/id",
		     R_OK) &&
	      access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_setns/id",
		     R_OK);
	add_check(r, "tracefs", false, err, "syscall tracepoints listed",
		  "not mounted: nstrace mounts it on /sys/kernel/tracing");
	if (!r->can_run)
		return; /* the probes below need the privileges */
	err = probe_ringbuf(&why);
	add_check(r, "ring buffer", true, err, "BPF_MAP_TYPE_RINGBUF", why);
	err = probe_tp_btf(btf, "task_newtask", &why);
	add_check(r, "tp_btf", true, err, "BTF tracepoints (task_newtask)",
		  why);
	err = probe_fentry(btf, "__dev_change_net_namespace", &fentry_why);
	add_check(r, "fentry", false, err, "on __dev_change_net_namespace",
		  fentry_why);
	err = probe_perf_events(&why);
	add_check(r, "perf events", false, err,
		  "perf_event_open (kprobes, syscall tracepoints)", why);
	err = probe_kprobe("__dev_change_net_namespace", &kprobe_why);
	add_check(r, "kprobe", false, err, "on __dev_change_net_namespace",
		  kprobe_why);
	err = backend_usable(btf, &why);
	add_check(r, "backend", true, err, "every event kind has a hook",
		  why);

	move = backend_for_group_of(btf, "__dev_change_net_namespace");
	sw = backend_for_group_of(btf, "switch_task_namespaces");
	r->events[0] = (struct event_use){
		"ns.create", sw == BACKEND_TRACEPOINT ? "tracepoint" : backend_name(sw),
		true,
		sw == BACKEND_TRACEPOINT ? "task_newtask, unshare syscall"
					 : "task_newtask, switch_task_namespaces"
	};
	r->events[1] = (struct event_use){
		"ns.setns", sw == BACKEND_TRACEPOINT ? "tracepoint" : backend_name(sw),
		true,
		sw == BACKEND_TRACEPOINT ? "setns syscall"
					 : "switch_task_namespaces, commit_creds"
	};
	if (backend_destroy_types(btf, &destroy) == 7)
		r->events[2] = (struct event_use){
			"ns.destroy", backend_name(destroy), true,
			"every type as the kernel frees it (net: cleanup_net)"
		};
	else
		r->events[2] = (struct event_use){
			"ns.destroy", "tracepoint", false,
			"network namespaces only, when cleanup_net runs"
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

static void json_kv(struct buf *b, const char *key, const char *value)
{
	json_str(b, key, strlen(key));
	buf_addc(b, ':');
	json_str(b, value, strlen(value));
}

static void print_json(const struct report *r, const char *release)
{
	struct buf b = {};

	buf_addf(&b, "{\"schema\":%d,", NST_SCHEMA_VERSION);
	json_kv(&b, "kernel", release);
	buf_adds(&b, ",\"checks\":[");
	for (int i = 0; i < r->n; i++) {
		buf_adds(&b, i ? ",{" : "{");
		json_kv(&b, "name", r->checks[i].name);
		buf_addf(&b, ",\"ok\":%s,\"required\":%s,",
			 r->checks[i].ok ? "true" : "false",
			 r->checks[i].required ? "true" : "false");
		json_kv(&b, "detail", r->checks[i].detail);
		buf_addc(&b, '}');
	}
	buf_adds(&b, "],\"events\":[");
	for (int i = 0; r->can_run && i < N_EVENTS; i++) {
		buf_adds(&b, i ? ",{" : "{");
		json_kv(&b, "event", r->events[i].event);
		buf_addc(&b, ',');
		json_kv(&b, "backend", r->events[i].backend);
		buf_addf(&b, ",\"exact\":%s,",
			 r->events[i].exact ? "true" : "false");
		json_kv(&b, "note", r->events[i].note);
		buf_addc(&b, '}');
	}
	buf_addf(&b, "],\"can_run\":%s}\n", r->can_run ? "true" : "false");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void usage(FILE *f)
{
	fputs("usage: nstrace doctor [-j] [--btf FILE]\n"
	      "What this kernel allows nstrace to use, and which hook each\n"
	      "event comes from. Exit 0 when nstrace can run, else 1.\n"
	      "\n"
	      "  -j, --json    one JSON document\n"
	      "      --btf FILE  kernel BTF to use\n"
	      "  -h, --help    this help\n",
	      f);
}

int doctor_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "btf", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct report r = {};
	const char *btf = NULL;
	struct utsname u;
	bool json = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'b':
			btf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "nstrace: unknown option: '%s'\n",
				text_shown(argv[optind - 1]));
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nstrace: unexpected argument: '%s'\n",
			text_shown(argv[optind]));
		usage(stderr);
		return 2;
	}
	libbpf_set_print(silent);
	uname(&u);
	examine(&r, btf);
	if (json)
		print_json(&r, u.release);
	else
		print_text(&r, u.release);
	if (!r.can_run)
		fprintf(stderr, "nstrace: cannot run here: %s\n", r.why_not);
	return r.can_run ? 0 : 1;
}
