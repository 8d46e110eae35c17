// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns.name comes from two sources that see the same names: the mount
 * syscalls' events (with the process) and the mount table (without),
 * which changes, and wakes nstrace, before the syscall returns. Each
 * name must be told once, by the syscall when it tells it at all; each
 * order the two can arrive in is played here, with a mount table in a
 * memfd read as /proc/self/mountinfo is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "trace/live_names.h"

#define OWN_MNT 4026531841u
#define OTHER_MNT 4026532400u
#define NS_A 4026532283u
#define NS_B 4026532284u

#define MI_ROOT "21 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
#define MI_BLUE \
	"47 21 0:4 net:[4026532283] /run/netns/blue rw shared:2 - nsfs nsfs rw\n"
#define MI_RED \
	"48 21 0:4 net:[4026532284] /run/netns/red rw shared:3 - nsfs nsfs rw\n"
#define MI_REL "49 21 0:4 net:[4026532283] /tmp/d/rel rw - nsfs nsfs rw\n"

struct told {
	bool added;
	uint32_t inum;
	char path[64];
};

static struct told told[8];
static int ntold;

static void on_name(void *ctx, bool added, const struct nsfs_name *n)
{
	assert_true(ntold < 8);
	told[ntold].added = added;
	told[ntold].inum = n->inum;
	snprintf(told[ntold].path, sizeof(told[ntold].path), "%s", n->path);
	ntold++;
}

static void set_table(struct live_names *n, const char *text)
{
	assert_int_equal(ftruncate(n->fd, 0), 0);
	assert_int_equal(pwrite(n->fd, text, strlen(text), 0),
			 (ssize_t)strlen(text));
}

/* A live_names as live_names_open() leaves it, without the inventory. */
static void open_names(struct live_names *n, const char *table)
{
	memset(n, 0, sizeof(*n));
	nscache_init(&n->cache);
	n->fd = memfd_create("mountinfo", 0);
	assert_true(n->fd >= 0);
	n->own_mnt_ns = OWN_MNT;
	set_table(n, table);
	assert_int_equal(nsfs_set_read(&n->mounts, n->fd), 0);
	ntold = 0;
}

/* The table changed to text; poll() said so. */
static void table_now(struct live_names *n, const char *text)
{
	set_table(n, text);
	assert_int_equal(live_names_update(n), 0);
	live_names_release(n, false, on_name, NULL);
}

/* 1 when the syscall's event is to be told, with *out and its path. */
static int syscall_event(struct live_names *n, uint32_t op, uint32_t mnt_ns,
			 uint32_t inum, const char *path, struct nsfs_name *out)
{
	static char buf[4096];
	struct nst_event e = { .kind = NST_EV_NS_NAME };

	e.task.pid = 999999999; /* no such process: no cwd */
	e.name.op = op;
	e.name.ns_type = NST_NS_NET;
	e.name.ns = inum;
	e.name.mnt_ns = mnt_ns;
	snprintf(e.name.path, sizeof(e.name.path), "%s", path);
	return live_names_event(n, &e, out, buf, sizeof(buf));
}

static struct nsfs_name out;

static int mounted(struct live_names *n, uint32_t mnt_ns, uint32_t inum,
		   const char *path)
{
	return syscall_event(n, NST_NAME_ADD, mnt_ns, inum, path, &out);
}

static int unmounted(struct live_names *n, uint32_t mnt_ns, const char *path)
{
	return syscall_event(n, NST_NAME_REMOVE, mnt_ns, 0, path, &out);
}

/* On the way out: the mount table told want names in all. */
static void close_names(struct live_names *n, int want)
{
	live_names_release(n, true, on_name, NULL);
	assert_int_equal(ntold, want);
	live_names_close(n);
}

static void test_syscalls_first(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT);
	assert_int_equal(mounted(&n, OWN_MNT, NS_A, "/run/netns/blue"), 1);
	assert_int_equal(out.inum, NS_A);
	assert_string_equal(out.name, "blue");
	table_now(&n, MI_ROOT MI_BLUE);
	assert_int_equal(unmounted(&n, OWN_MNT, "/run/netns/blue"), 1);
	assert_int_equal(out.inum, NS_A);
	assert_int_equal(out.type, NST_NS_NET);
	table_now(&n, MI_ROOT);
	close_names(&n, 0);
}

/* The table is read between the change and the syscall's return. */
static void test_table_first(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT);
	table_now(&n, MI_ROOT MI_BLUE);
	assert_int_equal(mounted(&n, OWN_MNT, NS_A, "/run/netns/blue"), 1);
	table_now(&n, MI_ROOT);
	assert_int_equal(unmounted(&n, OWN_MNT, "/run/netns/blue"), 1);
	assert_int_equal(out.inum, NS_A);
	close_names(&n, 0);
}

/* The table saw the mount; both syscalls are read before its grace ends. */
static void test_both_in_the_grace(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT);
	table_now(&n, MI_ROOT MI_BLUE);
	assert_int_equal(mounted(&n, OWN_MNT, NS_A, "/run/netns/blue"), 1);
	assert_int_equal(unmounted(&n, OWN_MNT, "/run/netns/blue"), 1);
	live_names_release(&n, true, on_name, NULL);
	table_now(&n, MI_ROOT);
	close_names(&n, 0);
}

/* Mounted before the start, or by a mount nstrace does not hook. */
static void test_table_alone(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT MI_BLUE);
	assert_int_equal(live_names_wait_ms(&n, 100), 100);
	table_now(&n, MI_ROOT MI_BLUE MI_RED);
	assert_int_equal(ntold, 0); /* in its grace */
	assert_in_range(live_names_wait_ms(&n, 100), 1,
			LIVE_NAMES_GRACE_NS / 1000000);
	usleep(LIVE_NAMES_GRACE_NS / 1000);
	assert_int_equal(live_names_wait_ms(&n, 100), 0);
	live_names_release(&n, true, on_name, NULL);
	assert_int_equal(ntold, 1);
	assert_true(told[0].added);
	assert_int_equal(told[0].inum, NS_B);
	assert_string_equal(told[0].path, "/run/netns/red");
	/* Its umount is the syscall's, with the inode the table gave. */
	table_now(&n, MI_ROOT MI_BLUE);
	assert_int_equal(unmounted(&n, OWN_MNT, "/run/netns/red"), 1);
	assert_int_equal(out.inum, NS_B);
	assert_int_equal(unmounted(&n, OWN_MNT, "/run/netns/blue"), 1);
	assert_int_equal(out.inum, NS_A);
	table_now(&n, MI_ROOT);
	/* An umount of a path that had no name. */
	assert_int_equal(unmounted(&n, OWN_MNT, "/mnt"), 0);
	close_names(&n, 1);
}

static void test_other_mount_namespace(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT);
	assert_int_equal(mounted(&n, OTHER_MNT, NS_A, "/tmp/x"), 1);
	/* The same path in our own: not that name. */
	assert_int_equal(unmounted(&n, OWN_MNT, "/tmp/x"), 0);
	assert_int_equal(unmounted(&n, OTHER_MNT, "/tmp/x"), 1);
	assert_int_equal(out.inum, NS_A);
	/* Its mount namespace died: no umount, the name goes with NS_A. */
	assert_int_equal(mounted(&n, OTHER_MNT, NS_A, "/tmp/y"), 1);
	live_names_forget(&n, NST_NS_NET, NS_A);
	assert_int_equal(unmounted(&n, OTHER_MNT, "/tmp/y"), 0);
	close_names(&n, 0);
}

/* A relative target whose cwd is not known matches by its last name. */
static void test_relative(void **state)
{
	struct live_names n;

	open_names(&n, MI_ROOT);
	assert_int_equal(mounted(&n, OWN_MNT, NS_A, "rel"), 1);
	assert_string_equal(out.path, "rel");
	assert_string_equal(out.name, "rel");
	table_now(&n, MI_ROOT MI_REL);
	assert_int_equal(unmounted(&n, OWN_MNT, "rel"), 1);
	table_now(&n, MI_ROOT);
	close_names(&n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscalls_first),
		cmocka_unit_test(test_table_first),
		cmocka_unit_test(test_both_in_the_grace),
		cmocka_unit_test(test_table_alone),
		cmocka_unit_test(test_other_mount_namespace),
		cmocka_unit_test(test_relative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
