// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <string.h>
#include <stdio.h>

#include "lib/enums.h"
#include "trace/record.h"

static void add_head(struct record *r, const char *event, uint64_t time_ns)
{
	r->n = 0;
	record_add_u(r, "schema", NST_SCHEMA_VERSION, COL_SKIP);
	record_add(r, "time", FIELD_TIME, COL_TIME)->u = time_ns;
	record_add_name(r, "event", event, COL_EVENT);
}

static void add_task(struct record *r, const struct nst_task *t)
{
	record_add_u(r, "pid", t->pid, COL_PID);
	record_add_u(r, "tid", t->tid, COL_SKIP);
	record_add_u(r, "ppid", t->ppid, COL_SKIP);
	record_add_u(r, "uid", t->uid, COL_SKIP);
	record_add_str(r, "comm", t->comm, sizeof(t->comm), COL_COMM);
}

void record_add_cookie(struct record *r, const char *key, uint64_t cookie)
{
	if (cookie)
		record_add_u(r, key, cookie, COL_SKIP);
}

/* The kernel's errnos stop at 4095 (MAX_ERRNO). */
#define MAX_ERRNO 4095

/* error: a negative errno, or NST_ERR_UNKNOWN. */
static void add_error(struct record *r, int error)
{
	const char *name;
	int err;

	/* Anything else is not an errno: never negate INT_MIN. */
	if (error > 0 || error < -MAX_ERRNO) {
		record_add_name(r, "error",
				"unknown: the kernel gave no answer", COL_NONE);
		return;
	}
	err = -error;
	name = strerrorname_np(err);
	snprintf(r->scratch, sizeof(r->scratch), "%s: %s", name ? name : "E?",
		 strerror(err));
	record_add_name(r, "error", r->scratch, COL_NONE);
}

static void add_move(struct record *r, const struct nst_netdev_move *m)
{
	record_add_name(r, "ns_type", "net", COL_TYPE);
	record_add_str(r, "ifname", m->ifname, sizeof(m->ifname), COL_NONE);
	record_add_u(r, "ifindex", m->ifindex, COL_NONE);
	/* A refused move changed nothing: there is no "after" to show. */
	if (!m->error) {
		record_add_str(r, "new_ifname", m->new_ifname,
			       sizeof(m->new_ifname), COL_NONE);
		record_add_u(r, "new_ifindex", m->new_ifindex, COL_NONE);
	}
	record_add_u(r, "from_netns", m->from_netns, COL_NS);
	record_add_cookie(r, "from_netns_cookie", m->from_netns_cookie);
	record_add_u(r, "to_netns", m->to_netns, COL_NS);
	record_add_cookie(r, "to_netns_cookie", m->to_netns_cookie);
	record_add_name(r, "cause", cause_name(m->cause), COL_NONE);
	/* The kernel's own moves (cause netns-exit) come from no syscall. */
	if (m->origin != NST_ORIGIN_NONE && m->origin != NST_ORIGIN_NETNS_EXIT)
		record_add_name(r, "syscall", origin_name(m->origin), COL_NONE);
	if (m->error)
		add_error(r, m->error);
}

/* netns-create: the devices a new netns starts with, such as lo. */
static const char *life_cause(uint32_t origin)
{
	if (origin == NST_ORIGIN_NETNS_EXIT ||
	    origin == NST_ORIGIN_NETNS_CREATE)
		return origin_name(origin);
	return "request";
}

static void add_life(struct record *r, const struct nst_netdev_life *l)
{
	record_add_name(r, "ns_type", "net", COL_TYPE);
	record_add_u(r, "netns", l->netns, COL_NS);
	record_add_cookie(r, "netns_cookie", l->netns_cookie);
	record_add_str(r, "ifname", l->ifname, sizeof(l->ifname), COL_NONE);
	record_add_u(r, "ifindex", l->ifindex, COL_NONE);
	record_add_str(r, "kind", l->kind, sizeof(l->kind), COL_NONE);
	record_add_name(r, "cause", life_cause(l->origin), COL_NONE);
	/* A veth end that went with its peer's netns: which one died. */
	if (l->peer_netns) {
		record_add_u(r, "peer_netns", l->peer_netns, COL_NONE);
		record_add_cookie(r, "peer_netns_cookie", l->peer_netns_cookie);
	}
	if (l->origin == NST_ORIGIN_SENDMSG || l->origin == NST_ORIGIN_SENDTO)
		record_add_name(r, "syscall", origin_name(l->origin), COL_NONE);
}

static void add_rename(struct record *r, const struct nst_netdev_rename *n)
{
	record_add_name(r, "ns_type", "net", COL_TYPE);
	record_add_u(r, "netns", n->netns, COL_NS);
	record_add_cookie(r, "netns_cookie", n->netns_cookie);
	record_add_str(r, "ifname", n->ifname, sizeof(n->ifname), COL_NONE);
	record_add_u(r, "ifindex", n->ifindex, COL_NONE);
	record_add_str(r, "new_ifname", n->new_ifname, sizeof(n->new_ifname),
		       COL_NONE);
	record_add_name(r, "cause", cause_name(n->cause), COL_NONE);
	if (n->origin != NST_ORIGIN_NONE)
		record_add_name(r, "syscall", origin_name(n->origin), COL_NONE);
}

static void add_destroy(struct record *r, const struct nst_ns_destroy *d)
{
	struct field *f;

	record_add_name(r, "ns_type", ns_type_name(d->ns_type), COL_TYPE);
	record_add_u(r, "ns", d->ns, COL_NS);
	if (d->ns_type != NST_NS_NET)
		return;
	record_add_cookie(r, "ns_cookie", d->ns_cookie);
	f = record_add(r, "interfaces", FIELD_DEVS, COL_NONE);
	f->devs = d->devs;
	f->ndevs = d->nr_devs < NST_MAX_DEVS ? d->nr_devs : NST_MAX_DEVS;
	/* Say so when the list had to be cut, rather than look complete. */
	if (d->nr_devs > NST_MAX_DEVS)
		record_add_u(r, "interfaces_total", d->nr_devs, COL_NONE);
	if (d->killer_pid) {
		record_add_u(r, "last_ref_pid", d->killer_pid, COL_NONE);
		record_add_str(r, "last_ref_comm", d->killer_comm,
			       sizeof(d->killer_comm), COL_NONE);
	}
}

void record_from_event(struct record *r, const struct nst_event *e,
		       int64_t realtime_off)
{
	/* Unsigned: wraps instead of overflowing on a nonsense timestamp. */
	add_head(r, event_name(e->kind),
		 e->task.ts_boot_ns + (uint64_t)realtime_off);
	add_task(r, &e->task);
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		record_add_name(r, "ns_type", ns_type_name(e->create.ns_type),
				COL_TYPE);
		record_add_u(r, "ns", e->create.ns, COL_NS);
		if (e->create.ns_type == NST_NS_NET)
			record_add_cookie(r, "ns_cookie", e->create.ns_cookie);
		record_add_name(r, "syscall", origin_name(e->create.origin),
				COL_NONE);
		if (e->create.child_pid)
			record_add_u(r, "child_pid", e->create.child_pid,
				     COL_NONE);
		break;
	case NST_EV_NS_SETNS:
		record_add_name(r, "ns_type", ns_type_name(e->setns.ns_type),
				COL_TYPE);
		record_add_u(r, "from_ns", e->setns.from_ns, COL_NS);
		if (e->setns.ns_type == NST_NS_NET)
			record_add_cookie(r, "from_ns_cookie",
					  e->setns.from_ns_cookie);
		record_add_u(r, "to_ns", e->setns.to_ns, COL_NS);
		if (e->setns.ns_type == NST_NS_NET)
			record_add_cookie(r, "to_ns_cookie",
					  e->setns.to_ns_cookie);
		break;
	case NST_EV_NS_DESTROY:
		add_destroy(r, &e->destroy);
		break;
	case NST_EV_NETDEV_MOVE:
		add_move(r, &e->move);
		break;
	case NST_EV_NETDEV_CREATE:
	case NST_EV_NETDEV_DELETE:
		add_life(r, &e->life);
		break;
	case NST_EV_NETDEV_RENAME:
		add_rename(r, &e->rename);
		break;
	}
}

void record_lost(struct record *r, uint64_t now_ns, uint64_t count,
		 uint64_t total)
{
	add_head(r, "lost", now_ns);
	record_add_u(r, "count", count, COL_NONE);
	record_add_u(r, "total", total, COL_NONE);
}

void record_ns_name(struct record *r, uint64_t now_ns,
		    const struct nst_task *task, uint32_t type, uint32_t inum,
		    uint64_t cookie, bool added, const char *name,
		    const char *path)
{
	add_head(r, event_name(EV_NS_NAME), now_ns);
	if (task)
		add_task(r, task);
	record_add_name(r, "ns_type", ns_type_name(type), COL_TYPE);
	record_add_u(r, "ns", inum, COL_NS);
	if (type == NST_NS_NET)
		record_add_cookie(r, "ns_cookie", cookie);
	record_add_name(r, "op", added ? "add" : "remove", COL_NONE);
	/* Mount points are whatever bytes the one who mounted chose. */
	record_add_str(r, "name", name, strlen(name), COL_NONE);
	record_add_str(r, "path", path, strlen(path), COL_NONE);
}

void record_head(struct record *r, const char *event, uint64_t time_ns)
{
	add_head(r, event, time_ns);
}
