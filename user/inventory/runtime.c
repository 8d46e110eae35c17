// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inventory/cgroups.h"
#include "inventory/runtime.h"
#include "lib/hmap.h"

#define RETRY_MS 2000
/* Past this many containers the memory starts over: a bound, not an LRU. */
#define CACHE_MAX 4096
/* A runtime's state file is kilobytes; anything larger is not one. */
#define FILE_MAX (4u << 20)

#define DOCKER_DIR "/var/lib/docker/containers"
#define PODMAN_DIR "/var/lib/containers/storage/overlay-containers"
#define CRIO_DIR "/run/containers/storage/overlay-containers"
#define CONTAINERD_DIR "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define PODS_DIR "/var/log/pods"

/* What the state of one container tells. */
struct state {
	struct container c;
	char netns[PATH_MAX];
	bool sandbox; /* a pod's pause container: it holds the pod's netns */
};

struct known {
	struct container c; /* the key's runtime, id and pod, and the names */
	bool named;
	uint64_t tried_ms;
};

struct owner {
	char path[PATH_MAX]; /* /var/run/ written as /run/ */
	struct state s;
};

static char root[PATH_MAX]; /* "" for "/": paths are root + "/var/..." */
static struct hmap known, owners;
static uint64_t scanned_ms;
static bool scanned;

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t (*now_ms)(void) = monotonic_ms;

void runtime_set_root(const char *dir)
{
	size_t n = strlen(dir);

	while (n && dir[n - 1] == '/')
		n--;
	if (n >= sizeof(root))
		n = sizeof(root) - 1;
	memcpy(root, dir, n);
	root[n] = '\0';
	hmap_free_values(&known);
	hmap_free_values(&owners);
	scanned = false;
	cgroup_set_root(root);
}

void runtime_set_clock(uint64_t (*fn)(void))
{
	now_ms = fn ? fn : monotonic_ms;
}

/* src cut to size: the bytes stay raw, escaping is the output's job. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src && n + 1 < size && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}

/* A name that can be a path component of the runtime's directories. */
static bool plain(const char *id)
{
	return id[0] && !strchr(id, '/') && strcmp(id, ".") && strcmp(id, "..");
}

/* JSON at root + the path, or NULL: not there, not a file, too big, bad. */
static json_t *load(const char *fmt, ...)
{
	char path[PATH_MAX * 2], *text;
	json_t *json = NULL;
	struct stat st;
	size_t len = 0;
	va_list ap;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s", root);
	va_start(ap, fmt);
	vsnprintf(path + n, sizeof(path) - n, fmt, ap);
	va_end(ap);
	/* O_NONBLOCK: a fifo put where the file should be does not hang. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		close(fd);
		return NULL;
	}
	text = malloc(st.st_size + 1);
	if (text) {
		ssize_t got;

		while (len <= (size_t)st.st_size &&
		       (got = read(fd, text + len, st.st_size + 1 - len)) > 0)
			len += got;
		/* Grown since fstat: half written, or not a state file. */
		if (len <= (size_t)st.st_size)
			json = json_loadb(text, len, 0, NULL);
		free(text);
	}
	close(fd);
	return json;
}

static const char *get(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* An OCI spec's network namespace path. */
static void spec_netns(const json_t *spec, struct state *s)
{
	const json_t *nss =
		json_object_get(json_object_get(spec, "linux"), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach(nss, i, ns)
	{
		const char *type = get(ns, "type");

		if (type && !strcmp(type, "network") && get(ns, "path")) {
			copy(s->netns, sizeof(s->netns), get(ns, "path"));
			return;
		}
	}
}

/* Where each runtime writes kubelet's names of a pod's container. */
struct kube_keys {
	const char *container, *pod, *ns, *uid, *type, *sandbox;
};

static const struct kube_keys cri_keys = {
	"io.kubernetes.cri.container-name",    "io.kubernetes.cri.sandbox-name",
	"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-uid",
	"io.kubernetes.cri.container-type",    "sandbox",
};
/* CRI-O's annotations; cri-dockerd's labels are the same but the type. */
static const struct kube_keys crio_keys = {
	"io.kubernetes.container.name",	     "io.kubernetes.pod.name",
	"io.kubernetes.pod.namespace",	     "io.kubernetes.pod.uid",
	"io.kubernetes.cri-o.ContainerType", "sandbox",
};
static const struct kube_keys dockerd_keys = {
	"io.kubernetes.container.name", "io.kubernetes.pod.name",
	"io.kubernetes.pod.namespace",	"io.kubernetes.pod.uid",
	"io.kubernetes.docker.type",	"podsandbox",
};

/* kubelet's names from an object of strings; false when it has none. */
static bool kube_names(const json_t *a, const struct kube_keys *k,
		       struct state *s)
{
	const char *type = get(a, k->type);
	struct container *c = &s->c;

	if (!get(a, k->pod))
		return false;
	copy(c->pod_name, sizeof(c->pod_name), get(a, k->pod));
	copy(c->pod_namespace, sizeof(c->pod_namespace), get(a, k->ns));
	if (!c->pod[0])
		copy(c->pod, sizeof(c->pod), get(a, k->uid));
	if (get(a, k->container))
		copy(c->name, sizeof(c->name), get(a, k->container));
	/* The pause container has no name of its own: it is the pod. */
	s->sandbox = type && !strcmp(type, k->sandbox);
	if (s->sandbox)
		copy(c->name, sizeof(c->name), c->pod_name);
	return true;
}

/*
 * kubelet's names as containerd's CRI plugin or CRI-O annotate a spec;
 * false when it is neither's (podman writes its specs where CRI-O does).
 */
static bool spec_pod(const json_t *spec, struct state *s)
{
	const json_t *a = json_object_get(spec, "annotations");
	const char *manager = get(a, "io.container.manager");

	if (manager && !strcmp(manager, "libpod"))
		return false;
	return kube_names(a, &cri_keys, s) || kube_names(a, &crio_keys, s);
}

static bool read_docker(const char *id, struct state *s)
{
	json_t *cfg = load(DOCKER_DIR "/%s/config.v2.json", id);
	const char *name;

	if (!cfg)
		return false;
	name = get(cfg, "Name");
	copy(s->c.name, sizeof(s->c.name),
	     name && name[0] == '/' ? name + 1 : name);
	copy(s->netns, sizeof(s->netns),
	     get(json_object_get(cfg, "NetworkSettings"), "SandboxKey"));
	/* kubelet's names, when cri-dockerd made it for a pod. */
	kube_names(json_object_get(json_object_get(cfg, "Config"), "Labels"),
		   &dockerd_keys, s);
	json_decref(cfg);
	return s->c.name[0];
}

/* An entry of podman's containers.json: its first name. */
static bool podman_entry(const json_t *e, struct state *s)
{
	const json_t *names = json_object_get(e, "names");

	copy(s->c.name, sizeof(s->c.name),
	     json_string_value(json_array_get(names, 0)));
	return s->c.name[0];
}

/* podman's name for id in containers.json (an array of objects). */
static bool podman_name(const json_t *list, const char *id, struct state *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *eid = get(e, "id");

		if (eid && !strcmp(eid, id))
			return podman_entry(e, s);
	}
	return false;
}

static void podman_netns(const char *id, struct state *s)
{
	json_t *spec = load(PODMAN_DIR "/%s/userdata/config.json", id);

	spec_netns(spec, s);
	json_decref(spec);
}

static bool read_podman(const char *id, struct state *s, bool netns)
{
	json_t *list = load(PODMAN_DIR "/containers.json");
	bool ok = podman_name(list, id, s);

	json_decref(list);
	if (ok && netns)
		podman_netns(id, s);
	return ok;
}

static bool read_spec(json_t *spec, struct state *s)
{
	bool ok = spec_pod(spec, s);

	if (ok)
		spec_netns(spec, s);
	json_decref(spec);
	return ok;
}

static bool read_containerd(const char *id, struct state *s)
{
	return read_spec(load(CONTAINERD_DIR "/%s/config.json", id), s);
}

static bool read_crio(const char *id, struct state *s)
{
	return read_spec(load(CRIO_DIR "/%s/userdata/config.json", id), s) ||
	       read_spec(load(PODMAN_DIR "/%s/userdata/config.json", id), s);
}

/* kubelet's log directory of a pod, "NAMESPACE_NAME_UID" (no '_' else). */
static bool read_pod_logs(struct container *c)
{
	char path[PATH_MAX + sizeof(PODS_DIR)];
	size_t uid_n = strlen(c->pod);
	struct dirent *d;
	bool ok = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s" PODS_DIR, root);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!ok && (d = readdir(dir))) {
		const char *ns_end = strchr(d->d_name, '_');
		size_t n = strlen(d->d_name);
		const char *name_end;

		if (!ns_end || n <= uid_n + 1 ||
		    strcmp(d->d_name + n - uid_n, c->pod))
			continue;
		name_end = d->d_name + n - uid_n - 1;
		if (*name_end != '_' || name_end <= ns_end + 1)
			continue;
		snprintf(c->pod_namespace, sizeof(c->pod_namespace), "%.*s",
			 (int)(ns_end - d->d_name), d->d_name);
		snprintf(c->pod_name, sizeof(c->pod_name), "%.*s",
			 (int)(name_end - ns_end - 1), ns_end + 1);
		ok = true;
	}
	closedir(dir);
	return ok;
}

/* c's names from the disk, its runtime's state first. */
static bool lookup(struct container *c)
{
	struct state s = { .c = *c };
	const char *rt = c->runtime;

	if (!strcmp(rt, "lxc") || !strcmp(rt, "systemd-nspawn")) {
		copy(c->name, sizeof(c->name), c->id);
		return c->name[0];
	}
	if (plain(c->id)) {
		if (!strcmp(rt, "docker"))
			read_docker(c->id, &s);
		else if (!strcmp(rt, "podman"))
			read_podman(c->id, &s, false);
		else if (!strcmp(rt, "containerd"))
			read_containerd(c->id, &s);
		else if (!strcmp(rt, "cri-o"))
			read_crio(c->id, &s);
		/* kubelet's cgroupfs driver does not tell the runtime. */
		else if ((!strcmp(rt, "kubernetes") || !rt[0]) &&
			 !read_containerd(c->id, &s))
			read_crio(c->id, &s);
	}
	*c = s.c;
	if (c->pod[0] && !c->pod_name[0])
		read_pod_logs(c);
	return c->name[0] || c->pod_name[0];
}

static uint64_t hash(const char *a, const char *b, const char *c)
{
	const char *parts[] = { a, b, c };
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < 3; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull; /* no byte of a C string */
	}
	return h;
}

static bool same(const struct container *a, const struct container *b)
{
	return !strcmp(a->runtime, b->runtime) && !strcmp(a->id, b->id) &&
	       !strcmp(a->pod, b->pod);
}

static void names_to(struct container *c, const struct container *from)
{
	copy(c->name, sizeof(c->name), from->name);
	copy(c->pod_namespace, sizeof(c->pod_namespace), from->pod_namespace);
	copy(c->pod_name, sizeof(c->pod_name), from->pod_name);
	if (!c->pod[0])
		copy(c->pod, sizeof(c->pod), from->pod);
}

bool runtime_fill(struct container *c)
{
	uint64_t key = hash(c->runtime, c->id, c->pod), now = now_ms();
	struct known *k = hmap_get(&known, key);
	struct container found;

	if (!c->id[0] && !c->pod[0])
		return false;
	if (k && same(&k->c, c)) {
		if (k->named) {
			names_to(c, &k->c);
			return true;
		}
		if (now - k->tried_ms < RETRY_MS)
			return false;
	} else if (!k) {
		if (known.n >= CACHE_MAX)
			hmap_free_values(&known);
		k = calloc(1, sizeof(*k));
		if (!k)
			return false;
		hmap_put(&known, key, k);
	}
	/* A new entry, one retried, or another key's that collides. */
	found = *c;
	found.name[0] = found.pod_namespace[0] = found.pod_name[0] = '\0';
	k->named = lookup(&found);
	k->tried_ms = now;
	k->c = *c;
	names_to(&k->c, &found);
	if (k->named)
		names_to(c, &found);
	return k->named;
}

bool runtime_container_of_pid(uint32_t pid, struct container *c)
{
	if (!container_of_pid(pid, c))
		return false;
	runtime_fill(c);
	return true;
}

/* "/var/run/X" is "/run/X": /var/run is a link to /run. */
static const char *unvar(const char *path)
{
	return strncmp(path, "/var/run/", 9) ? path : path + 4;
}

static void own(const struct state *s)
{
	const char *path = unvar(s->netns);
	uint64_t key = hash(path, "", "");
	struct owner *o;

	if (!path[0] || owners.n >= CACHE_MAX)
		return;
	o = hmap_get(&owners, key);
	/* A pod's containers may name its netns too: the pod owns it. */
	if (o && (!s->sandbox || strcmp(o->path, path)))
		return;
	if (!o) {
		o = malloc(sizeof(*o));
		if (!o)
			return;
		hmap_put(&owners, key, o);
	}
	copy(o->path, sizeof(o->path), path);
	o->s = *s;
}

/* Each entry of a runtime's container directory, as read(id) sees it. */
static void scan_dir(const char *dir_path,
		     bool (*read)(const char *id, struct state *s))
{
	char path[PATH_MAX * 2];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s", root, dir_path);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		struct state s = { 0 };

		if (plain(d->d_name) && d->d_name[0] != '.' &&
		    read(d->d_name, &s))
			own(&s);
	}
	closedir(dir);
}

static void scan_podman(void)
{
	json_t *list = load(PODMAN_DIR "/containers.json");
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *id = get(e, "id");
		struct state s = { 0 };

		if (id && plain(id) && podman_entry(e, &s)) {
			copy(s.c.runtime, sizeof(s.c.runtime), "podman");
			copy(s.c.id, sizeof(s.c.id), id);
			podman_netns(id, &s);
			own(&s);
		}
	}
	json_decref(list);
}

static bool docker_state(const char *id, struct state *s)
{
	copy(s->c.runtime, sizeof(s->c.runtime), "docker");
	copy(s->c.id, sizeof(s->c.id), id);
	return read_docker(id, s);
}

static bool containerd_state(const char *id, struct state *s)
{
	copy(s->c.runtime, sizeof(s->c.runtime), "containerd");
	copy(s->c.id, sizeof(s->c.id), id);
	return read_containerd(id, s);
}

static bool crio_state(const char *id, struct state *s)
{
	copy(s->c.runtime, sizeof(s->c.runtime), "cri-o");
	copy(s->c.id, sizeof(s->c.id), id);
	return read_crio(id, s);
}

static void scan(void)
{
	hmap_free_values(&owners);
	scan_dir(DOCKER_DIR, docker_state);
	scan_dir(CONTAINERD_DIR, containerd_state);
	scan_dir(CRIO_DIR, crio_state);
	scan_podman();
	scanned = true;
	scanned_ms = now_ms();
}

static bool owner_of(const char *path, struct container *c)
{
	const struct owner *o = hmap_get(&owners, hash(path, "", ""));

	if (!o || strcmp(o->path, path))
		return false;
	*c = o->s.c;
	return true;
}

bool runtime_netns_owner(const char *netns_path, struct container *c)
{
	const char *path = unvar(netns_path);

	if (!path[0])
		return false;
	if (owner_of(path, c))
		return true;
	if (scanned && now_ms() - scanned_ms < RETRY_MS)
		return false;
	scan();
	return owner_of(path, c);
}
