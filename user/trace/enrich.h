/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names, processes and container of each namespace a record mentions,
 * from the cache, as fields that follow the namespace's own: ns gives
 * ns_names, ns_pids, ns_container; from_netns gives from_netns_names, ...
 */
#ifndef NSTRACE_TRACE_ENRICH_H
#define NSTRACE_TRACE_ENRICH_H

#include "trace/nscache.h"
#include "nstrace.h"
#include "trace/record.h"

/* A record names at most two namespaces (from and to). */
#define ENRICH_MAX_NS 2

/* What the added fields point to: it must outlive the record's rendering. */
struct enrich {
	struct nsc_view v[ENRICH_MAX_NS];
	int n;
};

/* The namespace fields of docs/events.md. */
enum enrich_key {
	ENRICH_NS,
	ENRICH_FROM_NS,
	ENRICH_TO_NS,
	ENRICH_NETNS,
	ENRICH_FROM_NETNS,
	ENRICH_TO_NETNS,
};

/* The fields of the namespace that field key of r names, if any. */
void enrich_ns(struct record *r, struct nscache *c, struct enrich *x,
	       enum enrich_key key, uint32_t type, uint32_t inum);
/* Every namespace e mentions, from the event itself: no key is compared. */
void enrich_event(struct record *r, struct nscache *c, struct enrich *x,
		  const struct nst_event *e);

#endif
