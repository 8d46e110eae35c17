// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "inventory/container_fmt.h"
#include "lib/enums.h"
#include "lib/json.h"
#include "lib/netfmt.h"
#include "ls/render.h"

static void comm_of(struct jw *j, const struct ls_view *v, uint32_t pid)
{
	const struct ls_task *t = ls_view_task(v, pid);

	if (t)
		jw_key_strn(j, "comm", t->comm, sizeof(t->comm));
}

static void names_array(struct jw *j, const struct ns_view *nv)
{
	jw_arr_open(j);
	for (size_t i = 0; i < nv->nmounts; i++) {
		const char *name = ls_view_name(nv, i);

		if (name)
			jw_str(j, name);
	}
	jw_arr_close(j);
}

static void mount_obj(struct jw *j, const struct ns_mount *m, bool holder)
{
	jw_obj_open(j);
	if (holder)
		jw_key_str(j, "kind", "mount");
	jw_key_str(j, "path", m->path);
	jw_key_u(j, "mntns", m->mntns);
	jw_key_u(j, "pid", m->pid);
	jw_obj_close(j);
}

/* "pids": each process once, though a thread of it may be listed too. */
static void pids_array(struct jw *j, const struct ns_view *nv)
{
	uint32_t last = 0;

	jw_key(j, "pids");
	jw_arr_open(j);
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);

		if (t->pid != last)
			jw_u(j, t->pid);
		last = t->pid;
	}
	jw_arr_close(j);
}

/* The container of nv's i-th process, NULL if it has none. */
static const struct container *container_at(const struct ls_view *v,
					    const struct ns_view *nv, size_t i)
{
	return ls_view_container(v, PTRS_AT(nv->tasks, struct ls_task, i));
}

static void processes_array(struct jw *j, const struct ls_view *v,
			    const struct ns_view *nv)
{
	jw_key(j, "processes");
	jw_arr_open(j);
	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);
		const struct container *c = container_at(v, nv, i);

		jw_obj_open(j);
		jw_key_u(j, "pid", t->pid);
		if (t->flags & LS_TASK_THREAD)
			jw_key_u(j, "tid", t->tid);
		jw_key_strn(j, "comm", t->comm, sizeof(t->comm));
		jw_key_u(j, "ppid", t->ppid);
		jw_key_u(j, "uid", t->uid);
		if (t->flags & LS_TASK_KTHREAD)
			jw_key_bool(j, "kthread", true);
		if (c) {
			jw_key(j, "container");
			container_json(j, c);
		}
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

/* The container of the i-th process if no process before it is in it. */
static const struct container *
first_in_container(const struct ls_view *v, const struct ns_view *nv, size_t i)
{
	const struct container *c = container_at(v, nv, i);

	for (size_t k = 0; c && k < i; k++) {
		const struct container *o = container_at(v, nv, k);

		if (o && !memcmp(o, c, sizeof(*c)))
			return NULL;
	}
	return c;
}

/* Distinct containers of the processes. */
static void containers_array(struct jw *j, const struct ls_view *v,
			     const struct ns_view *nv)
{
	jw_key(j, "containers");
	jw_arr_open(j);
	size_t n = 0;

	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct container *c = first_in_container(v, nv, i);

		if (c) {
			container_json(j, c);
			n++;
		}
	}
	/* No process of its left: the runtime whose bind mount holds it. */
	if (!n && ls_view_ns_container(nv))
		container_json(j, ls_view_ns_container(nv));
	jw_arr_close(j);
}

/* "family" and "link_type": a name when nstrace knows one, else the number. */
static void key_name_or_u(struct jw *j, const char *key, const char *name,
			  uint32_t v)
{
	if (name)
		jw_key_str(j, key, name);
	else
		jw_key_u(j, key, v);
}

/* A holder a process has open, as fd N: its object, left open for more. */
static void fd_holder_open(struct jw *j, const struct ls_view *v,
			   const char *kind, uint32_t pid, uint32_t fd)
{
	jw_obj_open(j);
	jw_key_str(j, "kind", kind);
	jw_key_u(j, "pid", pid);
	comm_of(j, v, pid);
	jw_key_u(j, "fd", fd);
}

static void holders_array(struct jw *j, const struct ls_view *v,
			  const struct ns_view *nv)
{
	jw_key(j, "holders");
	jw_arr_open(j);
	for (size_t i = 0; i < nv->nmounts; i++)
		mount_obj(j, &nv->mounts[i], true);
	for (size_t i = 0; i < PTRS_N(nv->fds); i++) {
		const struct ls_nsfd *f = PTRS_AT(nv->fds, struct ls_nsfd, i);

		fd_holder_open(j, v, "fd", f->pid, f->fd);
		jw_obj_close(j);
	}
	for (size_t i = 0; i < PTRS_N(nv->socks); i++) {
		const struct ls_sock *s = PTRS_AT(nv->socks, struct ls_sock, i);

		fd_holder_open(j, v, "socket", s->pid, s->fd);
		key_name_or_u(j, "family", family_name(s->family), s->family);
		jw_key_u(j, "protocol", s->protocol);
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

static void interface_obj(struct jw *j, const struct ns_view *nv,
			  const struct ls_dev *d)
{
	const char *flags[IFF_NAMES_MAX];
	uint32_t nflags = iff_names(d->flags, flags);

	jw_obj_open(j);
	jw_key_strn(j, "name", d->name, sizeof(d->name));
	jw_key_u(j, "ifindex", d->ifindex);
	jw_key(j, "kind");
	if (d->link_kind[0])
		jw_strn(j, d->link_kind, sizeof(d->link_kind));
	else
		jw_null(j);
	jw_key(j, "flags");
	jw_arr_open(j);
	for (uint32_t i = 0; i < nflags; i++)
		jw_str(j, flags[i]);
	jw_arr_close(j);
	jw_key_str(j, "operstate", operstate_name(d->operstate));
	jw_key_u(j, "mtu", d->mtu);
	key_name_or_u(j, "link_type", link_type_name(d->type), d->type);
	if (d->addr_len) {
		struct buf *b;

		jw_key(j, "mac");
		b = jw_raw(j);
		buf_addc(b, '"');
		mac_str(b, d->addr,
			d->addr_len < LS_ADDR_LEN ? d->addr_len : LS_ADDR_LEN);
		buf_addc(b, '"');
	}
	if (d->master) {
		const struct ls_dev *m = ls_view_dev(nv, d->master);

		jw_key_u(j, "master_ifindex", d->master);
		if (m)
			jw_key_strn(j, "master", m->name, sizeof(m->name));
	}
	if (d->peer_ifindex) {
		jw_key_u(j, "peer_netns", d->peer_netns);
		jw_key_u(j, "peer_ifindex", d->peer_ifindex);
		jw_key_strn(j, "peer_name", d->peer_name, sizeof(d->peer_name));
	}
	jw_obj_close(j);
}

void ls_json_one_netns(struct jw *j, const struct ls_view *v,
		       const struct ns_view *nv)
{
	const struct ls_net *net = nv->net;

	jw_obj_open(j);
	jw_key_u(j, "inode", nv->ns->inum);
	jw_key_bool(j, "init", nv->ns->flags & LS_NS_INIT);
	if (net) {
		jw_key_u(j, "cookie", net->cookie);
		/* A log does not carry the count. */
		if (!v->replayed)
			jw_key_u(j, "refs", (uint32_t)net->refs);
		jw_key_bool(j, "dying", net->flags & LS_NS_DYING);
	}
	if (nv->ns->owner)
		jw_key_u(j, "owner", nv->ns->owner);
	jw_key(j, "names");
	names_array(j, nv);
	jw_key(j, "mounts");
	jw_arr_open(j);
	for (size_t i = 0; i < nv->nmounts; i++)
		mount_obj(j, &nv->mounts[i], false);
	jw_arr_close(j);
	pids_array(j, nv);
	processes_array(j, v, nv);
	containers_array(j, v, nv);
	holders_array(j, v, nv);
	jw_key(j, "interfaces");
	jw_arr_open(j);
	for (size_t i = 0; i < nv->ndevs; i++)
		interface_obj(j, nv, &nv->devs[i]);
	jw_arr_close(j);
	jw_obj_close(j);
}

void ls_json_netns_list(struct jw *j, const struct ls_view *v)
{
	jw_key(j, "netns");
	jw_arr_open(j);
	for (size_t i = 0; i < v->inv.nnets; i++)
		ls_json_one_netns(j, v, ls_view_ns(v, v->inv.nets[i].inum));
	jw_arr_close(j);
}

void ls_json_begin(struct jw *j, struct buf *b)
{
	jw_init(j, b);
	jw_obj_open(j);
	jw_key_u(j, "schema", LS_SCHEMA_VERSION);
}

void ls_json_end(struct jw *j)
{
	jw_obj_close(j);
	buf_addc(j->b, '\n');
}

void ls_json_netns(struct buf *b, const struct ls_view *v)
{
	struct jw j;

	ls_json_begin(&j, b);
	jw_key_bool(&j, "truncated", v->inv.truncated);
	ls_json_netns_list(&j, v);
	ls_json_end(&j);
}

void ls_json_namespaces(struct buf *b, const struct ls_view *v,
			uint32_t type_mask)
{
	const struct inventory *inv = &v->inv;
	struct jw j;

	ls_json_begin(&j, b);
	jw_key(&j, "namespaces");
	jw_arr_open(&j);
	for (size_t i = 0; i < inv->nns; i++) {
		const struct ns_view *nv = &v->ns[i];

		if (!(type_mask & (1u << nv->ns->type)))
			continue;
		jw_obj_open(&j);
		jw_key_u(&j, "inode", nv->ns->inum);
		jw_key_str(&j, "type", ns_type_name(nv->ns->type));
		jw_key_bool(&j, "init", nv->ns->flags & LS_NS_INIT);
		if (nv->ns->owner)
			jw_key_u(&j, "owner", nv->ns->owner);
		if (nv->ns->parent)
			jw_key_u(&j, "parent", nv->ns->parent);
		pids_array(&j, nv);
		processes_array(&j, v, nv);
		holders_array(&j, v, nv);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	ls_json_end(&j);
}

void ls_json_identify(struct buf *b, const struct ls_view *v, uint32_t pid,
		      const struct ns_view *nv, const struct container *ctr,
		      bool host)
{
	struct jw j;

	ls_json_begin(&j, b);
	jw_key_u(&j, "pid", pid);
	if (ctr) {
		jw_key(&j, "container");
		container_json(&j, ctr);
		if (host)
			jw_key_bool(&j, "host_network", true);
	}
	jw_key(&j, "netns");
	ls_json_one_netns(&j, v, nv);
	ls_json_end(&j);
}

void ls_json_pids(struct buf *b, const struct ns_view *nv)
{
	struct jw j;

	ls_json_begin(&j, b);
	jw_key_u(&j, "netns", nv->ns->inum);
	pids_array(&j, nv);
	ls_json_end(&j);
}

/* A veth's other end, and its netns when nstrace sees that one. */
static void where_peer(struct jw *j, const struct ls_view *v,
		       const struct ls_dev *d)
{
	const struct ns_view *pv = ls_view_ns(v, d->peer_netns);

	jw_key(j, "peer");
	jw_obj_open(j);
	jw_key_strn(j, "ifname", d->peer_name, sizeof(d->peer_name));
	jw_key_u(j, "ifindex", d->peer_ifindex);
	jw_key_u(j, "netns", d->peer_netns);
	if (pv) {
		jw_key(j, "netns_names");
		names_array(j, pv);
		if (ls_view_ns_container(pv)) {
			jw_key(j, "netns_container");
			container_json(j, ls_view_ns_container(pv));
		}
	}
	jw_obj_close(j);
}

void ls_json_where(struct buf *b, const struct ls_view *v, const char *arg,
		   const struct ls_where *hits, size_t n)
{
	struct jw j;

	ls_json_begin(&j, b);
	jw_key_str(&j, "interface", arg);
	jw_key(&j, "netns");
	jw_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		const struct ns_view *nv = hits[i].nv;
		const struct ls_dev *d = hits[i].d;

		jw_obj_open(&j);
		jw_key_u(&j, "inode", nv->ns->inum);
		jw_key_u(&j, "ifindex", d->ifindex);
		jw_key_strn(&j, "ifname", d->name, sizeof(d->name));
		jw_key(&j, "names");
		names_array(&j, nv);
		if (ls_view_ns_container(nv)) {
			jw_key(&j, "container");
			container_json(&j, ls_view_ns_container(nv));
		}
		if (d->peer_netns)
			where_peer(&j, v, d);
		jw_obj_close(&j);
	}
	jw_arr_close(&j);
	ls_json_end(&j);
}
