// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one topology model: snapshot records set it, events change it, and
 * every change is idempotent, since the events queued while a snapshot
 * was read come after it and may be in it already; and the log decoder
 * and the live one agree.
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
#include "ls/render.h"
#include "topology/live.h"
#include "topology/topology.h"

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

/* No backend reports one yet: the model takes it all the same. */
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
static void test_live_and_log_decoders_agree(void **state)
{
	static const char *const lines[] = {
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.create\","
		"\"tid\":7,\"ns_type\":\"net\",\"ns\":4026532385}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.create\","
		"\"tid\":7,\"netns\":4026532385,\"ifname\":\"va\",\"ifindex\":2,"
		"\"kind\":\"veth\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.move\","
		"\"tid\":7,\"ifname\":\"va\",\"ifindex\":2,\"new_ifname\":\"vb\","
		"\"new_ifindex\":5,\"from_netns\":4026532385,"
		"\"to_netns\":4026531833,\"cause\":\"netns-exit\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"netdev.move\","
		"\"tid\":7,\"ifname\":\"va\",\"ifindex\":2,"
		"\"from_netns\":4026532385,\"to_netns\":0,"
		"\"error\":\"EEXIST: File exists\"}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.destroy\","
		"\"tid\":7,\"ns_type\":\"net\",\"ns\":4026532385,\"interfaces\":"
		"[{\"ifname\":\"lo\",\"ifindex\":1,\"fate\":\"deleted\"},"
		"{\"ifname\":\"nic\",\"ifindex\":3,\"fate\":\"returned\"}]}",
		"{\"time\":\"2026-12-01T08:00:00Z\",\"event\":\"ns.setns\","
		"\"tid\":7,\"ns_type\":\"net\",\"from_ns\":1,\"to_ns\":2}",
	};
	struct nst_event live[6] = {
		{ .kind = NST_EV_NS_CREATE,
		  .create = { .ns_type = NST_NS_NET, .ns = NS_A } },
		{ .kind = NST_EV_NETDEV_CREATE,
		  .life = { .netns = NS_A,
			    .ifindex = 2,
			    .ifname = "va",
			    .kind = "veth" } },
		{ .kind = NST_EV_NETDEV_MOVE,
		  .move = { .cause = NST_CAUSE_NETNS_EXIT,
			    .from_netns = NS_A,
			    .to_netns = INIT,
			    .ifindex = 2,
			    .new_ifindex = 5,
			    .ifname = "va",
			    .new_ifname = "vb" } },
		{ .kind = NST_EV_NETDEV_MOVE,
		  .move = { .error = -17,
			    .from_netns = NS_A,
			    .ifindex = 2,
			    .ifname = "va" } },
		{ .kind = NST_EV_NS_DESTROY,
		  .destroy = { .ns_type = NST_NS_NET,
			       .ns = NS_A,
			       .nr_devs = 2,
			       .devs = { { 1, NST_FATE_DELETED, "lo" },
					 { 3, NST_FATE_RETURNED, "nic" } } } },
		/* setns goes to top alone: the log decoder leaves it out. */
		{ .kind = NST_EV_NS_SETNS,
		  .setns = { .ns_type = NST_NS_NET, .from_ns = 1, .to_ns = 2 } },
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
		cmocka_unit_test(test_live_and_log_decoders_agree),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_jlog_skips_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
