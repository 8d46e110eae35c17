// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <linux/if.h>
#include <linux/if_arp.h>

#include "lib/netfmt.h"
#include "replay/decode.h"

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void copy_name(char *dst, const json_t *o, const char *key)
{
	copy_str(dst, NST_IFNAME_LEN, jlog_s(o, key));
}

static uint32_t u32(const json_t *o, const char *key)
{
	return (uint32_t)jlog_u(o, key);
}

static bool is_net(const json_t *o)
{
	return !strcmp(jlog_s(o, "ns_type"), "net");
}

/* key's strings (an array), as the names of netns. */
static void names_of(const json_t *o, const char *key, uint32_t netns,
		     struct topo_names *nm)
{
	json_t *v, *names = json_object_get(o, key);
	size_t i;

	nm->netns = netns;
	json_array_foreach(names, i,
			   v) if (json_is_string(v) && nm->n < TOPO_NAMES_MAX)
		nm->name[nm->n++] = json_string_value(v);
}

static bool snapshot_netns(struct jlog *log, const struct jlog_rec *r,
			   struct topo_event *e)
{
	const json_t *o = r->obj;

	if (!jlog_need(log, r, "inode", NULL))
		return false;
	e->kind = TOPO_EV_NETNS_SEEN;
	e->netns = u32(o, "inode");
	e->owner = u32(o, "owner");
	e->cookie = jlog_u(o, "cookie");
	e->init = json_is_true(json_object_get(o, "init"));
	e->dying = json_is_true(json_object_get(o, "dying"));
	names_of(o, "names", e->netns, &e->names[0]);
	return true;
}

static uint32_t flag_bits(const json_t *flags)
{
	uint32_t bits = 0;
	size_t i;
	json_t *v;

	json_array_foreach(flags, i, v) if (json_is_string(v))
		bits |= iff_parse(json_string_value(v));
	return bits;
}

/* A name nstrace gives, else the ARPHRD_* number it wrote instead. */
static uint16_t link_type_of(const json_t *v)
{
	int64_t type =
		json_is_string(v) ? link_type_parse(json_string_value(v)) : -1;

	if (json_is_integer(v))
		return (uint16_t)json_integer_value(v);
	return type < 0 ? 0 : (uint16_t)type;
}

/* "aa:bb:..." back to bytes; the length it had. */
static uint8_t mac_bytes(const char *s, uint8_t *addr)
{
	unsigned int byte;
	uint8_t n = 0;

	while (n < LS_ADDR_LEN && sscanf(s, "%2x", &byte) == 1) {
		addr[n++] = (uint8_t)byte;
		s += 2;
		if (*s != ':')
			break;
		s++;
	}
	return n;
}

/*
 * netns, ifindex, ifname (and kind): what every device record has; and
 * the netns's cookie, into the event's.
 */
static void dev_of(const json_t *o, struct topo_event *e)
{
	struct ls_dev *d = &e->dev;

	e->cookie = jlog_u(o, "netns_cookie");
	d->netns = u32(o, "netns");
	d->ifindex = u32(o, "ifindex");
	copy_name(d->name, o, "ifname");
	copy_str(d->link_kind, sizeof(d->link_kind), jlog_s(o, "kind"));
}

static bool snapshot_netdev(struct jlog *log, const struct jlog_rec *r,
			    struct topo_event *e)
{
	const json_t *o = r->obj;
	struct ls_dev *d = &e->dev;

	if (!jlog_need(log, r, "netns", "ifindex", "$ifname", NULL))
		return false;
	e->kind = TOPO_EV_DEV_SEEN;
	dev_of(o, e);
	d->flags = flag_bits(json_object_get(o, "flags"));
	d->operstate = operstate_parse(jlog_s(o, "operstate"));
	d->mtu = u32(o, "mtu");
	d->type = link_type_of(json_object_get(o, "link_type"));
	d->addr_len = mac_bytes(jlog_s(o, "mac"), d->addr);
	d->master = u32(o, "master_ifindex");
	d->peer_netns = u32(o, "peer_netns");
	d->peer_ifindex = u32(o, "peer_ifindex");
	copy_name(d->peer_name, o, "peer_name");
	return true;
}

static void destroy_fates(const json_t *o, struct topo_event *e)
{
	json_t *v, *devs = json_object_get(o, "interfaces");
	size_t i;

	json_array_foreach(devs, i, v) if (e->nfates < NST_MAX_DEVS)
	{
		struct topo_fate *f = &e->fates[e->nfates++];

		f->ifindex = u32(v, "ifindex");
		f->returned = !strcmp(jlog_s(v, "fate"), "returned");
		copy_name(f->ifname, v, "ifname");
	}
	e->nfates_total = json_object_get(o, "interfaces_total") ?
				  u32(o, "interfaces_total") :
				  e->nfates;
}

/* ns.create, ns.destroy, ns.name of a netns. */
static bool netns_event(struct jlog *log, const struct jlog_rec *r,
			struct topo_event *e)
{
	const json_t *o = r->obj;
	bool name = !strcmp(r->event, "ns.name");

	if (!is_net(o))
		return true;
	if (!jlog_need(log, r, "ns", NULL) ||
	    (name && !jlog_need(log, r, "$name", "$op", NULL)))
		return false;
	e->netns = u32(o, "ns");
	e->cookie = jlog_u(o, "ns_cookie");
	names_of(o, "ns_names", e->netns, &e->names[0]);
	if (name) {
		e->kind = TOPO_EV_NETNS_NAME;
		e->name = jlog_s(o, "name");
		e->unnamed = !strcmp(jlog_s(o, "op"), "remove");
	} else if (!strcmp(r->event, "ns.create")) {
		e->kind = TOPO_EV_NETNS_CREATE;
	} else {
		e->kind = TOPO_EV_NETNS_DESTROY;
		destroy_fates(o, e);
	}
	return true;
}

static bool dev_life(struct jlog *log, const struct jlog_rec *r,
		     struct topo_event *e)
{
	const json_t *o = r->obj;
	bool create = !strcmp(r->event, "netdev.create");

	if (create ? !jlog_need(log, r, "netns", "ifindex", "$ifname", NULL) :
		     !jlog_need(log, r, "netns", "ifindex", NULL))
		return false;
	e->kind = create ? TOPO_EV_DEV_CREATE : TOPO_EV_DEV_DELETE;
	dev_of(o, e);
	names_of(o, "netns_names", e->dev.netns, &e->names[0]);
	return true;
}

static bool dev_move(struct jlog *log, const struct jlog_rec *r,
		     struct topo_event *e)
{
	const json_t *o = r->obj;

	/* A refused move has no new_*, and perhaps no target. */
	e->refused = json_object_get(o, "error") != NULL;
	if (e->refused ?
		    !jlog_need(log, r, "from_netns", "ifindex", "$ifname",
			       NULL) :
		    !jlog_need(log, r, "from_netns", "to_netns", "ifindex",
			       "new_ifindex", "$ifname", "$new_ifname", NULL))
		return false;
	e->kind = TOPO_EV_DEV_MOVE;
	e->dev.netns = u32(o, "from_netns");
	e->cookie = jlog_u(o, "from_netns_cookie");
	e->to_cookie = jlog_u(o, "to_netns_cookie");
	e->dev.ifindex = u32(o, "ifindex");
	copy_name(e->dev.name, o, "ifname");
	e->to_netns = u32(o, "to_netns");
	e->new_ifindex = u32(o, "new_ifindex");
	copy_name(e->new_ifname, o, "new_ifname");
	e->netns_exit = !strcmp(jlog_s(o, "cause"), "netns-exit");
	names_of(o, "from_netns_names", e->dev.netns, &e->names[0]);
	names_of(o, "to_netns_names", e->to_netns, &e->names[1]);
	return true;
}

static bool dev_rename(struct jlog *log, const struct jlog_rec *r,
		       struct topo_event *e)
{
	const json_t *o = r->obj;

	if (!jlog_need(log, r, "netns", "ifindex", "$ifname", "$new_ifname",
		       NULL))
		return false;
	e->kind = TOPO_EV_DEV_RENAME;
	dev_of(o, e);
	copy_name(e->new_ifname, o, "new_ifname");
	names_of(o, "netns_names", e->dev.netns, &e->names[0]);
	return true;
}

bool replay_decode(struct jlog *log, const struct jlog_rec *r,
		   struct topo_event *e)
{
	const char *ev = r->event;

	memset(e, 0, sizeof(*e));
	e->tid = jlog_u(r->obj, "tid");
	e->snapshot = jlog_u(r->obj, "snapshot");
	if (!strcmp(ev, "snapshot.netns"))
		return snapshot_netns(log, r, e);
	if (!strcmp(ev, "snapshot.netdev"))
		return snapshot_netdev(log, r, e);
	if (!strcmp(ev, "ns.create") || !strcmp(ev, "ns.destroy") ||
	    !strcmp(ev, "ns.name"))
		return netns_event(log, r, e);
	if (!strcmp(ev, "netdev.create") || !strcmp(ev, "netdev.delete"))
		return dev_life(log, r, e);
	if (!strcmp(ev, "netdev.move"))
		return dev_move(log, r, e);
	if (!strcmp(ev, "netdev.rename"))
		return dev_rename(log, r, e);
	return true;
}
