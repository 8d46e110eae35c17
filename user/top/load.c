// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "inventory/view.h"
#include "top/load.h"

/* "a,b": the ip netns names, raw, each once (/run and /var/run alike). */
static void join_names(struct buf *b, const struct ns_view *nv)
{
	b->len = 0;
	for (size_t i = 0; i < nv->nmounts; i++) {
		const char *name = nv->mounts[i].name;
		bool dup = false;

		for (size_t j = 0; j < i && name && !dup; j++)
			dup = nv->mounts[j].name &&
			      !strcmp(nv->mounts[j].name, name);
		if (!name || dup)
			continue;
		if (b->len)
			buf_addc(b, ',');
		buf_adds(b, name);
	}
	buf_cstr(b);
}

/* Processes, not threads: tasks come leader first, grouped by pid. */
static int64_t count_procs(const struct ns_view *nv)
{
	uint32_t last = 0;
	int64_t n = 0;

	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);

		n += t->pid != last;
		last = t->pid;
	}
	return n;
}

static void put_devs(struct top_model *m, struct top_netns *n,
		     const struct ns_view *nv, uint64_t now)
{
	for (size_t i = 0; i < nv->ndevs; i++) {
		const struct ls_dev *d = &nv->devs[i];
		struct top_iface f = {
			.ifindex = d->ifindex,
			.peer_netns = d->peer_netns,
			.peer_ifindex = d->peer_ifindex,
		};

		memcpy(f.name, d->name, sizeof(f.name));
		memcpy(f.kind, d->link_kind, sizeof(f.kind));
		memcpy(f.peer_name, d->peer_name, sizeof(f.peer_name));
		model_put_iface(m, n, &f, now);
	}
}

int top_load(struct top_model *m, uint64_t now)
{
	struct buf names = {};
	struct ls_view v;

	if (ls_view_build(&v))
		return -1;
	model_rebuild_begin(m);
	for (size_t i = 0; i < v.inv.nnets; i++) {
		const struct ls_net *net = &v.inv.nets[i];
		const struct ns_view *nv = ls_view_ns(&v, net->inum);
		uint32_t flags = 0;
		struct top_netns *n;

		if (!nv)
			continue;
		if (net->flags & LS_NS_INIT)
			flags |= TOP_NS_INIT;
		if (net->flags & LS_NS_DYING)
			flags |= TOP_NS_DYING;
		join_names(&names, nv);
		n = model_put_netns(m, net->inum, flags, names.data,
				    count_procs(nv), now);
		put_devs(m, n, nv, now);
	}
	/* A walk cut short would make the rest look gone. */
	if (!v.inv.truncated)
		model_rebuild_end(m, now);
	else
		m->loaded = true;
	buf_free(&names);
	ls_view_free(&v);
	return 0;
}
