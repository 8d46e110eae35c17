// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A cgroup id, as an event carries it, to its container: the id is the
 * inode of the cgroup's directory, found by walking the hierarchy (here
 * a directory tree made by the test, as the runtimes make theirs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory/cgroups.h"
#include "inventory/runtime.h"

#define CID "4a9c6f2e7b1d3c5e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e"

static char top[64];

static uint64_t mkcg(const char *rel)
{
	char path[256], cmd[320];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static int setup(void **state)
{
	strcpy(top, "/tmp/nstcg.XXXXXX");
	assert_non_null(mkdtemp(top));
	/* No runtime's state: names stay empty. */
	runtime_set_root(top);
	cgroup_set_mount(top);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static void test_ids_to_containers(void **state)
{
	uint64_t docker = mkcg("system.slice/docker-" CID ".scope");
	uint64_t podman = mkcg("libpod_parent/libpod-" CID);
	uint64_t host = mkcg("system.slice/ssh.service");
	struct container c;

	assert_true(cgroup_container(docker, &c));
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.id, CID);
	assert_true(cgroup_container(podman, &c));
	assert_string_equal(c.runtime, "podman");
	assert_false(cgroup_container(host, &c));
	/* No cgroup told, and the root: the host's. */
	assert_false(cgroup_container(0, &c));
	assert_false(cgroup_container(1, &c));
}

/* A cgroup made after the last walk is found by the next one... */
static void test_new_cgroup_after_a_walk(void **state)
{
	uint64_t first = mkcg("system.slice/docker-" CID ".scope");
	uint64_t later;
	struct container c;

	assert_true(cgroup_container(first, &c));
	later = mkcg(
		"kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-" CID
		".scope");
	assert_true(cgroup_container(later, &c));
	assert_string_equal(c.runtime, "containerd");
	assert_string_equal(c.pod, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
}

/* ... and an answer, once found, outlives its cgroup: the runc case. */
static void test_answer_outlives_the_cgroup(void **state)
{
	uint64_t id = mkcg("machine.slice/libpod-" CID ".scope");
	char path[256];
	struct container c;

	assert_true(cgroup_container(id, &c));
	snprintf(path, sizeof(path), "%s/machine.slice/libpod-" CID ".scope",
		 top);
	assert_int_equal(rmdir(path), 0);
	assert_true(cgroup_container(id, &c));
	assert_string_equal(c.runtime, "podman");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_to_containers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_new_cgroup_after_a_walk,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_outlives_the_cgroup,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
