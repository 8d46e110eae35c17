// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "inventory/view.h"
#include "top/load.h"

/* The inventory's netns as the topology is told one seen whole. */
static void netns_seen(const struct ls_net *net, const struct ns_view *nv,
		       struct topo_event *e)
{
	*e = (struct topo_event){
		.kind = TOPO_EV_NETNS_SEEN,
		.netns = net->inum,
		.owner = net->owner,
		.cookie = net->cookie,
		.init = net->flags & LS_NS_INIT,
		.dying = net->flags & LS_NS_DYING,
		.names[0].netns = net->inum,
	};
	e->names[0].n = ls_view_names(nv, e->names[0].name, TOPO_NAMES_MAX);
}

static void set_container(struct top_netns *n, const struct ns_view *nv)
{
	const struct container *c = ls_view_ns_container(nv);

	if (!n)
		return;
	n->has_ctr = c;
	if (c)
		n->ctr = *c;
}

int top_load(struct top_model *m, uint64_t now)
{
	struct topo_event e;
	struct ls_view v;

	if (ls_view_build(&v))
		return -1;
	model_rebuild_begin(m);
	for (size_t i = 0; i < v.inv.nnets; i++) {
		const struct ls_net *net = &v.inv.nets[i];
		const struct ns_view *nv = ls_view_ns(&v, net->inum);

		if (!nv)
			continue;
		netns_seen(net, nv, &e);
		if (!model_put_netns(m, &e, ls_view_nprocs(nv), now))
			continue;
		set_container(model_netns(m, net->inum), nv);
		for (size_t j = 0; j < nv->ndevs; j++)
			model_put_dev(m, &nv->devs[j], now);
	}
	/* A walk cut short would make the rest look gone. */
	if (!v.inv.truncated)
		model_rebuild_end(m, now);
	else
		m->loaded = true;
	ls_view_free(&v);
	return 0;
}
