// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "top/rows.h"

const char *top_sort_name(enum top_sort s)
{
	switch (s) {
	case TOP_SORT_NAME:
		return "name";
	case TOP_SORT_IFACES:
		return "interfaces";
	default:
		return "inode";
	}
}

static size_t live_ifaces(const struct top_netns *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->nifs; i++)
		k += !n->ifs[i].ghost;
	return k;
}

static bool matches(const struct top_netns *n, const char *filter)
{
	char inum[16];

	if (!filter || !*filter)
		return true;
	snprintf(inum, sizeof(inum), "%u", n->inum);
	return strstr(inum, filter) || (n->names && strstr(n->names, filter));
}

static int by_inode(const struct top_netns *a, const struct top_netns *b)
{
	if (a->inum != b->inum)
		return a->inum < b->inum ? -1 : 1;
	/* The live one first, then its ghosts as they died. */
	if (a->ghost != b->ghost)
		return a->ghost ? 1 : -1;
	return (a > b) - (a < b);
}

static int compare(const void *pa, const void *pb, void *arg)
{
	const struct top_netns *a = *(const struct top_netns *const *)pa;
	const struct top_netns *b = *(const struct top_netns *const *)pb;
	enum top_sort sort = *(const enum top_sort *)arg;
	size_t na, nb;
	int c;

	if (sort == TOP_SORT_NAME && (a->names || b->names)) {
		if (!a->names || !b->names)
			return a->names ? -1 : 1;
		c = strcmp(a->names, b->names);
		if (c)
			return c;
	} else if (sort == TOP_SORT_IFACES) {
		na = live_ifaces(a);
		nb = live_ifaces(b);
		if (na != nb)
			return na > nb ? -1 : 1;
	}
	return by_inode(a, b);
}

static void push(struct top_rows *rows, const struct top_netns *n,
		 const struct top_iface *f)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? 2 * rows->cap : 256;
		rows->r = reallocarray(rows->r, rows->cap, sizeof(*rows->r));
		if (!rows->r)
			abort();
	}
	rows->r[rows->n++] = (struct top_row){ .ns = n, .ifc = f };
}

/* Interfaces by ifindex, a live one before the ghost of its index. */
static int by_ifindex(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;

	if (a->ifc->ifindex != b->ifc->ifindex)
		return a->ifc->ifindex < b->ifc->ifindex ? -1 : 1;
	if (a->ifc->ghost != b->ifc->ghost)
		return a->ifc->ghost ? 1 : -1;
	return (a->ifc > b->ifc) - (a->ifc < b->ifc);
}

void rows_build(struct top_rows *rows, const struct top_model *m,
		const char *filter, enum top_sort sort)
{
	const struct top_netns **order = calloc(m->nns + 1, sizeof(*order));
	size_t k = 0;

	if (!order)
		abort();
	for (size_t i = 0; i < m->nns; i++)
		if (matches(&m->ns[i], filter))
			order[k++] = &m->ns[i];
	qsort_r(order, k, sizeof(*order), compare, &sort);
	rows->n = 0;
	for (size_t i = 0; i < k; i++) {
		size_t first;

		push(rows, order[i], NULL);
		first = rows->n;
		for (size_t j = 0; j < order[i]->nifs; j++)
			push(rows, order[i], &order[i]->ifs[j]);
		qsort(&rows->r[first], rows->n - first, sizeof(*rows->r),
		      by_ifindex);
	}
	free(order);
}

void rows_free(struct top_rows *rows)
{
	free(rows->r);
	memset(rows, 0, sizeof(*rows));
}

static void add_names(struct buf *b, const char *names)
{
	if (names) {
		buf_addc(b, ' ');
		text_str(b, names, strlen(names));
	}
}

static enum top_style netns_text(struct buf *b, const struct top_netns *n)
{
	int64_t procs = n->nprocs;
	size_t nifs = live_ifaces(n);

	buf_addf(b, "netns %u", n->inum);
	if (n->mark == TOP_MARK_NEW)
		buf_adds(b, " +new");
	else if (n->mark == TOP_MARK_GONE || n->ghost)
		buf_adds(b, " -gone");
	if (n->flags & TOP_NS_INIT)
		buf_adds(b, " init");
	add_names(b, n->names);
	if (n->flags & TOP_NS_DYING && !n->ghost)
		buf_adds(b, " (dying)");
	if (!n->ghost)
		buf_addf(b, " (%lld proc%s, %zu if%s)", (long long)procs,
			 procs == 1 ? "" : "s", nifs, nifs == 1 ? "" : "s");
	if (n->mark == TOP_MARK_NEW)
		return TOP_STYLE_NEW;
	return n->ghost ? TOP_STYLE_GONE : TOP_STYLE_PLAIN;
}

/* The other namespace of a move: its inode and names. */
static void other_netns(struct buf *b, const struct top_model *m, uint32_t inum)
{
	buf_addf(b, " %u", inum);
	add_names(b, model_names(m, inum));
}

static enum top_style iface_text(struct buf *b, const struct top_model *m,
				 const struct top_netns *n,
				 const struct top_iface *f)
{
	static const char *const gutter[] = {
		[TOP_MARK_NONE] = "     ",	[TOP_MARK_NEW] = "  +  ",
		[TOP_MARK_GONE] = "  -  ",	[TOP_MARK_MOVED_IN] = "  <- ",
		[TOP_MARK_MOVED_OUT] = "  -> ",
	};
	enum top_style style = TOP_STYLE_PLAIN;

	buf_adds(b, gutter[f->mark <= TOP_MARK_MOVED_OUT ? f->mark : 0]);
	text_str(b, f->name, sizeof(f->name));
	buf_addf(b, " if%u", f->ifindex);
	switch (f->mark) {
	case TOP_MARK_NEW:
		buf_adds(b, " new");
		style = TOP_STYLE_NEW;
		break;
	case TOP_MARK_GONE:
		buf_adds(b, " deleted");
		style = TOP_STYLE_GONE;
		break;
	case TOP_MARK_MOVED_IN:
		buf_adds(b, " from");
		other_netns(b, m, f->mark_netns);
		style = TOP_STYLE_MOVED;
		break;
	case TOP_MARK_MOVED_OUT:
		buf_adds(b, " moved to");
		other_netns(b, m, f->mark_netns);
		return TOP_STYLE_MOVED;
	default:
		break;
	}
	if (f->ghost)
		return style;
	if (f->kind[0]) {
		buf_addc(b, ' ');
		text_str(b, f->kind, sizeof(f->kind));
	}
	if (f->peer_netns) {
		buf_adds(b, " peer ");
		text_str(b, f->peer_name, sizeof(f->peer_name));
		buf_addf(b, " if%u", f->peer_ifindex);
		if (f->peer_netns != n->inum)
			buf_addf(b, " in %u", f->peer_netns);
	}
	return style;
}

enum top_style row_text(struct buf *b, const struct top_model *m,
			const struct top_row *r)
{
	if (!r->ifc)
		return netns_text(b, r->ns);
	return iface_text(b, m, r->ns, r->ifc);
}
