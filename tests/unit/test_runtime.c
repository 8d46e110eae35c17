// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Containers' names from their runtimes' files, each runtime's laid out
 * in a root of its own as the runtime writes it (podman's as podman 4.3
 * wrote it on a Debian 12 host), and what is kept between two asks.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory/runtime.h"

#define UID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define CID "4a9c6f2e7b1d3c5e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e"
#define SID "9b8a7c6d5e4f30211f2e3d4c5b6a798887a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2"
#define PODMAN_ID \
	"80d1f0a1f962111928aedcce9db3abd0e06f6d39a3755e36342d2318e2e121e0"
#define CONTAINERD "/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
#define OVERLAY "/var/lib/containers/storage/overlay-containers/"
#define CRIO "/run/containers/storage/overlay-containers/"

static char root[PATH_MAX];
static uint64_t clock_ms;

static uint64_t fake_now(void)
{
	return clock_ms;
}

/* The file rel under the root, with its directories. */
static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void rm_root(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/nst-runtime.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	clock_ms = 1000000;
	runtime_set_clock(fake_now);
	runtime_set_root(root);
	return 0;
}

static int teardown(void **state)
{
	rm_root();
	runtime_set_root("/");
	runtime_set_clock(NULL);
	return 0;
}

static struct container asked(const char *runtime, const char *id,
			      const char *pod)
{
	struct container c = { 0 };

	snprintf(c.runtime, sizeof(c.runtime), "%s", runtime);
	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.pod, sizeof(c.pod), "%s", pod);
	return c;
}

static void assert_names(const struct container *c, const char *name,
			 const char *pod_namespace, const char *pod_name,
			 const char *pod)
{
	assert_string_equal(c->name, name);
	assert_string_equal(c->pod_namespace, pod_namespace);
	assert_string_equal(c->pod_name, pod_name);
	assert_string_equal(c->pod, pod);
}

static void docker_fixture(const char *id, const char *name,
			   const char *sandbox_key)
{
	char rel[256], text[1024];

	snprintf(rel, sizeof(rel),
		 "/var/lib/docker/containers/%s/config.v2.json", id);
	snprintf(text, sizeof(text),
		 "{\"ID\":\"%s\",\"Name\":\"%s\",\"Config\":{\"Labels\":{}},"
		 "\"NetworkSettings\":{\"SandboxKey\":\"%s\"}}",
		 id, name, sandbox_key);
	put(rel, text);
}

/* The shape podman 4.3 wrote: containers.json, and the OCI spec. */
static void podman_fixture(void)
{
	put(OVERLAY "containers.json",
	    "[{\"id\":\"" PODMAN_ID "\",\"names\":[\"rt-probe-web\"],"
	    "\"image\":\"76453a262223a122a941714c713be0f32ddc4f1a038e8b346c151d0"
	    "8094d6074\",\"layer\":\"d2a55d2e2f59aca4c51c60fda3d1144a594a68f95"
	    "c5f2e83fa1c64db47d3610a\",\"metadata\":\"{\\\"image-name\\\":\\\""
	    "localhost/nstrace-busybox:latest\\\",\\\"name\\\":\\\"rt-probe-web"
	    "\\\",\\\"created-at\\\":1796198853}\",\"created\":\"2026-12-02T08:"
	    "07:33.78989764Z\",\"flags\":{\"MountLabel\":\"\",\"ProcessLabel\""
	    ":\"\"}}]");
	put(OVERLAY PODMAN_ID "/userdata/config.json",
	    "{\"ociVersion\":\"1.0.2-dev\",\"hostname\":\"80d1f0a1f962\","
	    "\"annotations\":{\"io.container.manager\":\"libpod\","
	    "\"io.kubernetes.cri-o.Created\":\"2026-12-02T08:07:33.784322565Z\","
	    "\"io.kubernetes.cri-o.TTY\":\"false\"},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\","
	    "\"path\":\"/run/netns/netns-a1bfabbc-aaa9-daff-4a6d-deb9fc0ad3e2\"},"
	    "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}}");
}

/* containerd's CRI bundle; type "sandbox" or "container". */
static void containerd_fixture(const char *id, const char *type,
			       const char *name, const char *netns)
{
	char rel[256], text[2048];

	snprintf(rel, sizeof(rel), CONTAINERD "%s/config.json", id);
	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1.1.0\",\"annotations\":{"
		 "\"io.kubernetes.cri.container-type\":\"%s\","
		 "\"io.kubernetes.cri.container-name\":\"%s\","
		 "\"io.kubernetes.cri.sandbox-id\":\"" SID "\","
		 "\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9c-x2x\","
		 "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
		 "\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"},"
		 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
		 "{\"type\":\"network\",\"path\":\"%s\"}]}}",
		 type, name, netns);
	put(rel, text);
}

/* CRI-O's spec under dir (CRIO or OVERLAY); type "sandbox" or "container". */
static void crio_fixture(const char *dir, const char *id, const char *type,
			 const char *name, const char *netns)
{
	char rel[256], text[2048];

	snprintf(rel, sizeof(rel), "%s%s/userdata/config.json", dir, id);
	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
		 "\"io.kubernetes.cri-o.ContainerType\":\"%s\","
		 "\"io.kubernetes.container.name\":\"%s\","
		 "\"io.kubernetes.pod.name\":\"db-0\","
		 "\"io.kubernetes.pod.namespace\":\"data\","
		 "\"io.kubernetes.pod.uid\":\"" UID "\"},"
		 "\"linux\":{\"namespaces\":[{\"type\":\"network\","
		 "\"path\":\"%s\"}]}}",
		 type, name, netns);
	put(rel, text);
}

static void test_docker(void **state)
{
	struct container c = asked("docker", CID, "");

	docker_fixture(CID, "/web", "/var/run/docker/netns/abc123");
	assert_true(runtime_fill(&c));
	assert_names(&c, "web", "", "", "");
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.id, CID);
}

static void test_docker_pod(void **state)
{
	struct container c = asked("docker", CID, "");

	/* cri-dockerd labels a pod's containers with kubelet's names. */
	put("/var/lib/docker/containers/" CID "/config.v2.json",
	    "{\"Name\":\"/k8s_app_web_shop_" UID "_0\",\"Config\":{\"Labels\":{"
	    "\"io.kubernetes.container.name\":\"app\","
	    "\"io.kubernetes.pod.name\":\"web\","
	    "\"io.kubernetes.pod.namespace\":\"shop\","
	    "\"io.kubernetes.pod.uid\":\"" UID "\"}}}");
	assert_true(runtime_fill(&c));
	assert_names(&c, "app", "shop", "web", UID);
}

static void test_podman(void **state)
{
	struct container c = asked("podman", PODMAN_ID, "");

	podman_fixture();
	assert_true(runtime_fill(&c));
	assert_names(&c, "rt-probe-web", "", "", "");
	/* podman's spec is where CRI-O's may be: it is not a pod's. */
	c = asked("cri-o", PODMAN_ID, "");
	assert_false(runtime_fill(&c));
	assert_names(&c, "", "", "", "");
}

/* runtime_fill() of (runtime, id, pod) gives these names and pod uid. */
static void assert_fills(const char *runtime, const char *id, const char *pod,
			 const char *name, const char *pod_namespace,
			 const char *pod_name, const char *pod_after)
{
	struct container c = asked(runtime, id, pod);

	assert_true(runtime_fill(&c));
	assert_names(&c, name, pod_namespace, pod_name, pod_after);
}

static void test_containerd(void **state)
{
	containerd_fixture(CID, "container", "app", "/proc/4242/ns/net");
	containerd_fixture(SID, "sandbox", "POD", "/var/run/netns/cni-1234");
	assert_fills("containerd", CID, "", "app", "shop", "web-7d4b9c-x2x",
		     UID);
	/* The pause container is named as its pod. */
	assert_fills("containerd", SID, UID, "web-7d4b9c-x2x", "shop",
		     "web-7d4b9c-x2x", UID);
	/* kubelet's cgroupfs driver does not tell the runtime. */
	assert_fills("kubernetes", CID, UID, "app", "shop", "web-7d4b9c-x2x",
		     UID);
}

static void test_crio(void **state)
{
	crio_fixture(CRIO, CID, "container", "db", "/run/netns/cni-5678");
	crio_fixture(OVERLAY, SID, "sandbox", "POD", "/run/netns/cni-5678");
	assert_fills("cri-o", CID, UID, "db", "data", "db-0", UID);
	/* Under the graph root too, and a sandbox is its pod. */
	assert_fills("cri-o", SID, "", "db-0", "data", "db-0", UID);
	assert_fills("kubernetes", SID, UID, "db-0", "data", "db-0", UID);
}

static void test_pod_logs(void **state)
{
	struct container c = asked("kubernetes", CID, UID);

	put("/var/log/pods/shop_web-7d4b9c-x2x_" UID "/app/0.log", "");
	/* Other pods, and names that only look like a pod's. */
	put("/var/log/pods/shop_other_1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/a/0.log",
	    "");
	put("/var/log/pods/x" UID "/a/0.log", "");
	put("/var/log/pods/_" UID "/a/0.log", "");
	assert_true(runtime_fill(&c));
	assert_names(&c, "", "shop", "web-7d4b9c-x2x", UID);
	/* A pod known by its slice alone. */
	c = asked("", "", UID);
	assert_true(runtime_fill(&c));
	assert_names(&c, "", "shop", "web-7d4b9c-x2x", UID);
	c = asked("kubernetes", CID, "1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1");
	assert_false(runtime_fill(&c));
	assert_names(&c, "", "", "", "1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1");
}

static void test_named_by_id(void **state)
{
	struct container c = asked("lxc", "web1", "");

	assert_true(runtime_fill(&c));
	assert_names(&c, "web1", "", "", "");
	c = asked("systemd-nspawn", "my-box", "");
	assert_true(runtime_fill(&c));
	assert_names(&c, "my-box", "", "", "");
}

static void test_cache_hit(void **state)
{
	struct container c = asked("docker", CID, "");

	docker_fixture(CID, "/web", "");
	assert_true(runtime_fill(&c));
	rm_root();
	/* Kept: the file is gone and the answer stays, however late. */
	for (int i = 0; i < 3; i++) {
		c = asked("docker", CID, "");
		assert_true(runtime_fill(&c));
		assert_names(&c, "web", "", "", "");
		clock_ms += 5000;
	}
	/* Another id, the same runtime: not this one's answer. */
	c = asked("docker", SID, "");
	assert_false(runtime_fill(&c));
	assert_names(&c, "", "", "", "");
}

static void test_cache_retry(void **state)
{
	struct container c = asked("docker", CID, "");

	/* Seen before its runtime wrote its state. */
	assert_false(runtime_fill(&c));
	docker_fixture(CID, "/late", "");
	assert_false(runtime_fill(&c));
	clock_ms += 1999;
	assert_false(runtime_fill(&c));
	assert_string_equal(c.name, "");
	clock_ms += 1;
	assert_true(runtime_fill(&c));
	assert_names(&c, "late", "", "", "");
}

static void test_cache_bound(void **state)
{
	struct container c;
	char id[72];

	docker_fixture(CID, "/web", "");
	c = asked("docker", CID, "");
	assert_true(runtime_fill(&c));
	/* Past the bound the memory starts over, and reads again. */
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "%064x", i);
		c = asked("docker", id, "");
		assert_false(runtime_fill(&c));
	}
	docker_fixture(CID, "/renamed", "");
	c = asked("docker", CID, "");
	assert_true(runtime_fill(&c));
	assert_names(&c, "renamed", "", "", "");
}

static void test_netns_docker(void **state)
{
	struct container c;

	docker_fixture(CID, "/web", "/var/run/docker/netns/abc123");
	docker_fixture(SID, "/joined", ""); /* --net container:web */
	assert_true(runtime_netns_owner("/run/docker/netns/abc123", &c));
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.id, CID);
	assert_names(&c, "web", "", "", "");
	memset(&c, 0, sizeof(c));
	assert_true(runtime_netns_owner("/var/run/docker/netns/abc123", &c));
	assert_string_equal(c.id, CID);
	assert_false(runtime_netns_owner("/run/docker/netns/abc12", &c));
	assert_false(runtime_netns_owner("", &c));
}

static void test_netns_podman(void **state)
{
	struct container c;

	podman_fixture();
	assert_true(runtime_netns_owner(
		"/run/netns/netns-a1bfabbc-aaa9-daff-4a6d-deb9fc0ad3e2", &c));
	assert_string_equal(c.runtime, "podman");
	assert_string_equal(c.id, PODMAN_ID);
	assert_names(&c, "rt-probe-web", "", "", "");
}

static void test_netns_cri(void **state)
{
	struct container c;

	/* containerd: the sandbox names the netns, its containers /proc. */
	containerd_fixture(CID, "container", "app", "/proc/4242/ns/net");
	containerd_fixture(SID, "sandbox", "POD", "/var/run/netns/cni-1234");
	assert_true(runtime_netns_owner("/run/netns/cni-1234", &c));
	assert_string_equal(c.runtime, "containerd");
	assert_string_equal(c.id, SID);
	assert_names(&c, "web-7d4b9c-x2x", "shop", "web-7d4b9c-x2x", UID);
	/* CRI-O: every container names it; the pod owns it. */
	crio_fixture(CRIO, CID, "container", "db", "/run/netns/cni-5678");
	crio_fixture(CRIO, SID, "sandbox", "POD", "/run/netns/cni-5678");
	crio_fixture(CRIO, "0" CID, "container", "log", "/run/netns/cni-5678");
	clock_ms += 2000;
	assert_true(runtime_netns_owner("/var/run/netns/cni-5678", &c));
	assert_string_equal(c.runtime, "cri-o");
	assert_string_equal(c.id, SID);
	assert_names(&c, "db-0", "data", "db-0", UID);
}

static void test_netns_rescan(void **state)
{
	struct container c;

	assert_false(runtime_netns_owner("/run/docker/netns/abc123", &c));
	docker_fixture(CID, "/web", "/var/run/docker/netns/abc123");
	/* Within 2 s of the last read nothing is read again. */
	clock_ms += 1999;
	assert_false(runtime_netns_owner("/run/docker/netns/abc123", &c));
	clock_ms += 1;
	assert_true(runtime_netns_owner("/run/docker/netns/abc123", &c));
	assert_string_equal(c.name, "web");
	/* Known paths are answered from memory. */
	rm_root();
	assert_true(runtime_netns_owner("/run/docker/netns/abc123", &c));
	assert_string_equal(c.name, "web");
}

static void test_hostile_names(void **state)
{
	struct container c = asked("docker", CID, "");
	char long_name[400];

	/* Control bytes and quotes stay as they are: escaping is output's. */
	put("/var/lib/docker/containers/" CID "/config.v2.json",
	    "{\"Name\":\"/we\\u0001b\\\"q\\u001b[31m\\\\\"}");
	assert_true(runtime_fill(&c));
	assert_string_equal(c.name, "we\001b\"q\033[31m\\");
	/* Too long: cut to the field. */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	docker_fixture(SID, long_name, "");
	c = asked("docker", SID, "");
	assert_true(runtime_fill(&c));
	assert_int_equal(strlen(c.name), sizeof(c.name) - 1);
	/* An id that would climb out of the runtime's directory. */
	put("/var/lib/docker/config.v2.json", "{\"Name\":\"/escaped\"}");
	c = asked("docker", "..", "");
	assert_false(runtime_fill(&c));
	c = asked("lxc", "", "");
	assert_false(runtime_fill(&c));
}

static void test_bad_files(void **state)
{
	struct container c = asked("docker", CID, "");
	char path[PATH_MAX * 2];
	int fd;

	put("/var/lib/docker/containers/" CID "/config.v2.json", "{\"Name\":");
	assert_false(runtime_fill(&c));
	/* Larger than any state file: not read. */
	c = asked("docker", SID, "");
	put("/var/lib/docker/containers/" SID "/config.v2.json", "");
	snprintf(path, sizeof(path),
		 "%s/var/lib/docker/containers/" SID "/config.v2.json", root);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "{\"Name\":\"/big\"}", 15, 0), 15);
	assert_int_equal(ftruncate(fd, (5 << 20)), 0);
	close(fd);
	assert_false(runtime_fill(&c));
	/* A fifo where the file should be does not hang. */
	c = asked("docker", "f" CID, "");
	put("/var/lib/docker/containers/f" CID "/x", "");
	snprintf(path, sizeof(path),
		 "%s/var/lib/docker/containers/f" CID "/config.v2.json", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_false(runtime_fill(&c));
	/* JSON of the wrong shapes. */
	put(OVERLAY "containers.json", "{\"id\":\"" PODMAN_ID "\"}");
	c = asked("podman", PODMAN_ID, "");
	assert_false(runtime_fill(&c));
	put(OVERLAY "containers.json",
	    "[1,null,{\"id\":7},{\"id\":\"" PODMAN_ID "\",\"names\":\"web\"}]");
	clock_ms += 2000;
	assert_false(runtime_fill(&c));
	put(CONTAINERD CID "/config.json",
	    "{\"annotations\":[],\"linux\":{\"namespaces\":{}}}");
	c = asked("containerd", CID, "");
	assert_false(runtime_fill(&c));
	put(CONTAINERD SID "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":3},"
	    "\"linux\":{\"namespaces\":[7,{\"type\":\"network\",\"path\":1}]}}");
	assert_false(runtime_netns_owner("/run/netns/cni-1234", &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_pod, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_podman, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containerd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_by_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cache_hit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cache_retry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cache_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_netns_docker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_netns_podman, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_netns_cri, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_netns_rescan, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
