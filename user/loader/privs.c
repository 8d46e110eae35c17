// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "loader/privs.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* Above any capability a kernel has: PR_CAPBSET_DROP says EINVAL there. */
#define CAP_PROBE_MAX 64

struct caps {
	struct __user_cap_data_struct d[2];
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	memset(c, 0, sizeof(*c));
	return syscall(SYS_capget, &h, c->d);
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &h, c->d);
}

static bool cap_in(const struct caps *c, int cap, bool effective)
{
	uint32_t set = effective ? c->d[cap / 32].effective :
				   c->d[cap / 32].permitted;

	return set & (1u << (cap % 32));
}

static uint64_t cap_bit(int cap)
{
	return 1ULL << cap;
}

/* Exactly these capabilities, permitted and effective. */
static int caps_keep(uint64_t permitted, uint64_t effective)
{
	struct caps c = {};

	for (int i = 0; i < 2; i++) {
		c.d[i].permitted = (uint32_t)(permitted >> (32 * i));
		c.d[i].effective = (uint32_t)(effective >> (32 * i));
	}
	return caps_set(&c);
}

/*
 * The bounding set limits what an execve could ever give back. Dropping
 * from it needs CAP_SETPCAP, which a root nstrace has and one run with
 * only CAP_BPF and CAP_PERFMON has not: that one has nothing to lose.
 */
static int drop_bounding(const struct caps *start)
{
	if (!cap_in(start, CAP_SETPCAP, true))
		return 0;
	for (int cap = 0; cap < CAP_PROBE_MAX; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break; /* past the last capability this kernel knows */
		return -1;
	}
	return 0;
}

int privs_drop(int probe_map_fd, uint64_t keep_caps)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t key = 0;
	uint64_t held_caps = 0, bpf_bit;
	struct caps start;
	bool held, need;
	uint64_t *vals;
	int keep;

	if (caps_get(&start))
		goto fail;
	for (int cap = 0; cap < CAP_PROBE_MAX; cap++)
		if ((keep_caps & cap_bit(cap)) && cap_in(&start, cap, false))
			held_caps |= cap_bit(cap);
	/* A view that keeps capabilities keeps the bounding set that allows them. */
	if (!keep_caps && drop_bounding(&start))
		goto fail;
	/* Kernels before CAP_BPF (5.8) gate bpf() on CAP_SYS_ADMIN. */
	keep = cap_in(&start, CAP_BPF, false) ? CAP_BPF : CAP_SYS_ADMIN;
	held = cap_in(&start, keep, false);
	/* Ambient capabilities would survive an execve: none of those. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		goto fail;
	bpf_bit = held ? cap_bit(keep) : 0;
	/* Keep it permitted for one moment, to see if reads need it. */
	if (caps_keep(held_caps | bpf_bit, held_caps))
		goto fail;
	/* A per-CPU map's value has one slot per possible CPU. */
	vals = calloc(ncpus > 0 ? ncpus : 4096, sizeof(*vals));
	if (!vals)
		goto fail;
	need = bpf_map_lookup_elem(probe_map_fd, &key, vals) &&
	       errno == EPERM && held;
	free(vals);
	bpf_bit = need ? bpf_bit : 0;
	if (caps_keep(held_caps | bpf_bit, held_caps | bpf_bit))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "nstrace: cannot drop capabilities: %s\n",
		strerror(errno));
	return -1;
}
