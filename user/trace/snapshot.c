// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include "lib/netfmt.h"
#include "inventory/view.h"
#include "trace/snapshot.h"
#include "loader/stream.h"

/* ip netns names of one netns listed; more are left out. */
#define NS_NAMES_MAX 32

static void add_bool(struct record *r, const char *key, bool v)
{
	record_add(r, key, FIELD_BOOL, COL_NONE)->u = v;
}

static void add_strs(struct record *r, const char *key, const char *const *strs,
		     uint32_t n)
{
	struct field *f = record_add(r, key, FIELD_STRS, COL_NONE);

	f->strs = strs;
	f->ndevs = n;
}

static void head(struct record *r, const char *event, uint64_t time_ns,
		 uint64_t id)
{
	record_head(r, event, time_ns);
	record_add_u(r, "snapshot", id, COL_NONE);
}

static void emit_netns(struct output *o, const struct ns_view *nv,
		       uint64_t time_ns, uint64_t id)
{
	const char *names[NS_NAMES_MAX];
	uint32_t nnames = ls_view_names(nv, names, NS_NAMES_MAX);
	struct record r;

	head(&r, "snapshot.netns", time_ns, id);
	record_add_name(&r, "ns_type", "net", COL_TYPE);
	record_add_u(&r, "inode", nv->ns->inum, COL_NS);
	add_bool(&r, "init", nv->ns->flags & LS_NS_INIT);
	record_add_u(&r, "cookie", nv->net->cookie, COL_NONE);
	add_bool(&r, "dying", nv->net->flags & LS_NS_DYING);
	if (nv->ns->owner)
		record_add_u(&r, "owner", nv->ns->owner, COL_NONE);
	add_strs(&r, "names", names, nnames);
	record_add_u(&r, "nprocs", ls_view_nprocs(nv), COL_NONE);
	if (ls_view_ns_container(nv))
		record_add(&r, "container", FIELD_CONTAINER, COL_NONE)->ctr =
			ls_view_ns_container(nv);
	output_record(o, &r);
}

static void emit_netdev(struct output *o, const struct ls_view *v,
			const struct ns_view *nv, const struct ls_dev *d,
			uint64_t time_ns, uint64_t id)
{
	const struct ls_net *peer_net = inventory_net(&v->inv, d->peer_netns);
	const char *flag_names[IFF_NAMES_MAX];
	const char *ltype = link_type_name(d->type);
	struct buf mac = {};
	struct record r;

	head(&r, "snapshot.netdev", time_ns, id);
	record_add_name(&r, "ns_type", "net", COL_TYPE);
	record_add_u(&r, "netns", nv->ns->inum, COL_NS);
	record_add_cookie(&r, "netns_cookie", nv->net->cookie);
	record_add_str(&r, "ifname", d->name, sizeof(d->name), COL_NONE);
	record_add_u(&r, "ifindex", d->ifindex, COL_NONE);
	record_add_str(&r, "kind", d->link_kind, sizeof(d->link_kind),
		       COL_NONE);
	add_strs(&r, "flags", flag_names, iff_names(d->flags, flag_names));
	record_add_name(&r, "operstate", operstate_name(d->operstate),
			COL_NONE);
	record_add_u(&r, "mtu", d->mtu, COL_NONE);
	if (ltype)
		record_add_name(&r, "link_type", ltype, COL_NONE);
	else
		record_add_u(&r, "link_type", d->type, COL_NONE);
	if (d->addr_len) {
		mac_str(&mac, d->addr,
			d->addr_len < LS_ADDR_LEN ? d->addr_len : LS_ADDR_LEN);
		record_add_name(&r, "mac", buf_cstr(&mac), COL_NONE);
	}
	if (d->master) {
		const struct ls_dev *m = ls_view_dev(nv, d->master);

		record_add_u(&r, "master_ifindex", d->master, COL_NONE);
		if (m)
			record_add_str(&r, "master", m->name, sizeof(m->name),
				       COL_NONE);
	}
	if (d->peer_ifindex) {
		record_add_u(&r, "peer_netns", d->peer_netns, COL_NONE);
		if (peer_net)
			record_add_cookie(&r, "peer_netns_cookie",
					  peer_net->cookie);
		record_add_u(&r, "peer_ifindex", d->peer_ifindex, COL_NONE);
		record_add_str(&r, "peer_name", d->peer_name,
			       sizeof(d->peer_name), COL_NONE);
	}
	output_record(o, &r);
	buf_free(&mac);
}

long snapshot_emit(struct output *o, uint64_t id, const char *reason)
{
	uint64_t begin = stream_now_realtime_ns();
	struct ls_view v;
	struct record r;
	size_t ndevs = 0;
	long records;

	if (ls_view_build(&v)) {
		fprintf(stderr, "nstrace: snapshot %llu (%s) not taken\n",
			(unsigned long long)id, reason);
		return -1;
	}
	head(&r, "snapshot.begin", begin, id);
	record_add_name(&r, "reason", reason, COL_NONE);
	output_record(o, &r);
	for (size_t i = 0; i < v.inv.nnets; i++) {
		const struct ns_view *nv = ls_view_ns(&v, v.inv.nets[i].inum);

		emit_netns(o, nv, begin, id);
		for (size_t j = 0; j < nv->ndevs; j++)
			emit_netdev(o, &v, nv, &nv->devs[j], begin, id);
		ndevs += nv->ndevs;
	}
	head(&r, "snapshot.end", stream_now_realtime_ns(), id);
	record_add_u(&r, "netns", v.inv.nnets, COL_NONE);
	record_add_u(&r, "netdevs", ndevs, COL_NONE);
	add_bool(&r, "truncated", v.inv.truncated);
	output_record(o, &r);
	/* begin, a record per netns and per interface, end */
	records = 2 + (long)(v.inv.nnets + ndevs);
	ls_view_free(&v);
	return records;
}
