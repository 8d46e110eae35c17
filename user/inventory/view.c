// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "inventory/runtime.h"
#include "inventory/view.h"

static void push(struct buf *b, const void *p)
{
	buf_add(b, &p, sizeof(p));
}

static struct ns_view *view_of(struct ls_view *v, uint32_t inum)
{
	const struct ls_ns *ns = inventory_ns(&v->inv, inum);

	return ns ? &v->ns[ns - v->inv.ns] : NULL;
}

/* The devices of each net are one run of records, in the walk's order. */
static void attach_devs(struct ls_view *v)
{
	const struct inventory *inv = &v->inv;

	for (size_t i = 0; i < inv->ndevs;) {
		struct ns_view *nv = view_of(v, inv->devs[i].netns);
		size_t j = i;

		while (j < inv->ndevs &&
		       inv->devs[j].netns == inv->devs[i].netns)
			j++;
		if (nv && !nv->devs) {
			nv->devs = &inv->devs[i];
			nv->ndevs = j - i;
		}
		i = j;
	}
}

/*
 * Containers are only looked up for processes outside the initial netns:
 * one open per process, and a container with the host's network is rare.
 */
static void find_containers(struct ls_view *v)
{
	const struct inventory *inv = &v->inv;

	for (size_t i = 0; i < inv->ntasks; i++) {
		const struct ls_task *t = &inv->tasks[i];

		if ((t->flags & (LS_TASK_KTHREAD | LS_TASK_THREAD)) ||
		    !t->ns[NST_NS_NET] ||
		    t->ns[NST_NS_NET] == inv->init_ns[NST_NS_NET])
			continue;
		v->in_container[i] =
			runtime_container_of_pid(t->pid, &v->containers[i]);
	}
}

static void find_owner(struct ls_view *v, struct ns_view *nv)
{
	const struct ls_ns *ns = nv->ns;

	if (ns->type < NST_NS_TYPES && v->inv.init_ns[ns->type] == ns->inum)
		return;
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);
		const struct container *c = ls_view_container(v, t);

		if (c) {
			nv->owner = *c;
			nv->owned = true;
			return;
		}
	}
	for (size_t i = 0; ns->type == NST_NS_NET && i < nv->nmounts; i++)
		if (runtime_netns_owner(nv->mounts[i].path, &nv->owner)) {
			nv->owned = true;
			return;
		}
}

static int build(struct ls_view *v, enum inventory_scope scope)
{
	memset(v, 0, sizeof(*v));
	if (inventory_collect(&v->inv, scope))
		return -1;
	ns_mounts_collect(&v->mounts, &v->inv);
	ls_view_index(v);
	find_containers(v);
	for (size_t i = 0; i < v->inv.nns; i++)
		find_owner(v, &v->ns[i]);
	return 0;
}

int ls_view_build(struct ls_view *v)
{
	return build(v, INVENTORY_ALL);
}

int ls_view_build_netns(struct ls_view *v)
{
	return build(v, INVENTORY_NETNS);
}

void ls_view_index(struct ls_view *v)
{
	struct inventory *inv = &v->inv;

	v->ns = calloc(inv->nns + 1, sizeof(*v->ns));
	v->containers = calloc(inv->ntasks + 1, sizeof(*v->containers));
	v->in_container = calloc(inv->ntasks + 1, sizeof(*v->in_container));
	if (!v->ns || !v->containers || !v->in_container)
		abort();
	for (size_t i = 0; i < inv->nns; i++) {
		struct ns_view *nv = &v->ns[i];

		nv->ns = &inv->ns[i];
		if (nv->ns->type == NST_NS_NET)
			nv->net = inventory_net(inv, nv->ns->inum);
		nv->nmounts =
			ns_mounts_find(&v->mounts, nv->ns->inum, &nv->mounts);
	}
	for (size_t i = 0; i < inv->ntasks; i++)
		for (int type = 0; type < NST_NS_TYPES; type++) {
			struct ns_view *nv = view_of(v, inv->tasks[i].ns[type]);

			if (nv)
				push(&nv->tasks, &inv->tasks[i]);
		}
	for (size_t i = 0; i < inv->nfds; i++) {
		struct ns_view *nv = view_of(v, inv->fds[i].inum);

		if (nv)
			push(&nv->fds, &inv->fds[i]);
	}
	for (size_t i = 0; i < inv->nsocks; i++) {
		struct ns_view *nv = view_of(v, inv->socks[i].netns);

		if (nv)
			push(&nv->socks, &inv->socks[i]);
	}
	attach_devs(v);
}

void ls_view_free(struct ls_view *v)
{
	for (size_t i = 0; v->ns && i < v->inv.nns; i++) {
		buf_free(&v->ns[i].tasks);
		buf_free(&v->ns[i].fds);
		buf_free(&v->ns[i].socks);
	}
	free(v->ns);
	free(v->containers);
	free(v->in_container);
	ns_mounts_free(&v->mounts);
	inventory_free(&v->inv);
	memset(v, 0, sizeof(*v));
}

const struct container *ls_view_ns_container(const struct ns_view *nv)
{
	return nv->owned ? &nv->owner : NULL;
}

const struct ns_view *ls_view_ns(const struct ls_view *v, uint32_t inum)
{
	const struct ls_ns *ns = inventory_ns(&v->inv, inum);

	return ns ? &v->ns[ns - v->inv.ns] : NULL;
}

size_t ls_view_nprocs(const struct ns_view *nv)
{
	uint32_t last = 0;
	size_t n = 0;

	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);

		n += t->pid != last;
		last = t->pid;
	}
	return n;
}

const struct ls_task *ls_view_task(const struct ls_view *v, uint32_t pid)
{
	return inventory_task(&v->inv, pid);
}

const struct container *ls_view_container(const struct ls_view *v,
					  const struct ls_task *t)
{
	size_t i = t - v->inv.tasks;

	return v->in_container[i] ? &v->containers[i] : NULL;
}

const char *ls_view_name(const struct ns_view *nv, size_t i)
{
	const char *name = nv->mounts[i].name;

	for (size_t j = 0; name && j < i; j++)
		if (nv->mounts[j].name && !strcmp(nv->mounts[j].name, name))
			return NULL;
	return name;
}

const struct ns_view *ls_view_netns_named(const struct ls_view *v,
					  const char *name)
{
	for (size_t i = 0; i < v->mounts.n; i++)
		if (v->mounts.m[i].name && !strcmp(v->mounts.m[i].name, name))
			return ls_view_ns(v, v->mounts.m[i].inum);
	return NULL;
}

const struct ls_dev *ls_view_dev(const struct ns_view *nv, uint32_t ifindex)
{
	for (size_t i = 0; i < nv->ndevs; i++)
		if (nv->devs[i].ifindex == ifindex)
			return &nv->devs[i];
	return NULL;
}

const struct ls_dev *ls_view_dev_named(const struct ns_view *nv,
				       const char *name)
{
	for (size_t i = 0; i < nv->ndevs; i++)
		if (!strncmp(nv->devs[i].name, name, sizeof(nv->devs[i].name)))
			return &nv->devs[i];
	return NULL;
}

size_t ls_view_names(const struct ns_view *nv, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nv->nmounts && n < max; i++) {
		const char *name = ls_view_name(nv, i);

		if (name)
			names[n++] = name;
	}
	return n;
}
