// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "top/model.h"

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		abort(); /* as the inventory does: a view without memory is over */
	return p;
}

static void on_change(void *ctx, const struct topo_change *c);

void model_init(struct top_model *m, uint64_t mark_ms)
{
	memset(m, 0, sizeof(*m));
	m->mark_ms = mark_ms;
	m->topo.watch = on_change;
	m->topo.watch_ctx = m;
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
	topo_free(&m->topo);
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

/* The ghost of inum that died last, or NULL. */
static struct top_netns *ghost_netns(const struct top_model *m, uint32_t inum)
{
	struct top_netns *last = NULL;

	for (size_t i = lower_bound(m, inum);
	     i < m->nns && m->ns[i].inum == inum; i++)
		if (m->ns[i].ghost)
			last = &m->ns[i];
	return last;
}

const char *model_names(const struct top_model *m, uint32_t inum)
{
	const struct top_netns *n = model_netns(m, inum);

	if (!n)
		n = ghost_netns(m, inum);
	return n ? n->names : NULL;
}

const struct topo_ns *model_topo_ns(const struct top_model *m,
				    const struct top_netns *n)
{
	return n->ghost ? NULL : topo_find_ns(&m->topo, n->inum);
}

size_t model_live_netns(const struct top_model *m)
{
	return topo_live_netns(&m->topo);
}

size_t model_live_ifaces(const struct top_model *m)
{
	return topo_live_devs(&m->topo);
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

/* What top keeps of the model's ns: its live entry, or the ghost of it. */
static struct top_netns *kept_of(const struct top_model *m,
				 const struct topo_ns *ns)
{
	return ns->dead ? ghost_netns(m, ns->inum) : model_netns(m, ns->inum);
}

static struct top_iface *find_mark(const struct top_netns *n, uint32_t ifindex)
{
	for (size_t i = 0; i < n->nifs; i++)
		if (!n->ifs[i].ghost && n->ifs[i].ifindex == ifindex)
			return &n->ifs[i];
	return NULL;
}

const struct top_iface *model_mark(const struct top_netns *n, uint32_t ifindex)
{
	return find_mark(n, ifindex);
}

static void drop_mark(struct top_netns *n, uint32_t ifindex)
{
	struct top_iface *f = find_mark(n, ifindex);

	if (f)
		memmove(f, f + 1, (n->nifs-- - (f - n->ifs) - 1) * sizeof(*f));
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

static void netns_mark(struct top_model *m, struct top_netns *n,
		       enum top_mark to)
{
	n->mark = to;
	n->mark_until = m->now + m->mark_ms;
}

static void iface_mark(struct top_model *m, struct top_iface *f,
		       enum top_mark to, uint32_t other)
{
	f->mark = to;
	f->mark_until = m->now + m->mark_ms;
	f->mark_netns = other;
}

/* A live interface's mark, in place of the one it had. */
static void mark_live(struct top_model *m, struct top_netns *n,
		      uint32_t ifindex, enum top_mark to, uint32_t other)
{
	struct top_iface *f = find_mark(n, ifindex);

	iface_mark(m, f ? f : iface_append(n, ifindex), to, other);
}

/* An interface that left n, as it was then. */
static void add_ghost(struct top_model *m, struct top_netns *n,
		      const struct ls_dev *d, enum top_mark to, uint32_t other)
{
	struct top_iface *f;

	drop_mark(n, d->ifindex);
	f = iface_append(n, d->ifindex);
	memcpy(f->name, d->name, sizeof(f->name));
	f->name[sizeof(f->name) - 1] = '\0';
	f->ghost = true;
	iface_mark(m, f, to, other);
}

/* "a,b" from the model's names, as top draws and filters them. */
static void sync_names(struct top_netns *n, const struct topo_ns *ns)
{
	struct buf b = {};

	topo_join_names(&b, ns, ',');
	free(n->names);
	n->names = b.len ? strdup(buf_cstr(&b)) : NULL;
	buf_free(&b);
}

static void netns_added(struct top_model *m, const struct topo_change *c)
{
	struct top_netns *n = netns_insert(m, c->ns->inum);

	if (m->loaded)
		netns_mark(m, n, TOP_MARK_NEW);
	/* The unsharer, or the clone's child. */
	if (c->why && c->why->kind == TOPO_EV_NETNS_CREATE)
		n->nprocs = 1;
	sync_names(n, c->ns);
}

/* Its interfaces went first; their marks go, their ghosts stay with it. */
static void netns_gone(struct top_model *m, struct top_netns *n,
		       const struct topo_ns *ns)
{
	size_t k = 0;

	n->ghost = true;
	n->init = ns->init;
	n->nprocs = 0;
	netns_mark(m, n, TOP_MARK_GONE);
	for (size_t i = 0; i < n->nifs; i++)
		if (n->ifs[i].ghost)
			n->ifs[k++] = n->ifs[i];
	n->nifs = k;
}

/* What a move leaves behind, and where it lands. */
static void dev_moved(struct top_model *m, const struct topo_change *c)
{
	struct top_netns *n = kept_of(m, c->ns), *o;
	uint32_t from = c->from ? c->from->inum : c->why->dev.netns;

	if (c->old && (o = kept_of(m, c->from)))
		add_ghost(m, o, &c->old->d, TOP_MARK_MOVED_OUT, c->ns->inum);
	if (n)
		mark_live(m, n, c->dev->d.ifindex, TOP_MARK_MOVED_IN, from);
}

static void on_change(void *ctx, const struct topo_change *c)
{
	struct top_model *m = ctx;
	struct top_netns *n;

	if (c->what == TOPO_NETNS_ADDED) {
		netns_added(m, c);
		return;
	}
	if (c->what == TOPO_DEV_MOVED) {
		dev_moved(m, c);
		return;
	}
	/* A dying netns is dead by now: its live entry becomes its ghost. */
	if (c->what == TOPO_NETNS_GONE) {
		n = model_netns(m, c->ns->inum);
		if (n)
			netns_gone(m, n, c->ns);
		return;
	}
	n = kept_of(m, c->ns);
	if (!n)
		return;
	switch (c->what) {
	case TOPO_NETNS_NAMED:
		if (!n->ghost)
			sync_names(n, c->ns);
		break;
	case TOPO_DEV_ADDED:
		/* What comes with a new netns shares its mark. */
		if (m->loaded && n->mark != TOP_MARK_NEW)
			mark_live(m, n, c->dev->d.ifindex, TOP_MARK_NEW, 0);
		break;
	case TOPO_DEV_RENAMED:
		mark_live(m, n, c->dev->d.ifindex, TOP_MARK_RENAMED, 0);
		memcpy(find_mark(n, c->dev->d.ifindex)->name, c->old->d.name,
		       NST_IFNAME_LEN);
		break;
	case TOPO_DEV_RETURNED:
		/* Out of sight until its move, as in replay. */
		drop_mark(n, c->dev->d.ifindex);
		break;
	case TOPO_DEV_GONE:
		add_ghost(m, n, &c->dev->d, TOP_MARK_GONE, 0);
		break;
	default:
		break;
	}
}

void model_rebuild_begin(struct top_model *m)
{
	topo_sweep_begin(&m->topo);
}

bool model_put_netns(struct top_model *m, const struct topo_event *seen,
		     int64_t nprocs, uint64_t now)
{
	struct top_netns *n;

	/* Its ns.destroy came before the kernel took it off its list. */
	if (!topo_find_ns(&m->topo, seen->netns) && seen->dying &&
	    ghost_netns(m, seen->netns))
		return false;
	m->now = now;
	topo_apply(&m->topo, seen);
	n = model_netns(m, seen->netns);
	if (n)
		n->nprocs = nprocs;
	return n;
}

void model_put_dev(struct top_model *m, const struct ls_dev *d, uint64_t now)
{
	struct topo_event e = { .kind = TOPO_EV_DEV_SEEN, .dev = *d };

	m->now = now;
	topo_apply(&m->topo, &e);
}

void model_rebuild_end(struct top_model *m, uint64_t now)
{
	m->now = now;
	topo_sweep_end(&m->topo);
	m->loaded = true;
}

/* One thread moved; a refresh from the inventory counts processes again. */
static void on_enter(struct top_model *m, const struct topo_event *e)
{
	struct top_netns *n = model_netns(m, e->netns);

	if (n && n->nprocs > 0)
		n->nprocs--;
	n = model_netns(m, e->to_netns);
	if (n)
		n->nprocs++;
}

void model_apply(struct top_model *m, const struct topo_event *e, uint64_t now)
{
	struct top_netns *n;

	m->now = now;
	if (e->kind == TOPO_EV_NETNS_ENTER) {
		on_enter(m, e);
		return;
	}
	if (e->kind == TOPO_EV_NETNS_DESTROY &&
	    !topo_find_ns(&m->topo, e->netns)) {
		/* A refresh saw it gone first, or it came and went unseen. */
		n = ghost_netns(m, e->netns);
		if (!n) {
			n = netns_insert(m, e->netns);
			n->ghost = true;
		}
		netns_mark(m, n, TOP_MARK_GONE);
		return;
	}
	topo_apply(&m->topo, e);
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
		/* A live interface's mark is all it is here: it goes too. */
		for (size_t j = 0; j < n->nifs; j++) {
			struct top_iface *f = &n->ifs[j];

			expire_one(&f->mark, f->mark_until, f->ghost, now,
				   &changed);
			if (f->mark == TOP_MARK_NONE)
				continue;
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
