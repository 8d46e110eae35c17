// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <linux/if.h>
#include <linux/if_arp.h>
#include <sys/socket.h>

#include "lib/enums.h"
#include "lib/netfmt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const operstates[] = {
	[IF_OPER_UNKNOWN] = "UNKNOWN",
	[IF_OPER_NOTPRESENT] = "NOTPRESENT",
	[IF_OPER_DOWN] = "DOWN",
	[IF_OPER_LOWERLAYERDOWN] = "LOWERLAYERDOWN",
	[IF_OPER_TESTING] = "TESTING",
	[IF_OPER_DORMANT] = "DORMANT",
	[IF_OPER_UP] = "UP",
};

static const struct enum_pair link_types[] = {
	{ ARPHRD_ETHER, "ether" },
	{ ARPHRD_LOOPBACK, "loopback" },
	{ ARPHRD_NONE, "none" },
	{ ARPHRD_TUNNEL, "ipip" },
	{ ARPHRD_SIT, "sit" },
	{ ARPHRD_TUNNEL6, "tunnel6" },
	{ ARPHRD_IPGRE, "gre" },
	{ ARPHRD_IP6GRE, "gre6" },
	{ ARPHRD_INFINIBAND, "infiniband" },
	{ ARPHRD_IEEE80211, "ieee802.11" },
};

static const struct enum_pair families[] = {
	{ AF_UNIX, "unix" },	 { AF_INET, "inet" },
	{ AF_INET6, "inet6" },	 { AF_NETLINK, "netlink" },
	{ AF_PACKET, "packet" }, { AF_VSOCK, "vsock" },
};

static const struct enum_pair iff_bits[IFF_NAMES_MAX] = {
	{ IFF_UP, "UP" },
	{ IFF_BROADCAST, "BROADCAST" },
	{ IFF_DEBUG, "DEBUG" },
	{ IFF_LOOPBACK, "LOOPBACK" },
	{ IFF_POINTOPOINT, "POINTOPOINT" },
	{ IFF_NOTRAILERS, "NOTRAILERS" },
	{ IFF_RUNNING, "RUNNING" },
	{ IFF_NOARP, "NOARP" },
	{ IFF_PROMISC, "PROMISC" },
	{ IFF_ALLMULTI, "ALLMULTI" },
	{ IFF_MASTER, "MASTER" },
	{ IFF_SLAVE, "SLAVE" },
	{ IFF_MULTICAST, "MULTICAST" },
	{ IFF_PORTSEL, "PORTSEL" },
	{ IFF_AUTOMEDIA, "AUTOMEDIA" },
	{ IFF_DYNAMIC, "DYNAMIC" },
};

const char *operstate_name(uint32_t state)
{
	return enum_name(operstates, ARRAY_SIZE(operstates), state, "UNKNOWN");
}

uint32_t operstate_parse(const char *name)
{
	int state = enum_parse(operstates, ARRAY_SIZE(operstates), name);

	return state < 0 ? IF_OPER_UNKNOWN : (uint32_t)state;
}

const char *link_type_name(uint32_t type)
{
	return enum_pair_name(link_types, ARRAY_SIZE(link_types), type);
}

int64_t link_type_parse(const char *name)
{
	return enum_pair_parse(link_types, ARRAY_SIZE(link_types), name);
}

const char *family_name(uint32_t family)
{
	return enum_pair_name(families, ARRAY_SIZE(families), family);
}

uint32_t iff_names(uint32_t flags, const char *names[IFF_NAMES_MAX])
{
	uint32_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(iff_bits); i++)
		if (flags & iff_bits[i].value)
			names[n++] = iff_bits[i].name;
	return n;
}

uint32_t iff_parse(const char *name)
{
	int64_t bit = enum_pair_parse(iff_bits, ARRAY_SIZE(iff_bits), name);

	return bit < 0 ? 0 : (uint32_t)bit;
}

void mac_str(struct buf *b, const uint8_t *addr, uint32_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ':');
		buf_addc(b, hex[addr[i] >> 4]);
		buf_addc(b, hex[addr[i] & 0xf]);
	}
}
