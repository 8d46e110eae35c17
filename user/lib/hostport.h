/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ADDR:PORT, an address to listen on as the command line gives it: an
 * IPv4 address, an IPv6 one in brackets, or localhost (127.0.0.1: no
 * lookup, so that the same words always bind the same socket).
 */
#ifndef NSTRACE_LIB_HOSTPORT_H
#define NSTRACE_LIB_HOSTPORT_H

#include <stdbool.h>
#include <sys/socket.h>

struct hostport {
	struct sockaddr_storage addr;
	socklen_t len; /* 0: none given */
	const char *text; /* as given, for messages */
};

/* s into *hp; false, *hp unchanged, when s is not ADDR:PORT. */
bool hostport_parse(const char *s, struct hostport *hp);

#endif
