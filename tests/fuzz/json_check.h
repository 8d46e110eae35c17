/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A strict checker of what nstrace promises about its output, for the
 * fuzz targets: JSON as RFC 8259 has it (no raw control byte in a string,
 * only the escapes it defines), valid UTF-8 throughout, and text free of
 * anything a terminal would act on. A fuzz target aborts when one fails.
 */
#ifndef NSTRACE_FUZZ_JSON_CHECK_H
#define NSTRACE_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"

struct jcur {
	const unsigned char *p, *end;
};

static inline void fuzz_fail(const char *why, const void *data, size_t n)
{
	fprintf(stderr, "fuzz check failed: %s: %.*s\n", why, (int)n,
		(const char *)data);
	abort();
}

static inline bool j_valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0, len; i < n; i += len)
		if (!(len = utf8_seq_len(s + i, n - i)))
			return false;
	return true;
}

static inline void j_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline bool j_hex(unsigned char x)
{
	return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'f') ||
	       (x >= 'A' && x <= 'F');
}

static inline bool j_string(struct jcur *c)
{
	if (c->p >= c->end || *c->p++ != '"')
		return false;
	while (c->p < c->end) {
		unsigned char x = *c->p++;

		if (x == '"')
			return true;
		if (x < 0x20)
			return false;
		if (x != '\\')
			continue;
		if (c->p >= c->end)
			return false;
		x = *c->p++;
		if (x == 'u') {
			if (c->end - c->p < 4 || !j_hex(c->p[0]) ||
			    !j_hex(c->p[1]) || !j_hex(c->p[2]) ||
			    !j_hex(c->p[3]))
				return false;
			c->p += 4;
		} else if (!memchr("\"\\/bfnrt", x, 8)) {
			return false;
		}
	}
	return false;
}

static inline bool j_number(struct jcur *c)
{
	const unsigned char *start = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return false;
	/* No leading zero before more digits. */
	if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' &&
	    c->p[1] <= '9')
		return false;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static inline bool j_value(struct jcur *c, int depth);

static inline bool j_members(struct jcur *c, int depth, bool object)
{
	unsigned char close = object ? '}' : ']';

	c->p++;
	j_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return true;
	}
	for (;;) {
		j_ws(c);
		if (object) {
			if (!j_string(c))
				return false;
			j_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return false;
		}
		if (!j_value(c, depth + 1))
			return false;
		j_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == close) {
			c->p++;
			return true;
		}
		if (*c->p++ != ',')
			return false;
	}
}

static inline bool j_value(struct jcur *c, int depth)
{
	if (depth > 16)
		return false;
	j_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '"':
		return j_string(c);
	case '{':
		return j_members(c, depth, true);
	case '[':
		return j_members(c, depth, false);
	case 't':
	case 'f':
	case 'n':
		return false; /* nstrace writes none of them */
	default:
		return j_number(c);
	}
}

/* s[0..n) is exactly one JSON string, and valid UTF-8. */
static inline void check_json_string(const char *s, size_t n)
{
	struct jcur c = { (const void *)s, (const void *)(s + n) };

	if (!j_valid_utf8(c.p, n))
		fuzz_fail("JSON string is not valid UTF-8", s, n);
	if (!j_string(&c) || c.p != c.end)
		fuzz_fail("not one JSON string", s, n);
}

/* s[0..n) is one JSON object and a newline, and valid UTF-8. */
static inline void check_json_line(const char *s, size_t n)
{
	struct jcur c = { (const void *)s, (const void *)(s + n) };

	if (!n || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
		fuzz_fail("not one line", s, n);
	if (!j_valid_utf8(c.p, n))
		fuzz_fail("JSON line is not valid UTF-8", s, n);
	c.end--;
	if (c.p >= c.end || *c.p != '{' || !j_value(&c, 0) || c.p != c.end)
		fuzz_fail("not one JSON object", s, n);
}

/*
 * Safe for a terminal: valid UTF-8, no C0 control but the newlines
 * allowed, no DEL, no C1 control (U+0080..U+009F).
 */
static inline void check_text(const char *s, size_t n, size_t newlines)
{
	const unsigned char *p = (const void *)s;

	if (!j_valid_utf8(p, n))
		fuzz_fail("text is not valid UTF-8", s, n);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && newlines) {
			newlines--;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		     p[i + 1] <= 0x9f))
			fuzz_fail("control byte in text", s, n);
	}
}

#endif
