/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names, processes and container of each namespace a record mentions,
 * from the cache, as fields that follow the namespace's own: ns gives
 * ns_names, ns_pids, ns_container; from_netns gives from_netns_names, ...
 */
#ifndef NSTRACE_ENRICH_H
#define NSTRACE_ENRICH_H

#include "nscache.h"
#include "record.h"

/* A record names at most two namespaces (from and to). */
#define ENRICH_MAX_NS 2

/* What the added fields point to: it must outlive the record's rendering. */
struct enrich {
	struct nsc_view v[ENRICH_MAX_NS];
};

void enrich_record(struct record *r, struct nscache *c, struct enrich *x);

#endif
