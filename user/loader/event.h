/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A record from the ring buffer (include/nstrace.h): how long it is. */
#ifndef NSTRACE_LOADER_EVENT_H
#define NSTRACE_LOADER_EVENT_H

#include <stddef.h>

#include "nstrace.h"

/*
 * The bytes a record of e's kind fills (some kinds are shorter than the
 * union), reading no more than size bytes of e; 0 when those do not hold
 * a whole record of a known kind, so that none is read past its end.
 */
size_t event_size(const struct nst_event *e, size_t size);

#endif
