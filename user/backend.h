/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which BPF programs run: each program feeds some events through some
 * kind of hook; before load, the ones not needed, or not available on
 * this kernel, are switched off.
 */
#ifndef NSTRACE_BACKEND_H
#define NSTRACE_BACKEND_H

#include <stdint.h>

struct nstrace_bpf;

/* 0, or -1 after a message. */
int backend_configure(struct nstrace_bpf *skel, uint32_t ev_mask);
/* For the "tracing" line: which hooks are in use. */
const char *backend_describe(void);

#endif
