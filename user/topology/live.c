// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "topology/live.h"

/* The kernel's fixed-size names, NUL-terminated whatever they hold. */
static void copy_name(char *dst, const char *src)
{
	memcpy(dst, src, NST_IFNAME_LEN);
	dst[NST_IFNAME_LEN - 1] = '\0';
}

static void from_destroy(const struct nst_ns_destroy *d, struct topo_event *out)
{
	uint32_t n = d->nr_devs < NST_MAX_DEVS ? d->nr_devs : NST_MAX_DEVS;

	out->kind = TOPO_EV_NETNS_DESTROY;
	out->netns = d->ns;
	out->cookie = d->ns_cookie;
	out->nfates = n;
	out->nfates_total = d->nr_devs;
	for (uint32_t i = 0; i < n; i++) {
		out->fates[i].ifindex = d->devs[i].ifindex;
		out->fates[i].returned = d->devs[i].fate == NST_FATE_RETURNED;
		copy_name(out->fates[i].ifname, d->devs[i].ifname);
	}
}

static void from_move(const struct nst_netdev_move *mv, struct topo_event *out)
{
	out->kind = TOPO_EV_DEV_MOVE;
	out->dev.netns = mv->from_netns;
	out->cookie = mv->from_netns_cookie;
	out->to_cookie = mv->to_netns_cookie;
	out->dev.ifindex = mv->ifindex;
	copy_name(out->dev.name, mv->ifname);
	out->to_netns = mv->to_netns;
	out->new_ifindex = mv->new_ifindex;
	copy_name(out->new_ifname, mv->new_ifname);
	out->refused = mv->error != 0;
	out->netns_exit = mv->cause == NST_CAUSE_NETNS_EXIT;
}

static void from_life(const struct nst_event *e, struct topo_event *out)
{
	const struct nst_netdev_life *l = &e->life;

	out->kind = e->kind == NST_EV_NETDEV_CREATE ? TOPO_EV_DEV_CREATE :
						      TOPO_EV_DEV_DELETE;
	out->dev.netns = l->netns;
	out->cookie = l->netns_cookie;
	out->dev.ifindex = l->ifindex;
	copy_name(out->dev.name, l->ifname);
	memcpy(out->dev.link_kind, l->kind, NST_KIND_LEN);
	out->dev.link_kind[NST_KIND_LEN - 1] = '\0';
	out->netns_exit = l->origin == NST_ORIGIN_NETNS_EXIT;
}

static void from_rename(const struct nst_netdev_rename *rn,
			struct topo_event *out)
{
	out->kind = TOPO_EV_DEV_RENAME;
	out->dev.netns = rn->netns;
	out->cookie = rn->netns_cookie;
	out->dev.ifindex = rn->ifindex;
	copy_name(out->dev.name, rn->ifname);
	copy_name(out->new_ifname, rn->new_ifname);
}

void topo_from_stream(const struct nst_event *e, struct topo_event *out)
{
	memset(out, 0, sizeof(*out));
	out->tid = e->task.tid;
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		if (e->create.ns_type != NST_NS_NET)
			return;
		out->kind = TOPO_EV_NETNS_CREATE;
		out->netns = e->create.ns;
		out->cookie = e->create.ns_cookie;
		break;
	case NST_EV_NS_SETNS:
		if (e->setns.ns_type != NST_NS_NET)
			return;
		out->kind = TOPO_EV_NETNS_ENTER;
		out->netns = e->setns.from_ns;
		out->to_netns = e->setns.to_ns;
		out->cookie = e->setns.from_ns_cookie;
		out->to_cookie = e->setns.to_ns_cookie;
		break;
	case NST_EV_NS_DESTROY:
		if (e->destroy.ns_type == NST_NS_NET)
			from_destroy(&e->destroy, out);
		break;
	case NST_EV_NETDEV_MOVE:
		from_move(&e->move, out);
		break;
	case NST_EV_NETDEV_CREATE:
	case NST_EV_NETDEV_DELETE:
		from_life(e, out);
		break;
	case NST_EV_NETDEV_RENAME:
		from_rename(&e->rename, out);
		break;
	}
}
