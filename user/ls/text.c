// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "inventory/container_fmt.h"
#include "lib/escape.h"
#include "lib/netfmt.h"
#include "ls/render.h"
#include "lib/enums.h"

#define WIDTH 80

/*
 * A line of items that stops, with "...", before it passes WIDTH. Names
 * are measured in bytes, so a line of multibyte names ends early.
 */
struct line {
	struct buf *out;
	size_t start; /* where the line began in out */
	bool full;
};

static void line_begin(struct line *l, struct buf *out, const char *lead)
{
	l->out = out;
	l->start = out->len;
	l->full = false;
	buf_adds(out, lead);
}

/* Appends item (already escaped), unless it would not fit. */
static void line_item(struct line *l, const char *item, size_t n, bool more)
{
	size_t used = l->out->len - l->start;
	size_t room = WIDTH - 1 - (more ? 4 : 0);

	if (l->full)
		return;
	if (used + 1 + n > room) {
		buf_adds(l->out, " ...");
		l->full = true;
		return;
	}
	buf_addc(l->out, ' ');
	buf_add(l->out, item, n);
}

static void line_end(struct line *l)
{
	buf_addc(l->out, '\n');
}

static void proc_item(struct buf *item, const struct ls_task *t)
{
	item->len = 0;
	text_str(item, t->comm, sizeof(t->comm));
	if (t->flags & LS_TASK_THREAD)
		buf_addf(item, "(%u/%u)", t->pid, t->tid);
	else
		buf_addf(item, "(%u)", t->pid);
}

static void processes_line(struct buf *b, const struct ns_view *nv)
{
	size_t n = PTRS_N(nv->tasks);
	struct buf item = {};
	struct line l;
	char lead[48];

	if (!n)
		return;
	snprintf(lead, sizeof(lead), "  %zu process%s:", ls_view_nprocs(nv),
		 ls_view_nprocs(nv) == 1 ? "" : "es");
	line_begin(&l, b, lead);
	for (size_t i = 0; i < n; i++) {
		proc_item(&item, PTRS_AT(nv->tasks, struct ls_task, i));
		line_item(&l, item.data, item.len, i + 1 < n);
	}
	line_end(&l);
	buf_free(&item);
}

static void holder_fd_item(struct buf *item, const struct ls_view *v,
			   const char *what, uint32_t fd, uint32_t pid)
{
	const struct ls_task *t = ls_view_task(v, pid);

	buf_addf(item, "%s %u of ", what, fd);
	if (t)
		text_str(item, t->comm, sizeof(t->comm));
	buf_addf(item, "(%u)", pid);
}

static void holders_line(struct buf *b, const struct ls_view *v,
			 const struct ns_view *nv)
{
	size_t nfds = PTRS_N(nv->fds), nsocks = PTRS_N(nv->socks);
	size_t total = nv->nmounts + nfds + nsocks, k = 0;
	struct buf item = {};
	struct line l;

	if (!total) {
		/* A log does not say what holds a netns: claim nothing. */
		if (!PTRS_N(nv->tasks) && !v->replayed)
			buf_adds(b, "  held by nothing nstrace can see\n");
		return;
	}
	line_begin(&l, b, "  held by");
	for (size_t i = 0; i < nv->nmounts; i++, k++) {
		item.len = 0;
		buf_adds(&item, "mount ");
		text_str(&item, nv->mounts[i].path, strlen(nv->mounts[i].path));
		line_item(&l, item.data, item.len, k + 1 < total);
	}
	for (size_t i = 0; i < nfds; i++, k++) {
		const struct ls_nsfd *f = PTRS_AT(nv->fds, struct ls_nsfd, i);

		item.len = 0;
		holder_fd_item(&item, v, "fd", f->fd, f->pid);
		line_item(&l, item.data, item.len, k + 1 < total);
	}
	for (size_t i = 0; i < nsocks; i++, k++) {
		const struct ls_sock *s = PTRS_AT(nv->socks, struct ls_sock, i);

		item.len = 0;
		holder_fd_item(&item, v, "socket", s->fd, s->pid);
		line_item(&l, item.data, item.len, k + 1 < total);
	}
	line_end(&l);
	buf_free(&item);
}

void ls_netns_names(struct buf *b, const struct ns_view *nv, const char *sep)
{
	bool first = true;

	for (size_t i = 0; i < nv->nmounts; i++) {
		const char *name = ls_view_name(nv, i);

		if (!name)
			continue;
		if (!first)
			buf_adds(b, sep);
		first = false;
		text_str(b, name, strlen(name));
	}
}

static void header_line(struct buf *b, const struct ls_view *v,
			const struct ns_view *nv)
{
	size_t start = b->len;

	buf_addf(b, "net:[%u]", nv->ns->inum);
	if (nv->ns->flags & LS_NS_INIT)
		buf_adds(b, " init");
	if (nv->nmounts && (buf_addc(b, ' '), 1))
		ls_netns_names(b, nv, ",");
	if (ls_view_ns_container(nv)) {
		buf_adds(b, " [");
		container_text(b, ls_view_ns_container(nv));
		buf_addc(b, ']');
	}
	if (nv->net && (nv->net->flags & LS_NS_DYING))
		buf_adds(b, " (dying)");
	/* Trailing space of an empty names list. */
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->len--;
	buf_addc(b, '\n');
}

static void interface_line(struct buf *b, const struct ns_view *nv,
			   const struct ls_dev *d)
{
	struct buf name = {}, kind = {};

	text_str(&name, d->name, sizeof(d->name));
	if (d->peer_ifindex)
		buf_addf(&name, "@if%u", d->peer_ifindex);
	/* A kind read back from a log is anyone's bytes, as names are. */
	if (d->link_kind[0])
		text_str(&kind, d->link_kind, sizeof(d->link_kind));
	else
		buf_addc(&kind, '-');
	buf_addf(b, "  %5u %-16s %-8.8s %-7.7s ", d->ifindex, buf_cstr(&name),
		 buf_cstr(&kind), operstate_name(d->operstate));
	if (d->addr_len == 6)
		mac_str(b, d->addr, 6);
	else
		buf_adds(b, "-                ");
	if (d->master) {
		const struct ls_dev *m = ls_view_dev(nv, d->master);

		buf_adds(b, " master ");
		if (m)
			text_str(b, m->name, sizeof(m->name));
		else
			buf_addf(b, "if%u", d->master);
	} else if (d->peer_ifindex && d->peer_netns != nv->ns->inum) {
		buf_addf(b, " in %u", d->peer_netns);
	}
	buf_addc(b, '\n');
	buf_free(&name);
	buf_free(&kind);
}

void ls_text_netns(struct buf *b, const struct ls_view *v)
{
	const struct inventory *inv = &v->inv;

	for (size_t i = 0; i < inv->nnets; i++) {
		const struct ns_view *nv = ls_view_ns(v, inv->nets[i].inum);

		header_line(b, v, nv);
		processes_line(b, nv);
		holders_line(b, v, nv);
		for (size_t j = 0; j < nv->ndevs; j++)
			interface_line(b, nv, &nv->devs[j]);
	}
	if (inv->truncated)
		buf_adds(b,
			 "(a list was longer than nstrace walks: cut short)\n");
}

static void ns_row(struct buf *b, const struct ls_view *v,
		   const struct ns_view *nv)
{
	const struct ls_task *t =
		PTRS_N(nv->tasks) ? PTRS_AT(nv->tasks, struct ls_task, 0) :
				    NULL;
	size_t start = b->len;
	struct buf item = {};
	struct line l;

	buf_addf(b, "%-10u %-6s %6zu ", nv->ns->inum,
		 ns_type_name(nv->ns->type), ls_view_nprocs(nv));
	if (t) {
		buf_addf(b, "%7u ", t->pid);
		item.len = 0;
		text_str(&item, t->comm, sizeof(t->comm));
		buf_addf(b, "%-15.15s", buf_cstr(&item));
	} else {
		buf_addf(b, "%7s %-15s", "-", "-");
	}
	if (nv->ns->owner)
		buf_addf(b, " %-10u", nv->ns->owner);
	else
		buf_addf(b, " %-10s", "-");
	/* The rest of the line: what holds it when no process does. */
	l.out = b;
	l.start = start;
	l.full = false;
	if (nv->nmounts) {
		item.len = 0;
		text_str(&item, nv->mounts[0].path, strlen(nv->mounts[0].path));
		line_item(&l, item.data, item.len, nv->nmounts > 1);
	}
	if (!t && PTRS_N(nv->fds)) {
		const struct ls_nsfd *f = PTRS_AT(nv->fds, struct ls_nsfd, 0);

		item.len = 0;
		holder_fd_item(&item, v, "fd", f->fd, f->pid);
		line_item(&l, item.data, item.len, PTRS_N(nv->fds) > 1);
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->len--;
	buf_addc(b, '\n');
	buf_free(&item);
}

void ls_text_namespaces(struct buf *b, const struct ls_view *v,
			uint32_t type_mask)
{
	const struct inventory *inv = &v->inv;

	buf_adds(
		b,
		"NS         TYPE   NPROCS     PID COMMAND         OWNER      HELD BY\n");
	for (size_t i = 0; i < inv->nns; i++)
		if (type_mask & (1u << v->ns[i].ns->type))
			ns_row(b, v, &v->ns[i]);
}
