// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inventory/container.h"

/* Leaf prefixes of systemd-driven runtimes: "docker-<id>.scope", ... */
static const struct {
	const char *prefix;
	const char *runtime;
} scopes[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
};

static bool all_hex(const char *s, size_t n)
{
	if (n < 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static void set(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* A unit name's part as systemd escaped it: "\x2d" stands for '-'. */
static void unescape(char *dst, size_t size, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		int hi, lo;

		if (src[i] == '\\' && i + 3 < n && src[i + 1] == 'x' &&
		    (hi = hex_digit(src[i + 2])) >= 0 &&
		    (lo = hex_digit(src[i + 3])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
}

/* A container found: an inner one's name is not its machine's. */
static void found(struct container *c, const char *runtime, const char *id,
		  size_t n)
{
	set(c->runtime, sizeof(c->runtime), runtime, strlen(runtime));
	set(c->id, sizeof(c->id), id, n);
	c->name[0] = '\0';
}

/* Where "pod<uid>" starts in a component: at its start, or after a '-'. */
static const char *pod_part(const char *s, size_t n)
{
	const char *dash = NULL;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '-')
			dash = s + i;
	if (dash && n - (dash + 1 - s) > 3 && !memcmp(dash + 1, "pod", 3))
		return dash + 1;
	if (n > 3 && !memcmp(s, "pod", 3))
		return s;
	return NULL;
}

/* Whether a pod's parent component is kubepods or one of its QoS classes. */
static bool under_kubepods(const char *prev, size_t prev_n)
{
	static const char *const parents[] = { "kubepods", "besteffort",
					       "burstable" };

	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		size_t len = strlen(parents[i]);

		if (prev_n >= len && !memcmp(prev, parents[i], len))
			return true;
	}
	return false;
}

/* One path component (not NUL-terminated), with the one before it. */
static void component(struct container *c, const char *s, size_t n,
		      const char *prev, size_t prev_n)
{
	bool scope = n > 6 && !memcmp(s + n - 6, ".scope", 6);
	const char *pod;

	if (scope)
		n -= 6;
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t p = strlen(scopes[i].prefix);

		/* "crio-conmon-<id>" and "libpod-conmon-<id>" are monitors. */
		if (n > p && !memcmp(s, scopes[i].prefix, p) &&
		    all_hex(s + p, n - p)) {
			found(c, scopes[i].runtime, s + p, n - p);
			return;
		}
	}
	/* cgroupfs drivers: /docker/<id>, /libpod_parent/libpod-<id>, ... */
	if (all_hex(s, n) && prev_n == 6 && !memcmp(prev, "docker", 6)) {
		found(c, "docker", s, n);
		return;
	}
	if (n > 12 && !memcmp(s, "lxc.payload.", 12)) {
		found(c, "lxc", s + 12, n - 12);
		return;
	}
	if (prev_n == 3 && !memcmp(prev, "lxc", 3)) {
		found(c, "lxc", s, n);
		return;
	}
	if (scope && n > 8 && !memcmp(s, "machine-", 8) && prev_n == 13 &&
	    !memcmp(prev, "machine.slice", 13)) {
		/* machined's scope: "machine-NAME.scope", NAME escaped. */
		set(c->runtime, sizeof(c->runtime), "systemd-nspawn", 14);
		unescape(c->id, sizeof(c->id), s + 8, n - 8);
		set(c->name, sizeof(c->name), c->id, strlen(c->id));
		return;
	}
	/*
	 * Kubernetes: ".../kubepods-besteffort-pod<uid>.slice" (systemd's
	 * driver) or ".../kubepods/besteffort/pod<uid>" (cgroupfs'): the
	 * "pod" that starts the component or follows its last '-', not the
	 * one inside "kubepods".
	 */
	pod = pod_part(s, n);
	if (pod && n - (pod - s) > 3 + 8 &&
	    (!memcmp(s, "kubepods", 8) || under_kubepods(prev, prev_n))) {
		size_t len = n - (pod - s) - 3;

		if (len > 6 && !memcmp(pod + 3 + len - 6, ".slice", 6))
			len -= 6;
		set(c->pod, sizeof(c->pod), pod + 3, len);
		/* systemd writes the uid's dashes as underscores. */
		for (char *p = c->pod; *p; p++)
			if (*p == '_')
				*p = '-';
		return;
	}
	/* cgroupfs kubepods: .../pod<uid>/<container id> */
	if (all_hex(s, n) && c->pod[0] && !c->id[0]) {
		found(c, "kubernetes", s, n);
	}
}

bool container_from_cgroup(const char *text, struct container *c)
{
	memset(c, 0, sizeof(*c));
	/* Lines are "ID:CONTROLLERS:PATH"; every hierarchy may tell. */
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *path = memchr(
			line, ':', end ? (size_t)(end - line) : strlen(line));
		const char *prev = "", *s;
		size_t prev_n = 0;

		if (!end)
			end = line + strlen(line);
		if (path)
			path = memchr(path + 1, ':', end - path - 1);
		for (s = path ? path + 1 : end; s < end;) {
			size_t n;

			while (s < end && *s == '/')
				s++;
			n = strcspn(s, "/\n");
			if (s + n > end)
				n = end - s;
			if (n)
				component(c, s, n, prev, prev_n);
			prev = s;
			prev_n = n;
			s += n;
		}
		if (c->id[0])
			return true;
		line = *end ? end + 1 : NULL;
	}
	return c->id[0] || c->pod[0];
}

bool container_of_pid(uint32_t pid, struct container *c)
{
	char path[64], text[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return container_from_cgroup(text, c);
}
