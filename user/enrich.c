// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "enrich.h"
#include "names.h"

/* Every namespace field of docs/events.md, and the keys it gives. */
static const struct {
	const char *key, *names, *pids, *container;
} ns_keys[] = {
	{ "ns", "ns_names", "ns_pids", "ns_container" },
	{ "from_ns", "from_ns_names", "from_ns_pids", "from_ns_container" },
	{ "to_ns", "to_ns_names", "to_ns_pids", "to_ns_container" },
	{ "netns", "netns_names", "netns_pids", "netns_container" },
	{ "from_netns", "from_netns_names", "from_netns_pids",
	  "from_netns_container" },
	{ "to_netns", "to_netns_names", "to_netns_pids", "to_netns_container" },
};

static int key_index(const char *key)
{
	for (size_t i = 0; i < sizeof(ns_keys) / sizeof(ns_keys[0]); i++)
		if (!strcmp(ns_keys[i].key, key))
			return (int)i;
	return -1;
}

static void add_view(struct record *r, int k, const struct nsc_view *v)
{
	struct field *f;

	if (v->nnames) {
		f = record_add(r, ns_keys[k].names, FIELD_STRS, COL_NONE);
		f->strs = v->names;
		f->ndevs = v->nnames;
	}
	if (v->npids) {
		f = record_add(r, ns_keys[k].pids, FIELD_PIDS, COL_NONE);
		f->pids = v->pids;
		f->ndevs = v->npids;
	}
	if (v->has_container)
		record_add(r, ns_keys[k].container, FIELD_CONTAINER, COL_NONE)
			->ctr = &v->container;
}

void enrich_record(struct record *r, struct nscache *c, struct enrich *x)
{
	int type = -1, nviews = 0, n = r->n;

	for (int i = 0; i < n && nviews < ENRICH_MAX_NS; i++) {
		const struct field *f = &r->f[i];
		int k;

		if (f->kind == FIELD_NAME && !strcmp(f->key, "ns_type"))
			type = ns_type_parse(f->str);
		/* 0 is a refused move's unknown target: no namespace. */
		if (f->col != COL_NS || f->kind != FIELD_U64 || !f->u ||
		    type < 0 || (k = key_index(f->key)) < 0)
			continue;
		if (nscache_view(c, (uint32_t)type, (uint32_t)f->u,
				 &x->v[nviews]))
			add_view(r, k, &x->v[nviews]);
		nviews++;
	}
}
