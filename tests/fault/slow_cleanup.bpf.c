// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A test's fault: the kernel's netns cleanup work stalls as it starts,
 * before it takes its batch. Attached after nstrace's own program on the
 * same tracepoint, it runs after nstrace's first walk, so that a netns
 * whose last reference goes meanwhile joins the batch that walk did not
 * see: the window tests/integration/deaths.bats needs to open at will.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern const void cleanup_net __ksym;

/* About 45 ms a run here: long against an `ip netns del`, short for a test. */
#define SPINS (1 << 22)

static long spin(__u64 i, void *ctx)
{
	return 0;
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(slow_cleanup, struct work_struct *work)
{
	if (work->func == (void *)&cleanup_net)
		bpf_loop(SPINS, spin, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
