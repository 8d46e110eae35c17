// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tracefs is needed only where a syscall tracepoint (tp/) is loaded: the
 * task_newtask and cleanup_net tracepoints are tp_btf/ and raw_tp/, which
 * attach without it, and hooks on kernel functions replace the syscall
 * tracepoints group by group. The kernels nstrace is tested on allow
 * either no fentry at all or fentry everywhere, so each mix of hooked
 * groups and wanted events is checked here, on the function both nstrace
 * and nstrace doctor decide by.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "nstrace.h"
#include "loader/backend.h"

#define EV(k) NST_EV_BIT(NST_EV_##k)
#define HOOKED(g) (1u << BACKEND_GROUP_##g)
#define ALL_HOOKED \
	(HOOKED(MOVE) | HOOKED(LIFE) | HOOKED(SWITCH) | HOOKED(DESTROY))

static void test_tracepoints_only_need_tracefs(void **state)
{
	assert_true(backend_syscall_tps(NST_EV_ALL, 0));
	assert_true(backend_syscall_tps(EV(NS_CREATE), 0)); /* unshare */
	assert_true(backend_syscall_tps(EV(NS_SETNS), 0));
	assert_true(backend_syscall_tps(EV(NETDEV_MOVE), 0)); /* sendmsg */
	assert_true(backend_syscall_tps(EV(NETDEV_CREATE), 0));
	assert_true(backend_syscall_tps(EV(NETDEV_DELETE), 0));
}

#define ALL_BUT_NAME (NST_EV_ALL & ~EV(NS_NAME))

static void test_every_group_hooked_needs_no_tracefs(void **state)
{
	assert_false(backend_syscall_tps(ALL_BUT_NAME, ALL_HOOKED));
	assert_false(backend_syscall_tps(
		ALL_BUT_NAME, HOOKED(MOVE) | HOOKED(LIFE) | HOOKED(SWITCH)));
}

/* ns.name comes from the mount syscalls, whatever else is hooked. */
static void test_names_need_tracefs(void **state)
{
	assert_true(backend_syscall_tps(EV(NS_NAME), 0));
	assert_true(backend_syscall_tps(EV(NS_NAME), ALL_HOOKED));
	assert_true(backend_syscall_tps(NST_EV_ALL, ALL_HOOKED));
}

static void test_btf_and_raw_tracepoints_need_no_tracefs(void **state)
{
	/* cleanup_net's workqueue tracepoints: tp_btf/ and raw_tp/. */
	assert_false(backend_syscall_tps(EV(NS_DESTROY), 0));
	/* clone and clone3 come from tp_btf/task_newtask. */
	assert_false(backend_syscall_tps(EV(NS_CREATE), HOOKED(SWITCH)));
	assert_false(backend_syscall_tps(
		EV(NS_CREATE) | EV(NS_SETNS) | EV(NS_DESTROY), HOOKED(SWITCH)));
}

static void test_a_group_left_unhooked_needs_tracefs(void **state)
{
	/* unshare and setns still by syscall tracepoints. */
	assert_true(
		backend_syscall_tps(NST_EV_ALL, HOOKED(MOVE) | HOOKED(LIFE)));
	assert_true(backend_syscall_tps(EV(NS_SETNS), HOOKED(MOVE)));
	/*
	 * The rtnetlink tracepoints go only when both device groups are
	 * hooked: they see the creations and the refused moves otherwise.
	 */
	assert_true(
		backend_syscall_tps(NST_EV_ALL, HOOKED(MOVE) | HOOKED(SWITCH)));
	assert_true(backend_syscall_tps(EV(NETDEV_MOVE), HOOKED(MOVE)));
	assert_true(backend_syscall_tps(EV(NETDEV_CREATE), HOOKED(LIFE)));
	assert_false(backend_syscall_tps(EV(NETDEV_MOVE) | EV(NETDEV_CREATE),
					 HOOKED(MOVE) | HOOKED(LIFE)));
}

static void test_unwanted_events_need_nothing(void **state)
{
	assert_false(backend_syscall_tps(0, 0));
	assert_false(backend_syscall_tps(0, ALL_HOOKED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracepoints_only_need_tracefs),
		cmocka_unit_test(test_names_need_tracefs),
		cmocka_unit_test(test_every_group_hooked_needs_no_tracefs),
		cmocka_unit_test(test_btf_and_raw_tracepoints_need_no_tracefs),
		cmocka_unit_test(test_a_group_left_unhooked_needs_tracefs),
		cmocka_unit_test(test_unwanted_events_need_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
