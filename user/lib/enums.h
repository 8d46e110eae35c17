/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The names users type and read for namespace types, events and origins. */
#ifndef NSTRACE_LIB_ENUMS_H
#define NSTRACE_LIB_ENUMS_H

#include <stddef.h>
#include <stdint.h>

#include "nstrace.h"

/* A value of a sparse enum (ARPHRD_*, AF_*, IFF_*) and its name. */
struct enum_pair {
	uint32_t value;
	const char *name;
};

/*
 * The two ways of a table: names[i] (none when i is past the table or has
 * no name there), and the i of a name (-1 when none has it).
 */
const char *enum_name(const char *const *names, size_t n, uint32_t i,
		      const char *none);
int enum_parse(const char *const *names, size_t n, const char *s);
/* The same for pairs: the name of value or NULL; the value of s, or -1. */
const char *enum_pair_name(const struct enum_pair *pairs, size_t n,
			   uint32_t value);
int64_t enum_pair_parse(const struct enum_pair *pairs, size_t n, const char *s);

/*
 * ns.name comes from the mount syscalls and, for what they miss, from the
 * mount table: it is a kind of the kernel's, as the other events are.
 */
#define EV_NS_NAME NST_EV_NS_NAME
#define EV_ALL NST_EV_ALL

const char *ns_type_name(uint32_t type); /* "net", ... or "?" */
int ns_type_parse(const char *s); /* enum nst_ns_type, or -1 */
const char *event_name(uint32_t kind); /* "ns.create", ... or "?" */
int event_parse(const char *s); /* enum nst_event_kind, or -1 */
const char *origin_name(uint32_t origin);
const char *cause_name(uint32_t cause);
const char *fate_name(uint32_t fate);

/* The hook flavours of --backend, chosen in loader/backend. */
enum backend {
	BACKEND_AUTO,
	BACKEND_FENTRY,
	BACKEND_KPROBE,
	BACKEND_TRACEPOINT,
};

const char *backend_name(enum backend b);
int backend_parse(const char *s); /* enum backend, or -1 */

/*
 * A comma-separated list of names into a bit mask, with parse() giving the
 * bit of one name; "all" is every bit of all_mask. On error, -1 and *bad
 * points at the offending item (in a static copy).
 */
int64_t parse_list(const char *list, int (*parse)(const char *),
		   uint32_t all_mask, const char **bad);

#endif
