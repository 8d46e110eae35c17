// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "lib/escape.h"
#include "lib/netfmt.h"
#include "ls/render.h"
#include "lib/enums.h"

static void key(struct buf *b, bool *first, const char *k)
{
	if (!*first)
		buf_addc(b, ',');
	*first = false;
	/* Keys are ours, plain ASCII: no escaping, and no printf per field. */
	buf_addc(b, '"');
	buf_adds(b, k);
	buf_adds(b, "\":");
}

static void key_u(struct buf *b, bool *first, const char *k, uint64_t u)
{
	key(b, first, k);
	buf_addu(b, u);
}

static void key_str(struct buf *b, bool *first, const char *k, const char *s,
		    size_t n)
{
	key(b, first, k);
	json_str(b, s, n);
}

static void key_bool(struct buf *b, bool *first, const char *k, bool v)
{
	key(b, first, k);
	buf_adds(b, v ? "true" : "false");
}

static void comm_of(struct buf *b, bool *first, const struct ls_view *v,
		    uint32_t pid)
{
	const struct ls_task *t = ls_view_task(v, pid);

	if (t)
		key_str(b, first, "comm", t->comm, sizeof(t->comm));
}

void ls_netns_names(struct buf *b, const struct ns_view *nv, const char *sep,
		    bool json)
{
	bool first = true;

	for (size_t i = 0; i < nv->nmounts; i++) {
		const char *name = nv->mounts[i].name;
		bool dup = false;

		if (!name)
			continue;
		/* /run/netns/x and /var/run/netns/x name one thing. */
		for (size_t j = 0; j < i && !dup; j++)
			dup = nv->mounts[j].name &&
			      !strcmp(nv->mounts[j].name, name);
		if (dup)
			continue;
		if (!first)
			buf_adds(b, sep);
		first = false;
		if (json)
			json_str(b, name, strlen(name));
		else
			text_str(b, name, strlen(name));
	}
}

static void mount_obj(struct buf *b, const struct ns_mount *m, bool holder)
{
	bool first = true;

	buf_addc(b, '{');
	if (holder)
		key_str(b, &first, "kind", "mount", 5);
	key_str(b, &first, "path", m->path, strlen(m->path));
	key_u(b, &first, "mntns", m->mntns);
	key_u(b, &first, "pid", m->pid);
	buf_addc(b, '}');
}

static void mounts_array(struct buf *b, const struct ns_view *nv)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < nv->nmounts; i++) {
		if (i)
			buf_addc(b, ',');
		mount_obj(b, &nv->mounts[i], false);
	}
	buf_addc(b, ']');
}

static void container_obj(struct buf *b, const struct container *c)
{
	bool first = true;

	buf_addc(b, '{');
	if (c->id[0]) {
		key_str(b, &first, "runtime", c->runtime, sizeof(c->runtime));
		key_str(b, &first, "id", c->id, sizeof(c->id));
	}
	if (c->pod[0])
		key_str(b, &first, "pod", c->pod, sizeof(c->pod));
	buf_addc(b, '}');
}

/* "pids": each process once, though a thread of it may be listed too. */
static void pids_array(struct buf *b, const struct ns_view *nv)
{
	uint32_t last = 0;
	bool first = true;

	buf_addc(b, '[');
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);

		if (t->pid == last)
			continue;
		last = t->pid;
		if (!first)
			buf_addc(b, ',');
		first = false;
		buf_addu(b, t->pid);
	}
	buf_addc(b, ']');
}

static void processes_array(struct buf *b, const struct ls_view *v,
			    const struct ns_view *nv)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);
		const struct container *c = ls_view_container(v, t);
		bool first = true;

		if (i)
			buf_addc(b, ',');
		buf_addc(b, '{');
		key_u(b, &first, "pid", t->pid);
		if (t->flags & LS_TASK_THREAD)
			key_u(b, &first, "tid", t->tid);
		key_str(b, &first, "comm", t->comm, sizeof(t->comm));
		key_u(b, &first, "ppid", t->ppid);
		key_u(b, &first, "uid", t->uid);
		if (t->flags & LS_TASK_KTHREAD)
			key_bool(b, &first, "kthread", true);
		if (c) {
			key(b, &first, "container");
			container_obj(b, c);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

/* Distinct containers of the processes. */
static void containers_array(struct buf *b, const struct ls_view *v,
			     const struct ns_view *nv)
{
	bool first = true;

	buf_addc(b, '[');
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);
		const struct container *c = ls_view_container(v, t);
		bool dup = false;

		if (!c)
			continue;
		for (size_t j = 0; j < i && !dup; j++) {
			const struct container *o = ls_view_container(
				v, PTRS_AT(nv->tasks, struct ls_task, j));

			dup = o && !memcmp(o, c, sizeof(*c));
		}
		if (dup)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = false;
		container_obj(b, c);
	}
	buf_addc(b, ']');
}

static void holders_array(struct buf *b, const struct ls_view *v,
			  const struct ns_view *nv)
{
	bool first_holder = true;

	buf_addc(b, '[');
	for (size_t i = 0; i < nv->nmounts; i++) {
		if (!first_holder)
			buf_addc(b, ',');
		first_holder = false;
		mount_obj(b, &nv->mounts[i], true);
	}
	for (size_t i = 0; i < PTRS_N(nv->fds); i++) {
		const struct ls_nsfd *f = PTRS_AT(nv->fds, struct ls_nsfd, i);
		bool first = true;

		if (!first_holder)
			buf_addc(b, ',');
		first_holder = false;
		buf_addc(b, '{');
		key_str(b, &first, "kind", "fd", 2);
		key_u(b, &first, "pid", f->pid);
		comm_of(b, &first, v, f->pid);
		key_u(b, &first, "fd", f->fd);
		buf_addc(b, '}');
	}
	for (size_t i = 0; i < PTRS_N(nv->socks); i++) {
		const struct ls_sock *s = PTRS_AT(nv->socks, struct ls_sock, i);
		const char *family = family_name(s->family);
		bool first = true;

		if (!first_holder)
			buf_addc(b, ',');
		first_holder = false;
		buf_addc(b, '{');
		key_str(b, &first, "kind", "socket", 6);
		key_u(b, &first, "pid", s->pid);
		comm_of(b, &first, v, s->pid);
		key_u(b, &first, "fd", s->fd);
		if (family)
			key_str(b, &first, "family", family, strlen(family));
		else
			key_u(b, &first, "family", s->family);
		key_u(b, &first, "protocol", s->protocol);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

static void interface_obj(struct buf *b, const struct ns_view *nv,
			  const struct ls_dev *d)
{
	const char *ltype = link_type_name(d->type);
	bool first = true;

	buf_addc(b, '{');
	key_str(b, &first, "name", d->name, sizeof(d->name));
	key_u(b, &first, "ifindex", d->ifindex);
	key(b, &first, "kind");
	if (d->link_kind[0])
		json_str(b, d->link_kind, sizeof(d->link_kind));
	else
		buf_adds(b, "null");
	key(b, &first, "flags");
	buf_addc(b, '[');
	iff_names(b, d->flags, "\"", ",");
	buf_addc(b, ']');
	key_str(b, &first, "operstate", operstate_name(d->operstate),
		strlen(operstate_name(d->operstate)));
	key_u(b, &first, "mtu", d->mtu);
	if (ltype)
		key_str(b, &first, "link_type", ltype, strlen(ltype));
	else
		key_u(b, &first, "link_type", d->type);
	if (d->addr_len) {
		key(b, &first, "mac");
		buf_addc(b, '"');
		mac_str(b, d->addr,
			d->addr_len < LS_ADDR_LEN ? d->addr_len : LS_ADDR_LEN);
		buf_addc(b, '"');
	}
	if (d->master) {
		const struct ls_dev *m = ls_view_dev(nv, d->master);

		key_u(b, &first, "master_ifindex", d->master);
		if (m)
			key_str(b, &first, "master", m->name, sizeof(m->name));
	}
	if (d->peer_ifindex) {
		key_u(b, &first, "peer_netns", d->peer_netns);
		key_u(b, &first, "peer_ifindex", d->peer_ifindex);
		key_str(b, &first, "peer_name", d->peer_name,
			sizeof(d->peer_name));
	}
	buf_addc(b, '}');
}

void ls_json_one_netns(struct buf *b, const struct ls_view *v,
		       const struct ns_view *nv)
{
	const struct ls_net *net = nv->net;
	bool first = true;

	buf_addc(b, '{');
	key_u(b, &first, "inode", nv->ns->inum);
	key_bool(b, &first, "init", nv->ns->flags & LS_NS_INIT);
	if (net) {
		key_u(b, &first, "cookie", net->cookie);
		/* A log does not carry the count. */
		if (!v->replayed)
			key_u(b, &first, "refs", (uint32_t)net->refs);
		key_bool(b, &first, "dying", net->flags & LS_NS_DYING);
	}
	if (nv->ns->owner)
		key_u(b, &first, "owner", nv->ns->owner);
	key(b, &first, "names");
	buf_addc(b, '[');
	ls_netns_names(b, nv, ",", true);
	buf_addc(b, ']');
	key(b, &first, "mounts");
	mounts_array(b, nv);
	key(b, &first, "pids");
	pids_array(b, nv);
	key(b, &first, "processes");
	processes_array(b, v, nv);
	key(b, &first, "containers");
	containers_array(b, v, nv);
	key(b, &first, "holders");
	holders_array(b, v, nv);
	key(b, &first, "interfaces");
	buf_addc(b, '[');
	for (size_t i = 0; i < nv->ndevs; i++) {
		if (i)
			buf_addc(b, ',');
		interface_obj(b, nv, &nv->devs[i]);
	}
	buf_adds(b, "]}");
}

void ls_json_netns(struct buf *b, const struct ls_view *v)
{
	const struct inventory *inv = &v->inv;

	buf_addf(b, "{\"schema\":%d,\"truncated\":%s,\"netns\":[",
		 LS_SCHEMA_VERSION, inv->truncated ? "true" : "false");
	for (size_t i = 0; i < inv->nnets; i++) {
		const struct ns_view *nv = ls_view_ns(v, inv->nets[i].inum);

		if (i)
			buf_addc(b, ',');
		ls_json_one_netns(b, v, nv);
	}
	buf_adds(b, "]}\n");
}

void ls_json_namespaces(struct buf *b, const struct ls_view *v,
			uint32_t type_mask)
{
	const struct inventory *inv = &v->inv;
	bool first_ns = true;

	buf_addf(b, "{\"schema\":%d,\"namespaces\":[", LS_SCHEMA_VERSION);
	for (size_t i = 0; i < inv->nns; i++) {
		const struct ns_view *nv = &v->ns[i];
		const char *type = ns_type_name(nv->ns->type);
		bool first = true;

		if (!(type_mask & (1u << nv->ns->type)))
			continue;
		if (!first_ns)
			buf_addc(b, ',');
		first_ns = false;
		buf_addc(b, '{');
		key_u(b, &first, "inode", nv->ns->inum);
		key_str(b, &first, "type", type, strlen(type));
		key_bool(b, &first, "init", nv->ns->flags & LS_NS_INIT);
		if (nv->ns->owner)
			key_u(b, &first, "owner", nv->ns->owner);
		if (nv->ns->parent)
			key_u(b, &first, "parent", nv->ns->parent);
		key(b, &first, "pids");
		pids_array(b, nv);
		key(b, &first, "processes");
		processes_array(b, v, nv);
		key(b, &first, "holders");
		holders_array(b, v, nv);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
}
