// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/container_fmt.h"
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

static size_t live_ifaces(const struct top_model *m, const struct top_netns *n)
{
	const struct topo_ns *ns = model_topo_ns(m, n);

	return ns ? ns->ndevs : 0;
}

/* Its container as top draws it, and filters it: escaped. */
static void ctr_word(struct buf *b, const struct top_netns *n)
{
	if (n->has_ctr)
		container_text(b, &n->ctr);
}

static bool matches(const struct top_netns *n, const char *filter,
		    const struct select *sel)
{
	struct buf ctr = {};
	char inum[16];
	bool yes;

	if (select_any(sel) &&
	    !select_container(sel, n->has_ctr ? &n->ctr : NULL))
		return false;
	if (!filter || !*filter)
		return true;
	snprintf(inum, sizeof(inum), "%u", n->inum);
	if (strstr(inum, filter) || (n->names && strstr(n->names, filter)))
		return true;
	ctr_word(&ctr, n);
	yes = ctr.len && strstr(buf_cstr(&ctr), filter);
	buf_free(&ctr);
	return yes;
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

struct order {
	const struct top_model *m;
	enum top_sort sort;
};

static int compare(const void *pa, const void *pb, void *arg)
{
	const struct top_netns *a = *(const struct top_netns *const *)pa;
	const struct top_netns *b = *(const struct top_netns *const *)pb;
	const struct order *o = arg;
	size_t na, nb;
	int c;

	if (o->sort == TOP_SORT_NAME && (a->names || b->names)) {
		if (!a->names || !b->names)
			return a->names ? -1 : 1;
		c = strcmp(a->names, b->names);
		if (c)
			return c;
	} else if (o->sort == TOP_SORT_IFACES) {
		na = live_ifaces(o->m, a);
		nb = live_ifaces(o->m, b);
		if (na != nb)
			return na > nb ? -1 : 1;
	}
	return by_inode(a, b);
}

static void push(struct top_rows *rows, const struct top_netns *n,
		 const struct topo_dev *dev, const struct top_iface *f)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? 2 * rows->cap : 256;
		rows->r = reallocarray(rows->r, rows->cap, sizeof(*rows->r));
		if (!rows->r)
			abort();
	}
	rows->r[rows->n++] = (struct top_row){ .ns = n, .dev = dev, .ifc = f };
}

static uint32_t row_ifindex(const struct top_row *r)
{
	return r->dev ? r->dev->d.ifindex : r->ifc->ifindex;
}

/* Interfaces by ifindex, a live one before the ghost of its index. */
static int by_ifindex(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	uint32_t x = row_ifindex(a), y = row_ifindex(b);

	if (x != y)
		return x < y ? -1 : 1;
	if (!a->dev != !b->dev)
		return a->dev ? -1 : 1;
	return (a->ifc > b->ifc) - (a->ifc < b->ifc);
}

static void push_ifaces(struct top_rows *rows, const struct top_model *m,
			const struct top_netns *n)
{
	const struct topo_ns *ns = model_topo_ns(m, n);
	size_t first = rows->n;

	for (size_t j = 0; ns && j < ns->ndevs; j++)
		push(rows, n, &ns->devs[j],
		     model_mark(n, ns->devs[j].d.ifindex));
	for (size_t j = 0; j < n->nifs; j++)
		if (n->ifs[j].ghost)
			push(rows, n, NULL, &n->ifs[j]);
	qsort(&rows->r[first], rows->n - first, sizeof(*rows->r), by_ifindex);
}

void rows_build(struct top_rows *rows, const struct top_model *m,
		const char *filter, const struct select *sel,
		enum top_sort sort)
{
	const struct top_netns **order = calloc(m->nns + 1, sizeof(*order));
	struct order o = { m, sort };
	size_t k = 0;

	if (!order)
		abort();
	for (size_t i = 0; i < m->nns; i++)
		if (matches(&m->ns[i], filter, sel))
			order[k++] = &m->ns[i];
	qsort_r(order, k, sizeof(*order), compare, &o);
	rows->n = 0;
	for (size_t i = 0; i < k; i++) {
		push(rows, order[i], NULL, NULL);
		push_ifaces(rows, m, order[i]);
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

static enum top_style netns_text(struct buf *b, const struct top_model *m,
				 const struct top_netns *n)
{
	const struct topo_ns *ns = model_topo_ns(m, n);
	int64_t procs = n->nprocs;
	size_t nifs = live_ifaces(m, n);

	buf_addf(b, "netns %u", n->inum);
	if (n->mark == TOP_MARK_NEW)
		buf_adds(b, " +new");
	else if (n->mark == TOP_MARK_GONE || n->ghost)
		buf_adds(b, " -gone");
	if (ns ? ns->init : n->init)
		buf_adds(b, " init");
	add_names(b, n->names);
	if (n->has_ctr) {
		buf_adds(b, " [");
		ctr_word(b, n);
		buf_addc(b, ']');
	}
	if (ns && ns->dying)
		buf_adds(b, " (dying)");
	if (ns)
		buf_addf(b, " (%lld proc%s, %zu if%s)", (long long)procs,
			 procs == 1 ? "" : "s", nifs, nifs == 1 ? "" : "s");
	if (n->mark == TOP_MARK_NEW)
		return TOP_STYLE_NEW;
	return ns ? TOP_STYLE_PLAIN : TOP_STYLE_GONE;
}

/* The other namespace of a move: its inode and names. */
static void other_netns(struct buf *b, const struct top_model *m, uint32_t inum)
{
	buf_addf(b, " %u", inum);
	add_names(b, model_names(m, inum));
}

static enum top_style iface_text(struct buf *b, const struct top_model *m,
				 const struct top_row *r)
{
	static const char *const gutter[] = {
		[TOP_MARK_NONE] = "     ",	[TOP_MARK_NEW] = "  +  ",
		[TOP_MARK_GONE] = "  -  ",	[TOP_MARK_MOVED_IN] = "  <- ",
		[TOP_MARK_MOVED_OUT] = "  -> ", [TOP_MARK_RENAMED] = "  ~  ",
	};
	enum top_mark mark = r->ifc ? r->ifc->mark : TOP_MARK_NONE;
	const struct ls_dev *d = r->dev ? &r->dev->d : NULL;
	enum top_style style = TOP_STYLE_PLAIN;

	buf_adds(b,
		 gutter[mark < sizeof(gutter) / sizeof(gutter[0]) ? mark : 0]);
	text_str(b, d ? d->name : r->ifc->name, NST_IFNAME_LEN);
	buf_addf(b, " if%u", row_ifindex(r));
	switch (mark) {
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
		other_netns(b, m, r->ifc->mark_netns);
		style = TOP_STYLE_MOVED;
		break;
	case TOP_MARK_MOVED_OUT:
		buf_adds(b, " moved to");
		other_netns(b, m, r->ifc->mark_netns);
		return TOP_STYLE_MOVED;
	case TOP_MARK_RENAMED:
		buf_adds(b, " renamed from ");
		text_str(b, r->ifc->name, NST_IFNAME_LEN);
		style = TOP_STYLE_MOVED;
		break;
	default:
		break;
	}
	if (!d)
		return style;
	if (d->link_kind[0]) {
		buf_addc(b, ' ');
		text_str(b, d->link_kind, sizeof(d->link_kind));
	}
	if (d->peer_netns) {
		buf_adds(b, " peer ");
		text_str(b, d->peer_name, sizeof(d->peer_name));
		buf_addf(b, " if%u", d->peer_ifindex);
		if (d->peer_netns != r->ns->inum)
			buf_addf(b, " in %u", d->peer_netns);
	}
	return style;
}

enum top_style row_text(struct buf *b, const struct top_model *m,
			const struct top_row *r)
{
	if (!r->dev && !r->ifc)
		return netns_text(b, m, r->ns);
	return iface_text(b, m, r);
}
