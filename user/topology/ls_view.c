// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The topology as nstrace ls's model (inventory/view.h), for its renderers. */
#include <stdlib.h>
#include <string.h>

#include "topology/topology.h"

#define NETNS_DIR "/run/netns/"

static int cmp_ns(const void *a, const void *b)
{
	const struct ls_ns *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

static int cmp_mount(const void *a, const void *b)
{
	const struct ns_mount *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void add_mount(struct ns_mounts *m, uint32_t inum, const char *name)
{
	struct ns_mount *nm = &m->m[m->n];
	size_t len = strlen(name);

	nm->type = NST_NS_NET;
	nm->inum = inum;
	nm->order = m->n++;
	nm->path = malloc(sizeof(NETNS_DIR) + len);
	if (!nm->path)
		abort();
	memcpy(nm->path, NETNS_DIR, sizeof(NETNS_DIR) - 1);
	memcpy(nm->path + sizeof(NETNS_DIR) - 1, name, len + 1);
	nm->name = nm->path + sizeof(NETNS_DIR) - 1;
}

static void view_mounts(const struct topo *t, struct ns_mounts *m)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nns; i++)
		n += t->ns[i]->dead ? 0 : t->ns[i]->nnames;
	m->m = calloc(n + 1, sizeof(*m->m));
	if (!m->m)
		abort();
	for (size_t i = 0; i < t->nns; i++)
		for (size_t j = 0; !t->ns[i]->dead && j < t->ns[i]->nnames; j++)
			add_mount(m, t->ns[i]->inum, t->ns[i]->names[j]);
	qsort(m->m, m->n, sizeof(*m->m), cmp_mount);
}

static const struct inventory *sort_inv;

static int cmp_net_index(const void *a, const void *b)
{
	uint32_t x = sort_inv->nets[*(const size_t *)a].inum;
	uint32_t y = sort_inv->nets[*(const size_t *)b].inum;

	return x < y ? -1 : x > y;
}

static void add_netns(struct inventory *inv, const struct topo_ns *ns)
{
	uint32_t flags = (ns->init ? LS_NS_INIT : 0) |
			 (ns->dying ? LS_NS_DYING : 0);
	size_t i = inv->nns++;

	inv->ns[i] = (struct ls_ns){ .kind = LS_REC_NS,
				     .type = NST_NS_NET,
				     .inum = ns->inum,
				     .owner = ns->owner,
				     .flags = flags };
	inv->nets[i] = (struct ls_net){ .kind = LS_REC_NET,
					.inum = ns->inum,
					.owner = ns->owner,
					.flags = flags,
					.cookie = ns->cookie };
	inv->net_by_inum[i] = i;
	if (ns->init)
		inv->init_ns[NST_NS_NET] = ns->inum;
	/* Grouped by netns, as the walk gives them. */
	for (size_t j = 0; j < ns->ndevs; j++)
		inv->devs[inv->ndevs++] = ns->devs[j].d;
}

void topo_to_view(const struct topo *t, struct ls_view *v)
{
	struct inventory *inv = &v->inv;
	size_t nns = topo_live_netns(t), ndevs = topo_live_devs(t);

	memset(v, 0, sizeof(*v));
	v->replayed = true;
	inv->ns = calloc(nns + 1, sizeof(*inv->ns));
	inv->nets = calloc(nns + 1, sizeof(*inv->nets));
	inv->net_by_inum = calloc(nns + 1, sizeof(*inv->net_by_inum));
	inv->devs = calloc(ndevs + 1, sizeof(*inv->devs));
	if (!inv->ns || !inv->nets || !inv->net_by_inum || !inv->devs)
		abort();
	for (size_t i = 0; i < t->nns; i++)
		if (!t->ns[i]->dead)
			add_netns(inv, t->ns[i]);
	inv->nnets = inv->nns;
	inv->truncated = t->truncated;
	qsort(inv->ns, inv->nns, sizeof(*inv->ns), cmp_ns);
	sort_inv = inv;
	qsort(inv->net_by_inum, inv->nnets, sizeof(size_t), cmp_net_index);
	view_mounts(t, &v->mounts);
	ls_view_index(v);
}
