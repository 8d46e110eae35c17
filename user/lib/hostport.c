// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/hostport.h"

/* Room for the longest IPv6 address, and for any ADDR that is too long. */
#define HOST_MAX 64

bool hostport_parse(const char *s, struct hostport *hp)
{
	struct hostport r = { .text = s };
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&r.addr;
	struct sockaddr_in *in = (struct sockaddr_in *)&r.addr;
	const char *colon, *host = s;
	char addr[HOST_MAX];
	size_t n;
	uint32_t port;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return false;
		host = s + 1;
		n = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - s);
		/* An IPv6 address without brackets: where would its port be? */
		if (memchr(s, ':', n))
			return false;
	}
	if (n == 0 || n >= sizeof(addr) ||
	    !cli_number(colon + 1, 1, 65535, &port))
		return false;
	memcpy(addr, host, n);
	addr[n] = '\0';
	if (s[0] == '[') {
		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			return false;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		r.len = sizeof(*in6);
	} else {
		if (!strcmp(addr, "localhost"))
			strcpy(addr, "127.0.0.1");
		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
			return false;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		r.len = sizeof(*in);
	}
	*hp = r;
	return true;
}
