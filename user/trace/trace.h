/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live stream: open, configure, load, attach, poll, clean up. */
#ifndef NSTRACE_TRACE_TRACE_H
#define NSTRACE_TRACE_TRACE_H

#include "trace/opts.h"

/* Runs until a signal or a closed reader; returns the exit code. */
int trace_run(const struct opts *o);

#endif
