// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "trace/enrich.h"

/* Indexed by enum enrich_key. */
static const struct {
	const char *names, *pids, *container;
} keys[] = {
	[ENRICH_NS] = { "ns_names", "ns_pids", "ns_container" },
	[ENRICH_FROM_NS] = { "from_ns_names", "from_ns_pids",
			     "from_ns_container" },
	[ENRICH_TO_NS] = { "to_ns_names", "to_ns_pids", "to_ns_container" },
	[ENRICH_NETNS] = { "netns_names", "netns_pids", "netns_container" },
	[ENRICH_FROM_NETNS] = { "from_netns_names", "from_netns_pids",
				"from_netns_container" },
	[ENRICH_TO_NETNS] = { "to_netns_names", "to_netns_pids",
			      "to_netns_container" },
};

void enrich_ns(struct record *r, struct nscache *c, struct enrich *x,
	       enum enrich_key key, uint32_t type, uint32_t inum)
{
	struct nsc_view *v;
	struct field *f;

	/* 0 is a refused move's unknown target: no namespace. */
	if (!inum || x->n >= ENRICH_MAX_NS)
		return;
	v = &x->v[x->n++];
	if (!nscache_view(c, type, inum, v))
		return;
	if (v->nnames) {
		f = record_add(r, keys[key].names, FIELD_STRS, COL_NONE);
		f->strs = v->names;
		f->ndevs = v->nnames;
	}
	if (v->npids) {
		f = record_add(r, keys[key].pids, FIELD_PIDS, COL_NONE);
		f->pids = v->pids;
		f->ndevs = v->npids;
	}
	if (v->container)
		record_add(r, keys[key].container, FIELD_CONTAINER, COL_NONE)
			->ctr = v->container;
}

void enrich_event(struct record *r, struct nscache *c, struct enrich *x,
		  const struct nst_event *e)
{
	x->n = 0;
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		enrich_ns(r, c, x, ENRICH_NS, e->create.ns_type, e->create.ns);
		break;
	case NST_EV_NS_SETNS:
		enrich_ns(r, c, x, ENRICH_FROM_NS, e->setns.ns_type,
			  e->setns.from_ns);
		enrich_ns(r, c, x, ENRICH_TO_NS, e->setns.ns_type,
			  e->setns.to_ns);
		break;
	case NST_EV_NS_DESTROY:
		enrich_ns(r, c, x, ENRICH_NS, e->destroy.ns_type,
			  e->destroy.ns);
		break;
	case NST_EV_NETDEV_MOVE:
		enrich_ns(r, c, x, ENRICH_FROM_NETNS, NST_NS_NET,
			  e->move.from_netns);
		enrich_ns(r, c, x, ENRICH_TO_NETNS, NST_NS_NET,
			  e->move.to_netns);
		break;
	case NST_EV_NETDEV_CREATE:
	case NST_EV_NETDEV_DELETE:
		enrich_ns(r, c, x, ENRICH_NETNS, NST_NS_NET, e->life.netns);
		break;
	case NST_EV_NETDEV_RENAME:
		enrich_ns(r, c, x, ENRICH_NETNS, NST_NS_NET, e->rename.netns);
		break;
	}
}
