/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A record is an event as a list of named fields, in the order the JSON
 * schema (docs/events.md) gives them. The text and JSON writers both
 * render records, so the two outputs never disagree on what an event says.
 */
#ifndef NSTRACE_TRACE_RECORD_H
#define NSTRACE_TRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inventory/container.h"
#include "nstrace.h"

#define RECORD_MAX_FIELDS 32

enum field_kind {
	FIELD_U64,
	FIELD_STR, /* bytes of untrusted origin, up to len or a NUL */
	FIELD_NAME, /* a string of nstrace's own: shown as it is in text */
	FIELD_TIME, /* u: nanoseconds since the epoch, UTC */
	FIELD_DEVS, /* devs[0..ndevs): the interfaces of a dying netns */
	FIELD_STRS, /* strs[0..ndevs): untrusted strings, a JSON array */
	FIELD_BOOL, /* u: 0 false, else true */
	FIELD_PIDS, /* pids[0..ndevs) */
	FIELD_CONTAINER, /* *ctr */
};

/* Where the text writer shows a field; COL_NONE goes into DETAILS. */
enum field_col {
	COL_NONE,
	COL_TIME,
	COL_EVENT,
	COL_PID,
	COL_COMM,
	COL_TYPE,
	COL_NS,
	COL_SKIP, /* JSON only: the text columns say it, or it is for programs */
};

/*
 * A field holds one value, which its kind says how to read: the unions
 * keep it at 40 bytes, for a record is zeroed field by field, a dozen
 * times per event.
 */
struct field {
	const char *key;
	uint32_t keylen;
	enum field_kind kind;
	enum field_col col;
	union {
		uint32_t len; /* of str */
		uint32_t ndevs; /* the length of devs, strs or pids */
	};
	uint64_t u;
	union {
		const char *str;
		const struct nst_dev *devs;
		const char *const *strs; /* FIELD_STRS, NUL-terminated each */
		const uint32_t *pids; /* FIELD_PIDS */
		const struct container *ctr; /* FIELD_CONTAINER */
	};
};

struct record {
	struct field f[RECORD_MAX_FIELDS];
	int n;
	char scratch[64]; /* room for a formatted error name */
};

/* realtime_off: CLOCK_REALTIME minus CLOCK_BOOTTIME, in nanoseconds. */
void record_from_event(struct record *r, const struct nst_event *e,
		       int64_t realtime_off);
void record_lost(struct record *r, uint64_t now_ns, uint64_t count,
		 uint64_t total);
/*
 * A namespace got (added) or lost a name: an nsfs mount at path, by task
 * (NULL: seen in the mount table, which does not say who); cookie: a
 * netns's, 0 if unknown.
 */
void record_ns_name(struct record *r, uint64_t now_ns,
		    const struct nst_task *task, uint32_t type, uint32_t inum,
		    uint64_t cookie, bool added, const char *name,
		    const char *path);

/* For records that are not events (the snapshot's): schema, time, event. */
void record_head(struct record *r, const char *event, uint64_t time_ns);
/*
 * The next field, zeroed but for its key, kind and column; the last one
 * is overwritten when the record is full. Inline, so that the length of
 * a key, always a literal, is known when this is compiled.
 */
static inline struct field *record_add(struct record *r, const char *key,
				       enum field_kind kind, enum field_col col)
{
	struct field *f = &r->f[r->n < RECORD_MAX_FIELDS ? r->n++ : r->n - 1];

	memset(f, 0, sizeof(*f));
	f->key = key;
	f->keylen = (uint32_t)strlen(key);
	f->kind = kind;
	f->col = col;
	return f;
}

/* The common kinds: a number, untrusted bytes, a string of nstrace's. */
static inline void record_add_u(struct record *r, const char *key, uint64_t v,
				enum field_col col)
{
	record_add(r, key, FIELD_U64, col)->u = v;
}

static inline void record_add_str(struct record *r, const char *key,
				  const char *s, uint32_t len,
				  enum field_col col)
{
	struct field *f = record_add(r, key, FIELD_STR, col);

	f->str = s;
	f->len = len;
}

static inline void record_add_name(struct record *r, const char *key,
				   const char *s, enum field_col col)
{
	struct field *f = record_add(r, key, FIELD_NAME, col);

	f->str = s;
	f->len = (uint32_t)strlen(s);
}

/*
 * A netns's cookie, after the field of its inode (key: that field's name
 * and _cookie). Pipelines tell netns apart by it, inodes being reused at
 * once; the text lines, for people, leave it out. 0: the kernel has none,
 * and there is no field.
 */
void record_add_cookie(struct record *r, const char *key, uint64_t cookie);

#endif
