/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of interface flags, states, link types and socket families. */
#ifndef NSTRACE_LIB_NETFMT_H
#define NSTRACE_LIB_NETFMT_H

#include <stdint.h>

#include "lib/buf.h"

const char *operstate_name(uint32_t state); /* "UP", ... as ip shows them */
const char *link_type_name(uint32_t type); /* "ether", ... or NULL */
const char *family_name(uint32_t family); /* "inet", ... or NULL */
/* Names of the IFF_* bits in flags, each followed by sep but the last. */
void iff_names(struct buf *b, uint32_t flags, const char *quote,
	       const char *sep);
/* aa:bb:cc..., n bytes. */
void mac_str(struct buf *b, const uint8_t *addr, uint32_t n);

#endif
