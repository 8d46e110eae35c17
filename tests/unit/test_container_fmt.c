// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A container record as the outputs write it (one renderer for the
 * stream, ls, where, identify, top and the snapshot), and which records
 * --container and --pod select.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/container_fmt.h"
#include "trace/select.h"

#define CID "4a9c6f2e7b1d3c5e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e"
#define UID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

static struct container ctr(const char *runtime, const char *id,
			    const char *name, const char *pod,
			    const char *pod_ns, const char *pod_name)
{
	struct container c = {};

	strcpy(c.runtime, runtime);
	strcpy(c.id, id);
	strcpy(c.name, name);
	strcpy(c.pod, pod);
	strcpy(c.pod_namespace, pod_ns);
	strcpy(c.pod_name, pod_name);
	return c;
}

static void assert_text(const struct container *c, const char *want)
{
	struct buf b = {};

	container_text(&b, c);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void assert_json(const struct container *c, const char *want)
{
	struct buf b = {};
	struct jw j;

	jw_init(&j, &b);
	container_json(&j, c);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_parts_known(void **state)
{
	struct container c = ctr("podman", CID, "web", "", "", "");

	assert_text(&c, "podman:4a9c6f2e7b1d/web");
	assert_json(&c, "{\"runtime\":\"podman\",\"id\":\"" CID
			"\",\"name\":\"web\"}");
	c = ctr("containerd", CID, "nginx", UID, "default", "nginx-7f9");
	assert_text(&c, "containerd:4a9c6f2e7b1d/nginx,pod:default/nginx-7f9");
	assert_json(&c, "{\"runtime\":\"containerd\",\"id\":\"" CID
			"\",\"name\":\"nginx\",\"pod\":\"" UID
			"\",\"pod_namespace\":\"default\","
			"\"pod_name\":\"nginx-7f9\"}");
	/* A pod known by its cgroup alone: the uid, as schema 1 had it. */
	c = ctr("", "", "", UID, "", "");
	assert_text(&c, "pod:" UID);
	assert_json(&c, "{\"pod\":\"" UID "\"}");
}

/* Names come from files anyone who runs a container can write. */
static void test_hostile_names(void **state)
{
	struct container c = ctr("docker", CID, "web\033[31m\"x y", "", "", "");

	assert_text(&c, "docker:4a9c6f2e7b1d/web\\x1b[31m\"x\\x20y");
	assert_json(&c, "{\"runtime\":\"docker\",\"id\":\"" CID
			"\",\"name\":\"web\\u001b[31m\\\"x y\"}");
}

static void test_select(void **state)
{
	struct container web = ctr("podman", CID, "web", "", "", "");
	struct container pod =
		ctr("containerd", CID, "app", UID, "prod", "api");
	struct select by_name = { .container = "web" };
	struct select by_id = { .container = "4a9c6f" };
	struct select by_pod = { .pod = "prod/api" };
	struct select other_ns = { .pod = "dev/api" };
	struct select prefix_of_name = { .container = "we" };

	assert_true(select_container(&by_name, &web));
	assert_true(select_container(&by_id, &web));
	assert_true(select_container(&by_id, &pod));
	assert_false(select_container(&by_name, &pod));
	/* A name is whole; an id's start is enough, as runtimes take it. */
	assert_false(select_container(&prefix_of_name, &web));
	assert_true(select_container(&by_pod, &pod));
	assert_false(select_container(&other_ns, &pod));
	assert_false(select_container(&by_pod, &web));
	assert_false(select_container(&by_name, NULL));
	assert_false(select_any(&(struct select){ 0 }));
	assert_true(select_any(&by_pod));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts_known),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
