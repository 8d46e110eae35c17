// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "loader/event.h"

size_t event_size(const struct nst_event *e, size_t size)
{
	const size_t head = offsetof(struct nst_event, create);
	size_t want;

	if (size < head)
		return 0;
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		want = sizeof(e->create);
		break;
	case NST_EV_NS_SETNS:
		want = sizeof(e->setns);
		break;
	case NST_EV_NS_DESTROY:
		/* Only a network namespace's record carries interfaces. */
		want = offsetof(struct nst_ns_destroy, devs);
		if (size >= head + want && e->destroy.ns_type == NST_NS_NET)
			want = sizeof(e->destroy);
		break;
	case NST_EV_NETDEV_MOVE:
		want = sizeof(e->move);
		break;
	case NST_EV_NETDEV_CREATE:
	case NST_EV_NETDEV_DELETE:
		want = sizeof(e->life);
		break;
	default:
		return 0;
	}
	return size >= head + want ? head + want : 0;
}
