/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading a JSON log that nstrace --json wrote, line by line (jansson):
 * a line that is not a record is said on stderr with its number, and the
 * rest is read on.
 */
#ifndef NSTRACE_REPLAY_LOG_H
#define NSTRACE_REPLAY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "lib/rfc3339.h"

struct jlog_rec {
	json_t *obj;
	const char *event;
	const char *time; /* as written: RFC 3339 */
	uint64_t time_ns; /* since the epoch */
	uint64_t seq; /* 0 when the line has none */
	size_t line;
};

struct jlog {
	const char *path;
	size_t bad; /* lines said on stderr */
	size_t records;
};

/*
 * Calls fn for every record of path, in file order. -1 when the file
 * cannot be read at all (said on stderr), else 0.
 */
int jlog_read(struct jlog *log, const char *path,
	      void (*fn)(void *ctx, const struct jlog_rec *r), void *ctx);

/* The same from an open stream; name is for messages. 0 or -errno. */
int jlog_read_stream(struct jlog *log, FILE *f, const char *name,
		     void (*fn)(void *ctx, const struct jlog_rec *r),
		     void *ctx);

/* "nstrace: FILE:LINE: what" on stderr, and the line counted as bad. */
void jlog_bad(struct jlog *log, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Whether r has each of the NULL-terminated keys as a number (a string
 * for keys starting with '$', whose '$' is not part of the key); if not,
 * the line is said to be bad.
 */
bool jlog_need(struct jlog *log, const struct jlog_rec *r, ...)
	__attribute__((sentinel));
uint64_t jlog_u(const json_t *o, const char *key); /* 0 if absent */
const char *jlog_s(const json_t *o, const char *key); /* "" if absent */


#endif
