// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader/probe.h"

/*
 * The kernel's BTF, parsed once: it is megabytes, and every hook probed
 * looks its function up in it. Kept until exit.
 */
static struct btf *btf;
static const char *btf_loaded_from;

static struct btf *kernel_btf(const char *btf_path)
{
	if (btf && btf_loaded_from == btf_path)
		return btf;
	btf__free(btf);
	btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	btf_loaded_from = btf_path;
	return btf;
}

void probe_release(void)
{
	btf__free(btf);
	btf = NULL;
}

/* The BTF id of a kernel function or type, or a negative errno. */
static int btf_id_of(const char *btf_path, const char *name, int kind)
{
	struct btf *btf = kernel_btf(btf_path);

	if (!btf)
		return -errno;
	return btf__find_by_name_kind(btf, name, kind);
}

/*
 * Loads "return 0" as a program of this type and attaches it: some
 * kernels accept the load and refuse the attach, others (no trampolines)
 * refuse the load itself.
 */
static int try_tracing(enum bpf_attach_type type, int btf_id)
{
	const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			  /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type,
		    .attach_btf_id = btf_id);
	int prog, link, err = 0;

	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "nst_probe", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog < 0)
		return -errno;
	link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(prog);
	return err;
}

/*
 * "loading ... failed: the reason", in one buffer per kind of probe: a
 * reason is read before the same probe runs again. ENOTSUPP (524) is the
 * kernel's own, which libc does not name: an architecture without BPF
 * trampolines returns it.
 */
static const char *load_failed(char *buf, size_t len, const char *what, int err)
{
	snprintf(buf, len, "loading %s failed: %s", what,
		 err == -524 ? "not supported by this kernel (ENOTSUPP)" :
			       strerror(-err));
	return buf;
}

int probe_fentry(const char *btf_path, const char *func, const char **why)
{
	static char buf[128];
	int id = btf_id_of(btf_path, func, BTF_KIND_FUNC), err;

	if (id < 0) {
		*why = "the function is not in the kernel's BTF";
		return id;
	}
	err = try_tracing(BPF_TRACE_FENTRY, id);
	if (err)
		*why = err == -EPERM ? "the kernel refuses BPF trampolines (EPERM)"
				     : load_failed(buf, sizeof(buf),
						   "an fentry program", err);
	return err;
}

int probe_tracepoint(const char *btf_path, const char *tp, const char **why)
{
	char name[128];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf_id_of(btf_path, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		*why = "the tracepoint is not in the kernel's BTF";
		return id;
	}
	return 0;
}

int probe_tp_btf(const char *btf_path, const char *tp, const char **why)
{
	static char buf[128];
	char name[128];
	int id, err;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf_id_of(btf_path, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		*why = "the tracepoint is not in the kernel's BTF";
		return id;
	}
	/* A tp_btf program is attached by the id of that typedef. */
	err = try_tracing(BPF_TRACE_RAW_TP, id);
	if (err)
		*why = load_failed(buf, sizeof(buf), "a BTF tracepoint program",
				   err);
	return err;
}

/* In /proc/kallsyms as a text symbol: kprobes attach to those only. */
static bool in_kallsyms(const char *func)
{
	char line[512], sym[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
		    (type == 't' || type == 'T') && !strcmp(sym, func))
			found = true;
	}
	fclose(f);
	return found;
}

/*
 * Kprobes and syscall tracepoints attach through perf events; fentry,
 * tp_btf and raw tracepoints do not. Debian's kernels with
 * kernel.perf_event_paranoid at 3 (their default) refuse every
 * perf_event_open() to a task without CAP_SYS_ADMIN, CAP_PERFMON or not.
 * A system-wide dummy event meets the same checks as those attachments.
 */
int probe_perf_events(const char **why)
{
	static char reason[160];
	static int result = 1;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_DUMMY,
	};
	int fd, paranoid = 0;
	FILE *f;

	if (result <= 0) {
		*why = reason;
		return result;
	}
	fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1,
		     PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return result = 0;
	}
	result = -errno;
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = 0;
		fclose(f);
	}
	if (paranoid > 2)
		snprintf(reason, sizeof(reason),
			 "the kernel refuses perf events without CAP_SYS_ADMIN (kernel.perf_event_paranoid is %d)",
			 paranoid);
	else
		snprintf(reason, sizeof(reason),
			 "the kernel refuses perf events: %s", strerror(-result));
	*why = reason;
	return result;
}

int probe_kprobe(const char *func, const char **why)
{
	if (probe_perf_events(why))
		return -EACCES;
	/* libbpf attaches kprobes through the kprobe PMU when there is one. */
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", W_OK) &&
	    access("/sys/kernel/debug/tracing/kprobe_events", W_OK)) {
		*why = "the kernel has no kprobes (no kprobe PMU, no kprobe_events)";
		return -EOPNOTSUPP;
	}
	if (!in_kallsyms(func)) {
		*why = "the function is not in /proc/kallsyms";
		return -ENOENT;
	}
	return 0;
}

int probe_ringbuf(const char **why)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "nst_probe", 0, 0,
				4096, NULL);

	if (fd < 0) {
		*why = "the kernel has no BPF ring buffer";
		return -errno;
	}
	close(fd);
	return 0;
}

/*
 * Helpers and maps that every object of nstrace uses, with no twin to fall
 * back to: the kernel that lacks one cannot load nstrace at all. The
 * tracepoint program type has them all where they exist (bpf_loop and
 * bpf_for_each_map_elem are the base set, the task ones the tracing set).
 */
int probe_bpf_features(const char **why)
{
	static const struct {
		enum bpf_func_id id;
		const char *name;
	} helpers[] = {
		{ BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf" },
		{ BPF_FUNC_for_each_map_elem, "bpf_for_each_map_elem" },
		{ BPF_FUNC_task_pt_regs, "bpf_task_pt_regs" },
		{ BPF_FUNC_loop, "bpf_loop" },
	};
	static char missing[160];
	size_t i, len = 0;
	int ok;

	missing[0] = '\0';
	ok = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL);
	if (ok <= 0)
		len += snprintf(missing + len, sizeof(missing) - len,
				"task storage maps");
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		ok = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
					     helpers[i].id, NULL);
		if (ok > 0 || len >= sizeof(missing))
			continue;
		len += snprintf(missing + len, sizeof(missing) - len, "%s%s",
				len ? ", " : "", helpers[i].name);
	}
	if (!len)
		return 0;
	*why = missing;
	return -EOPNOTSUPP;
}

int probe_kfunc(const char *btf_path, const char *name, const char **why)
{
	int id = btf_id_of(btf_path, name, BTF_KIND_FUNC);

	if (id < 0)
		*why = "the kernel has no such function";
	return id < 0 ? id : 0;
}
