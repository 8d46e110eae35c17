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
int preflight_tracefs(void);

#endif
