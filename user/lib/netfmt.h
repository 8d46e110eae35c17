/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of interface flags, states, link types and socket families, as ip
 * shows them, and back (a log read again).
 */
#ifndef NSTRACE_LIB_NETFMT_H
#define NSTRACE_LIB_NETFMT_H

#include <stdint.h>

#include "lib/buf.h"

const char *operstate_name(uint32_t state); /* "UP", ... as ip shows them */
uint32_t operstate_parse(const char *name); /* IF_OPER_UNKNOWN if unknown */
const char *link_type_name(uint32_t type); /* "ether", ... or NULL */
int64_t link_type_parse(const char *name); /* ARPHRD_*, or -1 */
const char *family_name(uint32_t family); /* "inet", ... or NULL */
/* The IFF_* bits that have a name. */
#define IFF_NAMES_MAX 16
/* The names of the IFF_* bits set in flags, in bit order; how many. */
uint32_t iff_names(uint32_t flags, const char *names[IFF_NAMES_MAX]);
uint32_t iff_parse(const char *name); /* its IFF_* bit, or 0 */
/* aa:bb:cc..., n bytes. */
void mac_str(struct buf *b, const uint8_t *addr, uint32_t n);

#endif
