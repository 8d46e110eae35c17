// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/escape.h"

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int cp, min;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static size_t bounded_len(const char *s, size_t n)
{
	const char *nul = memchr(s, '\0', n);

	return nul ? (size_t)(nul - s) : n;
}

/* Bytes a JSON string takes as they are: printable ASCII, but " and \. */
#define PLAIN(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '"' && (c) != '\\')
#define PLAIN4(c) PLAIN(c), PLAIN(c + 1), PLAIN(c + 2), PLAIN(c + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4(c + 4), PLAIN4(c + 8), PLAIN4(c + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16(c + 16), PLAIN16(c + 32), PLAIN16(c + 48)
static const unsigned char json_plain[256] = { PLAIN64(0), PLAIN64(64),
					       PLAIN64(128), PLAIN64(192) };

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* Whether a byte of v is below c (c at most 0x80), or is 0 (c 1). */
#define ANY_BELOW(v, c) (((v)-ONES * (c)) & ~(v)&HIGHS)

/* Whether the 8 bytes at p are all plain: a word at a time, no table. */
static inline bool plain8(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return !((v & HIGHS) | ANY_BELOW(v, 0x20) |
		 ANY_BELOW(v ^ (ONES * 0x7f), 1) |
		 ANY_BELOW(v ^ (ONES * '"'), 1) |
		 ANY_BELOW(v ^ (ONES * '\\'), 1));
}

void json_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	buf_addc(b, '"');
	while (i < n) {
		unsigned char c;
		size_t run = i;

		/* Most names are plain ASCII: copy such runs in one go. */
		while (run + 8 <= n && plain8(p + run))
			run += 8;
		while (run < n && json_plain[p[run]])
			run++;
		if (run > i) {
			buf_add(b, p + i, run - i);
			i = run;
			continue;
		}
		c = p[i];
		if (!c) /* the end of a NUL-terminated one */
			break;
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, c);
		} else if (c == '\n') {
			buf_adds(b, "\\n");
		} else if (c == '\t') {
			buf_adds(b, "\\t");
		} else if (c == '\r') {
			buf_adds(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			buf_addf(b, "\\u%04x", c);
		} else if ((len = utf8_seq_len(p + i, n - i))) {
			buf_add(b, p + i, len);
			i += len;
			continue;
		} else {
			buf_adds(b, "\\ufffd");
		}
		i++;
	}
	buf_addc(b, '"');
}

void text_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	n = bounded_len(s, n);
	while (i < n) {
		unsigned char c = p[i];

		if (c == '\\') {
			buf_adds(b, "\\\\");
		} else if (c > 0x20 && c < 0x7f) {
			buf_addc(b, c);
		} else if (c >= 0x80 && (len = utf8_seq_len(p + i, n - i)) &&
			   !(len == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
			/* Valid UTF-8, and not a C1 control (U+0080..U+009F). */
			buf_add(b, p + i, len);
			i += len;
			continue;
		} else {
			/* Spaces too: a name with a space would break columns. */
			buf_addf(b, "\\x%02x", c);
		}
		i++;
	}
}

const char *text_shown(const char *s)
{
	static char shown[256 * 4 + 1];
	size_t n = strnlen(s, 256), i = 0, run;
	struct buf b = {};

	/* Spaces pass: a message has no columns to keep. */
	while (i < n) {
		run = strcspn(s + i, " ");
		if (run > n - i)
			run = n - i;
		text_str(&b, s + i, run);
		i += run;
		for (; i < n && s[i] == ' '; i++)
			buf_addc(&b, ' ');
	}
	snprintf(shown, sizeof(shown), "%s", buf_cstr(&b));
	buf_free(&b);
	return shown;
}
