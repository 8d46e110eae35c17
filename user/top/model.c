// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "top/model.h"

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		abort(); /* as the inventory does: a view without memory is over */
	return p;
}

void model_init(struct top_model *m, uint64_t mark_ms)
{
	memset(m, 0, sizeof(*m));
	m->mark_ms = mark_ms;
}

static void netns_free(struct top_netns *n)
{
	free(n->names);
	free(n->ifs);
}

void model_free(struct top_model *m)
{
	for (size_t i = 0; i < m->nns; i++)
		netns_free(&m->ns[i]);
	free(m->ns);
	memset(m, 0, sizeof(*m));
}

/* The first entry whose inode is not below inum. */
static size_t lower_bound(const struct top_model *m, uint32_t inum)
{
	size_t lo = 0, hi = m->nns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ns[mid].inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct top_netns *model_netns(const struct top_model *m, uint32_t inum)
{
	for (size_t i = lower_bound(m, inum);
	     i < m->nns && m->ns[i].inum == inum; i++)
		if (!m->ns[i].ghost)
			return &m->ns[i];
	return NULL;
}

const char *model_names(const struct top_model *m, uint32_t inum)
{
	const char *names = NULL;

	for (size_t i = lower_bound(m, inum);
	     i < m->nns && m->ns[i].inum == inum; i++) {
		if (!m->ns[i].ghost)
			return m->ns[i].names;
		names = names ? names : m->ns[i].names;
	}
	return names;
}

/* The ghost of inum that still holds a live ifindex, else any, or NULL. */
static struct top_netns *ghost_netns(struct top_model *m, uint32_t inum,
				     uint32_t ifindex)
{
	struct top_netns *any = NULL;

	for (size_t i = lower_bound(m, inum);
	     i < m->nns && m->ns[i].inum == inum; i++) {
		if (!m->ns[i].ghost)
			continue;
		if (model_iface(&m->ns[i], ifindex))
			return &m->ns[i];
		any = &m->ns[i];
	}
	return any;
}

/* A new entry after every other of its inode; pointers into m->ns move. */
static struct top_netns *netns_insert(struct top_model *m, uint32_t inum)
{
	size_t at = lower_bound(m, inum);

	while (at < m->nns && m->ns[at].inum == inum)
		at++;
	if (m->nns == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->ns = xrealloc(m->ns, m->cap, sizeof(*m->ns));
	}
	memmove(&m->ns[at + 1], &m->ns[at], (m->nns - at) * sizeof(*m->ns));
	m->nns++;
	memset(&m->ns[at], 0, sizeof(m->ns[at]));
	m->ns[at].inum = inum;
	return &m->ns[at];
}

static void netns_remove(struct top_model *m, size_t at)
{
	netns_free(&m->ns[at]);
	memmove(&m->ns[at], &m->ns[at + 1], (m->nns - at - 1) * sizeof(*m->ns));
	m->nns--;
}

static struct top_netns *netns_get(struct top_model *m, uint32_t inum)
{
	struct top_netns *n = model_netns(m, inum);

	return n ? n : netns_insert(m, inum);
}

struct top_iface *model_iface(struct top_netns *n, uint32_t ifindex)
{
	for (size_t i = 0; i < n->nifs; i++)
		if (!n->ifs[i].ghost && n->ifs[i].ifindex == ifindex)
			return &n->ifs[i];
	return NULL;
}

static struct top_iface *iface_append(struct top_netns *n, uint32_t ifindex)
{
	struct top_iface *f;

	if (n->nifs == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 8;
		n->ifs = xrealloc(n->ifs, n->cap, sizeof(*n->ifs));
	}
	f = &n->ifs[n->nifs++];
	memset(f, 0, sizeof(*f));
	f->ifindex = ifindex;
	return f;
}

size_t model_live_netns(const struct top_model *m)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nns; i++)
		k += !m->ns[i].ghost;
	return k;
}

size_t model_live_ifaces(const struct top_model *m)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nns; i++)
		for (size_t j = 0; !m->ns[i].ghost && j < m->ns[i].nifs; j++)
			k += !m->ns[i].ifs[j].ghost;
	return k;
}

static void set_mark(struct top_model *m, enum top_mark *mark, uint64_t *until,
		     enum top_mark to, uint64_t now)
{
	*mark = to;
	*until = now + m->mark_ms;
}

static void netns_mark(struct top_model *m, struct top_netns *n,
		       enum top_mark to, uint64_t now)
{
	set_mark(m, &n->mark, &n->mark_until, to, now);
}

static void iface_mark(struct top_model *m, struct top_iface *f,
		       enum top_mark to, uint32_t other, uint64_t now)
{
	set_mark(m, &f->mark, &f->mark_until, to, now);
	f->mark_netns = other;
}

static void copy_name(char *dst, const char *src)
{
	memcpy(dst, src, NST_IFNAME_LEN);
	dst[NST_IFNAME_LEN - 1] = '\0';
}

void model_rebuild_begin(struct top_model *m)
{
	for (size_t i = 0; i < m->nns; i++) {
		m->ns[i].seen = false;
		for (size_t j = 0; j < m->ns[i].nifs; j++)
			m->ns[i].ifs[j].seen = false;
	}
}

struct top_netns *model_put_netns(struct top_model *m, uint32_t inum,
				  uint32_t flags, const char *names,
				  int64_t nprocs, uint64_t now)
{
	struct top_netns *n = model_netns(m, inum);

	/* Its ns.destroy came before the kernel took it off its list. */
	if (!n && (flags & TOP_NS_DYING) && ghost_netns(m, inum, 0))
		return NULL;
	if (!n) {
		n = netns_insert(m, inum);
		if (m->loaded)
			netns_mark(m, n, TOP_MARK_NEW, now);
	}
	n->flags = flags;
	/* ip netns del unmounts first: a dying netns keeps the names it had. */
	if (names && *names) {
		free(n->names);
		n->names = strdup(names);
	} else if (!(flags & TOP_NS_DYING)) {
		free(n->names);
		n->names = NULL;
	}
	n->nprocs = nprocs;
	n->seen = true;
	return n;
}

void model_put_iface(struct top_model *m, struct top_netns *n,
		     const struct top_iface *in, uint64_t now)
{
	struct top_iface *f;

	if (!n)
		return;
	f = model_iface(n, in->ifindex);
	if (!f) {
		f = iface_append(n, in->ifindex);
		if (m->loaded && n->mark != TOP_MARK_NEW)
			iface_mark(m, f, TOP_MARK_NEW, 0, now);
	}
	copy_name(f->name, in->name);
	memcpy(f->kind, in->kind, sizeof(f->kind));
	f->kind[sizeof(f->kind) - 1] = '\0';
	f->peer_netns = in->peer_netns;
	f->peer_ifindex = in->peer_ifindex;
	copy_name(f->peer_name, in->peer_name);
	f->seen = true;
}

void model_rebuild_end(struct top_model *m, uint64_t now)
{
	for (size_t i = 0; i < m->nns; i++) {
		struct top_netns *n = &m->ns[i];

		if (n->ghost)
			continue;
		/* Its ns.destroy was lost, or is still queued. */
		if (!n->seen) {
			n->ghost = true;
			netns_mark(m, n, TOP_MARK_GONE, now);
		}
		for (size_t j = 0; j < n->nifs; j++) {
			struct top_iface *f = &n->ifs[j];

			if (f->ghost || (f->seen && n->seen))
				continue;
			f->ghost = true;
			iface_mark(m, f, TOP_MARK_GONE, 0, now);
		}
	}
	m->loaded = true;
}

static void on_create(struct top_model *m, const struct nst_ns_create *c,
		      uint64_t now)
{
	struct top_netns *n;

	if (c->ns_type != NST_NS_NET || model_netns(m, c->ns))
		return;
	n = netns_insert(m, c->ns);
	n->nprocs = 1; /* the unsharer, or the clone's child */
	netns_mark(m, n, TOP_MARK_NEW, now);
}

/* One thread moved; a refresh from the inventory counts processes again. */
static void on_setns(struct top_model *m, const struct nst_ns_setns *s)
{
	struct top_netns *n;

	if (s->ns_type != NST_NS_NET)
		return;
	n = model_netns(m, s->from_ns);
	if (n && n->nprocs > 0)
		n->nprocs--;
	n = model_netns(m, s->to_ns);
	if (n)
		n->nprocs++;
}

static const struct nst_dev *dying_dev(const struct nst_ns_destroy *d,
				       uint32_t ifindex)
{
	uint32_t nr = d->nr_devs < NST_MAX_DEVS ? d->nr_devs : NST_MAX_DEVS;

	for (uint32_t i = 0; i < nr; i++)
		if (d->devs[i].ifindex == ifindex)
			return &d->devs[i];
	return NULL;
}

static void on_destroy(struct top_model *m, const struct nst_ns_destroy *d,
		       uint64_t now)
{
	struct top_netns *n;

	if (d->ns_type != NST_NS_NET)
		return;
	n = model_netns(m, d->ns);
	/* A refresh may have seen it gone first. */
	if (!n)
		n = ghost_netns(m, d->ns, 0);
	if (!n)
		n = netns_insert(m, d->ns);
	n->ghost = true;
	n->nprocs = 0;
	netns_mark(m, n, TOP_MARK_GONE, now);
	for (size_t i = 0; i < n->nifs; i++) {
		struct top_iface *f = &n->ifs[i];
		const struct nst_dev *dev = dying_dev(d, f->ifindex);

		/* A returned device stays until its netdev.move moves it. */
		if (f->ghost || (dev && dev->fate == NST_FATE_RETURNED))
			continue;
		f->ghost = true;
		iface_mark(m, f, TOP_MARK_GONE, 0, now);
	}
}

/* The other ends of veths that pointed at the moved device follow it. */
static void repoint_peers(struct top_model *m, const struct nst_netdev_move *mv)
{
	for (size_t i = 0; i < m->nns; i++)
		for (size_t j = 0; j < m->ns[i].nifs; j++) {
			struct top_iface *f = &m->ns[i].ifs[j];

			if (f->ghost || f->peer_netns != mv->from_netns ||
			    f->peer_ifindex != mv->ifindex)
				continue;
			f->peer_netns = mv->to_netns;
			f->peer_ifindex = mv->new_ifindex;
			copy_name(f->peer_name, mv->new_ifname);
		}
}

static void on_move(struct top_model *m, const struct nst_netdev_move *mv,
		    uint64_t now)
{
	struct top_iface moved = {}, *f = NULL, *g;
	struct top_netns *src, *dst;

	if (mv->error)
		return; /* refused: nothing moved */
	src = model_netns(m, mv->from_netns);
	if (!src || !model_iface(src, mv->ifindex))
		src = ghost_netns(m, mv->from_netns, mv->ifindex) ?: src;
	if (src)
		f = model_iface(src, mv->ifindex);
	if (f) {
		moved = *f;
		f->ghost = true;
		copy_name(f->name, mv->ifname);
		iface_mark(m, f, TOP_MARK_MOVED_OUT, mv->to_netns, now);
	}
	/* Inserting a netns moves the others, not their interfaces. */
	dst = netns_get(m, mv->to_netns);
	g = model_iface(dst, mv->new_ifindex);
	if (!g) {
		g = iface_append(dst, mv->new_ifindex);
		*g = moved;
		g->ifindex = mv->new_ifindex;
		g->ghost = false;
	}
	copy_name(g->name, mv->new_ifname);
	g->seen = true;
	iface_mark(m, g, TOP_MARK_MOVED_IN, mv->from_netns, now);
	repoint_peers(m, mv);
}

static void on_netdev_create(struct top_model *m,
			     const struct nst_netdev_life *l, uint64_t now)
{
	struct top_netns *n = netns_get(m, l->netns);
	struct top_iface *f = model_iface(n, l->ifindex);

	if (!f) {
		f = iface_append(n, l->ifindex);
		iface_mark(m, f, TOP_MARK_NEW, 0, now);
	}
	copy_name(f->name, l->ifname);
	memcpy(f->kind, l->kind, sizeof(f->kind));
	f->kind[sizeof(f->kind) - 1] = '\0';
}

static void on_netdev_delete(struct top_model *m,
			     const struct nst_netdev_life *l, uint64_t now)
{
	struct top_netns *n = model_netns(m, l->netns);
	struct top_iface *f;

	if (!n)
		n = ghost_netns(m, l->netns, l->ifindex);
	f = n ? model_iface(n, l->ifindex) : NULL;
	if (!f)
		return;
	f->ghost = true;
	iface_mark(m, f, TOP_MARK_GONE, 0, now);
}

void model_apply(struct top_model *m, const struct nst_event *e, uint64_t now)
{
	switch (e->kind) {
	case NST_EV_NS_CREATE:
		on_create(m, &e->create, now);
		break;
	case NST_EV_NS_SETNS:
		on_setns(m, &e->setns);
		break;
	case NST_EV_NS_DESTROY:
		on_destroy(m, &e->destroy, now);
		break;
	case NST_EV_NETDEV_MOVE:
		on_move(m, &e->move, now);
		break;
	case NST_EV_NETDEV_CREATE:
		on_netdev_create(m, &e->life, now);
		break;
	case NST_EV_NETDEV_DELETE:
		on_netdev_delete(m, &e->life, now);
		break;
	}
}

/* True when the entry's mark is over and it was a ghost: it goes. */
static bool expire_one(enum top_mark *mark, uint64_t until, bool ghost,
		       uint64_t now, bool *changed)
{
	if (*mark == TOP_MARK_NONE)
		return ghost;
	if (until > now)
		return false;
	*mark = TOP_MARK_NONE;
	*changed = true;
	return ghost;
}

bool model_expire(struct top_model *m, uint64_t now)
{
	bool changed = false;

	for (size_t i = 0; i < m->nns;) {
		struct top_netns *n = &m->ns[i];
		size_t k = 0;

		if (expire_one(&n->mark, n->mark_until, n->ghost, now,
			       &changed)) {
			netns_remove(m, i);
			changed = true;
			continue;
		}
		for (size_t j = 0; j < n->nifs; j++) {
			struct top_iface *f = &n->ifs[j];

			if (expire_one(&f->mark, f->mark_until, f->ghost, now,
				       &changed)) {
				changed = true;
				continue;
			}
			n->ifs[k++] = *f;
		}
		n->nifs = k;
		i++;
	}
	return changed;
}

uint64_t model_next_expiry(const struct top_model *m)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < m->nns; i++) {
		const struct top_netns *n = &m->ns[i];

		if (n->mark && n->mark_until < next)
			next = n->mark_until;
		for (size_t j = 0; j < n->nifs; j++)
			if (n->ifs[j].mark && n->ifs[j].mark_until < next)
				next = n->ifs[j].mark_until;
	}
	return next;
}
