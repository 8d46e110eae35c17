/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Times as the JSON lines write them, read back: --at and the log reader. */
#ifndef NSTRACE_LIB_RFC3339_H
#define NSTRACE_LIB_RFC3339_H

#include <stdint.h>

/*
 * "2026-12-01T08:45:05.945901789Z", or with a +HH:MM/-HH:MM offset, a
 * fraction of 1 to 9 digits or none: nanoseconds since the epoch. 0, or
 * -1 when s is not such a time.
 */
int rfc3339_parse(const char *s, uint64_t *ns);

#endif
