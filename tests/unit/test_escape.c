// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names come from whoever named a process or an interface, so the escapers
 * are the one thing between hostile bytes and a JSON parser or a terminal.
 * Besides fixed cases, the random tests compare the escapers with a model
 * written from the Unicode standard's table of well-formed UTF-8 (Table
 * 3-7), not from the code under test, so that a shared mistake in the bit
 * arithmetic cannot hide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "lib/escape.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RANDOM_STRINGS 20000

/* ---- The model: Unicode 15, Table 3-7, well-formed byte sequences. ---- */

static size_t ref_seq_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* Only the second byte has a narrower range, for a few leads. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The code point of a sequence ref_seq_len() accepted. */
static uint32_t ref_decode(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

static size_t ref_encode(unsigned char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = 0xc0 | cp >> 6;
		d[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = 0xe0 | cp >> 12;
		d[1] = 0x80 | (cp >> 6 & 0x3f);
		d[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	d[0] = 0xf0 | cp >> 18;
	d[1] = 0x80 | (cp >> 12 & 0x3f);
	d[2] = 0x80 | (cp >> 6 & 0x3f);
	d[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* What json_str() must mean: ill-formed bytes each become U+FFFD. */
static void ref_json_decoded(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	n = strnlen((const char *)s, n);
	while (i < n) {
		len = ref_seq_len(s + i, n - i);
		if (len) {
			buf_add(b, s + i, len);
			i += len;
		} else {
			buf_adds(b, "\xef\xbf\xbd");
			i++;
		}
	}
}

/* What text_str() must write, byte for byte. */
static void ref_text(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	n = strnlen((const char *)s, n);
	while (i < n) {
		len = ref_seq_len(s + i, n - i);
		if (s[i] == '\\') {
			buf_adds(b, "\\\\");
		} else if (s[i] > 0x20 && s[i] < 0x7f) {
			buf_addc(b, s[i]);
		} else if (len > 1 && ref_decode(s + i, len) >= 0xa0) {
			buf_add(b, s + i, len);
			i += len;
			continue;
		} else {
			buf_addf(b, "\\x%02x", s[i]);
		}
		i++;
	}
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const unsigned char *s, size_t n)
{
	long v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/*
 * A strict JSON string validator (RFC 8259): one string token and nothing
 * after it, no raw control character, only the defined escapes, paired
 * surrogate escapes only, and valid UTF-8 elsewhere. The decoded bytes go
 * to out, so that the test can also check what the string says. Returns
 * NULL when valid, else why not.
 */
static const char *json_string_check(const char *js, size_t n, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)js;
	unsigned char enc[4];
	size_t i = 1, len;
	long cp, lo;

	if (n < 2 || s[0] != '"')
		return "does not start with a quote";
	while (i < n) {
		if (s[i] == '"')
			return i == n - 1 ? NULL :
					    "bytes after the closing quote";
		if (s[i] < 0x20)
			return "raw control character";
		if (s[i] == '\\') {
			if (i + 1 >= n)
				return "backslash at the end";
			switch (s[i + 1]) {
			case '"':
			case '\\':
			case '/':
				buf_addc(out, s[i + 1]);
				i += 2;
				continue;
			case 'b':
				buf_addc(out, '\b');
				i += 2;
				continue;
			case 'f':
				buf_addc(out, '\f');
				i += 2;
				continue;
			case 'n':
				buf_addc(out, '\n');
				i += 2;
				continue;
			case 'r':
				buf_addc(out, '\r');
				i += 2;
				continue;
			case 't':
				buf_addc(out, '\t');
				i += 2;
				continue;
			case 'u':
				break;
			default:
				return "unknown escape";
			}
			cp = hex4(s + i + 2, n - i - 2);
			if (cp < 0)
				return "bad \\u escape";
			i += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return "lone low surrogate";
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 > n || s[i] != '\\' ||
				    s[i + 1] != 'u')
					return "lone high surrogate";
				lo = hex4(s + i + 2, n - i - 2);
				if (lo < 0xdc00 || lo > 0xdfff)
					return "lone high surrogate";
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			}
			buf_add(out, enc, ref_encode(enc, cp));
			continue;
		}
		len = ref_seq_len(s + i, n - i);
		if (!len)
			return "invalid UTF-8";
		buf_add(out, s + i, len);
		i += len;
	}
	return "no closing quote";
}

/* Runs json_str() on exactly n bytes of a heap copy, so over-reads show. */
static void json_of(struct buf *b, const void *s, size_t n)
{
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, s, n);
	b->len = 0;
	json_str(b, copy, n);
	buf_cstr(b);
	free(copy);
}

static void text_of(struct buf *b, const void *s, size_t n)
{
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, s, n);
	b->len = 0;
	text_str(b, copy, n);
	buf_cstr(b);
	free(copy);
}

/*
 * For failure messages: the bytes as C escapes, in one of two buffers in
 * turn, so that one message can show two strings.
 */
static const char *show(const void *s, size_t n)
{
	static char outs[2][1024];
	static int turn;
	char *out = outs[turn ^= 1];
	const unsigned char *p = s;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < sizeof(outs[0]); i++)
		o += snprintf(out + o, sizeof(outs[0]) - o,
			      p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' ?
				      "%c" :
				      "\\x%02x",
			      p[i]);
	out[o] = '\0';
	return out;
}

/* ---------------------------- utf8_seq_len ---------------------------- */

static void test_utf8_seq_len_edges(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		size_t want;
	} cases[] = {
		{ "", 0, 0 },
		{ "A", 0, 0 }, /* n, not the bytes, says there is nothing */
		{ "", 1, 1 }, /* NUL is ASCII: the callers stop at it */
		{ "\x7f", 1, 1 },
		{ "\x80", 1, 0 },
		{ "\xbf", 1, 0 },
		{ "\xc0\x80", 2, 0 },
		{ "\xc1\xbf", 2, 0 },
		{ "\xc2\x80", 2, 2 },
		{ "\xc2\x80", 1, 0 },
		{ "\xdf\xbf", 2, 2 },
		{ "\xc2\x41", 2, 0 },
		{ "\xc2\xc0", 2, 0 },
		{ "\xe0\x9f\xbf", 3, 0 }, /* overlong U+07FF */
		{ "\xe0\xa0\x80", 3, 3 }, /* U+0800 */
		{ "\xe0\x80\x80", 3, 0 },
		{ "\xe2\x82\xac", 3, 3 }, /* U+20AC */
		{ "\xe2\x82\xac", 2, 0 },
		{ "\xe2\x28\xa1", 3, 0 },
		{ "\xed\x9f\xbf", 3, 3 }, /* U+D7FF */
		{ "\xed\xa0\x80", 3, 0 }, /* U+D800 */
		{ "\xed\xbf\xbf", 3, 0 }, /* U+DFFF */
		{ "\xee\x80\x80", 3, 3 }, /* U+E000 */
		{ "\xef\xbf\xbf", 3, 3 }, /* U+FFFF */
		{ "\xf0\x8f\xbf\xbf", 4, 0 }, /* overlong U+FFFF */
		{ "\xf0\x90\x80\x80", 4, 4 }, /* U+10000 */
		{ "\xf0\x9f\x98\x80", 4, 4 }, /* U+1F600 */
		{ "\xf0\x9f\x98\x80", 3, 0 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 }, /* U+10FFFF */
		{ "\xf4\x90\x80\x80", 4, 0 }, /* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xf7\xbf\xbf\xbf", 4, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0 },
		{ "\xfe", 1, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3\xa9zzz", 5, 2 }, /* only the sequence itself counts */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t got = utf8_seq_len((const unsigned char *)cases[i].s,
					  cases[i].n);

		if (got != cases[i].want)
			fail_msg("utf8_seq_len(\"%s\", %zu) = %zu, want %zu",
				 show(cases[i].s, cases[i].n), cases[i].n, got,
				 cases[i].want);
	}
}

/* Every two- and three-byte input, and four-byte ones over a spread. */
static void test_utf8_seq_len_matches_table(void **state)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80,
					       0x8f, 0x90, 0x9f, 0xa0,
					       0xbf, 0xc0, 0xff };
	unsigned char s[4];

	for (unsigned int a = 0; a < 256; a++) {
		for (unsigned int b = 0; b < 256; b++) {
			s[0] = a, s[1] = b;
			if (utf8_seq_len(s, 2) != ref_seq_len(s, 2))
				fail_msg("utf8_seq_len(%s, 2)", show(s, 2));
			if (a < 0xe0 || a > 0xef)
				continue;
			for (unsigned int c = 0; c < 256; c++) {
				s[2] = c;
				if (utf8_seq_len(s, 3) != ref_seq_len(s, 3))
					fail_msg("utf8_seq_len(%s, 3)",
						 show(s, 3));
			}
		}
	}
	for (unsigned int a = 0xf0; a < 0x100; a++)
		for (unsigned int b = 0; b < 256; b++)
			for (unsigned int c = 0; c < 256; c++)
				for (size_t d = 0; d < ARRAY_SIZE(tails); d++) {
					s[0] = a, s[1] = b, s[2] = c;
					s[3] = tails[d];
					if (utf8_seq_len(s, 4) !=
					    ref_seq_len(s, 4))
						fail_msg("utf8_seq_len(%s, 4)",
							 show(s, 4));
				}
}

/* ------------------------------ buf_addu ------------------------------ */

/* Every length of number, the edges of each, and the largest. */
static void test_buf_addu(void **state)
{
	unsigned long long v[] = { 0,
				   9,
				   10,
				   99,
				   100,
				   101,
				   999,
				   1000,
				   4026531833ULL,
				   10000000000000000000ULL,
				   18446744073709551615ULL };
	char want[32];
	struct buf b = {};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b.len = 0;
		buf_addu(&b, v[i]);
		snprintf(want, sizeof(want), "%llu", v[i]);
		assert_string_equal(buf_cstr(&b), want);
	}
	for (unsigned long long n = 0; n < 100000; n += 7) {
		b.len = 0;
		buf_addu(&b, n);
		snprintf(want, sizeof(want), "%llu", n);
		assert_string_equal(buf_cstr(&b), want);
	}
	buf_free(&b);
}

/* ------------------------------ json_str ------------------------------ */

/*
 * Plain runs are scanned 8 bytes at a time: a byte to escape at every
 * position of a longer run is still found, as it is alone.
 */
static void test_json_byte_in_run(void **state)
{
	const unsigned char special[] = { 0x00, 0x01, 0x1f, '"',  '\\',
					  0x7f, 0x80, 0xc3, 0xff, ' ' };
	char in[24], want[64];
	struct buf one = {}, got = {};

	(void)state;
	for (size_t k = 0; k < sizeof(special); k++) {
		one.len = 0;
		json_str(&one, (const char *)&special[k], 1);
		buf_cstr(&one);
		for (size_t pos = 0; pos < sizeof(in); pos++) {
			memset(in, 'a', sizeof(in));
			in[pos] = (char)special[k];
			/* The escape of the byte alone, inside the quotes. */
			snprintf(want, sizeof(want), "\"%.*s%.*s%.*s\"",
				 (int)pos, in, (int)(one.len - 2), one.data + 1,
				 special[k] ? (int)(sizeof(in) - pos - 1) : 0,
				 in + pos + 1);
			got.len = 0;
			json_str(&got, in, sizeof(in));
			assert_string_equal(buf_cstr(&got), want);
		}
	}
	buf_free(&one);
	buf_free(&got);
}

static void test_json_every_single_byte(void **state)
{
	struct buf b = { 0 };
	char want[16];

	for (unsigned int c = 0; c < 256; c++) {
		unsigned char in = c;

		if (c == 0)
			strcpy(want, "\"\"");
		else if (c == '"')
			strcpy(want, "\"\\\"\"");
		else if (c == '\\')
			strcpy(want, "\"\\\\\"");
		else if (c == '\n')
			strcpy(want, "\"\\n\"");
		else if (c == '\t')
			strcpy(want, "\"\\t\"");
		else if (c == '\r')
			strcpy(want, "\"\\r\"");
		else if (c < 0x20 || c == 0x7f)
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		else if (c < 0x80)
			snprintf(want, sizeof(want), "\"%c\"", c);
		else /* a lone byte of 0x80 and above is never UTF-8 */
			strcpy(want, "\"\\ufffd\"");
		json_of(&b, &in, 1);
		if (strcmp(b.data, want))
			fail_msg("json_str(0x%02x) = %s, want %s", c, b.data,
				 want);
	}
	buf_free(&b);
}

/* -------------------- fixed cases, for both escapers ------------------ */

/*
 * Fixed cases for both escapers: n bytes of input (NULs included), what
 * json_str() writes and what text_str() writes.
 */
#define IN(s) s, sizeof(s) - 1
static const struct {
	const char *in;
	size_t n;
	const char *json, *text;
} cases[] = {
	/* Valid UTF-8 passes as it is, into text too but for C1 controls. */
	{ IN("caf\xc3\xa9"), "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
	/* C1 controls are valid JSON, yet terminals obey them (CSI). */
	{ IN("\xc2\x80"), "\"\xc2\x80\"", "\\xc2\\x80" },
	{ IN("\xdf\xbf"), "\"\xdf\xbf\"", "\xdf\xbf" },
	{ IN("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"", "\xe0\xa0\x80" },
	{ IN("\xe2\x82\xac"), "\"\xe2\x82\xac\"", "\xe2\x82\xac" },
	{ IN("\xed\x9f\xbf\xee\x80\x80"), "\"\xed\x9f\xbf\xee\x80\x80\"",
	  "\xed\x9f\xbf\xee\x80\x80" },
	{ IN("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"", "\xef\xbf\xbf" },
	{ IN("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"", "\xf0\x90\x80\x80" },
	{ IN("a\xf0\x9f\x98\x80z"), "\"a\xf0\x9f\x98\x80z\"",
	  "a\xf0\x9f\x98\x80z" },
	{ IN("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf" },
	/*
	 * Invalid UTF-8: U+FFFD for each byte in JSON, the bytes one by one in
	 * text. Overlong forms: U+0000 and U+002F in disguise.
	 */
	{ IN("\xc0\x80"), "\"\\ufffd\\ufffd\"", "\\xc0\\x80" },
	{ IN("\xc0\xaf"), "\"\\ufffd\\ufffd\"", "\\xc0\\xaf" },
	{ IN("\xe0\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\"", "\\xe0\\x80\\x80" },
	{ IN("\xf0\x80\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	  "\\xf0\\x80\\x80\\xaf" },
	/* UTF-16 surrogates have no business in UTF-8. */
	{ IN("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"", "\\xed\\xa0\\x80" },
	{ IN("\xed\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\"", "\\xed\\xbf\\xbf" },
	/* Past U+10FFFF, and lead bytes that can never start anything. */
	{ IN("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	  "\\xf4\\x90\\x80\\x80" },
	{ IN("\xf5\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	  "\\xf5\\x80\\x80\\x80" },
	{ IN("\xfe\xff"), "\"\\ufffd\\ufffd\"", "\\xfe\\xff" },
	/* Truncated at the end of the input. */
	{ IN("ab\xc3"), "\"ab\\ufffd\"", "ab\\xc3" },
	{ IN("ab\xe2\x82"), "\"ab\\ufffd\\ufffd\"", "ab\\xe2\\x82" },
	{ IN("ab\xf0\x9f\x98"), "\"ab\\ufffd\\ufffd\\ufffd\"",
	  "ab\\xf0\\x9f\\x98" },
	/* Truncated by an ASCII byte, which survives. */
	{ IN("\xe2\x82\x41"), "\"\\ufffd\\ufffdA\"", "\\xe2\\x82A" },
	{ IN("\xc3\""), "\"\\ufffd\\\"\"", "\\xc3\"" },
	/* Stray continuation bytes, alone and after a complete sequence. */
	{ IN("\x80"), "\"\\ufffd\"", "\\x80" },
	{ IN("\xbf\x80x"), "\"\\ufffd\\ufffdx\"", "\\xbf\\x80x" },
	{ IN("\xc3\xa9\xa9"), "\"\xc3\xa9\\ufffd\"", "\xc3\xa9\\xa9" },
	/* Escapes: quotes, backslashes, controls. */
	{ IN(""), "\"\"", "" },
	{ IN("a\"b\\c"), "\"a\\\"b\\\\c\"", "a\"b\\\\c" },
	{ IN("\x1b[31m"), "\"\\u001b[31m\"", "\\x1b[31m" },
	{ IN("\b\f\x7f"), "\"\\u0008\\u000c\\u007f\"", "\\x08\\x0c\\x7f" },
	{ IN("tab\there\r\n"), "\"tab\\there\\r\\n\"",
	  "tab\\x09here\\x0d\\x0a" },
	{ IN("/"), "\"/\"", "/" }, /* legal unescaped, left alone */
	/* NUL stops. */
	{ IN("ab\0cd"), "\"ab\"", "ab" },
	{ IN("\0\xff"), "\"\"", "" },
	/* A truncated sequence right before the NUL is cut at the NUL. */
	{ IN("\xe2\x82\0\xac"), "\"\\ufffd\\ufffd\"", "\\xe2\\x82" },
	/* Names in kernel records fill their array, with no NUL. */
	{ "0123456789abcdef", 16, "\"0123456789abcdef\"", "0123456789abcdef" },
	{ "abcdef", 3, "\"abc\"", "abc" },
	{ "abcdef", 0, "\"\"", "" },
	/* A sequence cut by n is invalid, not read past n. */
	{ "x\xe2\x82\xac", 3, "\"x\\ufffd\\ufffd\"", "x\\xe2\\x82" },
	{ "x\xe2\x82\xac", 4, "\"x\xe2\x82\xac\"", "x\xe2\x82\xac" },
	/* Text: a space would break columns; nothing a terminal acts on. */
	{ IN("bash"), "\"bash\"", "bash" },
	{ IN("a b"), "\"a b\"", "a\\x20b" },
	{ IN("C:\\x"), "\"C:\\\\x\"", "C:\\\\x" },
	{ IN("\x1b]0;pwned\a"), "\"\\u001b]0;pwned\\u0007\"",
	  "\\x1b]0;pwned\\x07" },
	{ IN("line\nfeed\r"), "\"line\\nfeed\\r\"", "line\\x0afeed\\x0d" },
	{ IN("\"quoted\""), "\"\\\"quoted\\\"\"", "\"quoted\"" },
	{ IN("\xc2\x9b\x32J"),
	  "\"\xc2\x9b"
	  "2J\"",
	  "\\xc2\\x9b2J" },
	{ IN("\xc2\x9f"), "\"\xc2\x9f\"", "\\xc2\\x9f" },
	/* U+00A0 and above print as themselves. */
	{ IN("\xc2\xa0"), "\"\xc2\xa0\"", "\xc2\xa0" },
	{ IN("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80" },
	{ IN("\xff\xfe"), "\"\\ufffd\\ufffd\"", "\\xff\\xfe" },
	{ IN("ab\0\x1b"), "\"ab\"", "ab" },
	/* Cut by n. */
	{ "abc def", 4, "\"abc \"", "abc\\x20" },
	{ "anything", 0, "\"\"", "" },
};

static void test_json_cases(void **state)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_of(&b, cases[i].in, cases[i].n);
		if (strcmp(b.data, cases[i].json))
			fail_msg("json_str(%s, %zu) = %s",
				 show(cases[i].in, cases[i].n), cases[i].n,
				 show(b.data, b.len));
	}
	buf_free(&b);
}

/* Appends rather than overwrites: records are built field by field. */
static void test_json_appends(void **state)
{
	struct buf b = { 0 };

	buf_adds(&b, "{\"k\":");
	json_str(&b, "v", 1);
	buf_addc(&b, '}');
	assert_string_equal(buf_cstr(&b), "{\"k\":\"v\"}");
	buf_free(&b);
}

/* ------------------------- random byte strings ------------------------ */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: the same strings on every run and every machine. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Code points at the edges of the ranges the decoder tells apart. */
static const uint32_t edge_cps[] = { 0x80,   0x9f,    0xa0,    0x7ff,
				     0x800,  0xd7ff,  0xe000,  0xfffd,
				     0xffff, 0x10000, 0x10ffff };

/*
 * Random bytes seldom form UTF-8 longer than one byte, so the generator
 * mixes in encoded code points (some of them cut short), lone leads,
 * continuation bytes, controls and now and then a NUL.
 */
static size_t random_string(unsigned char *s, size_t max)
{
	size_t n = 0, want = rng() % max;

	while (n < want) {
		unsigned int pick = rng() % 100;
		unsigned char enc[4];
		uint32_t cp;
		size_t len;

		if (pick < 25) {
			s[n++] = 0x20 + rng() % 0x5f;
		} else if (pick < 35) {
			s[n++] = rng() % 2 ? 0x7f : 1 + rng() % 0x1f;
		} else if (pick < 37) {
			s[n++] = rng() % 2 ? '"' : '\\';
		} else if (pick < 38) {
			s[n++] = '\0';
		} else if (pick < 50) {
			s[n++] = 0x80 + rng() % 0x40;
		} else if (pick < 60) {
			s[n++] = 0xc0 + rng() % 0x40;
		} else if (pick < 90) {
			switch (rng() % 4) {
			case 0:
				cp = 0x80 + rng() % (0x800 - 0x80);
				break;
			case 1:
				cp = 0x800 + rng() % (0x10000 - 0x800);
				break;
			case 2:
				cp = 0x10000 + rng() % (0x110000 - 0x10000);
				break;
			default: /* near the edges of the ranges */
				cp = edge_cps[rng() % ARRAY_SIZE(edge_cps)];
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			len = ref_encode(enc, cp);
			if (rng() % 8 == 0)
				len = 1 + rng() % len; /* cut short */
			for (size_t i = 0; i < len && n < max; i++)
				s[n++] = enc[i];
		} else {
			s[n++] = rng();
		}
	}
	return n;
}

static void test_json_random_is_valid(void **state)
{
	struct buf b = { 0 }, decoded = { 0 }, want = { 0 };
	unsigned char s[64];

	rng_state = 0x6e737472616365ULL; /* "nstrace" */
	for (int k = 0; k < RANDOM_STRINGS; k++) {
		size_t n = random_string(s, sizeof(s));
		const char *why;

		json_of(&b, s, n);
		decoded.len = 0;
		why = json_string_check(b.data, b.len, &decoded);
		if (why)
			fail_msg("string %d (%s): %s: %s", k, show(s, n), why,
				 show(b.data, b.len));
		/* And it says the input, each bad byte as U+FFFD. */
		want.len = 0;
		ref_json_decoded(&want, s, n);
		if (decoded.len != want.len ||
		    memcmp(decoded.data, want.data, want.len))
			fail_msg("string %d (%s) reads back as %s", k,
				 show(s, n), show(decoded.data, decoded.len));
	}
	buf_free(&b);
	buf_free(&decoded);
	buf_free(&want);
}

/* The validator must itself reject what it exists to catch. */
static void test_json_validator_rejects(void **state)
{
	static const char *const bad[] = {
		"",	     "\"",	     "abc",
		"\"a\"b",    "\"\n\"",	     "\"\\x\"",
		"\"\\u12\"", "\"\\ud800\"",  "\"\\udc00\"",
		"\"\xff\"",  "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
	};
	struct buf out = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (!json_string_check(bad[i], strlen(bad[i]), &out))
			fail_msg("validator accepted %s",
				 show(bad[i], strlen(bad[i])));
	out.len = 0;
	assert_null(json_string_check("\"\\ud83d\\ude00\"", 14, &out));
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "\xf0\x9f\x98\x80", 4);
	buf_free(&out);
}

/* ------------------------------ text_str ------------------------------ */

static void test_text_every_single_byte(void **state)
{
	struct buf b = { 0 };
	char want[8];

	for (unsigned int c = 0; c < 256; c++) {
		unsigned char in = c;

		if (c == 0)
			want[0] = '\0';
		else if (c == '\\')
			strcpy(want, "\\\\");
		else if (c > 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "%c", c);
		else /* space, controls, DEL and every lone high byte */
			snprintf(want, sizeof(want), "\\x%02x", c);
		text_of(&b, &in, 1);
		if (strcmp(b.data, want))
			fail_msg("text_str(0x%02x) = %s, want %s", c, b.data,
				 want);
	}
	buf_free(&b);
}

static void test_text_cases(void **state)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		text_of(&b, cases[i].in, cases[i].n);
		if (strcmp(b.data, cases[i].text))
			fail_msg("text_str(%s, %zu) = %s",
				 show(cases[i].in, cases[i].n), cases[i].n,
				 show(b.data, b.len));
	}
	buf_free(&b);
}

/* Undoes text_str(): \\ and \xNN, everything else as is. */
static const char *text_unescape(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			buf_addc(out, s[i]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			buf_addc(out, '\\');
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' &&
			   hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			buf_addc(out, hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else {
			return "backslash that is no escape";
		}
	}
	return NULL;
}

static void test_text_random_is_safe(void **state)
{
	struct buf b = { 0 }, want = { 0 }, back = { 0 };
	unsigned char s[64];

	rng_state = 0x7465787473747221ULL;
	for (int k = 0; k < RANDOM_STRINGS; k++) {
		size_t n = random_string(s, sizeof(s)), len;
		const unsigned char *o;

		text_of(&b, s, n);
		o = (const unsigned char *)b.data;
		/* Nothing a terminal would act on, nothing that splits. */
		for (size_t i = 0; i < b.len; i += len) {
			len = ref_seq_len(o + i, b.len - i);
			if (!len)
				fail_msg(
					"string %d (%s): invalid UTF-8 out: %s",
					k, show(s, n), show(b.data, b.len));
			if (len == 1 && (o[i] <= 0x20 || o[i] == 0x7f))
				fail_msg("string %d (%s): control out: %s", k,
					 show(s, n), show(b.data, b.len));
			if (len == 2 && ref_decode(o + i, 2) < 0xa0)
				fail_msg("string %d (%s): C1 out: %s", k,
					 show(s, n), show(b.data, b.len));
		}
		want.len = 0;
		ref_text(&want, s, n);
		if (b.len != want.len || memcmp(b.data, want.data, b.len))
			fail_msg("string %d (%s): got %s", k, show(s, n),
				 show(b.data, b.len));
		/* A reader can always recover the exact bytes. */
		back.len = 0;
		assert_null(text_unescape(b.data, b.len, &back));
		if (back.len != strnlen((char *)s, n) ||
		    memcmp(back.data, s, back.len))
			fail_msg("string %d (%s) does not read back", k,
				 show(s, n));
	}
	buf_free(&b);
	buf_free(&want);
	buf_free(&back);
}
/* Error messages quote arguments through it: escaped, bounded, reused. */
static void test_text_shown(void **state)
{
	char long_arg[1000];
	const char *a;

	(void)state;
	assert_string_equal(text_shown("--bo\x1b[31mgus"), "--bo\\x1b[31mgus");
	assert_string_equal(text_shown(""), "");
	assert_string_equal(text_shown("a b\\"), "a b\\\\");
	assert_string_equal(text_shown("  x\ty "), "  x\\x09y ");
	memset(long_arg, 'x', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	assert_int_equal(strlen(text_shown(long_arg)), 256);
	memset(long_arg, '\x07', sizeof(long_arg) - 1);
	a = text_shown(long_arg);
	assert_int_equal(strlen(a), 256 * 4);
	assert_null(strchr(a, '\x07'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_seq_len_edges),
		cmocka_unit_test(test_utf8_seq_len_matches_table),
		cmocka_unit_test(test_buf_addu),
		cmocka_unit_test(test_json_byte_in_run),
		cmocka_unit_test(test_json_every_single_byte),
		cmocka_unit_test(test_json_cases),
		cmocka_unit_test(test_json_appends),
		cmocka_unit_test(test_json_validator_rejects),
		cmocka_unit_test(test_json_random_is_valid),
		cmocka_unit_test(test_text_every_single_byte),
		cmocka_unit_test(test_text_cases),
		cmocka_unit_test(test_text_random_is_safe),
		cmocka_unit_test(test_text_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
