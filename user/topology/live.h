/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A record of the live stream (include/nstrace.h) as a topology event. */
#ifndef NSTRACE_TOPOLOGY_LIVE_H
#define NSTRACE_TOPOLOGY_LIVE_H

#include "nstrace.h"
#include "topology/event.h"

/* e into out; out->kind is TOPO_EV_NONE for what is not of the netns. */
void topo_from_stream(const struct nst_event *e, struct topo_event *out);

#endif
