/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one reader of a JSON log's records for the topology (replay and
 * history): a record as a decoded event (topology/event.h), with its
 * checks. Snapshot records become the SEEN kinds, which set the model's
 * state when applied.
 */
#ifndef NSTRACE_REPLAY_DECODE_H
#define NSTRACE_REPLAY_DECODE_H

#include <stdbool.h>

#include "replay/log.h"
#include "topology/event.h"

/*
 * r into e: e->kind is TOPO_EV_NONE for records the topology has no use
 * for. false, said on stderr, when r lacks what its kind needs. e's
 * strings point into r, and live as long as it.
 */
bool replay_decode(struct jlog *log, const struct jlog_rec *r,
		   struct topo_event *e);

#endif
