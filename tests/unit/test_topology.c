// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one topology model: snapshot records set it, events change it, and
 * every change is idempotent, since the events queued while a snapshot
 * was read come after it and may be in it already. Then one sequence of
 * events through the model, and what each of top, replay and history
 * makes of it; and the log decoder and the live one agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "replay/log.h"
#include "replay/decode.h"
#include "replay/replay.h"
#include "ls/render.h"
#include "top/model.h"
#include "top/rows.h"
#include "topology/live.h"
#include "topology/topology.h"
#include "top_text.h"

#define INIT 4026531833u
#define NS_A 4026532385u
#define NS_B 4026532456u

static struct ls_dev dev(uint32_t netns, uint32_t ifindex, const char *name,
			 const char *kind)
{
	struct ls_dev d = { .netns = netns, .ifindex = ifindex, .mtu = 1500 };

	strcpy(d.name, name);
	strcpy(d.link_kind, kind);
	return d;
}

static void set_ns(struct topo *t, uint32_t inum, bool init, const char *name)
{
	struct topo_event e = { .kind = TOPO_EV_NETNS_SEEN,
				.netns = inum,
				.init = init,
				.names[0] = { .netns = inum,
					      .n = name ? 1 : 0,
					      .name = { name } } };

	topo_apply(t, &e);
}

static void set_dev(struct topo *t, const struct ls_dev *d)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_SEEN, .dev = *d };

	topo_apply(t, &e);
}

static void ns_create(struct topo *t, uint32_t inum)
{
	struct topo_event e = { .kind = TOPO_EV_NETNS_CREATE, .netns = inum };

	topo_apply(t, &e);
}

static void dev_create(struct topo *t, uint32_t netns, const char *ifname,
		       uint32_t ifindex, const char *kind, uint64_t tid)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_CREATE,
				.dev = dev(netns, ifindex, ifname, kind),
				.tid = tid };

	topo_apply(t, &e);
}

static void dev_delete(struct topo *t, uint32_t netns, uint32_t ifindex)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_DELETE,
				.dev = { .netns = netns, .ifindex = ifindex } };

	topo_apply(t, &e);
}

static void dev_move(struct topo *t, uint32_t from, uint32_t ifindex,
		     const char *ifname, uint32_t to, uint32_t new_ifindex,
		     const char *new_ifname)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_MOVE,
				.dev = dev(from, ifindex, ifname, ""),
				.to_netns = to,
				.new_ifindex = new_ifindex };

	strcpy(e.new_ifname, new_ifname);
	topo_apply(t, &e);
}

/* A snapshot: init with eth0, A with a veth to B. */
static void snapshot(struct topo *t)
{
	struct ls_dev va = dev(NS_A, 2, "va", "veth"),
		      vb = dev(NS_B, 2, "vb", "veth");

	va.peer_netns = NS_B;
	va.peer_ifindex = 2;
	strcpy(va.peer_name, "vb");
	vb.peer_netns = NS_A;
	vb.peer_ifindex = 2;
	strcpy(vb.peer_name, "va");
	set_ns(t, INIT, true, NULL);
	set_dev(t, &(struct ls_dev){
			   .netns = INIT, .ifindex = 4, .name = "eth0" });
	set_ns(t, NS_A, false, "a");
	set_dev(t, &va);
	set_ns(t, NS_B, false, "b");
	set_dev(t, &vb);
}

static void test_events_the_snapshot_has_change_nothing(void **state)
{
	struct topo t = {};

	snapshot(&t);
	ns_create(&t, NS_A); /* queued while the snapshot was read */
	dev_create(&t, NS_A, "va", 2, "veth", 77);
	dev_delete(&t, NS_A, 9); /* of a device the snapshot lacks */
	assert_int_equal(topo_live_netns(&t), 3);
	assert_int_equal(topo_live_devs(&t), 3);
	/* The peer set by the snapshot stays. */
	assert_int_equal(topo_find_dev(&t, NS_A, 2)->d.peer_ifindex, 2);
	/* A move the snapshot already shows: nothing either. */
	dev_move(&t, NS_B, 7, "vx", NS_A, 2, "va");
	assert_int_equal(topo_live_devs(&t), 3);
	topo_free(&t);
}

static void test_move_renames_and_updates_the_peer(void **state)
{
	const struct topo_ns *b;
	const struct topo_dev *d;
	struct topo t = {};

	snapshot(&t);
	dev_move(&t, NS_A, 2, "va", NS_B, 3, "vc");
	assert_null(topo_find_dev(&t, NS_A, 2));
	d = topo_find_dev(&t, NS_B, 3);
	assert_non_null(d);
	assert_string_equal(d->d.name, "vc");
	assert_string_equal(d->d.link_kind, "veth");
	/* The kernel appends a moved device: last in its netns. */
	b = topo_find_ns(&t, NS_B);
	assert_ptr_equal(d, &b->devs[b->ndevs - 1]);
	d = topo_find_dev(&t, NS_B, 2);
	assert_int_equal(d->d.peer_netns, NS_B);
	assert_int_equal(d->d.peer_ifindex, 3);
	assert_string_equal(d->d.peer_name, "vc");
	/* The same event again (a log read twice over) changes nothing. */
	dev_move(&t, NS_A, 2, "va", NS_B, 3, "vc");
	assert_int_equal(topo_live_devs(&t), 3);
	topo_free(&t);
}

static void test_new_netns_has_lo_and_veth_ends_pair(void **state)
{
	const struct topo_dev *a, *b;
	struct topo t = {};

	ns_create(&t, NS_A);
	ns_create(&t, NS_B);
	assert_int_equal(topo_live_devs(&t), 2);
	assert_string_equal(topo_find_dev(&t, NS_A, 1)->d.name, "lo");
	/* Another thread's veth in between does not pair with ours. */
	dev_create(&t, NS_A, "x0", 2, "veth", 10);
	dev_create(&t, NS_B, "other", 5, "veth", 11);
	dev_create(&t, NS_B, "x1", 2, "veth", 10);
	a = topo_find_dev(&t, NS_A, 2);
	b = topo_find_dev(&t, NS_B, 2);
	assert_int_equal(a->d.peer_netns, NS_B);
	assert_int_equal(a->d.peer_ifindex, 2);
	assert_string_equal(a->d.peer_name, "x1");
	assert_int_equal(b->d.peer_netns, NS_A);
	assert_string_equal(b->d.peer_name, "x0");
	assert_int_equal(topo_find_dev(&t, NS_B, 5)->d.peer_ifindex, 0);
	/* Deleting one end takes the other. */
	dev_delete(&t, NS_A, 2);
	assert_null(topo_find_dev(&t, NS_B, 2));
	assert_non_null(topo_find_dev(&t, NS_B, 5));
	topo_free(&t);
}

static void test_dying_netns_hands_back_what_it_returns(void **state)
{
	struct topo_event d = { .kind = TOPO_EV_NETNS_DESTROY,
				.netns = NS_A,
				.nfates = 1,
				.fates = {
					{ .ifindex = 3, .returned = true } } };
	struct topo t = {};

	snapshot(&t);
	set_dev(&t,
		&(struct ls_dev){ .netns = NS_A, .ifindex = 3, .name = "nic" });
	topo_apply(&t, &d);
	assert_null(topo_find_ns(&t, NS_A));
	/* va died, and vb with it; nic waits for its move. */
	assert_null(topo_find_dev(&t, NS_A, 2));
	assert_null(topo_find_dev(&t, NS_B, 2));
	assert_null(topo_find_dev(&t, NS_A, 3));
	/* Held by the dead netns, with the names it had, until then. */
	assert_string_equal(topo_any_dev(&t, NS_A, 3)->d.name, "nic");
	assert_string_equal(topo_any_ns(&t, NS_A)->names[0], "a");
	dev_move(&t, NS_A, 3, "nic", INIT, 5, "nic");
	assert_string_equal(topo_find_dev(&t, INIT, 5)->d.name, "nic");
	assert_int_equal(topo_live_devs(&t), 2);
	assert_null(topo_any_ns(&t, NS_A));
	topo_free(&t);
}

static void test_view_renders_as_ls(void **state)
{
	struct topo t = {};
	struct ls_view v;
	struct buf b = {};
	const char *s;

	snapshot(&t);
	topo_to_view(&t, &v);
	ls_json_netns(&b, &v);
	s = buf_cstr(&b);
	assert_non_null(strstr(s, "{\"inode\":4026532385,\"init\":false,"
				  "\"cookie\":0,\"dying\":false,"
				  "\"names\":[\"a\"],\"mounts\":[{\"path\":"
				  "\"/run/netns/a\""));
	assert_non_null(strstr(s, "\"name\":\"va\",\"ifindex\":2,"
				  "\"kind\":\"veth\""));
	assert_non_null(strstr(s, "\"peer_netns\":4026532456,"
				  "\"peer_ifindex\":2,\"peer_name\":\"vb\""));
	assert_null(strstr(s, "\"refs\""));
	/* The kernel's order: init first. */
	assert_true(strstr(s, "4026531833") < strstr(s, "4026532385"));
	b.len = 0;
	ls_text_netns(&b, &v);
	assert_non_null(strstr(buf_cstr(&b), "net:[4026532385] a\n"
					     "  held by mount /run/netns/a\n"));
	assert_null(strstr(buf_cstr(&b), "held by nothing"));
	ls_view_free(&v);
	buf_free(&b);
	topo_free(&t);
}

/* Names come from every record that gives them, and ns.name takes away. */
static void test_names_from_every_record(void **state)
{
	struct topo_event e = { .kind = TOPO_EV_NETNS_NAME,
				.netns = NS_A,
				.name = "blue" };
	struct topo t = {};

	ns_create(&t, NS_A);
	topo_apply(&t, &e);
	assert_string_equal(topo_find_ns(&t, NS_A)->names[0], "blue");
	/* A move's to_netns_names: some of its names, added to the rest. */
	e = (struct topo_event){ .kind = TOPO_EV_DEV_MOVE,
				 .dev = dev(NS_B, 2, "x", ""),
				 .to_netns = NS_A,
				 .new_ifindex = 2,
				 .new_ifname = "x",
				 .names[0] = { NS_B, 1, { "red" } },
				 .names[1] = { NS_A, 2, { "blue", "sky" } } };
	topo_apply(&t, &e);
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 2);
	assert_string_equal(topo_find_ns(&t, NS_A)->names[1], "sky");
	/* A netns known by its names alone is known. */
	assert_string_equal(topo_find_ns(&t, NS_B)->names[0], "red");
	e = (struct topo_event){ .kind = TOPO_EV_NETNS_NAME,
				 .netns = NS_A,
				 .name = "blue",
				 .unnamed = true };
	topo_apply(&t, &e);
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 1);
	assert_string_equal(topo_find_ns(&t, NS_A)->names[0], "sky");
	/* A snapshot's are all of them; a dying netns keeps what it had. */
	set_ns(&t, NS_A, false, "sea");
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 1);
	assert_string_equal(topo_find_ns(&t, NS_A)->names[0], "sea");
	e = (struct topo_event){ .kind = TOPO_EV_NETNS_SEEN,
				 .netns = NS_A,
				 .dying = true };
	topo_apply(&t, &e);
	assert_string_equal(topo_find_ns(&t, NS_A)->names[0], "sea");
	set_ns(&t, NS_A, false, NULL);
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 0);
	topo_free(&t);
}

/* netdev.rename: the device and its peer's view of it take the name. */
static void test_rename_in_place(void **state)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_RENAME,
				.dev = dev(NS_A, 2, "va", ""),
				.new_ifname = "eth0" };
	struct topo t = {};

	snapshot(&t);
	topo_apply(&t, &e);
	assert_string_equal(topo_find_dev(&t, NS_A, 2)->d.name, "eth0");
	assert_string_equal(topo_find_dev(&t, NS_B, 2)->d.peer_name, "eth0");
	topo_free(&t);
}

/* A master's ports are unlinked when it goes, as when they move away. */
static void test_masters_unlinked(void **state)
{
	struct ls_dev br = dev(NS_A, 3, "br0", "bridge"),
		      port = dev(NS_A, 2, "va", "veth");
	struct topo t = {};

	snapshot(&t);
	port.master = 3;
	port.peer_netns = NS_B;
	port.peer_ifindex = 2;
	set_dev(&t, &br);
	set_dev(&t, &port);
	dev_delete(&t, NS_A, 3);
	assert_int_equal(topo_find_dev(&t, NS_A, 2)->d.master, 0);
	set_dev(&t, &br);
	set_dev(&t, &port);
	dev_move(&t, NS_A, 2, "va", NS_B, 7, "va");
	assert_int_equal(topo_find_dev(&t, NS_B, 7)->d.master, 0);
	topo_free(&t);
}

/* The records as the ring buffer hands them and as the log has them. */
static void count_gone(void *ctx, const struct topo_change *c)
{
	if (c->what == TOPO_NETNS_GONE)
		(*(int *)ctx)++;
}

/*
 * Inodes are reused at once: a netns event whose cookie is not the one
 * the model holds for that inode is of another netns, and the one held
 * died unseen; an end (a death, a name gone) of another netns than the
 * one held changes nothing.
 */
static void test_cookie_tells_netns_of_one_inode_apart(void **state)
{
	struct topo_event e = { .kind = TOPO_EV_NETNS_CREATE,
				.netns = NS_A,
				.cookie = 1 };
	struct topo t = {};
	int gone = 0;

	t.watch = count_gone;
	t.watch_ctx = &gone;
	topo_apply(&t, &e);
	dev_create(&t, NS_A, "va", 2, "veth", 7);
	ns_create(&t, NS_B);
	dev_create(&t, NS_B, "vb", 2, "veth", 7);
	assert_int_equal(topo_find_ns(&t, NS_A)->cookie, 1);
	assert_int_equal(topo_find_dev(&t, NS_B, 2)->d.peer_netns, NS_A);
	/* Without a cookie, or with the same one: the same netns. */
	ns_create(&t, NS_A);
	topo_apply(&t, &e);
	assert_int_equal(topo_live_devs(&t), 4);
	assert_int_equal(gone, 0);
	/* Its ns.destroy was lost: a new netns in its inode. */
	e.cookie = 2;
	topo_apply(&t, &e);
	assert_int_equal(gone, 1);
	assert_int_equal(topo_find_ns(&t, NS_A)->cookie, 2);
	assert_null(topo_find_dev(&t, NS_A, 2));
	assert_string_equal(topo_find_dev(&t, NS_A, 1)->d.name, "lo");
	/* The veth went with the old one, and so did its peer. */
	assert_null(topo_find_dev(&t, NS_B, 2));
	/* The old one's death, told late, leaves the new one be. */
	e.kind = TOPO_EV_NETNS_DESTROY;
	e.cookie = 1;
	topo_apply(&t, &e);
	assert_non_null(topo_find_ns(&t, NS_A));
	/* So does its name, seen to go after the new one got it. */
	e = (struct topo_event){ .kind = TOPO_EV_NETNS_NAME,
				 .netns = NS_A,
				 .cookie = 2,
				 .name = "blue" };
	topo_apply(&t, &e);
	e.cookie = 1;
	e.unnamed = true;
	topo_apply(&t, &e);
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 1);
	/* A device event names a third one; a move names both ends. */
	e = (struct topo_event){ .kind = TOPO_EV_DEV_CREATE,
				 .dev = dev(NS_A, 5, "x", ""),
				 .cookie = 3 };
	topo_apply(&t, &e);
	assert_int_equal(gone, 2);
	assert_int_equal(topo_find_ns(&t, NS_A)->cookie, 3);
	assert_int_equal(topo_find_ns(&t, NS_A)->nnames, 0);
	assert_non_null(topo_find_dev(&t, NS_A, 5));
	e = (struct topo_event){ .kind = TOPO_EV_DEV_MOVE,
				 .dev = dev(NS_B, 9, "y", ""),
				 .cookie = 4,
				 .to_netns = NS_A,
				 .to_cookie = 3,
				 .new_ifindex = 9,
				 .new_ifname = "y" };
	topo_apply(&t, &e);
	assert_int_equal(gone, 2); /* B learns its cookie: no other known */
	assert_int_equal(topo_find_ns(&t, NS_B)->cookie, 4);
	assert_non_null(topo_find_dev(&t, NS_A, 9));
	/* Its own death ends it. */
	e = (struct topo_event){ .kind = TOPO_EV_NETNS_DESTROY,
				 .netns = NS_A,
				 .cookie = 3 };
	topo_apply(&t, &e);
	assert_null(topo_find_ns(&t, NS_A));
	topo_free(&t);
}

/* replay: two netns of one inode in one log stay two. */
struct apply_ctx {
	struct jlog *log;
	struct topo *t;
};

static void apply_line(void *ctx, const struct jlog_rec *r)
{
	struct apply_ctx *a = ctx;
	struct topo_event e;

	assert_true(replay_decode(a->log, r, &e));
	topo_apply(a->t, &e);
}

static void test_log_of_a_reused_inode(void **state)
{
	static const char log_text[] =
		"{\"time\":\"2026-12-01T08:00:01Z\",\"event\":\"ns.create\","
		"\"ns_type\":\"net\",\"ns\":4026532385,\"ns_cookie\":7}\n"
		"{\"time\":\"2026-12-01T08:00:02Z\",\"event\":\"netdev.create\","
		"\"ns_type\":\"net\",\"netns\":4026532385,\"netns_cookie\":7,"
		"\"ifname\":\"old\",\"ifindex\":2,\"kind\":\"dummy\"}\n"
		/* its ns.destroy was not logged; a new netns, same inode */
		"{\"time\":\"2026-12-01T08:00:03Z\",\"event\":\"netdev.create\","
		"\"ns_type\":\"net\",\"netns\":4026532385,\"netns_cookie\":8,"
		"\"ifname\":\"new\",\"ifindex\":3,\"kind\":\"dummy\"}\n";
	FILE *f = fmemopen((void *)log_text, sizeof(log_text) - 1, "r");
	struct jlog log = { .path = "test" };
	struct topo t = {};
	struct apply_ctx a = { &log, &t };

	assert_non_null(f);
	assert_int_equal(jlog_read_stream(&log, f, "test", apply_line, &a), 0);
	fclose(f);
	assert_int_equal(log.bad, 0);
	assert_int_equal(topo_find_ns(&t, NS_A)->cookie, 8);
	assert_null(topo_find_dev(&t, NS_A, 2));
	assert_string_equal(topo_find_dev(&t, NS_A, 3)->d.name, "new");
	topo_free(&t);
}

static void test_live_and_log_decoders_agree(void **state)
{
	static const char *const lines[] = {
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.create\","
		"\"tid\":7,\"ns_type\":\"net\",\"ns\":4026532385,\"ns_cookie\":9}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.create\","
		"\"tid\":7,\"netns\":4026532385,\"netns_cookie\":9,"
		"\"ifname\":\"va\",\"ifindex\":2,\"kind\":\"veth\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.move\","
		"\"tid\":7,\"ifname\":\"va\",\"ifindex\":2,\"new_ifname\":\"vb\","
		"\"new_ifindex\":5,\"from_netns\":4026532385,"
		"\"from_netns_cookie\":9,\"to_netns\":4026531833,"
		"\"to_netns_cookie\":3,\"cause\":\"netns-exit\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.move\","
		"\"tid\":7,\"ifname\":\"va\",\"ifindex\":2,"
		"\"from_netns\":4026532385,\"from_netns_cookie\":9,\"to_netns\":0,"
		"\"error\":\"EEXIST: File exists\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.destroy\","
		"\"tid\":7,\"ns_type\":\"net\",\"ns\":4026532385,\"ns_cookie\":9,"
		"\"interfaces\":"
		"[{\"ifname\":\"lo\",\"ifindex\":1,\"fate\":\"deleted\"},"
		"{\"ifname\":\"nic\",\"ifindex\":3,\"fate\":\"returned\"}]}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.setns\","
		"\"tid\":7,\"ns_type\":\"net\",\"from_ns\":1,\"to_ns\":2}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.rename\","
		"\"tid\":7,\"ns_type\":\"net\",\"netns\":4026532385,"
		"\"netns_cookie\":9,"
		"\"ifname\":\"va\",\"ifindex\":2,\"new_ifname\":\"eth0\","
		"\"cause\":\"request\"}",
	};
	struct nst_event live[7] = {
		{ .kind = NST_EV_NS_CREATE,
		  .create = { .ns_type = NST_NS_NET,
			      .ns = NS_A,
			      .ns_cookie = 9 } },
		{ .kind = NST_EV_NETDEV_CREATE,
		  .life = { .netns = NS_A,
			    .ifindex = 2,
			    .ifname = "va",
			    .kind = "veth",
			    .netns_cookie = 9 } },
		{ .kind = NST_EV_NETDEV_MOVE,
		  .move = { .cause = NST_CAUSE_NETNS_EXIT,
			    .from_netns = NS_A,
			    .to_netns = INIT,
			    .from_netns_cookie = 9,
			    .to_netns_cookie = 3,
			    .ifindex = 2,
			    .new_ifindex = 5,
			    .ifname = "va",
			    .new_ifname = "vb" } },
		{ .kind = NST_EV_NETDEV_MOVE,
		  .move = { .error = -17,
			    .from_netns = NS_A,
			    .from_netns_cookie = 9,
			    .ifindex = 2,
			    .ifname = "va" } },
		{ .kind = NST_EV_NS_DESTROY,
		  .destroy = { .ns_type = NST_NS_NET,
			       .ns = NS_A,
			       .ns_cookie = 9,
			       .nr_devs = 2,
			       .devs = { { 1, NST_FATE_DELETED, "lo" },
					 { 3, NST_FATE_RETURNED, "nic" } } } },
		/* setns goes to top alone: the log decoder leaves it out. */
		{ .kind = NST_EV_NS_SETNS,
		  .setns = { .ns_type = NST_NS_NET, .from_ns = 1, .to_ns = 2 } },
		{ .kind = NST_EV_NETDEV_RENAME,
		  .rename = { .netns = NS_A,
			      .netns_cookie = 9,
			      .ifindex = 2,
			      .cause = NST_CAUSE_REQUEST,
			      .ifname = "va",
			      .new_ifname = "eth0" } },
	};
	struct jlog log = { .path = "test" };

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct jlog_rec r = { .line = i + 1 };
		struct topo_event a, b;

		live[i].task.tid = 7;
		r.obj = json_loads(lines[i], 0, NULL);
		assert_non_null(r.obj);
		r.event = json_string_value(json_object_get(r.obj, "event"));
		assert_true(replay_decode(&log, &r, &a));
		topo_from_stream(&live[i], &b);
		if (b.kind == TOPO_EV_NETNS_ENTER) {
			assert_int_equal(a.kind, TOPO_EV_NONE);
			json_decref(r.obj);
			continue;
		}
		assert_int_equal(a.kind, b.kind);
		assert_int_equal(a.netns, b.netns);
		assert_int_equal(a.to_netns, b.to_netns);
		assert_int_equal(a.cookie, 9);
		assert_int_equal(a.cookie, b.cookie);
		assert_int_equal(a.to_cookie, b.to_cookie);
		if (a.kind == TOPO_EV_DEV_MOVE && !a.refused)
			assert_int_equal(a.to_cookie, 3);
		assert_int_equal(a.tid, b.tid);
		assert_int_equal(a.dev.netns, b.dev.netns);
		assert_int_equal(a.dev.ifindex, b.dev.ifindex);
		assert_string_equal(a.dev.name, b.dev.name);
		assert_string_equal(a.dev.link_kind, b.dev.link_kind);
		assert_int_equal(a.new_ifindex, b.new_ifindex);
		assert_string_equal(a.new_ifname, b.new_ifname);
		assert_int_equal(a.refused, b.refused);
		assert_int_equal(a.netns_exit, b.netns_exit);
		assert_int_equal(a.nfates, b.nfates);
		assert_int_equal(a.nfates_total, b.nfates_total);
		for (uint32_t k = 0; k < a.nfates; k++) {
			assert_int_equal(a.fates[k].ifindex,
					 b.fates[k].ifindex);
			assert_int_equal(a.fates[k].returned,
					 b.fates[k].returned);
			assert_string_equal(a.fates[k].ifname,
					    b.fates[k].ifname);
		}
		json_decref(r.obj);
	}
	assert_int_equal(log.bad, 0);
}

/*
 * One log: a snapshot of init (lo, the NIC eth1) and A "blue" (lo, br0,
 * and the veth p0 in br0, peer p1); then B made and named "red"; a veth
 * pair made in init, one end moved to B as vb, the other to A as va; p0
 * moved to B, out of its bridge, and eth1 too. B dies: vb deleted, and
 * va with it, before its own record; B's lo and p0 with B (p1 following
 * its peer); eth1 handed back to init.
 */
#define T(s, n) "{\"time\":\"2026-12-01T08:00:" s "Z\",\"seq\":" n ","
static const char sequence[] = T("01", "1") "\"event\":\"snapshot.begin\",\"snapshot\":1,\"reason\":\"start\"}\n" T(
	"02",
	"2") "\"event\":\"snapshot.netns\",\"snapshot\":1,\"ns_type\":\"net\","
	     "\"inode\":4026531833,\"init\":true,\"cookie\":1,\"dying\":false,"
	     "\"names\":[],\"nprocs\":80}\n" T(
		     "03",
		     "3") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026531833,"
			  "\"ifname\":\"lo\",\"ifindex\":1,\"kind\":\"\",\"flags\":[\"UP\","
			  "\"LOOPBACK\"],\"operstate\":\"UNKNOWN\",\"mtu\":65536,"
			  "\"link_type\":\"loopback\",\"mac\":\"00:00:00:00:00:00\"}\n" T(
				  "04",
				  "4") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026531833,"
				       "\"ifname\":\"eth1\",\"ifindex\":2,\"kind\":\"\",\"flags\":[\"UP\"],"
				       "\"operstate\":\"UP\",\"mtu\":1500,\"link_type\":\"ether\","
				       "\"mac\":\"52:54:00:12:34:56\"}\n" T(
					       "05",
					       "5") "\"event\":\"snapshot.netns\",\"snapshot\":1,\"ns_type\":\"net\","
						    "\"inode\":4026532385,\"init\":false,\"cookie\":2,\"dying\":false,"
						    "\"names\":[\"blue\"],\"nprocs\":1}\n" T(
							    "06",
							    "6") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026532385,"
								 "\"ifname\":\"lo\",\"ifindex\":1,\"kind\":\"\"}\n" T(
									 "07",
									 "7") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026532385,"
									      "\"ifname\":\"br0\",\"ifindex\":2,\"kind\":\"bridge\"}\n" T(
										      "08",
										      "8") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026532385,"
											   "\"ifname\":\"p0\",\"ifindex\":3,\"kind\":\"veth\",\"master_ifindex\":2,"
											   "\"master\":\"br0\",\"peer_netns\":4026532385,\"peer_ifindex\":4,"
											   "\"peer_name\":\"p1\"}\n" T(
												   "09",
												   "9") "\"event\":\"snapshot.netdev\",\"snapshot\":1,\"netns\":4026532385,"
													"\"ifname\":\"p1\",\"ifindex\":4,\"kind\":\"veth\","
													"\"peer_netns\":4026532385,\"peer_ifindex\":3,\"peer_name\":\"p0\"}\n" T(
														"10",
														"10") "\"event\":\"snapshot.end\",\"snapshot\":1,\"netns\":2,"
														      "\"netdevs\":6,\"truncated\":false}\n" T(
															      "11",
															      "11") "\"event\":\"ns.create\",\"pid\":100,\"tid\":100,\"comm\":\"ip\","
																    "\"ns_type\":\"net\",\"ns\":4026532456,\"syscall\":\"unshare\"}\n" T(
																	    "12",
																	    "12") "\"event\":\"ns.name\",\"ns_type\":\"net\",\"ns\":4026532456,"
																		  "\"op\":\"add\",\"name\":\"red\",\"path\":\"/run/netns/red\","
																		  "\"ns_names\":[\"red\"]}\n" T(
																			  "13",
																			  "13") "\"event\":\"netdev.create\",\"pid\":101,\"tid\":101,"
																				"\"comm\":\"ip\",\"ns_type\":\"net\",\"netns\":4026531833,"
																				"\"ifname\":\"tmp0\",\"ifindex\":7,\"kind\":\"veth\","
																				"\"cause\":\"request\"}\n" T(
																					"14",
																					"14") "\"event\":\"netdev.create\",\"pid\":101,\"tid\":101,"
																					      "\"comm\":\"ip\",\"ns_type\":\"net\",\"netns\":4026531833,"
																					      "\"ifname\":\"tmp1\",\"ifindex\":8,\"kind\":\"veth\","
																					      "\"cause\":\"request\"}\n" T(
																						      "15",
																						      "15") "\"event\":\"netdev.move\",\"pid\":104,\"tid\":104,"
																							    "\"comm\":\"ip\",\"ns_type\":\"net\",\"ifname\":\"tmp1\",\"ifindex\":8,"
																							    "\"new_ifname\":\"vb\",\"new_ifindex\":2,\"from_netns\":4026531833,"
																							    "\"to_netns\":4026532456,\"cause\":\"request\","
																							    "\"to_netns_names\":[\"red\"]}\n" T(
																								    "16",
																								    "16") "\"event\":\"netdev.move\",\"pid\":105,\"tid\":105,"
																									  "\"comm\":\"ip\",\"ns_type\":\"net\",\"ifname\":\"tmp0\",\"ifindex\":7,"
																									  "\"new_ifname\":\"va\",\"new_ifindex\":5,\"from_netns\":4026531833,"
																									  "\"to_netns\":4026532385,\"cause\":\"request\","
																									  "\"to_netns_names\":[\"blue\"]}\n" T(
																										  "17",
																										  "17") "\"event\":\"netdev.move\",\"pid\":102,\"tid\":102,"
																											"\"comm\":\"ip\",\"ns_type\":\"net\",\"ifname\":\"p0\",\"ifindex\":3,"
																											"\"new_ifname\":\"p0\",\"new_ifindex\":3,\"from_netns\":4026532385,"
																											"\"to_netns\":4026532456,\"cause\":\"request\"}\n" T(
																												"18",
																												"18") "\"event\":\"netdev.move\",\"pid\":103,\"tid\":103,"
																												      "\"comm\":\"ip\",\"ns_type\":\"net\",\"ifname\":\"eth1\",\"ifindex\":2,"
																												      "\"new_ifname\":\"eth1\",\"new_ifindex\":4,\"from_netns\":4026531833,"
																												      "\"to_netns\":4026532456,\"cause\":\"request\"}\n" T(
																													      "19",
																													      "19") "\"event\":\"netdev.delete\",\"pid\":30,\"tid\":30,"
																														    "\"comm\":\"kworker\",\"ns_type\":\"net\",\"netns\":4026532456,"
																														    "\"ifname\":\"vb\",\"ifindex\":2,\"kind\":\"veth\","
																														    "\"cause\":\"netns-exit\"}\n" T(
																															    "20",
																															    "20") "\"event\":\"netdev.delete\",\"pid\":30,\"tid\":30,"
																																  "\"comm\":\"kworker\",\"ns_type\":\"net\",\"netns\":4026532385,"
																																  "\"ifname\":\"va\",\"ifindex\":5,\"kind\":\"veth\","
																																  "\"cause\":\"netns-exit\"}\n" T(
																																	  "21",
																																	  "21") "\"event\":\"ns.destroy\",\"pid\":30,\"tid\":30,"
																																		"\"comm\":\"kworker\",\"ns_type\":\"net\",\"ns\":4026532456,"
																																		"\"interfaces\":[{\"ifname\":\"lo\",\"ifindex\":1,\"fate\":\"deleted\"},"
																																		"{\"ifname\":\"p0\",\"ifindex\":3,\"fate\":\"deleted\"},"
																																		"{\"ifname\":\"eth1\",\"ifindex\":4,\"fate\":\"returned\"}]}\n" T(
																																			"22",
																																			"22") "\"event\":\"netdev.move\",\"pid\":30,\"tid\":30,"
																																			      "\"comm\":\"kworker\",\"ns_type\":\"net\",\"ifname\":\"eth1\","
																																			      "\"ifindex\":4,\"new_ifname\":\"eth1\",\"new_ifindex\":2,"
																																			      "\"from_netns\":4026532456,\"to_netns\":4026531833,"
																																			      "\"cause\":\"netns-exit\"}\n";
#undef T

static char log_path[64];

static int write_sequence(void **state)
{
	int fd;

	strcpy(log_path, "/tmp/nstrace-test-topology-XXXXXX");
	fd = mkstemp(log_path);

	if (fd < 0 || write(fd, sequence, sizeof(sequence) - 1) !=
			      (ssize_t)sizeof(sequence) - 1)
		return -1;
	return close(fd);
}

static int remove_sequence(void **state)
{
	return unlink(log_path);
}

/* What a command writes to stdout, as a string. */
static char *output_of(int (*cmd)(int, char **), int argc, char **argv)
{
	char path[] = "/tmp/nstrace-test-out-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	char *s = calloc(1, 65536);

	assert_true(fd >= 0 && saved >= 0 && s);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	assert_int_equal(cmd(argc, argv), 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_true(pread(fd, s, 65535, 0) >= 0);
	close(fd);
	unlink(path);
	return s;
}

static char *history_of(const char *ifname)
{
	char *argv[] = { "history", (char *)ifname, log_path, NULL };

	return output_of(history_main, 3, argv);
}

static char *replay_at(const char *at)
{
	char *argv[] = { "replay", "--at", (char *)at, log_path, NULL };

	return output_of(replay_main, 4, argv);
}

/* Only the interface lines of a netns in ls's text: "name@peer kind". */
static void assert_ifaces(const char *ls, uint32_t inum, const char *want)
{
	char head[32], name[64], kind[16];
	const char *p;
	struct buf b = {};

	snprintf(head, sizeof(head), "net:[%u]", inum);
	p = strstr(ls, head);
	assert_non_null(p);
	for (p = strchr(p, '\n') + 1; *p && strncmp(p, "net:[", 5);
	     p = strchr(p, '\n') + 1) {
		unsigned int ifindex;

		if (sscanf(p, " %u %63s %15s", &ifindex, name, kind) == 3)
			buf_addf(&b, "%u %s %s\n", ifindex, name, kind);
	}
	if (strcmp(buf_cstr(&b), want))
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", buf_cstr(&b), want);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_sequence_as_replay_renders_it(void **state)
{
	char *s = replay_at("seq:18");

	/* B with its name, lo, vb (veth to A), p0 (moved, no master), eth1. */
	assert_non_null(strstr(s, "net:[4026532456] red\n"));
	assert_ifaces(s, INIT, "1 lo -\n");
	assert_ifaces(s, NS_B,
		      "1 lo -\n2 vb@if5 veth\n3 p0@if4 veth\n4 eth1 -\n");
	assert_ifaces(s, NS_A,
		      "1 lo -\n2 br0 bridge\n4 p1@if3 veth\n"
		      "5 va@if2 veth\n");
	assert_non_null(strstr(s, "p1@if3           veth"));
	assert_null(strstr(s, "master"));
	free(s);
	/* B's death took its devices, their peers, and gave eth1 back. */
	s = replay_at("seq:22");
	assert_null(strstr(s, "4026532456"));
	assert_ifaces(s, INIT, "1 lo -\n2 eth1 -\n");
	assert_ifaces(s, NS_A, "1 lo -\n2 br0 bridge\n");
	free(s);
	/* Between the death and the hand-back, eth1 is nowhere to be seen. */
	s = replay_at("seq:21");
	assert_ifaces(s, INIT, "1 lo -\n");
	free(s);
}

static void test_sequence_as_history_follows_it(void **state)
{
	char *s = history_of("eth1");

	/* Each place of eth1, named by the snapshot, then by ns.name. */
	assert_string_equal(
		s,
		"2026-12-01T08:00:04Z seen      eth1(2) in 4026531833 (init)"
		" (snapshot 1)\n"
		"2026-12-01T08:00:18Z moved     eth1(2) 4026531833 (init) ->"
		" 4026532456 (red) as eth1(4) by ip(103), request\n"
		"2026-12-01T08:00:22Z returned  eth1(4) 4026532456 (red) ->"
		" 4026531833 (init) as eth1(2) by kworker(30), netns-exit\n");
	free(s);
	s = history_of("p0");
	assert_string_equal(
		s, "2026-12-01T08:00:08Z seen      p0(3) in 4026532385 (blue)"
		   " (snapshot 1)\n"
		   "2026-12-01T08:00:17Z moved     p0(3) 4026532385 (blue) ->"
		   " 4026532456 (red) as p0(3) by ip(102), request\n"
		   "2026-12-01T08:00:21Z died      p0(3) in 4026532456 (red),"
		   " with its netns\n");
	free(s);
	/* Followed as va, it went with its peer vb: its own record still tells. */
	s = history_of("tmp0");
	assert_string_equal(
		s, "2026-12-01T08:00:13Z created   tmp0(7) in 4026531833 (init)"
		   " by ip(101), request\n"
		   "2026-12-01T08:00:16Z moved     tmp0(7) 4026531833 (init) ->"
		   " 4026532385 (blue) as va(5) by ip(105), request\n"
		   "2026-12-01T08:00:20Z deleted   va(5) in 4026532385 (blue)"
		   " by kworker(30), netns-exit\n");
	free(s);
}

/* top takes the snapshot as a refresh, the events as they come. */
static void to_top(void *ctx, const struct jlog_rec *r)
{
	struct top_model *m = ctx;
	struct jlog log = { .path = "test" };
	struct topo_event e;
	uint64_t now = 2000 + r->seq;

	assert_true(replay_decode(&log, r, &e));
	if (!strcmp(r->event, "snapshot.begin"))
		model_rebuild_begin(m);
	else if (!strcmp(r->event, "snapshot.end"))
		model_rebuild_end(m, now);
	else if (e.kind == TOPO_EV_NETNS_SEEN)
		model_put_netns(m, &e, 0, now);
	else if (e.kind == TOPO_EV_DEV_SEEN)
		model_put_dev(m, &e.dev, now);
	else
		model_apply(m, &e, now);
}

static void test_sequence_as_top_marks_it(void **state)
{
	struct top_model m;
	struct jlog log;
	char *s;

	model_init(&m, 5000);
	assert_int_equal(jlog_read(&log, log_path, to_top, &m), 0);
	s = screen_text(&m, NULL, TOP_SORT_INODE);
	assert_string_equal(s, "netns 4026531833 init (0 procs, 2 ifs)\n"
			       "     lo if1\n"
			       "  <- eth1 if2 from 4026532456 red\n"
			       "  -> eth1 if2 moved to 4026532456 red\n"
			       "  -> tmp0 if7 moved to 4026532385 blue\n"
			       "  -> tmp1 if8 moved to 4026532456 red\n"
			       "netns 4026532385 blue (0 procs, 2 ifs)\n"
			       "     lo if1\n"
			       "     br0 if2 bridge\n"
			       "  -> p0 if3 moved to 4026532456 red\n"
			       "  -  p1 if4 deleted\n"
			       "  -  va if5 deleted\n"
			       "netns 4026532456 -gone red\n"
			       "  -  lo if1 deleted\n"
			       "  -  vb if2 deleted\n"
			       "  -  p0 if3 deleted\n"
			       "  -> eth1 if4 moved to 4026531833\n");
	free(s);
	/* Once the marks are over, what stays is what replay shows. */
	model_expire(&m, 2022 + 5000);
	s = screen_text(&m, NULL, TOP_SORT_INODE);
	assert_string_equal(s, "netns 4026531833 init (0 procs, 2 ifs)\n"
			       "     lo if1\n"
			       "     eth1 if2\n"
			       "netns 4026532385 blue (0 procs, 2 ifs)\n"
			       "     lo if1\n"
			       "     br0 if2 bridge\n");
	free(s);
	model_free(&m);
}

static void test_rfc3339(void **state)
{
	uint64_t ns;

	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05.945901789Z", &ns),
			 0);
	assert_int_equal(ns, 1796114705945901789ULL);
	assert_int_equal(rfc3339_parse("2026-12-01T09:45:05.9+01:00", &ns), 0);
	assert_int_equal(ns, 1796114705900000000ULL);
	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05Z", &ns), 0);
	assert_int_equal(ns, 1796114705000000000ULL);
	assert_int_equal(rfc3339_parse("2026-12-01t08:45:05z", &ns), 0);
	assert_int_equal(rfc3339_parse("2026-02-31T08:45:05Z", &ns), -1);
	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05", &ns), -1);
	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05.Z", &ns), -1);
	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05.1234567890Z", &ns),
			 -1);
	assert_int_equal(rfc3339_parse("2026-12-01T24:00:00Z", &ns), -1);
	assert_int_equal(rfc3339_parse("2026-12-01T08:45:05Zjunk", &ns), -1);
	assert_int_equal(rfc3339_parse("", &ns), -1);
	assert_int_equal(rfc3339_parse("yesterday", &ns), -1);
}

static size_t seen_lines[8], nseen;

static void on_rec(void *ctx, const struct jlog_rec *r)
{
	if (nseen < 8)
		seen_lines[nseen++] = r->line;
}

static void test_jlog_skips_bad_lines(void **state)
{
	char path[] = "/tmp/nstrace-test-jlog-XXXXXX";
	int fd = mkstemp(path);
	struct jlog log;
	static const char text[] =
		"{\"time\":\"2026-12-01T08:45:05Z\",\"event\":\"ns.create\"}\n"
		"garbage\n"
		"\n"
		"[1,2]\n"
		"{\"time\":\"noon\",\"event\":\"ns.create\"}\n"
		"{\"time\":\"2026-12-01T08:45:06Z\",\"event\":\"lost\",\"seq\":9}\n"
		"{\"time\":\"2026-12-01T08:";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	close(fd);
	nseen = 0;
	assert_int_equal(jlog_read(&log, path, on_rec, NULL), 0);
	assert_int_equal(log.records, 2);
	assert_int_equal(log.bad, 4); /* garbage, [1,2], noon, cut short */
	assert_int_equal(nseen, 2);
	assert_int_equal(seen_lines[0], 1);
	assert_int_equal(seen_lines[1], 6);
	unlink(path);
	assert_int_equal(jlog_read(&log, path, on_rec, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_the_snapshot_has_change_nothing),
		cmocka_unit_test(test_move_renames_and_updates_the_peer),
		cmocka_unit_test(test_new_netns_has_lo_and_veth_ends_pair),
		cmocka_unit_test(test_dying_netns_hands_back_what_it_returns),
		cmocka_unit_test(test_view_renders_as_ls),
		cmocka_unit_test(test_names_from_every_record),
		cmocka_unit_test(test_rename_in_place),
		cmocka_unit_test(test_masters_unlinked),
		cmocka_unit_test(test_cookie_tells_netns_of_one_inode_apart),
		cmocka_unit_test(test_log_of_a_reused_inode),
		cmocka_unit_test(test_live_and_log_decoders_agree),
		cmocka_unit_test_setup_teardown(
			test_sequence_as_replay_renders_it, write_sequence,
			remove_sequence),
		cmocka_unit_test_setup_teardown(
			test_sequence_as_history_follows_it, write_sequence,
			remove_sequence),
		cmocka_unit_test_setup_teardown(test_sequence_as_top_marks_it,
						write_sequence,
						remove_sequence),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_jlog_skips_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
