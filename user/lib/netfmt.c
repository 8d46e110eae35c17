// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/netfmt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *operstate_name(uint32_t state)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "UNKNOWN",
		[IF_OPER_NOTPRESENT] = "NOTPRESENT",
		[IF_OPER_DOWN] = "DOWN",
		[IF_OPER_LOWERLAYERDOWN] = "LOWERLAYERDOWN",
		[IF_OPER_TESTING] = "TESTING",
		[IF_OPER_DORMANT] = "DORMANT",
		[IF_OPER_UP] = "UP",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "UNKNOWN";
}

const char *link_type_name(uint32_t type)
{
	switch (type) {
	case ARPHRD_ETHER:
		return "ether";
	case ARPHRD_LOOPBACK:
		return "loopback";
	case ARPHRD_NONE:
		return "none";
	case ARPHRD_TUNNEL:
		return "ipip";
	case ARPHRD_SIT:
		return "sit";
	case ARPHRD_TUNNEL6:
		return "tunnel6";
	case ARPHRD_IPGRE:
		return "gre";
	case ARPHRD_IP6GRE:
		return "gre6";
	case ARPHRD_INFINIBAND:
		return "infiniband";
	case ARPHRD_IEEE80211:
		return "ieee802.11";
	}
	return NULL;
}

const char *family_name(uint32_t family)
{
	switch (family) {
	case AF_UNIX:
		return "unix";
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	case AF_VSOCK:
		return "vsock";
	}
	return NULL;
}

static const struct {
	uint32_t bit;
	const char *name;
} iff_bits[IFF_NAMES_MAX] = {
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

uint32_t iff_names(uint32_t flags, const char *names[IFF_NAMES_MAX])
{
	uint32_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(iff_bits); i++)
		if (flags & iff_bits[i].bit)
			names[n++] = iff_bits[i].name;
	return n;
}

uint32_t iff_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(iff_bits); i++)
		if (!strcmp(iff_bits[i].name, name))
			return iff_bits[i].bit;
	return 0;
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
