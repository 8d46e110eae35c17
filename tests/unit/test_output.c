// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON lines are an interface (docs/events.md): scripts match on keys,
 * their order and their types, so each kind of event is checked against
 * its exact line. The text lines are for people, so what matters there is
 * that columns line up and that no byte of a name can reach the terminal
 * raw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "loader/event.h"
#include "nstrace.h"
#include "trace/metrics.h"
#include "trace/output.h"
#include "trace/record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Boot time 5 ns plus this offset: one second and 5 ns after the epoch. */
#define OFF 1000000000LL

#define NS_NET 4026531840u
#define NS_NEW 4026532000u

/* What every line of the shared task starts with; %s is the event. */
#define JHEAD                                                        \
	"{\"schema\":1,\"time\":\"1970-01-01T00:00:01.000000005Z\"," \
	"\"event\":\"%s\",\"pid\":1234,\"tid\":1235,\"ppid\":1000,"  \
	"\"uid\":0,\"comm\":\"unshare\""

/*
 * The text columns: TIME 12, EVENT 13, PID 7 (right-aligned), COMM 16,
 * TYPE 6, NS 21, one blank between each, then DETAILS.
 */
#define TTIME "00:00:01.000 "
#define TTASK "   1234 unshare          "

static struct buf out;

/* An event of the given kind from a task the tests share. */
static struct nst_event task_event(uint32_t kind)
{
	struct nst_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.task.ts_boot_ns = 5;
	e.task.pid = 1234;
	e.task.tid = 1235;
	e.task.ppid = 1000;
	e.task.uid = 0;
	strcpy(e.task.comm, "unshare");
	return e;
}

static const char *json_of(const struct nst_event *e)
{
	struct record r;

	record_from_event(&r, e, OFF);
	out.len = 0;
	render_json(&out, &r);
	return buf_cstr(&out);
}

/* The exact line: the shared head, then what the event adds. */
static void assert_json(const struct nst_event *e, const char *event,
			const char *tail)
{
	char want[4096];

	snprintf(want, sizeof(want), JHEAD "%s", event, tail);
	assert_string_equal(json_of(e), want);
}

static const char *text_of(const struct nst_event *e, bool color)
{
	struct record r;

	record_from_event(&r, e, OFF);
	out.len = 0;
	render_text(&out, &r, color);
	return buf_cstr(&out);
}

static int setup(void **state)
{
	/* The text output shows local time; make it the same everywhere. */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static int teardown(void **state)
{
	buf_free(&out);
	return 0;
}

/* eth0 (3) of NS_NET moved to NS_NEW as eth1 (7), and its keys. */
#define MOVE_ETH0                                               \
	.from_netns = NS_NET, .to_netns = NS_NEW, .ifindex = 3, \
	.new_ifindex = 7, .ifname = "eth0", .new_ifname = "eth1"
#define J_ETH0 ",\"ns_type\":\"net\",\"ifname\":\"eth0\",\"ifindex\":3,"
#define J_ETH1 "\"new_ifname\":\"eth1\",\"new_ifindex\":7,"
#define J_FROM_TO "\"from_netns\":4026531840,\"to_netns\":4026532000,"
/* veth0 (9) in NS_NEW, created or deleted, and its keys. */
#define LIFE_VETH0 \
	.netns = NS_NEW, .ifindex = 9, .ifname = "veth0", .kind = "veth"
#define J_LIFE ",\"ns_type\":\"net\",\"netns\":4026532000,"
#define J_VETH0 "\"ifname\":\"veth0\",\"ifindex\":9,\"kind\":\"veth\","

/* The TYPE and NS columns, and DETAILS' start, of those two. */
#define T_ETH0 "net    4026531840->4026532000 ifname=eth0 ifindex=3 "
#define T_NET_NEW "net    4026532000            "

/*
 * Each kind of event and each of its variants, with its exact JSON line
 * (after the shared head, JHEAD) and its exact text line.
 */
static const struct {
	struct nst_event e; /* its task is filled in */
	const char *event, *json, *text;
} event_cases[] = {
	{ { .kind = NST_EV_NS_CREATE,
	    .create = { .ns_type = NST_NS_NET,
			.ns = NS_NEW,
			.origin = NST_ORIGIN_UNSHARE } },
	  "ns.create",
	  ",\"ns_type\":\"net\",\"ns\":4026532000,\"syscall\":\"unshare\"}\n",
	  TTIME "ns.create     " TTASK T_NET_NEW "syscall=unshare\n" },
	/* clone names the child; unshare has none, so no key at all. */
	{ { .kind = NST_EV_NS_CREATE,
	    .create = { .ns_type = NST_NS_PID,
			.ns = NS_NEW,
			.origin = NST_ORIGIN_CLONE3,
			.child_pid = 4321 } },
	  "ns.create",
	  ",\"ns_type\":\"pid\",\"ns\":4026532000,\"syscall\":\"clone3\",\"child_pid\":4321}\n",
	  TTIME
	  "ns.create     " TTASK
	  "pid    4026532000            syscall=clone3 child_pid=4321\n" },
	{ { .kind = NST_EV_NS_CREATE,
	    .create = { .ns_type = NST_NS_NET,
			.ns = NS_NEW,
			.origin = NST_ORIGIN_CLONE,
			.child_pid = 4321 } },
	  "ns.create",
	  ",\"ns_type\":\"net\",\"ns\":4026532000,\"syscall\":\"clone\",\"child_pid\":4321}\n",
	  TTIME "ns.create     " TTASK T_NET_NEW
		"syscall=clone child_pid=4321\n" },
	{ { .kind = NST_EV_NS_SETNS,
	    .setns = { .ns_type = NST_NS_MNT,
		       .from_ns = 4026531841u,
		       .to_ns = 4026532001u } },
	  "ns.setns",
	  ",\"ns_type\":\"mnt\",\"from_ns\":4026531841,\"to_ns\":4026532001}\n",
	  TTIME "ns.setns      " TTASK "mnt    4026531841->4026532001\n" },
	/* Two namespaces share the NS column; no details, no blanks. */
	{ { .kind = NST_EV_NS_SETNS,
	    .setns = { .ns_type = NST_NS_CGROUP, .from_ns = 1, .to_ns = 2 } },
	  "ns.setns",
	  ",\"ns_type\":\"cgroup\",\"from_ns\":1,\"to_ns\":2}\n",
	  TTIME "ns.setns      " TTASK "cgroup 1->2\n" },
	{ { .kind = NST_EV_NS_DESTROY,
	    .destroy = { .ns_type = NST_NS_NET,
			 .ns = NS_NEW,
			 .nr_devs = 2,
			 .devs = { { 1, NST_FATE_DELETED, "lo" },
				   { 5, NST_FATE_RETURNED, "veth0" } },
			 .killer_pid = 77,
			 .killer_comm = "ip" } },
	  "ns.destroy",
	  ",\"ns_type\":\"net\",\"ns\":4026532000,\"interfaces\":[{\"ifname\":\"lo\",\"ifindex\":1,\"fate\":\"deleted\"},{\"ifname\":\"veth0\",\"ifindex\":5,\"fate\":\"returned\"}],\"last_ref_pid\":77,\"last_ref_comm\":\"ip\"}\n",
	  TTIME
	  "ns.destroy    " TTASK T_NET_NEW
	  "interfaces=lo(1,deleted),veth0(5,returned) last_ref_pid=77 last_ref_comm=ip\n" },
	/*
	 * No device (nr_devs says so, whatever the array holds) and no known
	 * last holder: an empty list, no killer.
	 */
	{ { .kind = NST_EV_NS_DESTROY,
	    .destroy = { .ns_type = NST_NS_NET,
			 .ns = NS_NEW,
			 .killer_comm = "ip",
			 .devs = { { 1, NST_FATE_DELETED, "lo" } } } },
	  "ns.destroy",
	  ",\"ns_type\":\"net\",\"ns\":4026532000,\"interfaces\":[]}\n",
	  TTIME "ns.destroy    " TTASK T_NET_NEW "interfaces=none\n" },
	/* Only a netns holds interfaces: other types say nothing of them. */
	{ { .kind = NST_EV_NS_DESTROY,
	    .destroy = { .ns_type = NST_NS_UTS,
			 .ns = 4026532002u,
			 .nr_devs = 3,
			 .killer_pid = 77,
			 .killer_comm = "ip" } },
	  "ns.destroy",
	  ",\"ns_type\":\"uts\",\"ns\":4026532002}\n",
	  TTIME "ns.destroy    " TTASK "uts    4026532002\n" },
	{ { .kind = NST_EV_NS_DESTROY,
	    .destroy = { .ns_type = NST_NS_IPC,
			 .ns = NS_NEW,
			 .killer_comm = "ip",
			 .devs = { { 1, NST_FATE_DELETED, "lo" } } } },
	  "ns.destroy",
	  ",\"ns_type\":\"ipc\",\"ns\":4026532000}\n",
	  TTIME "ns.destroy    " TTASK "ipc    4026532000\n" },
	{ { .kind = NST_EV_NETDEV_MOVE,
	    .move = { MOVE_ETH0, .cause = NST_CAUSE_REQUEST,
		      .origin = NST_ORIGIN_SENDMSG } },
	  "netdev.move",
	  J_ETH0 J_ETH1 J_FROM_TO
	  "\"cause\":\"request\",\"syscall\":\"sendmsg\"}\n",
	  TTIME
	  "netdev.move   " TTASK T_ETH0
	  "new_ifname=eth1 new_ifindex=7 cause=request syscall=sendmsg\n" },
	/* A failed request says why, by errno name and text; nothing moved. */
	{ { .kind = NST_EV_NETDEV_MOVE,
	    .move = { MOVE_ETH0, .cause = NST_CAUSE_REQUEST, .error = -EEXIST,
		      .origin = NST_ORIGIN_SENDMSG } },
	  "netdev.move",
	  J_ETH0 J_FROM_TO
	  "\"cause\":\"request\",\"syscall\":\"sendmsg\",\"error\":\"EEXIST: File exists\"}\n",
	  TTIME "netdev.move   " TTASK T_ETH0
		"cause=request syscall=sendmsg error=EEXIST: File exists\n" },
	/* The kernel's own move of a dying netns has no syscall. */
	{ { .kind = NST_EV_NETDEV_MOVE,
	    .move = { MOVE_ETH0, .cause = NST_CAUSE_NETNS_EXIT,
		      .origin = NST_ORIGIN_NONE } },
	  "netdev.move",
	  J_ETH0 J_ETH1 J_FROM_TO "\"cause\":\"netns-exit\"}\n",
	  TTIME "netdev.move   " TTASK T_ETH0
		"new_ifname=eth1 new_ifindex=7 cause=netns-exit\n" },
	/* A long NS column pushes DETAILS right rather than being cut. */
	{ { .kind = NST_EV_NETDEV_MOVE,
	    .move = { MOVE_ETH0, .origin = NST_ORIGIN_SENDMSG,
		      .error = -ENODEV } },
	  "netdev.move",
	  J_ETH0 J_FROM_TO
	  "\"cause\":\"request\",\"syscall\":\"sendmsg\",\"error\":\"ENODEV: No such device\"}\n",
	  TTIME
	  "netdev.move   " TTASK T_ETH0
	  "cause=request syscall=sendmsg error=ENODEV: No such device\n" },
	{ { .kind = NST_EV_NETDEV_CREATE,
	    .life = { LIFE_VETH0, .origin = NST_ORIGIN_SENDMSG } },
	  "netdev.create",
	  J_LIFE J_VETH0 "\"cause\":\"request\",\"syscall\":\"sendmsg\"}\n",
	  TTIME
	  "netdev.create " TTASK T_NET_NEW
	  "ifname=veth0 ifindex=9 kind=veth cause=request syscall=sendmsg\n" },
	/* A device a new netns starts with (a hook saw its registration). */
	{ { .kind = NST_EV_NETDEV_CREATE,
	    .life = { .netns = NS_NEW,
		      .ifindex = 1,
		      .origin = NST_ORIGIN_NETNS_CREATE,
		      .ifname = "lo" } },
	  "netdev.create",
	  J_LIFE
	  "\"ifname\":\"lo\",\"ifindex\":1,\"kind\":\"\",\"cause\":\"netns-create\"}\n",
	  TTIME "netdev.create " TTASK T_NET_NEW
		"ifname=lo ifindex=1 kind= cause=netns-create\n" },
	{ { .kind = NST_EV_NETDEV_DELETE,
	    .life = { LIFE_VETH0, .origin = NST_ORIGIN_NETNS_EXIT } },
	  "netdev.delete",
	  J_LIFE J_VETH0 "\"cause\":\"netns-exit\"}\n",
	  TTIME "netdev.delete " TTASK T_NET_NEW
		"ifname=veth0 ifindex=9 kind=veth cause=netns-exit\n" },
	/* A host-side end that went with its peer's netns names that one. */
	{ { .kind = NST_EV_NETDEV_DELETE,
	    .life = { .netns = NS_NET,
		      .ifindex = 9,
		      .ifname = "veth0",
		      .kind = "veth",
		      .origin = NST_ORIGIN_NETNS_EXIT,
		      .peer_netns = NS_NEW } },
	  "netdev.delete",
	  ",\"ns_type\":\"net\",\"netns\":4026531840,"
	  "\"ifname\":\"veth0\",\"ifindex\":9,\"kind\":\"veth\","
	  "\"cause\":\"netns-exit\",\"peer_netns\":4026532000}\n",
	  TTIME "netdev.delete " TTASK "net    4026531840            "
		"ifname=veth0 ifindex=9 kind=veth cause=netns-exit "
		"peer_netns=4026532000\n" },
};

static struct nst_event case_event(size_t i)
{
	struct nst_event e = event_cases[i].e;

	e.task = task_event(e.kind).task;
	return e;
}

/* ------------------------------- JSON -------------------------------- */

static void test_json_events(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(event_cases); i++) {
		struct nst_event e = case_event(i);

		assert_json(&e, event_cases[i].event, event_cases[i].json);
	}
}

/* Into the JSON line, after the field key of inode inum: its cookie. */
static void insert_cookie(char *json, size_t size, const char *key,
			  uint64_t inum, uint64_t cookie)
{
	char at[64], add[64], *p;

	snprintf(at, sizeof(at), "\"%s\":%llu", key, (unsigned long long)inum);
	snprintf(add, sizeof(add), ",\"%s_cookie\":%llu", key,
		 (unsigned long long)cookie);
	p = strstr(json, at);
	assert_non_null(p);
	assert_true(strlen(json) + strlen(add) < size);
	p += strlen(at);
	memmove(p + strlen(add), p, strlen(p) + 1);
	memcpy(p, add, strlen(add));
}

/*
 * *field (the cookie of the netns of inode inum, field key) is cookie;
 * shown (a netns's) or not, want the JSON line with it.
 */
static void give_cookie(bool shown, char *want, size_t size, const char *key,
			uint32_t inum, __u64 *field, uint64_t cookie)
{
	*field = cookie;
	if (shown)
		insert_cookie(want, size, key, inum, cookie);
}

/*
 * Each case's event with a cookie for every netns it names: in JSON, each
 * right after its inode; in text, none. Other types' are never shown,
 * nor is a cookie of 0 (every case has them 0: no key).
 */
static void test_cookies_beside_netns_inodes(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(event_cases); i++) {
		struct nst_event e = case_event(i);
		char want[4096];
		size_t n = sizeof(want);
		bool net = true;

		snprintf(want, n, "%s", event_cases[i].json);
		switch (e.kind) {
		case NST_EV_NS_CREATE:
		case NST_EV_NS_DESTROY:
			/* Both have ns_type and ns first, then differ. */
			net = e.create.ns_type == NST_NS_NET;
			give_cookie(net, want, n, "ns", e.create.ns,
				    e.kind == NST_EV_NS_CREATE ?
					    &e.create.ns_cookie :
					    &e.destroy.ns_cookie,
				    11);
			break;
		case NST_EV_NS_SETNS:
			net = e.setns.ns_type == NST_NS_NET;
			give_cookie(net, want, n, "from_ns", e.setns.from_ns,
				    &e.setns.from_ns_cookie, 12);
			give_cookie(net, want, n, "to_ns", e.setns.to_ns,
				    &e.setns.to_ns_cookie, 1ULL << 40);
			break;
		case NST_EV_NETDEV_MOVE:
			give_cookie(true, want, n, "from_netns",
				    e.move.from_netns,
				    &e.move.from_netns_cookie, 15);
			give_cookie(true, want, n, "to_netns", e.move.to_netns,
				    &e.move.to_netns_cookie, 16);
			break;
		case NST_EV_NETDEV_CREATE:
		case NST_EV_NETDEV_DELETE:
			give_cookie(true, want, n, "netns", e.life.netns,
				    &e.life.netns_cookie, 17);
			if (e.life.peer_netns)
				give_cookie(true, want, n, "peer_netns",
					    e.life.peer_netns,
					    &e.life.peer_netns_cookie, 18);
			break;
		}
		assert_json(&e, event_cases[i].event, want);
		assert_string_equal(text_of(&e, false), event_cases[i].text);
		if (!net)
			assert_null(strstr(json_of(&e), "cookie"));
	}
}

/* Every type by its user-facing name, in enum order. */
static void test_json_ns_type_names(void **state)
{
	static const char *const names[] = { "net",    "mnt",  "uts",
					     "ipc",    "pid",  "user",
					     "cgroup", "time", "?" };
	struct nst_event e = task_event(NST_EV_NS_CREATE);
	char tail[128];

	e.create.ns = 1;
	e.create.origin = NST_ORIGIN_CLONE;
	for (uint32_t t = 0; t < ARRAY_SIZE(names); t++) {
		e.create.ns_type = t;
		snprintf(
			tail, sizeof(tail),
			",\"ns_type\":\"%s\",\"ns\":1,\"syscall\":\"clone\"}\n",
			names[t]);
		assert_json(&e, "ns.create", tail);
	}
}

/* The list holds NST_MAX_DEVS; the true count must not be lost. */
static void test_json_ns_destroy_many_devs(void **state)
{
	struct nst_event e = task_event(NST_EV_NS_DESTROY);
	struct buf want = { 0 };
	uint32_t nr_devs[] = { NST_MAX_DEVS, NST_MAX_DEVS + 1, 1000 };

	e.destroy.ns_type = NST_NS_NET;
	e.destroy.ns = NS_NEW;
	for (int i = 0; i < NST_MAX_DEVS; i++) {
		e.destroy.devs[i].ifindex = 100 + i;
		e.destroy.devs[i].fate = i % 2;
		snprintf(e.destroy.devs[i].ifname, NST_IFNAME_LEN, "d%d", i);
	}
	for (size_t k = 0; k < ARRAY_SIZE(nr_devs); k++) {
		e.destroy.nr_devs = nr_devs[k];
		want.len = 0;
		buf_adds(&want, ",\"ns_type\":\"net\",\"ns\":4026532000,"
				"\"interfaces\":[");
		for (int i = 0; i < NST_MAX_DEVS; i++)
			buf_addf(&want,
				 "%s{\"ifname\":\"d%d\",\"ifindex\":%d,"
				 "\"fate\":\"%s\"}",
				 i ? "," : "", i, 100 + i,
				 i % 2 ? "returned" : "deleted");
		buf_adds(&want, "]");
		if (nr_devs[k] > NST_MAX_DEVS)
			buf_addf(&want, ",\"interfaces_total\":%u", nr_devs[k]);
		buf_adds(&want, "}\n");
		assert_json(&e, "ns.destroy", buf_cstr(&want));
	}
	buf_free(&want);
}

static void test_json_netdev_rename(void **state)
{
	/* By rtnetlink, by SIOCSIFNAME as the hooks see it, by a driver. */
	static const struct {
		uint32_t cause, origin;
		const char *tail;
	} cases[] = {
		{ NST_CAUSE_REQUEST, NST_ORIGIN_SENDTO,
		  "\"cause\":\"request\",\"syscall\":\"sendto\"}\n" },
		{ NST_CAUSE_REQUEST, NST_ORIGIN_IOCTL,
		  "\"cause\":\"request\",\"syscall\":\"ioctl\"}\n" },
		{ NST_CAUSE_KERNEL, NST_ORIGIN_NONE,
		  "\"cause\":\"kernel\"}\n" },
	};
	struct nst_event e = task_event(NST_EV_NETDEV_RENAME);
	char want[256];

	e.rename.netns = NS_NEW;
	e.rename.ifindex = 4;
	strcpy(e.rename.ifname, "macvlan1");
	strcpy(e.rename.new_ifname, "eth1");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		e.rename.cause = cases[i].cause;
		e.rename.origin = cases[i].origin;
		snprintf(want, sizeof(want),
			 ",\"ns_type\":\"net\",\"netns\":4026532000,"
			 "\"ifname\":\"macvlan1\",\"ifindex\":4,"
			 "\"new_ifname\":\"eth1\",%s",
			 cases[i].tail);
		assert_json(&e, "netdev.rename", want);
	}
	/* Its netns's cookie, right after the inode, in JSON alone. */
	e.rename.netns_cookie = 19;
	assert_non_null(strstr(json_of(&e), "\"netns\":4026532000,"
					    "\"netns_cookie\":19,\"ifname\""));
	assert_null(strstr(text_of(&e, false), "cookie"));
}

static void test_json_lost(void **state)
{
	struct record r;

	record_lost(&r, 2000000123ULL, 5, 42);
	out.len = 0;
	render_json(&out, &r);
	assert_string_equal(buf_cstr(&out),
			    "{\"schema\":1,\"time\":\"1970-01-01T00:00:02."
			    "000000123Z\",\"event\":\"lost\",\"count\":5,"
			    "\"total\":42}\n");
}

/* Snapshot records: lists of names and booleans, numbered by seq. */
static void test_json_strs_bool_seq(void **state)
{
	static const char *const names[] = { "a\"b", "c\x1b" };
	struct record r;
	struct field *f;

	record_head(&r, "snapshot.netns", 2000000123ULL);
	f = record_add(&r, "names", FIELD_STRS, COL_NONE);
	f->strs = names;
	f->ndevs = 2;
	record_add(&r, "init", FIELD_BOOL, COL_NONE)->u = 1;
	record_add(&r, "dying", FIELD_BOOL, COL_NONE)->u = 0;
	record_add(&r, "none", FIELD_STRS, COL_NONE);
	out.len = 0;
	render_json_seq(&out, &r, 7);
	assert_string_equal(
		buf_cstr(&out),
		"{\"schema\":1,\"seq\":7,\"time\":\"1970-01-01T00:00:"
		"02.000000123Z\",\"event\":\"snapshot.netns\","
		"\"names\":[\"a\\\"b\",\"c\\u001b\"],\"init\":true,"
		"\"dying\":false,\"none\":[]}\n");
	out.len = 0;
	render_text(&out, &r, false);
	assert_non_null(strstr(buf_cstr(&out), "names=a\"b,c\\x1b init=true "
					       "dying=false none=-\n"));
}

/* A kind from a newer BPF object must still give a well-formed line. */
static void test_json_unknown_kind(void **state)
{
	struct nst_event e = task_event(NST_EV_KINDS + 3);

	assert_json(&e, "?", "}\n");
}

/* A record from the ring buffer is read only as far as it goes. */
static void test_event_size(void **state)
{
	static const struct {
		uint32_t kind, ns_type;
		size_t body;
	} cases[] = {
		{ NST_EV_NS_CREATE, 0, sizeof(struct nst_ns_create) },
		{ NST_EV_NS_SETNS, 0, sizeof(struct nst_ns_setns) },
		/* Only a netns's destroy carries the interfaces. */
		{ NST_EV_NS_DESTROY, NST_NS_NET,
		  sizeof(struct nst_ns_destroy) },
		{ NST_EV_NS_DESTROY, NST_NS_UTS,
		  offsetof(struct nst_ns_destroy, devs) },
		{ NST_EV_NETDEV_MOVE, 0, sizeof(struct nst_netdev_move) },
		{ NST_EV_NETDEV_CREATE, 0, sizeof(struct nst_netdev_life) },
		{ NST_EV_NETDEV_DELETE, 0, sizeof(struct nst_netdev_life) },
		{ NST_EV_NETDEV_RENAME, 0, sizeof(struct nst_netdev_rename) },
	};
	const size_t head = offsetof(struct nst_event, create);
	struct nst_event e;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		e = task_event(cases[i].kind);
		e.destroy.ns_type = cases[i].ns_type;
		assert_int_equal(event_size(&e, head + cases[i].body),
				 head + cases[i].body);
		assert_int_equal(event_size(&e, sizeof(e)),
				 head + cases[i].body);
		assert_int_equal(event_size(&e, head + cases[i].body - 1), 0);
		assert_int_equal(event_size(&e, head - 1), 0);
	}
	for (uint32_t kind = 0; kind < 3 * NST_EV_KINDS; kind++) {
		if (kind && kind < NST_EV_KINDS)
			continue;
		e = task_event(kind);
		assert_int_equal(event_size(&e, sizeof(e)), 0);
	}
}

/* Boot time plus the offset, to the nanosecond, in UTC whatever TZ is. */
static void test_json_time(void **state)
{
	struct nst_event e = task_event(NST_EV_NS_SETNS);
	struct record r;

	e.task.ts_boot_ns = 12345678901234ULL;
	record_from_event(&r, &e, 1704152300000000000LL);
	out.len = 0;
	render_json(&out, &r);
	assert_non_null(
		strstr(buf_cstr(&out),
		       ",\"time\":\"2024-01-02T03:04:05.678901234Z\","));

	setenv("TZ", "IST-5:30", 1);
	tzset();
	out.len = 0;
	render_json(&out, &r);
	assert_non_null(
		strstr(buf_cstr(&out),
		       ",\"time\":\"2024-01-02T03:04:05.678901234Z\","));
	/* The text line is local time, to the millisecond. */
	out.len = 0;
	render_text(&out, &r, false);
	assert_memory_equal(out.data, "08:34:05.678 ", 13);
	setenv("TZ", "UTC", 1);
	tzset();
}

/* A comm is 16 bytes of anything; none may break the line or escape. */
static const char hostile[NST_COMM_LEN + 1] = "\x1b[31m\n\"\xff\\ abcdef";

static void test_json_hostile_names(void **state)
{
	struct nst_event e = task_event(NST_EV_NETDEV_CREATE);
	const char *line;

	memcpy(e.task.comm, hostile, NST_COMM_LEN); /* no NUL */
	memcpy(e.life.ifname, hostile, NST_IFNAME_LEN);
	strcpy(e.life.kind, "\xc3\xa9\xe2\x82"); /* cut UTF-8 */
	line = json_of(&e);
	assert_non_null(strstr(line, ",\"comm\":\"\\u001b[31m\\n\\\"\\ufffd"
				     "\\\\ abcdef\","));
	assert_non_null(strstr(line, ",\"ifname\":\"\\u001b[31m\\n\\\"\\ufffd"
				     "\\\\ abcdef\","));
	assert_non_null(strstr(line, ",\"kind\":\"\xc3\xa9\\ufffd\\ufffd\","));
	/* One line, ending the line. */
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	assert_null(strchr(line, '\x1b'));
}

/* Records are appended, so a batch is written with one write(). */
static void test_json_appends(void **state)
{
	struct nst_event e = task_event(NST_EV_NS_SETNS);
	struct record r;
	struct buf b = { 0 };
	const char *second;

	record_from_event(&r, &e, OFF);
	render_json(&b, &r);
	render_json(&b, &r);
	buf_cstr(&b);
	second = strchr(b.data, '\n') + 1;
	assert_int_equal(second - b.data, (long)b.len / 2);
	assert_memory_equal(b.data, second, b.len / 2);
	buf_free(&b);
}

/* ------------------------------- text -------------------------------- */

static void test_text_header(void **state)
{
	out.len = 0;
	render_text_header(&out);
	assert_string_equal(buf_cstr(&out),
			    "TIME         EVENT             PID "
			    "COMM             TYPE   NS                    "
			    "DETAILS\n");
}

static void test_text_lines(void **state)
{
	struct record r;

	for (size_t i = 0; i < ARRAY_SIZE(event_cases); i++) {
		struct nst_event e = case_event(i);

		assert_string_equal(text_of(&e, false), event_cases[i].text);
	}

	/* A lost record has no task: a dash holds each empty column. */
	record_lost(&r, 2000000123ULL, 5, 42);
	out.len = 0;
	render_text(&out, &r, false);
	assert_string_equal(buf_cstr(&out),
			    "00:00:02.000 lost                - -           "
			    "     -      -                     count=5 "
			    "total=42\n");
}

static void test_text_hostile_comm(void **state)
{
	struct nst_event e = task_event(NST_EV_NS_SETNS);
	const char *line;

	memcpy(e.task.comm, hostile, NST_COMM_LEN);
	e.setns.ns_type = NST_NS_NET;
	e.setns.from_ns = 1;
	e.setns.to_ns = 2;
	line = text_of(&e, false);
	assert_string_equal(line, TTIME "ns.setns         1234 "
					"\\x1b[31m\\x0a\"\\xff\\\\\\x20abcdef "
					"net    1->2\n");
	assert_null(strchr(line, '\x1b'));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);

	/* And in a detail: the interface list of a dying netns. */
	e = task_event(NST_EV_NS_DESTROY);
	e.destroy.ns_type = NST_NS_NET;
	e.destroy.ns = 1;
	e.destroy.nr_devs = 1;
	memcpy(e.destroy.devs[0].ifname, hostile, NST_IFNAME_LEN);
	e.destroy.devs[0].ifindex = 4;
	line = text_of(&e, false);
	assert_non_null(strstr(line, " interfaces=\\x1b[31m\\x0a\"\\xff\\\\"
				     "\\x20abcdef(4,deleted)\n"));
	assert_null(strchr(line, '\x1b'));
}

/*
 * Every kind of record, for the checks that hold of any line. A record
 * points into its event, so the events live as long as the records.
 */
static size_t all_records(struct record *r, struct nst_event *e, size_t max)
{
	size_t n = 0;

	for (uint32_t k = 0; k <= NST_EV_KINDS && n + 2 <= max; k++) {
		/* Zeroed bodies give the shortest lines: most blanks. */
		e[n] = task_event(k);
		record_from_event(&r[n], &e[n], OFF);
		n++;
		e[n] = task_event(k);
		e[n].destroy.nr_devs = 1;
		e[n].create.origin = NST_ORIGIN_SETNS;
		memcpy(e[n].task.comm, hostile, NST_COMM_LEN);
		record_from_event(&r[n], &e[n], OFF);
		n++;
	}
	if (n < max)
		record_lost(&r[n++], 0, 0, 0);
	return n;
}

static void test_text_no_trailing_blank(void **state)
{
	static struct record r[32];
	static struct nst_event e[32];
	size_t n = all_records(r, e, ARRAY_SIZE(r));

	assert_int_equal(n, 2 * (NST_EV_KINDS + 1) + 1);

	for (size_t i = 0; i < n; i++) {
		for (int color = 0; color < 2; color++) {
			const char *line;
			size_t len;

			out.len = 0;
			render_text(&out, &r[i], color);
			line = buf_cstr(&out);
			len = strlen(line);
			assert_true(len > 1);
			assert_ptr_equal(strchr(line, '\n'), line + len - 1);
			if (line[len - 2] == ' ' || line[len - 2] == '\t')
				fail_msg("trailing blank: \"%s\"", line);
		}
	}
}

static void test_text_color(void **state)
{
	static const struct {
		uint32_t kind;
		const char *want;
	} cases[] = {
		{ NST_EV_NS_CREATE, "\033[32mns.create    \033[0m " },
		{ NST_EV_NS_SETNS, "\033[36mns.setns     \033[0m " },
		{ NST_EV_NS_DESTROY, "\033[31mns.destroy   \033[0m " },
		{ NST_EV_NETDEV_MOVE, "\033[33mnetdev.move  \033[0m " },
		{ NST_EV_NETDEV_CREATE, "\033[32mnetdev.create\033[0m " },
		{ NST_EV_NETDEV_DELETE, "\033[31mnetdev.delete\033[0m " },
		{ NST_EV_NETDEV_RENAME, "\033[36mnetdev.rename\033[0m " },
	};
	struct record r;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct nst_event e = task_event(cases[i].kind);
		const char *line;

		line = text_of(&e, true);
		/* Right after TIME, and the only escapes of the line. */
		assert_memory_equal(line + strlen(TTIME), cases[i].want,
				    strlen(cases[i].want));
		assert_ptr_equal(strchr(line, '\033'), line + strlen(TTIME));
		assert_ptr_equal(strchr(line + strlen(TTIME) + 1, '\033'),
				 line + strlen(TTIME) + strlen(cases[i].want) -
					 5);
		assert_null(strchr(line + strlen(TTIME) + strlen(cases[i].want),
				   '\033'));
		/* Without colour, the same line with the codes taken out. */
		line = text_of(&e, false);
		assert_null(strchr(line, '\033'));
	}

	record_lost(&r, 0, 1, 1);
	out.len = 0;
	render_text(&out, &r, true);
	assert_non_null(
		strstr(buf_cstr(&out), " \033[1;31mlost         \033[0m "));
}

/* Colour must not let a hostile comm's ESC through, nor add one of its own. */
static void test_text_color_hostile(void **state)
{
	struct nst_event e = task_event(NST_EV_NS_CREATE);
	const char *line;
	int esc = 0;

	memcpy(e.task.comm, hostile, NST_COMM_LEN);
	line = text_of(&e, true);
	for (const char *p = line; *p; p++)
		esc += *p == '\033';
	assert_int_equal(esc, 2);
}

/* ------------------------- the output stream -------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 8192);

	assert_non_null(f);
	assert_non_null(s);
	s[fread(s, 1, 8191, f)] = '\0';
	fclose(f);
	return s;
}

static void test_output_file(void **state)
{
	char path[] = "/tmp/nstrace-test-output-XXXXXX";
	struct nst_event e = task_event(NST_EV_NS_SETNS);
	struct output o;
	struct record r;
	struct buf want = { 0 };
	char *got;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	record_from_event(&r, &e, OFF);

	/* Text: the header once, then the lines; no colour into a file. */
	assert_int_equal(output_open(&o, path, OUTPUT_TEXT, 0, 0), 0);
	assert_false(o.color);
	output_header(&o);
	output_record(&o, &r);
	output_record(&o, &r);
	assert_int_equal(output_flush(&o), 0);
	output_close(&o);
	render_text_header(&want);
	render_text(&want, &r, false);
	render_text(&want, &r, false);
	got = slurp(path);
	assert_string_equal(got, buf_cstr(&want));
	free(got);

	/*
	 * JSON: lines only, numbered from 1 after "schema", and the file is
	 * truncated, not appended to.
	 */
	assert_int_equal(output_open(&o, path, OUTPUT_JSON, 0, 0), 0);
	output_header(&o);
	output_record(&o, &r);
	output_record(&o, &r);
	output_close(&o);
	want.len = 0;
	render_json_seq(&want, &r, 1);
	render_json_seq(&want, &r, 2);
	assert_non_null(
		strstr(buf_cstr(&want), "{\"schema\":1,\"seq\":2,\"time\":"));
	got = slurp(path);
	assert_string_equal(got, buf_cstr(&want));
	free(got);

	unlink(path);
	buf_free(&want);
	assert_int_equal(output_open(&o, "/nonexistent/dir/file", OUTPUT_JSON,
				     0, 0),
			 -ENOENT);
}

/* dir/log.i, or dir/log for i 0. */
static char *rotated(const char *dir, int i)
{
	static char path[256];

	if (i)
		snprintf(path, sizeof(path), "%s/log.%d", dir, i);
	else
		snprintf(path, sizeof(path), "%s/log", dir);
	return path;
}

/*
 * Rotation: whole lines only, each file within its size, the newest
 * files kept, each text file under its own header, and new files 0600.
 */
static void test_output_rotation(void **state)
{
	char dir[] = "/tmp/nstrace-test-rotation-XXXXXX";
	struct nst_event e = task_event(NST_EV_NS_SETNS);
	struct buf line = { 0 }, header = { 0 };
	struct output o;
	struct record r;
	char long_name[200];
	struct stat st;
	char *got;

	assert_non_null(mkdtemp(dir));
	record_from_event(&r, &e, OFF);
	render_text(&line, &r, false);
	render_text_header(&header);
	/* Room for the header and three lines. */
	assert_int_equal(output_open(&o, rotated(dir, 0), OUTPUT_TEXT,
				     header.len + 3 * line.len + 1, 2),
			 0);
	output_header(&o);
	for (int i = 0; i < 10; i++) {
		output_record(&o, &r);
		/* One flush of many lines and many flushes alike. */
		if (i % 4 == 3)
			assert_int_equal(output_flush(&o), 0);
	}
	output_close(&o);
	/* 10 lines: 3 + 3 + 3 + 1, of which the oldest file is gone. */
	for (int i = 0; i <= 2; i++) {
		got = slurp(rotated(dir, i));
		assert_memory_equal(got, header.data, header.len);
		assert_int_equal(strlen(got),
				 header.len + (i ? 3 : 1) * line.len);
		free(got);
		assert_int_equal(stat(rotated(dir, i), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		unlink(rotated(dir, i));
	}
	assert_int_equal(stat(rotated(dir, 3), &st), -1);

	/* A line longer than the file may be is the file's one line. */
	assert_int_equal(output_open(&o, rotated(dir, 0), OUTPUT_JSON, 1024, 1),
			 0);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	record_head(&r, "ns.name", 0);
	for (int i = 0; i < 8; i++)
		record_add_name(&r, "name", long_name, COL_NONE);
	output_record(&o, &r);
	output_record(&o, &r);
	output_close(&o);
	for (int i = 0; i <= 1; i++) {
		got = slurp(rotated(dir, i));
		assert_int_equal(strchr(got, '\n') + 1 - got, strlen(got));
		assert_true(strlen(got) > 1024);
		free(got);
		unlink(rotated(dir, i));
	}
	rmdir(dir);
	buf_free(&line);
	buf_free(&header);
}

/* The metrics: counted by event, summed, and the label escaped. */
static void test_metrics_text(void **state)
{
	struct metrics_sample s = {
		.lost = 7, .ring_size = 4096, .ring_used = 48, .names = 3
	};
	struct metrics m;
	struct buf b = { 0 };
	const char *text;

	metrics_init(&m, "unused", 1000, "fentry+\"x\"");
	metrics_count(&m, "ns.create");
	metrics_count(&m, "lost");
	metrics_count(&m, "ns.create");
	metrics_render(&m, &s, &b);
	text = buf_cstr(&b);
	assert_non_null(strstr(
		text, "\nnstrace_events_total{event=\"ns.create\"} 2\n"));
	assert_non_null(
		strstr(text, "\nnstrace_events_total{event=\"lost\"} 1\n"));
	assert_non_null(strstr(text, "\nnstrace_records_written_total 3\n"));
	assert_non_null(strstr(text, "\nnstrace_lost_events_total 7\n"));
	assert_non_null(
		strstr(text, "\nnstrace_ring_buffer_size_bytes 4096\n"));
	assert_non_null(strstr(text, "\nnstrace_ring_buffer_used_bytes 48\n"));
	assert_non_null(strstr(text, "\nnstrace_names_cache_entries 3\n"));
	assert_non_null(
		strstr(text, "# TYPE nstrace_names_cache_entries gauge\n"));
	assert_non_null(strstr(text, "backend=\"fentry+\\\"x\\\"\""));
	assert_non_null(strstr(text, "# TYPE nstrace_events_total counter\n"));
	assert_int_equal(text[b.len - 1], '\n');
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_events),
		cmocka_unit_test(test_cookies_beside_netns_inodes),
		cmocka_unit_test(test_json_ns_type_names),
		cmocka_unit_test(test_json_ns_destroy_many_devs),
		cmocka_unit_test(test_json_netdev_rename),
		cmocka_unit_test(test_json_lost),
		cmocka_unit_test(test_json_strs_bool_seq),
		cmocka_unit_test(test_json_unknown_kind),
		cmocka_unit_test(test_event_size),
		cmocka_unit_test(test_json_time),
		cmocka_unit_test(test_json_hostile_names),
		cmocka_unit_test(test_json_appends),
		cmocka_unit_test(test_text_header),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_text_hostile_comm),
		cmocka_unit_test(test_text_no_trailing_blank),
		cmocka_unit_test(test_text_color),
		cmocka_unit_test(test_text_color_hostile),
		cmocka_unit_test(test_output_file),
		cmocka_unit_test(test_output_rotation),
		cmocka_unit_test(test_metrics_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
