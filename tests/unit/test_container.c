// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The container and pod a process is in, from /proc/PID/cgroup as the
 * runtimes and kubelet's two cgroup drivers write it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/container.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define CID "4a9c6f2e7b1d3c5e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e"

struct cgroup_case {
	const char *cgroup, *runtime, *id, *pod;
};

static const struct cgroup_case cases[] = {
	/* systemd's driver: QoS classes, and the Guaranteed pods without one. */
	{ "0::/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/"
	  "cri-containerd-" CID ".scope\n",
	  "containerd", CID, UID },
	{ "0::/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/"
	  "crio-" CID ".scope\n",
	  "cri-o", CID, UID },
	{ "0::/kubepods.slice/"
	  "kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/"
	  "cri-containerd-" CID ".scope\n",
	  "containerd", CID, UID },
	/* cgroupfs driver. */
	{ "0::/kubepods/besteffort/pod" UID "/" CID "\n", "kubernetes", CID,
	  UID },
	{ "0::/kubepods/burstable/pod" UID "/" CID "\n", "kubernetes", CID,
	  UID },
	{ "0::/kubepods/pod" UID "/" CID "\n", "kubernetes", CID, UID },
	/* Seen from a pod's own cgroup namespace. */
	{ "0::/../../kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/"
	  "cri-containerd-" CID ".scope\n",
	  "containerd", CID, UID },
	/* Not Kubernetes. */
	{ "0::/system.slice/docker-" CID ".scope\n", "docker", CID, "" },
	{ "0::/machine.slice/libpod-" CID ".scope/container\n", "podman", CID,
	  "" },
	{ "0::/docker/" CID "\n", "docker", CID, "" },
	{ "0::/lxc.payload.web1\n", "lxc", "web1", "" },
	/* machined's scope, cgroup v2 (nspawn's payload below it) and v1. */
	{ "0::/machine.slice/machine-web1.scope/payload\n", "systemd-nspawn",
	  "web1", "" },
	{ "1:name=systemd:/machine.slice/machine-web1.scope\n",
	  "systemd-nspawn", "web1", "" },
	/* A podman pod's slice under machine.slice is no machine. */
	{ "0::/machine.slice/machine-libpod_pod_" CID ".slice/libpod-" CID
	  ".scope/container\n",
	  "podman", CID, "" },
};

static void test_cgroup_paths(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct container c;

		assert_true(container_from_cgroup(cases[i].cgroup, &c));
		assert_string_equal(c.runtime, cases[i].runtime);
		assert_string_equal(c.id, cases[i].id);
		assert_string_equal(c.pod, cases[i].pod);
	}
}

static void test_nspawn_names(void **state)
{
	struct container c;

	/* systemd writes '-' and other bytes of a unit name as \xNN. */
	assert_true(container_from_cgroup(
		"0::/machine.slice/machine-my\\x2dbox\\x5fb\\x2D.scope/payload\n",
		&c));
	assert_string_equal(c.runtime, "systemd-nspawn");
	assert_string_equal(c.id, "my-box_b-");
	assert_string_equal(c.name, "my-box_b-");
	/* A cut escape stays as it was. */
	assert_true(container_from_cgroup(
		"0::/machine.slice/machine-a\\x2.scope\n", &c));
	assert_string_equal(c.id, "a\\x2");
	/* A container inside the machine is the inner one, not named so. */
	assert_true(container_from_cgroup(
		"0::/machine.slice/machine-web1.scope/payload/system.slice/"
		"docker-" CID ".scope\n",
		&c));
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.id, CID);
	assert_string_equal(c.name, "");
	/* Elsewhere than machine.slice, or not a scope: no machine. */
	assert_false(container_from_cgroup(
		"0::/system.slice/machine-web1.scope\n", &c));
	assert_false(container_from_cgroup(
		"0::/machine.slice/machine-web1.slice\n", &c));
	/* nspawn --register=no --keep-unit: only "payload" under ours. */
	assert_false(container_from_cgroup("0::/payload\n", &c));
}

static void test_no_container(void **state)
{
	static const char *const none[] = {
		"0::/user.slice/user-1000.slice/session-2.scope\n",
		"0::/system.slice/podman.service\n",
		/* A "pod" that is no pod's: a unit that merely has the word. */
		"0::/system.slice/podcast-sync.service\n",
		"0::/\n",
		"",
	};

	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		struct container c;

		assert_false(container_from_cgroup(none[i], &c));
		assert_string_equal(c.pod, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_paths),
		cmocka_unit_test(test_nspawn_names),
		cmocka_unit_test(test_no_container),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
