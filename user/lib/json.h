/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one JSON writer: every JSON document and line nstrace prints is built
 * with it, into a struct buf. It places the commas; strings go through
 * json_str() (lib/escape.h), so whatever bytes a name holds the output is
 * valid JSON of valid UTF-8. Keys are nstrace's own ASCII names and are
 * written as they are.
 *
 * No printf and no call per key: ls --json writes tens of thousands of
 * fields and the stream a dozen per event, so the writers are inline.
 */
#ifndef NSTRACE_LIB_JSON_H
#define NSTRACE_LIB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/escape.h"

struct jw {
	struct buf *b;
	/* A value ended at this level: the next one wants a comma first. */
	bool more;
};

static inline void jw_init(struct jw *j, struct buf *b)
{
	j->b = b;
	j->more = false;
}

/*
 * The comma before a value, when one is due. One flag is enough for any
 * depth: a container's close is the end of a value of the level around it.
 */
static inline void jw_sep(struct jw *j)
{
	if (j->more)
		buf_addc(j->b, ',');
	j->more = true;
}

/* c: '{' or '['; and '}' or ']' to close. */
static inline void jw_open(struct jw *j, char c)
{
	jw_sep(j);
	buf_addc(j->b, c);
	j->more = false;
}

static inline void jw_close(struct jw *j, char c)
{
	buf_addc(j->b, c);
	j->more = true;
}

static inline void jw_obj_open(struct jw *j)
{
	jw_open(j, '{');
}

static inline void jw_obj_close(struct jw *j)
{
	jw_close(j, '}');
}

static inline void jw_arr_open(struct jw *j)
{
	jw_open(j, '[');
}

static inline void jw_arr_close(struct jw *j)
{
	jw_close(j, ']');
}

/* "key": in an object; the value comes next. n: strlen(key). */
static inline void jw_keyn(struct jw *j, const char *key, size_t n)
{
	char *p;

	buf_reserve(j->b, n + 4);
	p = j->b->data + j->b->len;
	if (j->more)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	j->b->len = (size_t)(p - j->b->data);
	j->more = false;
}

static inline void jw_key(struct jw *j, const char *key)
{
	jw_keyn(j, key, strlen(key));
}

static inline void jw_u(struct jw *j, uint64_t v)
{
	jw_sep(j);
	buf_addu(j->b, v);
}

static inline void jw_bool(struct jw *j, bool v)
{
	jw_sep(j);
	if (v)
		buf_add(j->b, "true", 4);
	else
		buf_add(j->b, "false", 5);
}

static inline void jw_null(struct jw *j)
{
	jw_sep(j);
	buf_add(j->b, "null", 4);
}

/* Bytes of any origin, up to n or a NUL, as a JSON string. */
static inline void jw_strn(struct jw *j, const char *s, size_t n)
{
	jw_sep(j);
	json_str(j->b, s, n);
}

static inline void jw_str(struct jw *j, const char *s)
{
	jw_strn(j, s, strlen(s));
}

/*
 * For a value nstrace formats itself (a time, a MAC): the comma, then the
 * caller appends exactly one JSON value to the buffer returned. Bytes from
 * outside never go this way.
 */
static inline struct buf *jw_raw(struct jw *j)
{
	jw_sep(j);
	return j->b;
}

/*
 * A line break before the next value, for documents that people read too;
 * the comma, if one is due, comes first.
 */
static inline void jw_newline(struct jw *j)
{
	if (j->more)
		buf_addc(j->b, ',');
	buf_addc(j->b, '\n');
	j->more = false;
}

/* A key and its value, the pairs most objects are made of. */
static inline void jw_key_u(struct jw *j, const char *key, uint64_t v)
{
	jw_key(j, key);
	buf_addu(j->b, v);
	j->more = true;
}

static inline void jw_key_bool(struct jw *j, const char *key, bool v)
{
	jw_key(j, key);
	jw_bool(j, v);
}

static inline void jw_key_strn(struct jw *j, const char *key, const char *s,
			       size_t n)
{
	jw_key(j, key);
	json_str(j->b, s, n);
	j->more = true;
}

static inline void jw_key_str(struct jw *j, const char *key, const char *s)
{
	jw_key_strn(j, key, s, strlen(s));
}

#endif
