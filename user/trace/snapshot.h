/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The inventory as stream records (docs/events.md, "Snapshots"): one
 * snapshot.begin, a snapshot.netns per network namespace, a
 * snapshot.netdev per interface, one snapshot.end, so that a consumer
 * knows the state the events that follow change.
 */
#ifndef NSTRACE_TRACE_SNAPSHOT_H
#define NSTRACE_TRACE_SNAPSHOT_H

#include <stdint.h>

#include "trace/output.h"

/*
 * Takes the inventory and writes it to o as snapshot number id, taken
 * for reason ("start", "lost"). The number of records written, or -1
 * after one line on stderr, with nothing written.
 */
long snapshot_emit(struct output *o, uint64_t id, const char *reason);

#endif
