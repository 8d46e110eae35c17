// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_arp.h>

#include "topology/topology.h"

#define NETNS_DIR "/run/netns/"

static void *grow(void *p, size_t n, size_t size)
{
	/* One more each time: logs hold hundreds of these, not millions. */
	p = realloc(p, (n + 1) * size);
	if (!p)
		abort();
	return p;
}

/* Into a field of n bytes, NUL-terminated, cut if it must be. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = src ? strnlen(src, n - 1) : 0;

	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

static void copy_name(char *dst, const char *src)
{
	copy_str(dst, NST_IFNAME_LEN, src);
}

static void names_free(struct topo_ns *ns)
{
	for (size_t i = 0; i < ns->nnames; i++)
		free(ns->names[i]);
	free(ns->names);
	ns->names = NULL;
	ns->nnames = 0;
}

void topo_free(struct topo *t)
{
	for (size_t i = 0; i < t->nns; i++)
		names_free(&t->ns[i]);
	free(t->ns);
	free(t->devs);
	memset(t, 0, sizeof(*t));
}

static struct topo_ns *find_ns(const struct topo *t, uint32_t inum)
{
	for (size_t i = 0; i < t->nns; i++)
		if (t->ns[i].inum == inum)
			return &t->ns[i];
	return NULL;
}

static struct topo_dev *find_dev(const struct topo *t, uint32_t netns,
				 uint32_t ifindex)
{
	for (size_t i = 0; i < t->ndevs; i++)
		if (t->devs[i].d.netns == netns &&
		    t->devs[i].d.ifindex == ifindex)
			return &t->devs[i];
	return NULL;
}

const struct topo_ns *topo_find_ns(const struct topo *t, uint32_t inum)
{
	return find_ns(t, inum);
}

const struct topo_dev *topo_find_dev(const struct topo *t, uint32_t netns,
				     uint32_t ifindex)
{
	const struct topo_dev *d = find_dev(t, netns, ifindex);

	return d && !d->limbo ? d : NULL;
}

/* A netns an event names: known from then on, if it was not. */
static struct topo_ns *ensure_ns(struct topo *t, uint32_t inum)
{
	struct topo_ns *ns = find_ns(t, inum);

	if (ns || !inum)
		return ns;
	t->ns = grow(t->ns, t->nns, sizeof(*t->ns));
	ns = &t->ns[t->nns++];
	memset(ns, 0, sizeof(*ns));
	ns->inum = inum;
	return ns;
}

void topo_set_netns(struct topo *t, const struct topo_ns *from)
{
	struct topo_ns *ns = ensure_ns(t, from->inum);

	if (!ns)
		return;
	names_free(ns);
	*ns = *from;
	ns->names = calloc(from->nnames + 1, sizeof(*ns->names));
	if (!ns->names)
		abort();
	for (size_t i = 0; i < from->nnames; i++)
		if (!(ns->names[i] = strdup(from->names[i])))
			abort();
}

static struct topo_dev *append_dev(struct topo *t, const struct ls_dev *d)
{
	struct topo_dev *td;

	t->devs = grow(t->devs, t->ndevs, sizeof(*t->devs));
	td = &t->devs[t->ndevs++];
	memset(td, 0, sizeof(*td));
	td->d = *d;
	td->d.kind = LS_REC_DEV;
	return td;
}

static void remove_dev(struct topo *t, struct topo_dev *td)
{
	size_t i = td - t->devs;

	memmove(td, td + 1, (t->ndevs - i - 1) * sizeof(*td));
	t->ndevs--;
}

void topo_set_dev(struct topo *t, const struct ls_dev *d)
{
	struct topo_dev *td = find_dev(t, d->netns, d->ifindex);

	ensure_ns(t, d->netns);
	if (td) {
		td->d = *d;
		td->limbo = false;
	} else {
		append_dev(t, d);
	}
}

void topo_ns_create(struct topo *t, uint32_t inum)
{
	/* Every netns starts with its loopback, always ifindex 1, down. */
	struct ls_dev lo = {
		.netns = inum,
		.ifindex = 1,
		.flags = IFF_LOOPBACK,
		.mtu = 65536,
		.operstate = IF_OPER_DOWN,
		.type = ARPHRD_LOOPBACK,
		.addr_len = 6,
		.name = "lo",
	};

	if (!inum || find_ns(t, inum))
		return;
	ensure_ns(t, inum);
	append_dev(t, &lo);
}

/* A veth takes its peer with it. */
static void delete_dev(struct topo *t, struct topo_dev *td)
{
	uint32_t peer_netns = td->d.peer_netns, peer = td->d.peer_ifindex;
	bool veth = !strcmp(td->d.link_kind, "veth");

	remove_dev(t, td);
	if (veth && peer && (td = find_dev(t, peer_netns, peer)))
		remove_dev(t, td);
}

void topo_ns_destroy(struct topo *t, uint32_t inum, const uint32_t *returned,
		     size_t nreturned)
{
	struct topo_ns *ns = find_ns(t, inum);

	for (size_t i = 0; i < t->ndevs;) {
		struct topo_dev *td = &t->devs[i];
		bool back = false;

		if (td->d.netns != inum || td->limbo) {
			i++;
			continue;
		}
		for (size_t j = 0; j < nreturned && !back; j++)
			back = returned[j] == td->d.ifindex;
		if (back) {
			/* The netdev.move of cause netns-exit puts it back. */
			td->limbo = true;
			i++;
			continue;
		}
		delete_dev(t, td);
		i = 0; /* a peer before i may have gone too */
	}
	if (!ns)
		return;
	names_free(ns);
	memmove(ns, ns + 1, (t->nns - (ns - t->ns) - 1) * sizeof(*ns));
	t->nns--;
}

static struct topo_dev *unpaired_veth(struct topo *t, uint64_t tid)
{
	for (size_t i = 0; tid && i < t->ndevs; i++)
		if (t->devs[i].pair_tid == tid)
			return &t->devs[i];
	return NULL;
}

void topo_dev_create(struct topo *t, uint32_t netns, const char *ifname,
		     uint32_t ifindex, const char *kind, uint64_t tid)
{
	struct topo_dev *td = find_dev(t, netns, ifindex), *other;
	struct ls_dev d = { .netns = netns, .ifindex = ifindex };

	ensure_ns(t, netns);
	if (td) {
		/* In the snapshot already: the event adds nothing new. */
		copy_name(td->d.name, ifname);
		return;
	}
	copy_name(d.name, ifname);
	copy_str(d.link_kind, sizeof(d.link_kind), kind);
	td = append_dev(t, &d);
	if (strcmp(kind, "veth"))
		return;
	/* One request makes both ends, one event each, from one thread. */
	other = unpaired_veth(t, tid);
	if (!other) {
		td->pair_tid = tid;
		return;
	}
	other->pair_tid = 0;
	other->d.peer_netns = netns;
	other->d.peer_ifindex = ifindex;
	copy_name(other->d.peer_name, ifname);
	td->d.peer_netns = other->d.netns;
	td->d.peer_ifindex = other->d.ifindex;
	copy_name(td->d.peer_name, other->d.name);
}

void topo_dev_delete(struct topo *t, uint32_t netns, uint32_t ifindex)
{
	struct topo_dev *td = find_dev(t, netns, ifindex);

	if (td)
		delete_dev(t, td);
}

void topo_dev_move(struct topo *t, uint32_t from, uint32_t ifindex,
		   const char *ifname, uint32_t to, uint32_t new_ifindex,
		   const char *new_ifname)
{
	struct topo_dev *td = find_dev(t, from, ifindex), *stale;
	struct ls_dev d = { .netns = to, .ifindex = new_ifindex };

	ensure_ns(t, to);
	if (!td) {
		/* Already where the move put it (a snapshot saw it there). */
		if (find_dev(t, to, new_ifindex))
			return;
		copy_name(d.name, new_ifname);
		append_dev(t, &d);
		return;
	}
	d = td->d;
	remove_dev(t, td);
	stale = find_dev(t, to, new_ifindex);
	if (stale)
		remove_dev(t, stale);
	/* The kernel appends a device to its new netns, and unlinks masters. */
	d.netns = to;
	d.ifindex = new_ifindex;
	d.master = 0;
	copy_name(d.name, new_ifname);
	append_dev(t, &d);
	for (size_t i = 0; i < t->ndevs; i++) {
		struct ls_dev *o = &t->devs[i].d;

		if (o->peer_netns == from && o->peer_ifindex == ifindex) {
			o->peer_netns = to;
			o->peer_ifindex = new_ifindex;
			copy_name(o->peer_name, new_ifname);
		}
		if (o->netns == from && o->master == ifindex)
			o->master = 0;
	}
	(void)ifname;
}

static int cmp_ns(const void *a, const void *b)
{
	const struct ls_ns *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

static int cmp_mount(const void *a, const void *b)
{
	const struct ns_mount *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void view_mounts(const struct topo *t, struct ns_mounts *m)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nns; i++)
		n += t->ns[i].nnames;
	m->m = calloc(n + 1, sizeof(*m->m));
	if (!m->m)
		abort();
	for (size_t i = 0; i < t->nns; i++)
		for (size_t j = 0; j < t->ns[i].nnames; j++) {
			struct ns_mount *nm = &m->m[m->n];
			size_t len = strlen(t->ns[i].names[j]);

			nm->type = NST_NS_NET;
			nm->inum = t->ns[i].inum;
			nm->order = m->n++;
			nm->path = malloc(sizeof(NETNS_DIR) + len);
			if (!nm->path)
				abort();
			memcpy(nm->path, NETNS_DIR, sizeof(NETNS_DIR) - 1);
			memcpy(nm->path + sizeof(NETNS_DIR) - 1,
			       t->ns[i].names[j], len + 1);
			nm->name = nm->path + sizeof(NETNS_DIR) - 1;
		}
	qsort(m->m, m->n, sizeof(*m->m), cmp_mount);
}

static const struct inventory *sort_inv;

static int cmp_net_index(const void *a, const void *b)
{
	uint32_t x = sort_inv->nets[*(const size_t *)a].inum;
	uint32_t y = sort_inv->nets[*(const size_t *)b].inum;

	return x < y ? -1 : x > y;
}

void topo_to_view(const struct topo *t, struct ls_view *v)
{
	struct inventory *inv = &v->inv;

	memset(v, 0, sizeof(*v));
	v->replayed = true;
	inv->ns = calloc(t->nns + 1, sizeof(*inv->ns));
	inv->nets = calloc(t->nns + 1, sizeof(*inv->nets));
	inv->net_by_inum = calloc(t->nns + 1, sizeof(*inv->net_by_inum));
	inv->devs = calloc(t->ndevs + 1, sizeof(*inv->devs));
	if (!inv->ns || !inv->nets || !inv->net_by_inum || !inv->devs)
		abort();
	for (size_t i = 0; i < t->nns; i++) {
		const struct topo_ns *ns = &t->ns[i];
		uint32_t flags = (ns->init ? LS_NS_INIT : 0) |
				 (ns->dying ? LS_NS_DYING : 0);

		inv->ns[i] = (struct ls_ns){ .kind = LS_REC_NS,
					     .type = NST_NS_NET,
					     .inum = ns->inum,
					     .owner = ns->owner,
					     .flags = flags };
		inv->nets[i] = (struct ls_net){ .kind = LS_REC_NET,
						.inum = ns->inum,
						.owner = ns->owner,
						.flags = flags,
						.cookie = ns->cookie };
		inv->net_by_inum[i] = i;
		if (ns->init)
			inv->init_ns[NST_NS_NET] = ns->inum;
		/* Grouped by netns, as the walk gives them. */
		for (size_t j = 0; j < t->ndevs; j++)
			if (t->devs[j].d.netns == ns->inum && !t->devs[j].limbo)
				inv->devs[inv->ndevs++] = t->devs[j].d;
	}
	inv->nns = inv->nnets = t->nns;
	inv->truncated = t->truncated;
	qsort(inv->ns, inv->nns, sizeof(*inv->ns), cmp_ns);
	sort_inv = inv;
	qsort(inv->net_by_inum, inv->nnets, sizeof(size_t), cmp_net_index);
	view_mounts(t, &v->mounts);
	ls_view_index(v);
}
