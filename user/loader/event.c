// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "loader/event.h"

size_t event_size(const struct nst_event *e, size_t size)
{
	/* What each kind has after the head; 0: not a kind. */
	static const size_t body[NST_EV_KINDS] = {
		[NST_EV_NS_CREATE] = sizeof(struct nst_ns_create),
		[NST_EV_NS_SETNS] = sizeof(struct nst_ns_setns),
		[NST_EV_NS_DESTROY] = offsetof(struct nst_ns_destroy, devs),
		[NST_EV_NETDEV_MOVE] = sizeof(struct nst_netdev_move),
		[NST_EV_NETDEV_CREATE] = sizeof(struct nst_netdev_life),
		[NST_EV_NETDEV_DELETE] = sizeof(struct nst_netdev_life),
		[NST_EV_NETDEV_RENAME] = sizeof(struct nst_netdev_rename),
		[NST_EV_NS_NAME] = sizeof(struct nst_ns_name),
	};
	const size_t head = offsetof(struct nst_event, create);
	size_t want;

	if (size < head || e->kind >= NST_EV_KINDS || !body[e->kind])
		return 0;
	want = body[e->kind];
	/* Only a network namespace's record carries interfaces. */
	if (e->kind == NST_EV_NS_DESTROY && size >= head + want &&
	    e->destroy.ns_type == NST_NS_NET)
		want = sizeof(e->destroy);
	return size >= head + want ? head + want : 0;
}
