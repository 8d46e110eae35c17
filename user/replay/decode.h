/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One record of a JSON log applied to a topology, with its checks. */
#ifndef NSTRACE_REPLAY_DECODE_H
#define NSTRACE_REPLAY_DECODE_H

#include "replay/log.h"
#include "topology/topology.h"

/* A snapshot.netns or snapshot.netdev record into t; false if malformed. */
bool replay_snapshot_rec(struct topo *t, struct jlog *log,
			 const struct jlog_rec *r);
/* An event into t (others are ignored); false if malformed. */
bool replay_event(struct topo *t, struct jlog *log, const struct jlog_rec *r);

#endif
