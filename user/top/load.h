/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `nstrace top`'s picture refreshed from the inventory (nstrace ls's). */
#ifndef NSTRACE_TOP_LOAD_H
#define NSTRACE_TOP_LOAD_H

#include <stdint.h>

#include "top/model.h"

/*
 * Walks the kernel's lists again and puts what they hold into m, at time
 * now. 0, or -1 after one line on stderr, m unchanged. Needs CAP_BPF and
 * CAP_PERFMON (PRIVS_INVENTORY_CAPS).
 */
int top_load(struct top_model *m, uint64_t now);

#endif
