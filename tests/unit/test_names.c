// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The names on every event come from a cache kept current by events and
 * by the mount table's changes: a missed removal would name a namespace
 * wrongly forever, and a dead process shown as a member would send users
 * after the wrong pid. So the diff of the mount table, the moves, the
 * exits and the fields they become are each checked here, with real
 * processes for the exits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "trace/enrich.h"
#include "lib/hmap.h"
#include "trace/nscache.h"
#include "trace/nsfs.h"
#include "trace/output.h"
#include "trace/record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NS_A 4026532283u
#define NS_B 4026532284u
#define NS_C 4026532285u

/* ------------------------------- hmap -------------------------------- */

static void test_hmap_put_get_del(void **state)
{
	struct hmap m = {};
	static int vals[5000];

	for (uint64_t k = 0; k < ARRAY_SIZE(vals); k++)
		hmap_put(&m, k * 7919, &vals[k]);
	assert_int_equal(m.n, ARRAY_SIZE(vals));
	for (uint64_t k = 0; k < ARRAY_SIZE(vals); k++)
		assert_ptr_equal(hmap_get(&m, k * 7919), &vals[k]);
	assert_null(hmap_get(&m, 1));
	/* Every other key goes: the rest must still be found (backward shift). */
	for (uint64_t k = 0; k < ARRAY_SIZE(vals); k += 2)
		assert_ptr_equal(hmap_del(&m, k * 7919), &vals[k]);
	assert_null(hmap_del(&m, 0));
	for (uint64_t k = 0; k < ARRAY_SIZE(vals); k++)
		assert_ptr_equal(hmap_get(&m, k * 7919),
				 k % 2 ? &vals[k] : NULL);
	assert_int_equal(m.n, ARRAY_SIZE(vals) / 2);
	/* Overwriting a key keeps the count. */
	hmap_put(&m, 7919, &vals[0]);
	assert_ptr_equal(hmap_get(&m, 7919), &vals[0]);
	assert_int_equal(m.n, ARRAY_SIZE(vals) / 2);
	hmap_free(&m);
	assert_null(hmap_get(&m, 7919));
}

/* ------------------------- the mount table --------------------------- */

#define MI_ROOT "21 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
#define MI_BLUE \
	"47 45 0:4 net:[4026532283] /run/netns/blue rw shared:2 - nsfs nsfs rw\n"
#define MI_RED \
	"48 45 0:4 net:[4026532284] /run/netns/red rw shared:3 - nsfs nsfs rw\n"
/* The same mount propagated on the same path: one name. */
#define MI_BLUE2 \
	"52 24 0:4 net:[4026532283] /run/netns/blue rw shared:2 - nsfs nsfs rw\n"
/* A second name for blue, and a name for a uts namespace. */
#define MI_ALIAS \
	"53 21 0:4 net:[4026532283] /tmp/sky\\040blue rw - nsfs nsfs rw\n"
#define MI_UTS "54 21 0:4 uts:[4026532285] /tmp/host rw - nsfs nsfs rw\n"

static void test_nsfs_parse(void **state)
{
	struct nsfs_set s;

	nsfs_set_parse(&s, MI_ROOT MI_RED MI_BLUE MI_BLUE2 MI_ALIAS MI_UTS);
	assert_int_equal(s.n, 4);
	/* Sorted by path. */
	assert_string_equal(s.v[0].path, "/run/netns/blue");
	assert_string_equal(s.v[0].name, "blue");
	assert_int_equal(s.v[0].inum, NS_A);
	assert_int_equal(s.v[0].type, NST_NS_NET);
	assert_string_equal(s.v[1].path, "/run/netns/red");
	assert_string_equal(s.v[2].path, "/tmp/host");
	assert_int_equal(s.v[2].type, NST_NS_UTS);
	/* mountinfo's \040 is a blank. */
	assert_string_equal(s.v[3].path, "/tmp/sky blue");
	assert_string_equal(s.v[3].name, "sky blue");
	nsfs_set_free(&s);

	nsfs_set_parse(&s, "");
	assert_int_equal(s.n, 0);
	nsfs_set_free(&s);
	nsfs_set_parse(&s, "garbage\n - nsfs\n\n" MI_ROOT);
	assert_int_equal(s.n, 0);
	nsfs_set_free(&s);
}

static void test_nsfs_clean_path(void **state)
{
	static const char *const cases[][2] = {
		{ "/", "/" },
		{ "/a", "/a" },
		{ "/a/", "/a" },
		{ "//a//b/", "/a/b" },
		{ "/a/./b", "/a/b" },
		{ "/a/../b", "/b" },
		{ "/../a", "/a" },
		{ "/a/b/../../c", "/c" },
		{ "/a/..", "/" },
		{ "/.", "/" },
		{ "/tmp/d/../d/./rel", "/tmp/d/rel" },
		{ "/a/..b/.c", "/a/..b/.c" },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		nsfs_clean_path(buf);
		assert_string_equal(buf, cases[i][1]);
	}
}

struct change {
	bool added;
	char path[64];
	uint32_t inum;
};

static struct change changes[16];
static int nchanges;

static void record_change(void *ctx, bool added, const struct nsfs_name *n)
{
	assert_true(nchanges < (int)ARRAY_SIZE(changes));
	changes[nchanges].added = added;
	snprintf(changes[nchanges].path, sizeof(changes[0].path), "%s",
		 n->path);
	changes[nchanges].inum = n->inum;
	nchanges++;
}

static void diff(const char *before, const char *after)
{
	struct nsfs_set a, b;

	nsfs_set_parse(&a, before);
	nsfs_set_parse(&b, after);
	nchanges = 0;
	nsfs_set_diff(&a, &b, record_change, NULL);
	nsfs_set_free(&a);
	nsfs_set_free(&b);
}

static void test_nsfs_diff(void **state)
{
	diff(MI_ROOT, MI_ROOT MI_BLUE MI_RED);
	assert_int_equal(nchanges, 2);
	assert_true(changes[0].added);
	assert_string_equal(changes[0].path, "/run/netns/blue");
	assert_string_equal(changes[1].path, "/run/netns/red");

	diff(MI_BLUE MI_RED, MI_RED);
	assert_int_equal(nchanges, 1);
	assert_false(changes[0].added);
	assert_string_equal(changes[0].path, "/run/netns/blue");
	assert_int_equal(changes[0].inum, NS_A);

	/* A second mount on the same path and namespace changes no name. */
	diff(MI_BLUE, MI_BLUE MI_BLUE2);
	assert_int_equal(nchanges, 0);
	diff(MI_BLUE MI_BLUE2, MI_BLUE);
	assert_int_equal(nchanges, 0);

	/* The same path now names another namespace: removal first. */
	diff(MI_BLUE,
	     "60 45 0:4 net:[4026532284] /run/netns/blue rw - nsfs nsfs rw\n");
	assert_int_equal(nchanges, 2);
	assert_false(changes[0].added);
	assert_int_equal(changes[0].inum, NS_A);
	assert_true(changes[1].added);
	assert_int_equal(changes[1].inum, NS_B);

	diff(MI_BLUE MI_RED MI_UTS, MI_BLUE MI_RED MI_UTS);
	assert_int_equal(nchanges, 0);
}

/* -------------------------------- cache ------------------------------ */

/* A child that sleeps until killed; its pid. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static struct nst_event setns_event(uint32_t tid, uint32_t type, uint32_t from,
				    uint32_t to)
{
	struct nst_event e = { .kind = NST_EV_NS_SETNS };

	e.task.pid = e.task.tid = tid;
	e.setns.ns_type = type;
	e.setns.from_ns = from;
	e.setns.to_ns = to;
	return e;
}

/* Nothing left to say of the namespace, the last one known: no room kept. */
static void assert_forgotten(struct nscache *c, uint32_t type, uint32_t inum)
{
	struct nsc_view v;

	assert_false(nscache_view(c, type, inum, &v));
	assert_int_equal(nscache_namespaces(c), 0);
}

static void test_cache_names(void **state)
{
	struct nscache c;
	struct nsc_view v;

	nscache_init(&c);
	assert_false(nscache_view(&c, NST_NS_NET, NS_A, &v));
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	nscache_name_add(&c, NST_NS_NET, NS_A, "/tmp/sky");
	nscache_name_add(&c, NST_NS_NET, NS_A, "/tmp/sky"); /* once */
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.nnames, 2);
	assert_string_equal(v.names[0], "blue");
	assert_string_equal(v.names[1], "sky");
	assert_int_equal(v.npids, 0);
	/* Same inode, other type: another namespace. */
	assert_false(nscache_view(&c, NST_NS_UTS, NS_A, &v));

	nscache_name_remove(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.nnames, 1);
	assert_string_equal(v.names[0], "sky");
	nscache_name_remove(&c, NST_NS_NET, NS_A, "/tmp/sky");
	assert_forgotten(&c, NST_NS_NET, NS_A);
	nscache_free(&c);
}

static void test_cache_moves(void **state)
{
	pid_t p = sleeper(), q = sleeper();
	struct nscache c;
	struct nsc_view v;
	struct nst_event e;

	nscache_init(&c);
	nscache_task_moved(&c, p, NST_NS_NET, NS_A);
	nscache_task_moved(&c, q, NST_NS_NET, NS_A);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.npids, 2);
	assert_int_equal(v.pids[0], p);
	assert_int_equal(v.pids[1], q);

	/* setns takes p out of A, into B. */
	e = setns_event(p, NST_NS_NET, NS_A, NS_B);
	nscache_event_before(&c, &e);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.npids, 1);
	assert_int_equal(v.pids[0], q);
	assert_true(nscache_view(&c, NST_NS_NET, NS_B, &v));
	assert_int_equal(v.npids, 1);
	assert_int_equal(v.pids[0], p);

	/* unshare -n: the caller lives in the new one... */
	e = (struct nst_event){ .kind = NST_EV_NS_CREATE };
	e.task.pid = e.task.tid = q;
	e.create.ns_type = NST_NS_NET;
	e.create.ns = NS_C;
	e.create.origin = NST_ORIGIN_UNSHARE;
	nscache_event_before(&c, &e);
	assert_false(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_true(nscache_view(&c, NST_NS_NET, NS_C, &v));
	assert_int_equal(v.pids[0], q);
	/* ... but not in a new pid namespace, which is its children's. */
	e.create.ns_type = NST_NS_PID;
	e.create.ns = NS_A;
	nscache_event_before(&c, &e);
	assert_false(nscache_view(&c, NST_NS_PID, NS_A, &v));
	/* clone: the child lives in it. */
	e.create.child_pid = p;
	e.create.origin = NST_ORIGIN_CLONE;
	nscache_event_before(&c, &e);
	assert_true(nscache_view(&c, NST_NS_PID, NS_A, &v));
	assert_int_equal(v.pids[0], p);

	/* A destroyed namespace is forgotten, after its event. */
	e = (struct nst_event){ .kind = NST_EV_NS_DESTROY };
	e.destroy.ns_type = NST_NS_NET;
	e.destroy.ns = NS_C;
	nscache_event_before(&c, &e);
	assert_true(nscache_view(&c, NST_NS_NET, NS_C, &v));
	nscache_event_after(&c, &e);
	assert_false(nscache_view(&c, NST_NS_NET, NS_C, &v));
	/* q is in no netns the cache knows now; moving it back works. */
	nscache_task_moved(&c, q, NST_NS_NET, NS_B);
	assert_true(nscache_view(&c, NST_NS_NET, NS_B, &v));
	assert_int_equal(v.npids, 2);

	nscache_free(&c);
	reap(p);
	reap(q);
}

/* What ns.name gives: the cookie the latest event said of the inode. */
static void test_cache_cookies(void **state)
{
	struct nst_event e = { .kind = NST_EV_NS_CREATE };
	struct nscache c;

	nscache_init(&c);
	e.create.ns_type = NST_NS_NET;
	e.create.ns = NS_A;
	e.create.ns_cookie = 11;
	nscache_event_before(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_A), 11);
	/* Another type's inode is no netns. */
	e.create.ns_type = NST_NS_UTS;
	e.create.ns = NS_B;
	nscache_event_before(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_B), 0);
	/* A device event of a new netns in A's inode: that one now. */
	e = (struct nst_event){ .kind = NST_EV_NETDEV_CREATE };
	e.life.netns = NS_A;
	e.life.netns_cookie = 12;
	nscache_event_before(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_A), 12);
	/* The old one's death, reported late, leaves the new one's. */
	e = (struct nst_event){ .kind = NST_EV_NS_DESTROY };
	e.destroy.ns_type = NST_NS_NET;
	e.destroy.ns = NS_A;
	e.destroy.ns_cookie = 11;
	nscache_event_after(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_A), 12);
	e.destroy.ns_cookie = 12;
	nscache_event_after(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_A), 0);
	/* A move teaches both ends; 0 (an unknown target) teaches nothing. */
	e = (struct nst_event){ .kind = NST_EV_NETDEV_MOVE };
	e.move.from_netns = NS_A;
	e.move.from_netns_cookie = 13;
	e.move.to_netns = NS_B;
	nscache_event_before(&c, &e);
	assert_int_equal(nscache_netns_cookie(&c, NS_A), 13);
	assert_int_equal(nscache_netns_cookie(&c, NS_B), 0);
	/*
	 * ip netns del: the netns can die before its name is seen to go,
	 * and its inode go to a new one: the name is still the dead one's.
	 */
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	assert_int_equal(nscache_name_cookie(&c, NS_A, true), 13);
	e = (struct nst_event){ .kind = NST_EV_NS_DESTROY };
	e.destroy.ns_type = NST_NS_NET;
	e.destroy.ns = NS_A;
	e.destroy.ns_cookie = 13;
	nscache_event_after(&c, &e);
	e = (struct nst_event){ .kind = NST_EV_NS_CREATE };
	e.create.ns_type = NST_NS_NET;
	e.create.ns = NS_A;
	e.create.ns_cookie = 14;
	nscache_event_before(&c, &e);
	nscache_name_remove(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	assert_int_equal(nscache_name_cookie(&c, NS_A, false), 13);
	/* Once its names are gone, the inode's cookie is the new one's. */
	assert_int_equal(nscache_name_cookie(&c, NS_A, false), 14);
	nscache_free(&c);
}

static void test_cache_exits(void **state)
{
	pid_t p[6];
	struct nscache c;
	struct nsc_view v;

	nscache_init(&c);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = sleeper();
		nscache_task_moved(&c, p[i], NST_NS_NET, NS_A);
		nscache_task_moved(&c, p[i], NST_NS_UTS, NS_B);
	}
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	/* A few are shown, not all. */
	assert_int_equal(v.npids, NSC_SHOW_PIDS);
	assert_int_equal(v.pids[0], p[0]);

	reap(p[0]);
	/* A zombie has left its namespaces: it is no member either. */
	kill(p[2], SIGKILL);
	while (waitid(P_PID, p[2], &(siginfo_t){}, WEXITED | WNOWAIT))
		;
	/* Within one batch, what was checked stands... */
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.pids[0], p[0]);
	/* ... and the next batch sees them gone, from every namespace. */
	nscache_tick(&c);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.npids, NSC_SHOW_PIDS);
	assert_int_equal(v.pids[0], p[1]);
	assert_int_equal(v.pids[1], p[3]);
	assert_int_equal(v.pids[2], p[4]);
	assert_int_equal(v.pids[3], p[5]);
	assert_int_equal(nscache_tasks(&c), 4);
	assert_true(nscache_view(&c, NST_NS_UTS, NS_B, &v));
	assert_int_equal(v.pids[0], p[1]);

	/* All gone: the name stays, the pids go. */
	for (size_t i = 1; i < ARRAY_SIZE(p); i++)
		if (i != 2)
			reap(p[i]);
	nscache_tick(&c);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.nnames, 1);
	assert_int_equal(v.npids, 0);
	assert_false(nscache_view(&c, NST_NS_UTS, NS_B, &v));
	assert_int_equal(nscache_namespaces(&c), 1);
	waitpid(p[2], NULL, 0);
	assert_int_equal(nscache_tasks(&c), 0);
	nscache_free(&c);
}

/* What the fake /proc says: a start time per pid, 0 for "no such pid". */
static uint64_t fake_start[8];

static int fake_read_start(uint32_t tid, uint64_t *start)
{
	if (tid >= ARRAY_SIZE(fake_start) || !fake_start[tid])
		return -ENOENT;
	*start = fake_start[tid];
	return 0;
}

/*
 * A pid that died and was given to another process: what was known of
 * the old one goes, what the new one's events said since stays.
 */
static void test_cache_pid_reused(void **state)
{
	struct nscache c;
	struct nsc_view v;

	nscache_init(&c);
	c.read_start = fake_read_start;
	fake_start[5] = 100;
	nscache_task_moved(&c, 5, NST_NS_NET, NS_A);
	nscache_task_moved(&c, 5, NST_NS_UTS, NS_B);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	assert_int_equal(v.pids[0], 5);

	/* Pid 5 dies, a new process gets it and enters NS_C. */
	fake_start[5] = 200;
	nscache_task_moved(&c, 5, NST_NS_NET, NS_C);
	nscache_tick(&c);
	assert_true(nscache_view(&c, NST_NS_NET, NS_C, &v));
	assert_int_equal(v.npids, 1);
	assert_int_equal(v.pids[0], 5);
	/* The old one's uts namespace: not the new one's. */
	assert_false(nscache_view(&c, NST_NS_UTS, NS_B, &v));
	assert_false(nscache_view(&c, NST_NS_NET, NS_A, &v));

	/* Reused again, with no event since: nothing is known of it. */
	fake_start[5] = 300;
	nscache_tick(&c);
	assert_false(nscache_view(&c, NST_NS_NET, NS_C, &v));
	assert_int_equal(nscache_tasks(&c), 0);

	/* Gone: it leaves. */
	fake_start[6] = 10;
	nscache_task_moved(&c, 6, NST_NS_NET, NS_A);
	assert_true(nscache_view(&c, NST_NS_NET, NS_A, &v));
	fake_start[6] = 0;
	nscache_tick(&c);
	assert_forgotten(&c, NST_NS_NET, NS_A);
	nscache_free(&c);
}

/* Thousands of processes that died unseen do not stay. */
static void test_cache_sweep(void **state)
{
	pid_t alive = sleeper(), dead = sleeper();
	struct nscache c;

	reap(dead);
	nscache_init(&c);
	nscache_task_moved(&c, alive, NST_NS_NET, NS_A);
	/* Pids past any pid_max: none of them exists. */
	for (uint32_t i = 0; i < 5000; i++)
		nscache_task_moved(&c, 5000000 + i, NST_NS_NET, NS_B + i % 3);
	nscache_task_moved(&c, dead, NST_NS_NET, NS_A);
	assert_int_equal(nscache_tasks(&c), 5002);
	nscache_tick(&c);
	assert_int_equal(nscache_tasks(&c), 1);
	assert_int_equal(nscache_namespaces(&c), 1);
	nscache_free(&c);
	reap(alive);
}

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* A few dozen short-lived processes go within seconds, not at 256. */
static void test_cache_sweep_timed(void **state)
{
	struct nscache c;

	nscache_init(&c);
	c.now_ns = fake_clock;
	fake_now = c.swept_ns = 1000000000ULL;
	for (uint32_t i = 0; i < 40; i++)
		nscache_task_moved(&c, 5000000 + i, NST_NS_NET, NS_B);
	fake_now += 4000000000ULL;
	nscache_tick(&c);
	assert_int_equal(nscache_tasks(&c), 40); /* not yet: 4 s */
	fake_now += 1000000000ULL;
	nscache_tick(&c);
	assert_int_equal(nscache_tasks(&c), 0);
	/* Fewer than 32 new since: they wait for the next ones. */
	for (uint32_t i = 0; i < 20; i++)
		nscache_task_moved(&c, 5000100 + i, NST_NS_NET, NS_B);
	fake_now += 60000000000ULL;
	nscache_tick(&c);
	assert_int_equal(nscache_tasks(&c), 20);
	nscache_free(&c);
}

/* ------------------------------ fields ------------------------------- */

static void test_enrich_fields(void **state)
{
	pid_t p = sleeper();
	struct nscache c;
	struct nst_event e = { .kind = NST_EV_NETDEV_MOVE };
	struct enrich x;
	struct record r;
	struct buf b = {};
	char want[512];

	nscache_init(&c);
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/\x1b[31m\"x");
	nscache_task_moved(&c, p, NST_NS_NET, NS_B);
	e.move.from_netns = NS_A;
	e.move.to_netns = NS_B;
	e.task.pid = e.task.tid = 1;
	strcpy(e.move.ifname, "eth0");
	strcpy(e.move.new_ifname, "eth0");
	record_from_event(&r, &e, 0);
	enrich_event(&r, &c, &x, &e);
	render_json(&b, &r);
	snprintf(want, sizeof(want),
		 "\"from_netns_names\":[\"blue\",\"\\u001b[31m\\\"x\"],"
		 "\"to_netns_pids\":[%d]}\n",
		 p);
	assert_non_null(strstr(buf_cstr(&b), want));
	b.len = 0;
	render_text(&b, &r, false);
	snprintf(want, sizeof(want),
		 " from_netns_names=blue,\\x1b[31m\"x to_netns_pids=%d\n", p);
	assert_non_null(strstr(buf_cstr(&b), want));
	assert_null(strchr(buf_cstr(&b), '\x1b'));

	/* A refused move to an unknown target (0) gets nothing for it. */
	e.move.to_netns = 0;
	record_from_event(&r, &e, 0);
	enrich_event(&r, &c, &x, &e);
	b.len = 0;
	render_json(&b, &r);
	assert_null(strstr(buf_cstr(&b), "to_netns_"));
	buf_free(&b);
	nscache_free(&c);
	reap(p);
}

/* Each kind of event names its namespaces by its own fields' names. */
static void test_enrich_keys(void **state)
{
	static const struct {
		uint32_t kind;
		const char *want;
	} cases[] = {
		{ NST_EV_NS_CREATE, "\"ns_names\":[\"a\"]" },
		{ NST_EV_NS_SETNS, "\"from_ns_names\":[\"a\"],"
				   "\"to_ns_names\":[\"b\"]" },
		{ NST_EV_NS_DESTROY, "\"ns_names\":[\"a\"]" },
		{ NST_EV_NETDEV_MOVE, "\"from_netns_names\":[\"a\"],"
				      "\"to_netns_names\":[\"b\"]" },
		{ NST_EV_NETDEV_CREATE, "\"netns_names\":[\"a\"]" },
		{ NST_EV_NETDEV_DELETE, "\"netns_names\":[\"a\"]" },
		{ NST_EV_NETDEV_RENAME, "\"netns_names\":[\"a\"]" },
	};
	struct nscache c;
	struct buf b = {};

	nscache_init(&c);
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/a");
	nscache_name_add(&c, NST_NS_NET, NS_B, "/run/netns/b");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct nst_event e = { .kind = cases[i].kind };
		struct enrich x;
		struct record r;

		/* Every union member's namespaces: A first, then B. */
		e.create.ns_type = NST_NS_NET;
		e.create.ns = NS_A;
		if (e.kind == NST_EV_NS_SETNS)
			e.setns.from_ns = NS_A, e.setns.to_ns = NS_B;
		if (e.kind == NST_EV_NETDEV_MOVE)
			e.move.from_netns = NS_A, e.move.to_netns = NS_B;
		if (e.kind == NST_EV_NETDEV_CREATE ||
		    e.kind == NST_EV_NETDEV_DELETE)
			e.life.netns = NS_A;
		if (e.kind == NST_EV_NS_DESTROY)
			e.destroy.ns = NS_A;
		if (e.kind == NST_EV_NETDEV_RENAME)
			e.rename.netns = NS_A;
		record_from_event(&r, &e, 0);
		enrich_event(&r, &c, &x, &e);
		b.len = 0;
		render_json(&b, &r);
		if (!strstr(buf_cstr(&b), cases[i].want))
			fail_msg("kind %u: %s lacks %s", cases[i].kind,
				 buf_cstr(&b), cases[i].want);
	}
	buf_free(&b);
	nscache_free(&c);
}

static void test_ns_name_record(void **state)
{
	const struct nst_task ip = {
		.pid = 42, .tid = 43, .ppid = 41, .comm = "ip"
	};
	struct nscache c;
	struct enrich x;
	struct record r;
	struct buf b = {};

	nscache_init(&c);
	nscache_name_add(&c, NST_NS_NET, NS_A, "/run/netns/blue");
	record_ns_name(&r, 1000000000ULL, NULL, NST_NS_NET, NS_A, 0, true, "blue",
		       "/run/netns/blue");
	x.n = 0;
	enrich_ns(&r, &c, &x, ENRICH_NS, NST_NS_NET, NS_A);
	render_json(&b, &r);
	assert_string_equal(
		buf_cstr(&b),
		"{\"schema\":1,\"time\":\"1970-01-01T00:00:01.000000000Z\","
		"\"event\":\"ns.name\",\"ns_type\":\"net\",\"ns\":4026532283,"
		"\"op\":\"add\",\"name\":\"blue\",\"path\":\"/run/netns/blue\","
		"\"ns_names\":[\"blue\"]}\n");
	/* From a mount syscall: the process, as every event has it. */
	b.len = 0;
	/* With the cookie the cache has: in JSON, beside the inode. */
	record_ns_name(&r, 1000000000ULL, &ip, NST_NS_NET, NS_A, 977, false,
		       "blue", "/run/netns/blue");
	render_json(&b, &r);
	assert_string_equal(
		buf_cstr(&b),
		"{\"schema\":1,\"time\":\"1970-01-01T00:00:01.000000000Z\","
		"\"event\":\"ns.name\",\"pid\":42,\"tid\":43,\"ppid\":41,"
		"\"uid\":0,\"comm\":\"ip\",\"ns_type\":\"net\","
		"\"ns\":4026532283,\"ns_cookie\":977,\"op\":\"remove\","
		"\"name\":\"blue\",\"path\":\"/run/netns/blue\"}\n");
	b.len = 0;
	render_text(&b, &r, false);
	assert_null(strstr(buf_cstr(&b), "977"));
	b.len = 0;
	record_ns_name(&r, 1000000000ULL, NULL, NST_NS_UTS, NS_C, 0, false, "h",
		       "/tmp/h");
	render_text(&b, &r, false);
	assert_string_equal(
		buf_cstr(&b),
		"00:00:01.000 ns.name             - -                "
		"uts    4026532285            op=remove name=h "
		"path=/tmp/h\n");
	buf_free(&b);
	nscache_free(&c);
}

static void test_container_field(void **state)
{
	struct container ct = {};
	struct record r = {};
	struct buf b = {};
	struct field *f;

	strcpy(ct.runtime, "docker");
	strcpy(ct.id, "0123456789abcdef0123");
	f = record_add(&r, "ns_container", FIELD_CONTAINER, COL_NONE);
	f->ctr = &ct;
	render_json(&b, &r);
	assert_string_equal(
		buf_cstr(&b),
		"{\"ns_container\":{\"runtime\":\"docker\",\"id\":\"0123456789abcdef0123\"}}\n");
	b.len = 0;
	render_text(&b, &r, false);
	assert_non_null(
		strstr(buf_cstr(&b), "ns_container=docker:0123456789ab\n"));
	strcpy(ct.pod, "a-b");
	b.len = 0;
	render_json(&b, &r);
	assert_non_null(strstr(buf_cstr(&b), ",\"pod\":\"a-b\"}}"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmap_put_get_del),
		cmocka_unit_test(test_nsfs_parse),
		cmocka_unit_test(test_nsfs_clean_path),
		cmocka_unit_test(test_nsfs_diff),
		cmocka_unit_test(test_cache_names),
		cmocka_unit_test(test_cache_moves),
		cmocka_unit_test(test_cache_cookies),
		cmocka_unit_test(test_cache_exits),
		cmocka_unit_test(test_cache_pid_reused),
		cmocka_unit_test(test_cache_sweep),
		cmocka_unit_test(test_cache_sweep_timed),
		cmocka_unit_test(test_enrich_fields),
		cmocka_unit_test(test_enrich_keys),
		cmocka_unit_test(test_ns_name_record),
		cmocka_unit_test(test_container_field),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
