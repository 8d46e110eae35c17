// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nstrace top's picture: the events of the stream (through the one
 * topology model) change it the way the kernel changed itself, the marks
 * show for their time and then go, a refresh from the inventory keeps
 * them, and the rows say it all in text, escaped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "nstrace.h"
#include "top/model.h"
#include "top/rows.h"
#include "topology/live.h"
#include "top_text.h"

#define INIT 4026531840u
#define NS_A 4026532300u
#define NS_B 4026532400u
#define NS_C 4026532500u
#define MARK 5000

/* A netns as the inventory shows it: one name at most. */
static bool put_ns(struct top_model *m, uint32_t inum, bool init, bool dying,
		   const char *name, int64_t nprocs, uint64_t now)
{
	struct topo_event e = { .kind = TOPO_EV_NETNS_SEEN,
				.netns = inum,
				.init = init,
				.dying = dying,
				.names[0] = { .netns = inum,
					      .name = { name } } };

	e.names[0].n = name && *name;
	return model_put_netns(m, &e, nprocs, now);
}

struct dev_row {
	uint32_t netns, ifindex;
	const char *name, *kind;
	uint32_t peer_netns, peer_ifindex;
	const char *peer_name;
};

static void put_dev(struct top_model *m, const struct dev_row *r, uint64_t now)
{
	struct ls_dev d = { .netns = r->netns,
			    .ifindex = r->ifindex,
			    .peer_netns = r->peer_netns,
			    .peer_ifindex = r->peer_ifindex };

	strncpy(d.name, r->name, sizeof(d.name) - 1);
	strncpy(d.link_kind, r->kind ? r->kind : "", sizeof(d.link_kind) - 1);
	strncpy(d.peer_name, r->peer_name ? r->peer_name : "",
		sizeof(d.peer_name) - 1);
	model_put_dev(m, &d, now);
}

struct ns_row {
	uint32_t inum;
	bool init;
	const char *name;
	int64_t nprocs;
};

/* A whole refresh: these netns and these devices, nothing else. */
static void load(struct top_model *m, const struct ns_row *ns, size_t nns,
		 const struct dev_row *devs, size_t ndevs, uint64_t now)
{
	model_rebuild_begin(m);
	for (size_t i = 0; i < nns; i++)
		put_ns(m, ns[i].inum, ns[i].init, false, ns[i].name,
		       ns[i].nprocs, now);
	for (size_t i = 0; i < ndevs; i++)
		put_dev(m, &devs[i], now);
	model_rebuild_end(m, now);
}

#define LOAD(m, ns, devs, now)                        \
	load(m, ns, sizeof(ns) / sizeof(ns[0]), devs, \
	     sizeof(devs) / sizeof(devs[0]), now)

/* init with lo, eth0; A "blue" with lo and va (peer vb in B); B "red". */
static void load_two(struct top_model *m, uint64_t now)
{
	static const struct ns_row ns[] = {
		{ INIT, true, NULL, 80 },
		{ NS_A, false, "blue", 1 },
		{ NS_B, false, "red", 0 },
	};
	static const struct dev_row devs[] = {
		{ INIT, 1, "lo", "", 0, 0, "" },
		{ INIT, 2, "eth0", "", 0, 0, "" },
		{ NS_A, 1, "lo", "", 0, 0, "" },
		{ NS_A, 5, "va", "veth", NS_B, 4, "vb" },
		{ NS_B, 1, "lo", "", 0, 0, "" },
		{ NS_B, 4, "vb", "veth", NS_A, 5, "va" },
	};

	LOAD(m, ns, devs, now);
}

/* A model with load_two()'s picture, the first: nothing marked. */
static void init_two(struct top_model *m)
{
	model_init(m, MARK);
	load_two(m, 1000);
}

/* A record of the stream, as top takes it: through the live decoder. */
static void apply(struct top_model *m, const struct nst_event *e, uint64_t now)
{
	struct topo_event ev;

	topo_from_stream(e, &ev);
	model_apply(m, &ev, now);
}

static void assert_screen(const struct top_model *m, const char *filter,
			  enum top_sort sort, const char *want)
{
	char *got = screen_text(m, filter, sort);

	if (strcmp(got, want))
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

static struct nst_event move_event(uint32_t from, uint32_t ifindex,
				   const char *ifname, uint32_t to,
				   uint32_t new_ifindex, const char *new_ifname)
{
	struct nst_event e = { .kind = NST_EV_NETDEV_MOVE };

	e.move.from_netns = from;
	e.move.to_netns = to;
	e.move.ifindex = ifindex;
	e.move.new_ifindex = new_ifindex;
	strncpy(e.move.ifname, ifname, NST_IFNAME_LEN - 1);
	strncpy(e.move.new_ifname, new_ifname, NST_IFNAME_LEN - 1);
	return e;
}

/* The ns.destroy of netns inum, listing n devices and their fates. */
static void destroy(struct top_model *m, uint32_t inum,
		    const struct nst_dev *devs, uint32_t n, uint64_t now)
{
	struct nst_event d = { .kind = NST_EV_NS_DESTROY };

	d.destroy.ns_type = NST_NS_NET;
	d.destroy.ns = inum;
	d.destroy.nr_devs = n;
	if (n)
		memcpy(d.destroy.devs, devs, n * sizeof(*devs));
	apply(m, &d, now);
}

static void test_first_load_has_no_marks(void **state)
{
	struct top_model m;

	init_two(&m);
	assert_int_equal(model_live_netns(&m), 3);
	assert_int_equal(model_live_ifaces(&m), 6);
	assert_int_equal(model_next_expiry(&m), UINT64_MAX);
	assert_screen(&m, NULL, TOP_SORT_INODE,
		      "netns 4026531840 init (80 procs, 2 ifs)\n"
		      "     lo if1\n"
		      "     eth0 if2\n"
		      "netns 4026532300 blue (1 proc, 2 ifs)\n"
		      "     lo if1\n"
		      "     va if5 veth peer vb if4 in 4026532400\n"
		      "netns 4026532400 red (0 procs, 2 ifs)\n"
		      "     lo if1\n"
		      "     vb if4 veth peer va if5 in 4026532300\n");
	model_free(&m);
}

static void test_move_marks_both_then_expires(void **state)
{
	struct nst_event e = move_event(NS_A, 5, "va", NS_B, 7, "vc");
	struct top_model m;

	init_two(&m);
	apply(&m, &e, 2000);
	assert_int_equal(model_next_expiry(&m), 2000 + MARK);
	/* Its peer now points at the new place, in the same netns. */
	assert_screen(&m, NULL, TOP_SORT_INODE,
		      "netns 4026531840 init (80 procs, 2 ifs)\n"
		      "     lo if1\n"
		      "     eth0 if2\n"
		      "netns 4026532300 blue (1 proc, 1 if)\n"
		      "     lo if1\n"
		      "  -> va if5 moved to 4026532400 red\n"
		      "netns 4026532400 red (0 procs, 3 ifs)\n"
		      "     lo if1\n"
		      "     vb if4 veth peer vc if7\n"
		      "  <- vc if7 from 4026532300 blue veth peer vb if4\n");
	assert_false(model_expire(&m, 2000 + MARK - 1));
	assert_true(model_expire(&m, 2000 + MARK));
	assert_int_equal(model_next_expiry(&m), UINT64_MAX);
	assert_screen(&m, "red", TOP_SORT_INODE,
		      "netns 4026532400 red (0 procs, 3 ifs)\n"
		      "     lo if1\n"
		      "     vb if4 veth peer vc if7\n"
		      "     vc if7 veth peer vb if4\n");
	assert_screen(&m, "blue", TOP_SORT_INODE,
		      "netns 4026532300 blue (1 proc, 1 if)\n"
		      "     lo if1\n");
	model_free(&m);
}

static void test_refused_move_changes_nothing(void **state)
{
	struct nst_event e = move_event(NS_A, 5, "va", NS_B, 0, "");
	struct top_model m;
	char *before;

	init_two(&m);
	before = screen_text(&m, NULL, TOP_SORT_INODE);
	e.move.error = -17;
	apply(&m, &e, 2000);
	assert_screen(&m, NULL, TOP_SORT_INODE, before);
	assert_int_equal(model_next_expiry(&m), UINT64_MAX);
	free(before);
	model_free(&m);
}

static void test_destroy_then_hand_back(void **state)
{
	static const struct nst_dev fates[] = {
		{ .ifindex = 1, .fate = NST_FATE_DELETED, .ifname = "lo" },
		{ .ifindex = 4, .fate = NST_FATE_RETURNED, .ifname = "vb" },
	};
	struct nst_event back = move_event(NS_B, 4, "vb", INIT, 9, "vb");
	struct top_model m;

	init_two(&m);
	destroy(&m, NS_B, fates, 2, 2000);
	assert_null(model_netns(&m, NS_B));
	assert_int_equal(model_live_netns(&m), 2);
	apply(&m, &back, 2100);
	assert_screen(&m, "4026532400", TOP_SORT_INODE,
		      "netns 4026532400 -gone red\n"
		      "  -  lo if1 deleted\n"
		      "  -> vb if4 moved to 4026531840\n");
	assert_screen(&m, "init", TOP_SORT_NAME, "");
	assert_non_null(topo_find_dev(&m.topo, INIT, 9));
	/* The gone netns is named by the ghost for the move's other side. */
	assert_string_equal(model_names(&m, NS_B), "red");
	model_expire(&m, 2000 + MARK);
	assert_screen(&m, "4026532400", TOP_SORT_INODE, "");
	model_free(&m);
}

static void test_reused_inode_keeps_the_ghost(void **state)
{
	struct nst_event c = { .kind = NST_EV_NS_CREATE };
	struct top_model m;

	init_two(&m);
	destroy(&m, NS_B, NULL, 0, 2000);
	c.create.ns_type = NST_NS_NET;
	c.create.ns = NS_B;
	apply(&m, &c, 2001);
	assert_non_null(model_netns(&m, NS_B));
	/* A new netns has its loopback, as the kernel makes it: unmarked. */
	assert_screen(&m, "4026532400", TOP_SORT_INODE,
		      "netns 4026532400 +new (1 proc, 1 if)\n"
		      "     lo if1\n"
		      "netns 4026532400 -gone red\n"
		      "  -  lo if1 deleted\n"
		      "  -  vb if4 deleted\n");
	model_expire(&m, 2001 + MARK);
	assert_screen(&m, "4026532400", TOP_SORT_INODE,
		      "netns 4026532400 (1 proc, 1 if)\n"
		      "     lo if1\n");
	model_free(&m);
}

static void test_refresh_keeps_marks_and_finds_changes(void **state)
{
	static const struct ns_row ns[] = {
		{ INIT, true, NULL, 81 },
		{ NS_B, false, "red", 2 },
		{ NS_C, false, "green", 0 },
	};
	static const struct dev_row devs[] = {
		{ INIT, 1, "lo", "", 0, 0, "" },
		{ NS_B, 1, "lo", "", 0, 0, "" },
		{ NS_B, 4, "vb", "veth", NS_B, 5, "va" },
		{ NS_B, 5, "va", "veth", NS_B, 4, "vb" },
	};
	struct nst_event e = move_event(NS_A, 5, "va", NS_B, 5, "va");
	struct top_model m;

	init_two(&m);
	apply(&m, &e, 2000);
	/* Then the inventory: B has va; A is gone; C came unseen. */
	LOAD(&m, ns, devs, 2500);
	assert_screen(&m, NULL, TOP_SORT_INODE,
		      "netns 4026531840 init (81 procs, 1 if)\n"
		      "     lo if1\n"
		      "  -  eth0 if2 deleted\n"
		      "netns 4026532300 -gone blue\n"
		      "  -  lo if1 deleted\n"
		      "  -> va if5 moved to 4026532400 red\n"
		      "netns 4026532400 red (2 procs, 3 ifs)\n"
		      "     lo if1\n"
		      "     vb if4 veth peer va if5\n"
		      "  <- va if5 from 4026532300 blue veth peer vb if4\n"
		      "netns 4026532500 +new green (0 procs, 0 ifs)\n");
	model_free(&m);
}

static void test_refresh_skips_a_netns_already_dead(void **state)
{
	struct top_model m;

	init_two(&m);
	destroy(&m, NS_B, NULL, 0, 2000);
	model_rebuild_begin(&m);
	assert_false(put_ns(&m, NS_B, false, true, "red", 0, 2100));
	assert_null(model_netns(&m, NS_B));
	assert_null(topo_find_ns(&m.topo, NS_B));
	model_free(&m);
}

/* ip netns del: the bind mount goes, then the refresh, then the death. */
static void test_dying_netns_keeps_its_names(void **state)
{
	struct top_model m;

	init_two(&m);
	model_rebuild_begin(&m);
	put_ns(&m, NS_B, false, true, "", 0, 1500);
	put_ns(&m, NS_A, false, false, "", 1, 1500);
	model_rebuild_end(&m, 1500);
	assert_screen(&m, "red", TOP_SORT_INODE,
		      "netns 4026532400 red (dying) (0 procs, 0 ifs)\n"
		      "  -  lo if1 deleted\n"
		      "  -  vb if4 deleted\n");
	/* A netns that only lost its name is no longer named. */
	assert_null(model_netns(&m, NS_A)->names);
	destroy(&m, NS_B, NULL, 0, 2000);
	assert_screen(&m, "4026532400", TOP_SORT_INODE,
		      "netns 4026532400 -gone red\n"
		      "  -  lo if1 deleted\n"
		      "  -  vb if4 deleted\n");
	model_free(&m);
}

static void test_setns_counts(void **state)
{
	struct nst_event e = { .kind = NST_EV_NS_SETNS };
	struct top_model m;

	init_two(&m);
	e.setns.ns_type = NST_NS_NET;
	e.setns.from_ns = NS_B;
	e.setns.to_ns = NS_A;
	apply(&m, &e, 2000);
	assert_int_equal(model_netns(&m, NS_A)->nprocs, 2);
	assert_int_equal(model_netns(&m, NS_B)->nprocs, 0); /* not below */
	e.setns.ns_type = NST_NS_UTS; /* not a netns: nothing */
	apply(&m, &e, 2000);
	assert_int_equal(model_netns(&m, NS_A)->nprocs, 2);
	model_free(&m);
}

static void test_netdev_create_and_delete(void **state)
{
	struct nst_event c = { .kind = NST_EV_NETDEV_CREATE };
	struct nst_event d = { .kind = NST_EV_NETDEV_DELETE };
	struct top_model m;

	init_two(&m);
	c.life.netns = NS_A;
	c.life.ifindex = 8;
	strcpy(c.life.ifname, "br0");
	strcpy(c.life.kind, "bridge");
	apply(&m, &c, 2000);
	d.life.netns = NS_A;
	d.life.ifindex = 1;
	apply(&m, &d, 2500);
	assert_screen(&m, "blue", TOP_SORT_INODE,
		      "netns 4026532300 blue (1 proc, 2 ifs)\n"
		      "  -  lo if1 deleted\n"
		      "     va if5 veth peer vb if4 in 4026532400\n"
		      "  +  br0 if8 new bridge\n");
	assert_int_equal(model_next_expiry(&m), 2000 + MARK);
	model_expire(&m, 2500 + MARK);
	assert_screen(&m, "blue", TOP_SORT_INODE,
		      "netns 4026532300 blue (1 proc, 2 ifs)\n"
		      "     va if5 veth peer vb if4 in 4026532400\n"
		      "     br0 if8 bridge\n");
	model_free(&m);
}

static void test_filter_and_sort(void **state)
{
	struct top_model m;

	init_two(&m);
	put_dev(&m, &(struct dev_row){ NS_B, 3, "x", "", 0, 0, "" }, 1000);
	assert_screen(&m, "ed", TOP_SORT_INODE,
		      "netns 4026532400 red (0 procs, 3 ifs)\n"
		      "     lo if1\n"
		      "  +  x if3 new\n"
		      "     vb if4 veth peer va if5 in 4026532300\n");
	assert_screen(&m, "6532300", TOP_SORT_INODE,
		      "netns 4026532300 blue (1 proc, 2 ifs)\n"
		      "     lo if1\n"
		      "     va if5 veth peer vb if4 in 4026532400\n");
	assert_screen(&m, "nothing", TOP_SORT_INODE, "");
	/* Named first by name, then the rest by inode. */
	{
		char *s = screen_text(&m, NULL, TOP_SORT_NAME);

		assert_true(strstr(s, "blue") < strstr(s, "red"));
		assert_true(strstr(s, "red") < strstr(s, "init"));
		free(s);
		s = screen_text(&m, NULL, TOP_SORT_IFACES);
		assert_true(strstr(s, "red") < strstr(s, "init"));
		assert_true(strstr(s, "init") < strstr(s, "blue"));
		free(s);
	}
	model_free(&m);
}

/* A netns's container: on its line, found by /, kept by --container. */
static void test_container_line_filter_and_select(void **state)
{
	struct select web = { .container = "web" }, db = { .container = "db" };
	struct top_netns *n;
	struct top_model m;
	char *s;

	init_two(&m);
	n = model_netns(&m, NS_A);
	strcpy(n->ctr.runtime, "podman");
	strcpy(n->ctr.id, "4a9c6f2e7b1d3c5e8f0a2b4c6d8e0f1a");
	strcpy(n->ctr.name, "web");
	n->has_ctr = true;
	assert_screen(
		&m, "web", TOP_SORT_INODE,
		"netns 4026532300 blue [podman:4a9c6f2e7b1d/web] (1 proc, 2 ifs)\n"
		"     lo if1\n"
		"     va if5 veth peer vb if4 in 4026532400\n");
	s = screen_select(&m, NULL, &web, TOP_SORT_INODE);
	assert_non_null(strstr(s, "netns 4026532300"));
	assert_null(strstr(s, "netns 4026532400"));
	free(s);
	s = screen_select(&m, NULL, &db, TOP_SORT_INODE);
	assert_string_equal(s, "");
	free(s);
	model_free(&m);
}

/* No byte of a name may reach the terminal as a control. */
static void test_hostile_names_are_escaped(void **state)
{
	static const struct ns_row ns[] = {
		{ NS_A, false, "n\x1b]0;x\x07\n", 1 },
	};
	static const struct dev_row devs[] = {
		{ NS_A, 3, "\x1b[2J\x07", "", NS_A, 9, "\x9b\x31m" },
	};
	struct top_model m;
	char *s;

	model_init(&m, MARK);
	LOAD(&m, ns, devs, 0);
	s = screen_text(&m, NULL, TOP_SORT_INODE);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	assert_string_equal(
		s, "netns 4026532300 n\\x1b]0;x\\x07\\x0a (1 proc, 1 if)\n"
		   "     \\x1b[2J\\x07 if3 peer \\x9b1m if9\n");
	free(s);
	model_free(&m);
}

/*
 * What must hold whatever came: one live entry per inode and ifindex,
 * and top's live entries are the model's netns, no more, no fewer.
 */
static void check_invariants(const struct top_model *m)
{
	size_t live = 0;

	for (size_t i = 0; i < m->nns; i++) {
		const struct top_netns *n = &m->ns[i];

		if (i)
			assert_true(m->ns[i - 1].inum <= n->inum);
		for (size_t j = i + 1; j < m->nns && m->ns[j].inum == n->inum;
		     j++)
			assert_false(!n->ghost && !m->ns[j].ghost);
		if (n->ghost)
			assert_int_not_equal(n->mark, TOP_MARK_NONE);
		else
			assert_non_null(topo_find_ns(&m->topo, n->inum));
		live += !n->ghost;
		for (size_t a = 0; a < n->nifs; a++) {
			/* A live interface's entry is its mark, nothing else. */
			assert_int_not_equal(n->ifs[a].mark, TOP_MARK_NONE);
			for (size_t b = a + 1; b < n->nifs; b++)
				assert_false(
					!n->ifs[a].ghost && !n->ifs[b].ghost &&
					n->ifs[a].ifindex == n->ifs[b].ifindex);
		}
	}
	assert_int_equal(live, model_live_netns(m));
	for (size_t i = 0; i < m->topo.nns; i++) {
		const struct topo_ns *ns = m->topo.ns[i];

		for (size_t a = 0; a < ns->ndevs; a++)
			for (size_t b = a + 1; b < ns->ndevs; b++)
				assert_int_not_equal(ns->devs[a].d.ifindex,
						     ns->devs[b].d.ifindex);
	}
}

/* A small world of 4 inodes and 4 ifindexes, so that events collide. */
static struct nst_event random_event(void)
{
	struct nst_event e = { .kind = 1 + rand() % (NST_EV_KINDS - 1) };
	uint32_t a = NS_A + rand() % 4, b = NS_A + rand() % 4;
	uint32_t i = 1 + rand() % 4, j = 1 + rand() % 4;

	switch (e.kind) {
	case NST_EV_NS_CREATE:
		e.create.ns_type = rand() % 2 ? NST_NS_NET : NST_NS_UTS;
		e.create.ns = a;
		break;
	case NST_EV_NS_SETNS:
		e.setns.ns_type = NST_NS_NET;
		e.setns.from_ns = a;
		e.setns.to_ns = b;
		break;
	case NST_EV_NS_DESTROY:
		e.destroy.ns_type = NST_NS_NET;
		e.destroy.ns = a;
		e.destroy.nr_devs = rand() % 20;
		for (uint32_t k = 0; k < NST_MAX_DEVS; k++)
			e.destroy.devs[k] = (struct nst_dev){
				.ifindex = 1 + rand() % 4,
				.fate = rand() % 2,
			};
		break;
	case NST_EV_NETDEV_MOVE:
		e = move_event(a, i, "x\x1b", b, j, "y\n");
		e.move.error = rand() % 8 ? 0 : -17;
		break;
	default:
		e.life.netns = a;
		e.life.ifindex = i;
		memset(e.life.ifname, 0xff, sizeof(e.life.ifname));
		break;
	}
	return e;
}

static void test_random_events_keep_invariants(void **state)
{
	struct top_model m;
	uint64_t now = 0;

	srand(1);
	model_init(&m, 50);
	for (int round = 0; round < 20000; round++) {
		struct nst_event e = random_event();
		int what = rand() % 100;

		now += rand() % 10;
		if (what < 80) {
			apply(&m, &e, now);
		} else if (what < 95) {
			model_expire(&m, now);
			assert_true(model_next_expiry(&m) > now);
		} else {
			model_rebuild_begin(&m);
			for (uint32_t k = 0; k < 4; k++) {
				struct dev_row f = { NS_A + k, 1 + rand() % 4,
						     "z",      "veth",
						     NS_A,     1,
						     "w" };

				if (rand() % 2)
					continue;
				if (put_ns(&m, NS_A + k, false, rand() % 2, "n",
					   rand() % 3, now))
					put_dev(&m, &f, now);
			}
			model_rebuild_end(&m, now);
		}
		check_invariants(&m);
		if (round % 100 == 0) {
			char *s = screen_text(&m, NULL, rand() % TOP_SORTS);

			for (const unsigned char *p = (const void *)s; *p; p++)
				assert_true(*p == '\n' ||
					    (*p >= 0x20 && *p < 0x7f));
			free(s);
		}
	}
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_load_has_no_marks),
		cmocka_unit_test(test_move_marks_both_then_expires),
		cmocka_unit_test(test_refused_move_changes_nothing),
		cmocka_unit_test(test_destroy_then_hand_back),
		cmocka_unit_test(test_reused_inode_keeps_the_ghost),
		cmocka_unit_test(test_refresh_keeps_marks_and_finds_changes),
		cmocka_unit_test(test_refresh_skips_a_netns_already_dead),
		cmocka_unit_test(test_dying_netns_keeps_its_names),
		cmocka_unit_test(test_setns_counts),
		cmocka_unit_test(test_netdev_create_and_delete),
		cmocka_unit_test(test_filter_and_sort),
		cmocka_unit_test(test_container_line_filter_and_select),
		cmocka_unit_test(test_hostile_names_are_escaped),
		cmocka_unit_test(test_random_events_keep_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
