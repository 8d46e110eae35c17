/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What this kernel allows, found out by trying before anything is loaded:
 * never by version. Each probe returns 0 when the feature works, else a
 * negative errno, with a reason for nstrace doctor in *why.
 */
#ifndef NSTRACE_LOADER_PROBE_H
#define NSTRACE_LOADER_PROBE_H

/* btf_path: NULL for the kernel's own BTF. */
int probe_fentry(const char *btf_path, const char *func, const char **why);
int probe_kprobe(const char *func, const char **why);
/* Whether perf_event_open() works: kprobes and syscall tracepoints need it. */
int probe_perf_events(const char **why);
int probe_ringbuf(const char **why);
/* The BPF helpers and maps nstrace cannot do without; *why names those missing. */
int probe_bpf_features(const char **why);
int probe_tp_btf(const char *btf_path, const char *tp, const char **why);
/* Whether the kernel has tracepoint tp at all (its btf_trace_ typedef). */
int probe_tracepoint(const char *btf_path, const char *tp, const char **why);
/* Whether the kernel's BTF has the kfunc name (only kfuncs are looked for). */
int probe_kfunc(const char *btf_path, const char *name, const char **why);
/* Frees what the probes keep between calls (megabytes of kernel BTF). */
void probe_release(void);

#endif
