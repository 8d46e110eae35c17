// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_arp.h>

#include "topology/topology.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 8;
	p = reallocarray(p, *cap, size);
	if (!p)
		abort(); /* as the inventory does: a model without memory is over */
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* Into a field of n bytes, NUL-terminated, cut if it must be. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memmove(dst, src, len);
	dst[len] = '\0';
}

static void copy_name(char *dst, const char *src)
{
	copy_str(dst, NST_IFNAME_LEN, src);
}

static void tell_change(struct topo *t, const struct topo_change *c)
{
	if (t->watch)
		t->watch(t->watch_ctx, c);
}

static void tell(struct topo *t, enum topo_what what, const struct topo_ns *ns,
		 const struct topo_dev *dev, const struct topo_event *why)
{
	struct topo_change c = {
		.what = what, .ns = ns, .dev = dev, .why = why
	};

	tell_change(t, &c);
}

static void names_free(struct topo_ns *ns)
{
	for (size_t i = 0; i < ns->nnames; i++)
		free(ns->names[i]);
	free(ns->names);
	ns->names = NULL;
	ns->nnames = 0;
}

static void ns_free(struct topo_ns *ns)
{
	names_free(ns);
	free(ns->devs);
	free(ns);
}

void topo_free(struct topo *t)
{
	for (size_t i = 0; i < t->nns; i++)
		ns_free(t->ns[i]);
	free(t->ns);
	hmap_free(&t->live);
	memset(t, 0, sizeof(*t));
}

static struct topo_ns *live_ns(const struct topo *t, uint32_t inum)
{
	return inum ? hmap_get(&t->live, inum) : NULL;
}

/* The newest netns of inum that died holding a device it hands back. */
static struct topo_ns *dead_ns(const struct topo *t, uint32_t inum)
{
	for (size_t i = t->ndead ? t->nns : 0; i-- > 0;)
		if (t->ns[i]->dead && t->ns[i]->inum == inum)
			return t->ns[i];
	return NULL;
}

static struct topo_dev *find_dev(const struct topo_ns *ns, uint32_t ifindex)
{
	for (size_t i = 0; ns && i < ns->ndevs; i++)
		if (ns->devs[i].d.ifindex == ifindex)
			return &ns->devs[i];
	return NULL;
}

/* Live first, then what a dead netns of that inode holds; *in: where. */
static struct topo_dev *held_dev(const struct topo *t, uint32_t netns,
				 uint32_t ifindex, struct topo_ns **in)
{
	struct topo_dev *td;

	*in = live_ns(t, netns);
	td = find_dev(*in, ifindex);
	if (td)
		return td;
	*in = dead_ns(t, netns);
	return find_dev(*in, ifindex);
}

const struct topo_ns *topo_find_ns(const struct topo *t, uint32_t inum)
{
	return live_ns(t, inum);
}

const struct topo_ns *topo_any_ns(const struct topo *t, uint32_t inum)
{
	const struct topo_ns *ns = live_ns(t, inum);

	return ns ? ns : dead_ns(t, inum);
}

const struct topo_dev *topo_find_dev(const struct topo *t, uint32_t netns,
				     uint32_t ifindex)
{
	return find_dev(live_ns(t, netns), ifindex);
}

const struct topo_dev *topo_any_dev(const struct topo *t, uint32_t netns,
				    uint32_t ifindex)
{
	struct topo_ns *in;

	return held_dev(t, netns, ifindex, &in);
}

bool topo_tag(struct topo *t, uint32_t netns, uint32_t ifindex, uint32_t tag)
{
	struct topo_ns *in;
	struct topo_dev *td = held_dev(t, netns, ifindex, &in);

	if (td)
		td->tag = tag;
	return td;
}

void topo_join_names(struct buf *b, const struct topo_ns *ns, char sep)
{
	for (size_t i = 0; i < ns->nnames; i++) {
		if (i)
			buf_addc(b, sep);
		buf_adds(b, ns->names[i]);
	}
}

size_t topo_live_netns(const struct topo *t)
{
	return t->live.n;
}

size_t topo_live_devs(const struct topo *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nns; i++)
		n += t->ns[i]->dead ? 0 : t->ns[i]->ndevs;
	return n;
}

/* A netns an event names: known from then on, if it was not. */
static struct topo_ns *ensure_ns(struct topo *t, uint32_t inum,
				 const struct topo_event *why)
{
	struct topo_ns *ns = live_ns(t, inum);

	if (ns || !inum)
		return ns;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		abort();
	ns->inum = inum;
	t->ns = grow(t->ns, &t->cap, t->nns, sizeof(*t->ns));
	t->ns[t->nns++] = ns;
	hmap_put(&t->live, inum, ns);
	tell(t, TOPO_NETNS_ADDED, ns, NULL, why);
	return ns;
}

/* Off the list and freed; a live one must be out of t->live already. */
static void drop_ns(struct topo *t, struct topo_ns *ns)
{
	size_t i = 0;

	while (t->ns[i] != ns)
		i++;
	t->ndead -= ns->dead;
	memmove(&t->ns[i], &t->ns[i + 1], (t->nns - i - 1) * sizeof(*t->ns));
	t->nns--;
	ns_free(ns);
}

/* No longer live: it holds what it hands back, if anything. */
static void bury(struct topo *t, struct topo_ns *ns,
		 const struct topo_event *why)
{
	hmap_del(&t->live, ns->inum);
	ns->dead = true;
	t->ndead++;
	tell(t, TOPO_NETNS_GONE, ns, NULL, why);
}

static bool has_name(const struct topo_ns *ns, const char *name)
{
	for (size_t i = 0; i < ns->nnames; i++)
		if (!strcmp(ns->names[i], name))
			return true;
	return false;
}

static bool add_name(struct topo_ns *ns, const char *name)
{
	if (!*name || has_name(ns, name))
		return false;
	ns->names = reallocarray(ns->names, ns->nnames + 1, sizeof(*ns->names));
	if (!ns->names)
		abort();
	ns->names[ns->nnames++] = xstrdup(name);
	return true;
}

static bool remove_name(struct topo_ns *ns, const char *name)
{
	for (size_t i = 0; i < ns->nnames; i++) {
		if (strcmp(ns->names[i], name))
			continue;
		free(ns->names[i]);
		memmove(&ns->names[i], &ns->names[i + 1],
			(ns->nnames - i - 1) * sizeof(*ns->names));
		ns->nnames--;
		return true;
	}
	return false;
}

static void named(struct topo *t, struct topo_ns *ns, bool changed,
		  const struct topo_event *why)
{
	if (changed)
		tell(t, TOPO_NETNS_NAMED, ns, NULL, why);
}

/* Names a record gives are some of the netns's: they add, never replace. */
static void learn_names(struct topo *t, const struct topo_names *nm,
			const struct topo_event *why)
{
	struct topo_ns *ns;
	bool changed = false;

	if (!nm->netns || !nm->n)
		return;
	ns = ensure_ns(t, nm->netns, why);
	for (uint32_t i = 0; i < nm->n && i < TOPO_NAMES_MAX; i++)
		changed |= add_name(ns, nm->name[i]);
	named(t, ns, changed, why);
}

static struct topo_dev *append_dev(struct topo_ns *ns, const struct ls_dev *d)
{
	struct topo_dev *td;

	ns->devs = grow(ns->devs, &ns->cap, ns->ndevs, sizeof(*ns->devs));
	td = &ns->devs[ns->ndevs++];
	memset(td, 0, sizeof(*td));
	td->d = *d;
	td->d.kind = LS_REC_DEV;
	td->d.netns = ns->inum;
	return td;
}

/* Out of ns (*out: what it was); a master's ports are unlinked. */
static void remove_dev(struct topo_ns *ns, struct topo_dev *td,
		       struct topo_dev *out)
{
	size_t i = td - ns->devs;

	*out = *td;
	memmove(td, td + 1, (ns->ndevs - i - 1) * sizeof(*td));
	ns->ndevs--;
	/* The kernel unlinks a master's ports when it goes or leaves. */
	for (size_t j = 0; j < ns->ndevs; j++)
		if (ns->devs[j].d.master == out->d.ifindex)
			ns->devs[j].d.master = 0;
}

static void gone(struct topo *t, struct topo_ns *ns, struct topo_dev *td,
		 const struct topo_event *why)
{
	struct topo_dev was;

	remove_dev(ns, td, &was);
	tell(t, TOPO_DEV_GONE, ns, &was, why);
}

/* A veth takes its peer with it, wherever the peer is. */
static void delete_dev(struct topo *t, struct topo_ns *ns, struct topo_dev *td,
		       const struct topo_event *why)
{
	uint32_t inum = ns->inum, ifindex = td->d.ifindex;
	uint32_t peer_netns = td->d.peer_netns, peer = td->d.peer_ifindex;
	bool veth = !strcmp(td->d.link_kind, "veth");
	struct topo_ns *pns;

	gone(t, ns, td, why);
	if (!veth || !peer)
		return;
	pns = live_ns(t, peer_netns);
	td = find_dev(pns, peer);
	if (td && td->d.peer_netns == inum && td->d.peer_ifindex == ifindex)
		gone(t, pns, td, why);
}

/* The other ends of veths that pointed at a device follow it. */
static void repoint_peers(struct topo *t, uint32_t netns, uint32_t ifindex,
			  uint32_t to, uint32_t new_ifindex, const char *name)
{
	for (size_t i = 0; i < t->nns; i++)
		for (size_t j = 0; j < t->ns[i]->ndevs; j++) {
			struct ls_dev *o = &t->ns[i]->devs[j].d;

			if (o->peer_netns != netns ||
			    o->peer_ifindex != ifindex)
				continue;
			o->peer_netns = to;
			o->peer_ifindex = new_ifindex;
			copy_name(o->peer_name, name);
		}
}

/* The netns e names first (a device's, or the one left), and its cookie. */
static uint32_t first_netns(const struct topo_event *e)
{
	return e->dev.netns ? e->dev.netns : e->netns;
}

/* Whether cookie (0: the record has none) is of another netns than ns. */
static bool other_netns(const struct topo_ns *ns, uint64_t cookie)
{
	return cookie && ns->cookie && cookie != ns->cookie;
}

/*
 * The end of a netns (its death, a name that went) can be told after its
 * inode went to another: after ip netns del, the netns may die before
 * its name is seen to go; an event queued while a snapshot was read can
 * be older than the snapshot.
 */
static bool tells_an_end(const struct topo_event *e)
{
	return e->kind == TOPO_EV_NETNS_DESTROY ||
	       (e->kind == TOPO_EV_NETNS_NAME && e->unnamed);
}

/*
 * The live netns of inum is the one of cookie: one of another cookie
 * died unseen and gave its inode away, and goes now, with its devices,
 * before the event's own netns is known. The end of another netns than
 * the one held changes nothing (its apply leaves it too).
 */
static void learn_cookie(struct topo *t, uint32_t inum, uint64_t cookie,
			 const struct topo_event *e)
{
	struct topo_ns *ns = live_ns(t, inum);

	if (!ns || !cookie || ns->cookie == cookie || tells_an_end(e))
		return;
	if (!ns->cookie) {
		ns->cookie = cookie;
		return;
	}
	while (ns->ndevs)
		delete_dev(t, ns, &ns->devs[0], e);
	bury(t, ns, e);
	drop_ns(t, ns);
}

static void learn_cookies(struct topo *t, const struct topo_event *e)
{
	learn_cookie(t, first_netns(e), e->cookie, e);
	learn_cookie(t, e->to_netns, e->to_cookie, e);
}

void topo_learn(struct topo *t, const struct topo_event *e)
{
	learn_cookies(t, e);
	/* A netns seen whole says all its names: topo_apply() sets them. */
	if (e->kind == TOPO_EV_NETNS_SEEN)
		return;
	learn_names(t, &e->names[0], e);
	learn_names(t, &e->names[1], e);
}

static void netns_create(struct topo *t, const struct topo_event *e)
{
	/* Every netns starts with its loopback, always ifindex 1, down. */
	struct ls_dev lo = {
		.ifindex = 1,
		.flags = IFF_LOOPBACK,
		.mtu = 65536,
		.operstate = IF_OPER_DOWN,
		.type = ARPHRD_LOOPBACK,
		.addr_len = 6,
		.name = "lo",
	};
	struct topo_ns *ns;
	struct topo_dev *td;

	if (!e->netns || live_ns(t, e->netns))
		return;
	ns = ensure_ns(t, e->netns, e);
	td = append_dev(ns, &lo);
	tell(t, TOPO_DEV_ADDED, ns, td, e);
}

static bool returned(const struct topo_event *e, uint32_t ifindex)
{
	for (uint32_t i = 0; i < e->nfates && i < NST_MAX_DEVS; i++)
		if (e->fates[i].ifindex == ifindex)
			return e->fates[i].returned;
	return false;
}

/* Its devices go, but those it hands back (fate "returned"). */
static void netns_destroy(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns = live_ns(t, e->netns);

	if (!ns || other_netns(ns, e->cookie))
		return;
	/* The netdev.move of cause netns-exit that follows puts them back. */
	for (size_t i = 0; i < ns->ndevs; i++)
		if (returned(e, ns->devs[i].d.ifindex))
			tell(t, TOPO_DEV_RETURNED, ns, &ns->devs[i], e);
	for (size_t i = 0; i < ns->ndevs;) {
		if (returned(e, ns->devs[i].d.ifindex)) {
			i++;
			continue;
		}
		delete_dev(t, ns, &ns->devs[i], e);
		i = 0; /* its peer, before i, may have gone too */
	}
	bury(t, ns, e);
	if (!ns->ndevs)
		drop_ns(t, ns);
}

static void netns_name(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns;

	if (!e->name)
		return;
	if (e->unnamed) {
		ns = live_ns(t, e->netns);
		if (ns && !other_netns(ns, e->cookie))
			named(t, ns, remove_name(ns, e->name), e);
		return;
	}
	ns = ensure_ns(t, e->netns, e);
	if (ns)
		named(t, ns, add_name(ns, e->name), e);
}

static void netns_seen(struct topo *t, const struct topo_event *e)
{
	const struct topo_names *nm = &e->names[0];
	struct topo_ns *ns = ensure_ns(t, e->netns, e);
	bool changed = false;

	if (!ns)
		return;
	ns->owner = e->owner;
	if (e->cookie)
		ns->cookie = e->cookie;
	ns->init = e->init;
	ns->dying = e->dying;
	ns->seen = true;
	/* ip netns del unmounts first: a dying netns keeps the names it had. */
	if (!nm->n && e->dying)
		return;
	for (size_t i = ns->nnames; i-- > 0;) {
		bool keep = false;

		for (uint32_t j = 0; j < nm->n && !keep; j++)
			keep = !strcmp(ns->names[i], nm->name[j]);
		if (!keep)
			changed |= remove_name(ns, ns->names[i]);
	}
	for (uint32_t j = 0; j < nm->n && j < TOPO_NAMES_MAX; j++)
		changed |= add_name(ns, nm->name[j]);
	named(t, ns, changed, e);
}

static void dev_seen(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns = ensure_ns(t, e->dev.netns, e);
	struct topo_dev *td = find_dev(ns, e->dev.ifindex);

	if (!ns)
		return;
	if (td) {
		td->d = e->dev;
		td->d.kind = LS_REC_DEV;
		td->seen = true;
		return;
	}
	td = append_dev(ns, &e->dev);
	td->seen = true;
	tell(t, TOPO_DEV_ADDED, ns, td, e);
}

static struct topo_dev *unpaired_veth(struct topo *t, uint64_t tid)
{
	for (size_t i = 0; tid && i < t->nns; i++)
		for (size_t j = 0; !t->ns[i]->dead && j < t->ns[i]->ndevs; j++)
			if (t->ns[i]->devs[j].pair_tid == tid)
				return &t->ns[i]->devs[j];
	return NULL;
}

/* One request makes both ends of a veth, one event each, by one thread. */
static void pair(struct topo *t, struct topo_dev *td, uint64_t tid)
{
	struct topo_dev *other = unpaired_veth(t, tid);

	if (!other) {
		td->pair_tid = tid;
		return;
	}
	other->pair_tid = 0;
	other->d.peer_netns = td->d.netns;
	other->d.peer_ifindex = td->d.ifindex;
	copy_name(other->d.peer_name, td->d.name);
	td->d.peer_netns = other->d.netns;
	td->d.peer_ifindex = other->d.ifindex;
	copy_name(td->d.peer_name, other->d.name);
}

static void dev_create(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns = ensure_ns(t, e->dev.netns, e);
	struct topo_dev *td = find_dev(ns, e->dev.ifindex);
	struct ls_dev d = { .ifindex = e->dev.ifindex };

	if (!ns)
		return;
	if (td) {
		/* In the snapshot already: the event adds nothing new. */
		copy_name(td->d.name, e->dev.name);
		return;
	}
	copy_name(d.name, e->dev.name);
	copy_str(d.link_kind, sizeof(d.link_kind), e->dev.link_kind);
	td = append_dev(ns, &d);
	if (!strcmp(d.link_kind, "veth"))
		pair(t, td, e->tid);
	tell(t, TOPO_DEV_ADDED, ns, td, e);
}

static void dev_delete(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns = live_ns(t, e->dev.netns);
	struct topo_dev *td = find_dev(ns, e->dev.ifindex);

	if (td)
		delete_dev(t, ns, td, e);
}

/* Where the move put it, known before or not: the name is the event's. */
static void moved_in(struct topo *t, struct topo_ns *dst,
		     const struct topo_event *e)
{
	struct topo_dev *g = find_dev(dst, e->new_ifindex);
	struct ls_dev d = { .ifindex = e->new_ifindex };

	if (!g)
		g = append_dev(dst, &d);
	copy_name(g->d.name, e->new_ifname);
	tell(t, TOPO_DEV_MOVED, dst, g, e);
}

static void dev_move(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *src, *dst;
	struct topo_dev *td, was, *g;
	struct topo_change c;

	if (e->refused || !e->to_netns)
		return; /* refused: nothing moved */
	td = held_dev(t, e->dev.netns, e->dev.ifindex, &src);
	dst = ensure_ns(t, e->to_netns, e);
	if (!td) {
		/* Already where the move put it (a snapshot saw it there). */
		moved_in(t, dst, e);
		return;
	}
	remove_dev(src, td, &was);
	if (e->dev.name[0])
		copy_name(was.d.name, e->dev.name);
	g = find_dev(dst, e->new_ifindex);
	if (g)
		gone(t, dst, g, e); /* stale: the kernel gave its index away */
	/* The kernel appends a device to its new netns, without a master. */
	g = append_dev(dst, &was.d);
	g->pair_tid = was.pair_tid;
	g->tag = was.tag;
	g->d.ifindex = e->new_ifindex;
	g->d.master = 0;
	copy_name(g->d.name, e->new_ifname);
	repoint_peers(t, src->inum, was.d.ifindex, dst->inum, e->new_ifindex,
		      e->new_ifname);
	c = (struct topo_change){ .what = TOPO_DEV_MOVED,
				  .ns = dst,
				  .dev = g,
				  .old = &was,
				  .from = src,
				  .why = e };
	tell_change(t, &c);
	if (src->dead && !src->ndevs)
		drop_ns(t, src); /* all it held is handed back */
}

static void dev_rename(struct topo *t, const struct topo_event *e)
{
	struct topo_ns *ns = live_ns(t, e->dev.netns);
	struct topo_dev *td = find_dev(ns, e->dev.ifindex), was;
	struct topo_change c;

	if (!td || !strcmp(td->d.name, e->new_ifname))
		return;
	was = *td;
	copy_name(td->d.name, e->new_ifname);
	repoint_peers(t, ns->inum, td->d.ifindex, ns->inum, td->d.ifindex,
		      e->new_ifname);
	c = (struct topo_change){ .what = TOPO_DEV_RENAMED,
				  .ns = ns,
				  .dev = td,
				  .old = &was,
				  .why = e };
	tell_change(t, &c);
}

/* What each kind of event does; a kind not here changes nothing. */
static void (*const apply_kind[])(struct topo *t,
				  const struct topo_event *e) = {
	[TOPO_EV_NETNS_CREATE] = netns_create,
	[TOPO_EV_NETNS_DESTROY] = netns_destroy,
	[TOPO_EV_NETNS_NAME] = netns_name,
	[TOPO_EV_NETNS_SEEN] = netns_seen,
	[TOPO_EV_DEV_SEEN] = dev_seen,
	[TOPO_EV_DEV_CREATE] = dev_create,
	[TOPO_EV_DEV_DELETE] = dev_delete,
	[TOPO_EV_DEV_MOVE] = dev_move,
	[TOPO_EV_DEV_RENAME] = dev_rename,
	/* TOPO_EV_NETNS_ENTER: processes move; the topology stays. */
};

void topo_apply(struct topo *t, const struct topo_event *e)
{
	topo_learn(t, e);
	if ((size_t)e->kind < sizeof(apply_kind) / sizeof(apply_kind[0]) &&
	    apply_kind[e->kind])
		apply_kind[e->kind](t, e);
	/* Of the netns the event made known, if it did. */
	learn_cookies(t, e);
}

void topo_sweep_begin(struct topo *t)
{
	for (size_t i = 0; i < t->nns; i++) {
		t->ns[i]->seen = false;
		for (size_t j = 0; j < t->ns[i]->ndevs; j++)
			t->ns[i]->devs[j].seen = false;
	}
}

void topo_sweep_end(struct topo *t)
{
	for (size_t i = 0; i < t->nns;) {
		struct topo_ns *ns = t->ns[i];

		for (size_t j = ns->ndevs; j-- > 0;)
			if (!ns->devs[j].seen)
				gone(t, ns, &ns->devs[j], NULL);
		if (ns->seen) {
			i++;
			continue;
		}
		/* A dead one was said to be gone when it died. */
		if (!ns->dead)
			bury(t, ns, NULL);
		drop_ns(t, ns);
	}
}
