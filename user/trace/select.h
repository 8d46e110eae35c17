/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The stream's --container and --pod: an event is kept when a namespace
 * it names is that container's (or a container of that pod's), or when
 * the process it is of is in one. Decided after the event has updated
 * the names cache, which it does whether kept or not.
 */
#ifndef NSTRACE_TRACE_SELECT_H
#define NSTRACE_TRACE_SELECT_H

#include <stdbool.h>

#include "inventory/container.h"

struct select {
	const char *container; /* a name, or the start of an id */
	const char *pod; /* NAMESPACE/NAME */
};

bool select_any(const struct select *s);
/* Whether c (NULL: none) is one of those selected. */
bool select_container(const struct select *s, const struct container *c);

#endif
