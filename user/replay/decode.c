// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <linux/if.h>
#include <linux/if_arp.h>

#include "lib/netfmt.h"
#include "replay/decode.h"

#define MAX_NAMES 32

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool is_event(const struct jlog_rec *r, const char *name)
{
	return !strcmp(r->event, name);
}

static bool snapshot_netns(struct topo *t, struct jlog *log,
			   const struct jlog_rec *r)
{
	json_t *names = json_object_get(r->obj, "names");
	char *list[MAX_NAMES];
	struct topo_ns ns = { .names = list };
	size_t i;
	json_t *v;

	if (!jlog_need(log, r, "inode", NULL))
		return false;
	ns.inum = (uint32_t)jlog_u(r->obj, "inode");
	ns.owner = (uint32_t)jlog_u(r->obj, "owner");
	ns.cookie = jlog_u(r->obj, "cookie");
	ns.init = json_is_true(json_object_get(r->obj, "init"));
	ns.dying = json_is_true(json_object_get(r->obj, "dying"));
	json_array_foreach(names, i,
			   v) if (json_is_string(v) && ns.nnames < MAX_NAMES)
		list[ns.nnames++] = (char *)json_string_value(v);
	topo_set_netns(t, &ns);
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

static bool snapshot_netdev(struct topo *t, struct jlog *log,
			    const struct jlog_rec *r)
{
	struct ls_dev d = {};

	if (!jlog_need(log, r, "netns", "ifindex", "$ifname", NULL))
		return false;
	d.netns = (uint32_t)jlog_u(r->obj, "netns");
	d.ifindex = (uint32_t)jlog_u(r->obj, "ifindex");
	copy_str(d.name, sizeof(d.name), jlog_s(r->obj, "ifname"));
	copy_str(d.link_kind, sizeof(d.link_kind), jlog_s(r->obj, "kind"));
	d.flags = flag_bits(json_object_get(r->obj, "flags"));
	d.operstate = operstate_parse(jlog_s(r->obj, "operstate"));
	d.mtu = (uint32_t)jlog_u(r->obj, "mtu");
	d.type = link_type_of(json_object_get(r->obj, "link_type"));
	d.addr_len = mac_bytes(jlog_s(r->obj, "mac"), d.addr);
	d.master = (uint32_t)jlog_u(r->obj, "master_ifindex");
	d.peer_netns = (uint32_t)jlog_u(r->obj, "peer_netns");
	d.peer_ifindex = (uint32_t)jlog_u(r->obj, "peer_ifindex");
	copy_str(d.peer_name, sizeof(d.peer_name), jlog_s(r->obj, "peer_name"));
	topo_set_dev(t, &d);
	return true;
}

bool replay_snapshot_rec(struct topo *t, struct jlog *log,
			 const struct jlog_rec *r)
{
	if (is_event(r, "snapshot.netns"))
		return snapshot_netns(t, log, r);
	if (is_event(r, "snapshot.netdev"))
		return snapshot_netdev(t, log, r);
	return true;
}

static bool ns_destroy(struct topo *t, struct jlog *log,
		       const struct jlog_rec *r)
{
	json_t *devs = json_object_get(r->obj, "interfaces");
	uint32_t returned[NST_MAX_DEVS];
	size_t n = 0, i;
	json_t *v;

	if (strcmp(jlog_s(r->obj, "ns_type"), "net"))
		return true;
	if (!jlog_need(log, r, "ns", NULL))
		return false;
	json_array_foreach(devs, i,
			   v) if (!strcmp(jlog_s(v, "fate"), "returned") &&
				  n < NST_MAX_DEVS)
		returned[n++] = (uint32_t)jlog_u(v, "ifindex");
	topo_ns_destroy(t, (uint32_t)jlog_u(r->obj, "ns"), returned, n);
	return true;
}

bool replay_event(struct topo *t, struct jlog *log, const struct jlog_rec *r)
{
	const json_t *o = r->obj;

	if (is_event(r, "ns.create")) {
		if (strcmp(jlog_s(o, "ns_type"), "net"))
			return true;
		if (!jlog_need(log, r, "ns", NULL))
			return false;
		topo_ns_create(t, (uint32_t)jlog_u(o, "ns"));
	} else if (is_event(r, "ns.destroy")) {
		return ns_destroy(t, log, r);
	} else if (is_event(r, "netdev.create")) {
		if (!jlog_need(log, r, "netns", "ifindex", "$ifname", NULL))
			return false;
		topo_dev_create(t, (uint32_t)jlog_u(o, "netns"),
				jlog_s(o, "ifname"),
				(uint32_t)jlog_u(o, "ifindex"),
				jlog_s(o, "kind"), jlog_u(o, "tid"));
	} else if (is_event(r, "netdev.delete")) {
		if (!jlog_need(log, r, "netns", "ifindex", NULL))
			return false;
		topo_dev_delete(t, (uint32_t)jlog_u(o, "netns"),
				(uint32_t)jlog_u(o, "ifindex"));
	} else if (is_event(r, "netdev.move")) {
		/* A refused move changed nothing. */
		if (json_object_get(o, "error"))
			return true;
		if (!jlog_need(log, r, "from_netns", "to_netns", "ifindex",
			       "new_ifindex", "$ifname", "$new_ifname", NULL))
			return false;
		topo_dev_move(t, (uint32_t)jlog_u(o, "from_netns"),
			      (uint32_t)jlog_u(o, "ifindex"),
			      jlog_s(o, "ifname"),
			      (uint32_t)jlog_u(o, "to_netns"),
			      (uint32_t)jlog_u(o, "new_ifindex"),
			      jlog_s(o, "new_ifname"));
	}
	return true;
}
