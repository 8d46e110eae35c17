// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "loader/preflight.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int caps_check(const char **missing)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d)) {
		*missing = "a readable capability set";
		return -1;
	}
	/* Kernels before CAP_BPF and CAP_PERFMON want CAP_SYS_ADMIN. */
	if (has_cap(d, CAP_SYS_ADMIN) ||
	    (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON)))
		return 0;
	if (!has_cap(d, CAP_BPF) && !has_cap(d, CAP_PERFMON))
		*missing = "CAP_BPF and CAP_PERFMON";
	else if (!has_cap(d, CAP_BPF))
		*missing = "CAP_BPF";
	else
		*missing = "CAP_PERFMON";
	return -1;
}

int preflight_caps(void)
{
	const char *missing;

	if (!caps_check(&missing))
		return 0;
	fprintf(stderr,
		"nstrace: loading BPF programs needs %s (or CAP_SYS_ADMIN): run as root\n",
		missing);
	return -1;
}

int preflight_btf(const char *btf_path)
{
	if (btf_path) {
		if (access(btf_path, R_OK)) {
			fprintf(stderr,
				"nstrace: cannot read BTF file %s: %s\n",
				btf_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr,
			"nstrace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s); "
			"pass --btf FILE with BTF for this kernel\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

int preflight_pid(uint32_t pid)
{
	if (!pid || !kill((pid_t)pid, 0) || errno == EPERM)
		return 0;
	fprintf(stderr, "nstrace: no process with pid %u\n", pid);
	return -1;
}

/* Where libbpf looks for a syscall tracepoint's id: tracefs, or debugfs's. */
static const char *const setns_ids[] = {
	"/sys/kernel/tracing/events/syscalls/sys_enter_setns/id",
	"/sys/kernel/debug/tracing/events/syscalls/sys_enter_setns/id",
};

static bool syscall_tps_listed(void)
{
	for (size_t i = 0; i < sizeof(setns_ids) / sizeof(setns_ids[0]); i++)
		if (!access(setns_ids[i], R_OK))
			return true;
	return false;
}

int tracefs_check(const char **why)
{
	if (syscall_tps_listed())
		return 0;
	if (!access("/sys/kernel/tracing/events", F_OK)) {
		*why = "this kernel has no syscall tracepoints";
		return -1;
	}
	*why = "not mounted: nstrace mounts it on /sys/kernel/tracing";
	return 1;
}

/*
 * libbpf finds a tracepoint's id in tracefs, which some systems do not
 * mount at boot. Mount it where the kernel expects it, as perf does.
 */
int preflight_tracefs(void)
{
	if (syscall_tps_listed())
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    errno != EBUSY) {
		fprintf(stderr,
			"nstrace: tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s\n",
			strerror(errno));
		return -1;
	}
	if (access(setns_ids[0], R_OK)) {
		fprintf(stderr,
			"nstrace: this kernel has no syscall tracepoints (%s: %s)\n",
			setns_ids[0], strerror(errno));
		return -1;
	}
	return 0;
}
