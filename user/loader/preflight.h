/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What must hold before BPF programs are loaded, each with one message. */
#ifndef NSTRACE_LOADER_PREFLIGHT_H
#define NSTRACE_LOADER_PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>

/* 0, or -1 with what is missing in *missing; prints nothing. */
int caps_check(const char **missing);

/* 0, or -1 after one line on stderr naming what is missing. */
int preflight_caps(void);
int preflight_btf(const char *btf_path);
int preflight_pid(uint32_t pid);
/* Only where syscall tracepoints are used: backend_configure() calls it. */
int preflight_tracefs(void);

/*
 * The syscall tracepoints: 0 listed in tracefs, 1 tracefs not mounted
 * (preflight_tracefs() mounts it), -1 absent; the state in *why when not
 * 0. Prints nothing and mounts nothing.
 */
int tracefs_check(const char **why);

#endif
