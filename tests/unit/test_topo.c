// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The topology model of nstrace replay: snapshot records set it, events
 * change it, and every change is idempotent, since the events queued
 * while a snapshot was read come after it and may be in it already.
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
#include "ls/render.h"
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
	char *names[1] = { (char *)name };
	struct topo_ns ns = { .inum = inum,
			      .init = init,
			      .names = names,
			      .nnames = name ? 1 : 0 };

	topo_set_netns(t, &ns);
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
	topo_set_dev(t, &(struct ls_dev){
				.netns = INIT, .ifindex = 4, .name = "eth0" });
	set_ns(t, NS_A, false, "a");
	topo_set_dev(t, &va);
	set_ns(t, NS_B, false, "b");
	topo_set_dev(t, &vb);
}

static void test_events_the_snapshot_has_change_nothing(void **state)
{
	struct topo t = {};

	snapshot(&t);
	topo_ns_create(&t, NS_A); /* queued while the snapshot was read */
	topo_dev_create(&t, NS_A, "va", 2, "veth", 77);
	topo_dev_delete(&t, NS_A, 9); /* of a device the snapshot lacks */
	assert_int_equal(t.nns, 3);
	assert_int_equal(t.ndevs, 3);
	/* The peer set by the snapshot stays. */
	assert_int_equal(topo_find_dev(&t, NS_A, 2)->d.peer_ifindex, 2);
	/* A move the snapshot already shows: nothing either. */
	topo_dev_move(&t, NS_B, 7, "vx", NS_A, 2, "va");
	assert_int_equal(t.ndevs, 3);
	topo_free(&t);
}

static void test_move_renames_and_updates_the_peer(void **state)
{
	const struct topo_dev *d;
	struct topo t = {};

	snapshot(&t);
	topo_dev_move(&t, NS_A, 2, "va", NS_B, 3, "vc");
	assert_null(topo_find_dev(&t, NS_A, 2));
	d = topo_find_dev(&t, NS_B, 3);
	assert_non_null(d);
	assert_string_equal(d->d.name, "vc");
	assert_string_equal(d->d.link_kind, "veth");
	/* The kernel appends a moved device: last in the array. */
	assert_ptr_equal(d, &t.devs[t.ndevs - 1]);
	d = topo_find_dev(&t, NS_B, 2);
	assert_int_equal(d->d.peer_netns, NS_B);
	assert_int_equal(d->d.peer_ifindex, 3);
	assert_string_equal(d->d.peer_name, "vc");
	/* The same event again (a log read twice over) changes nothing. */
	topo_dev_move(&t, NS_A, 2, "va", NS_B, 3, "vc");
	assert_int_equal(t.ndevs, 3);
	topo_free(&t);
}

static void test_new_netns_has_lo_and_veth_ends_pair(void **state)
{
	const struct topo_dev *a, *b;
	struct topo t = {};

	topo_ns_create(&t, NS_A);
	topo_ns_create(&t, NS_B);
	assert_int_equal(t.ndevs, 2);
	assert_string_equal(topo_find_dev(&t, NS_A, 1)->d.name, "lo");
	/* Another thread's veth in between does not pair with ours. */
	topo_dev_create(&t, NS_A, "x0", 2, "veth", 10);
	topo_dev_create(&t, NS_B, "other", 5, "veth", 11);
	topo_dev_create(&t, NS_B, "x1", 2, "veth", 10);
	a = topo_find_dev(&t, NS_A, 2);
	b = topo_find_dev(&t, NS_B, 2);
	assert_int_equal(a->d.peer_netns, NS_B);
	assert_int_equal(a->d.peer_ifindex, 2);
	assert_string_equal(a->d.peer_name, "x1");
	assert_int_equal(b->d.peer_netns, NS_A);
	assert_string_equal(b->d.peer_name, "x0");
	assert_int_equal(topo_find_dev(&t, NS_B, 5)->d.peer_ifindex, 0);
	/* Deleting one end takes the other. */
	topo_dev_delete(&t, NS_A, 2);
	assert_null(topo_find_dev(&t, NS_B, 2));
	assert_non_null(topo_find_dev(&t, NS_B, 5));
	topo_free(&t);
}

static void test_dying_netns_hands_back_what_it_returns(void **state)
{
	uint32_t returned[] = { 3 };
	struct topo t = {};

	snapshot(&t);
	topo_set_dev(&t, &(struct ls_dev){
				 .netns = NS_A, .ifindex = 3, .name = "nic" });
	topo_ns_destroy(&t, NS_A, returned, 1);
	assert_null(topo_find_ns(&t, NS_A));
	/* va died, and vb with it; nic waits for its move. */
	assert_null(topo_find_dev(&t, NS_A, 2));
	assert_null(topo_find_dev(&t, NS_B, 2));
	assert_null(topo_find_dev(&t, NS_A, 3));
	topo_dev_move(&t, NS_A, 3, "nic", INIT, 5, "nic");
	assert_string_equal(topo_find_dev(&t, INIT, 5)->d.name, "nic");
	assert_int_equal(t.ndevs, 2);
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
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_jlog_skips_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
