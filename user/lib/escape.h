/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Process and interface names are bytes chosen by whoever named them.
 * These writers make them safe for JSON and for a terminal.
 */
#ifndef NSTRACE_LIB_ESCAPE_H
#define NSTRACE_LIB_ESCAPE_H

#include <stddef.h>

#include "lib/buf.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not one: overlong forms, surrogates and code points past
 * U+10FFFF are not.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/*
 * A JSON string, quotes included: ", \ and every byte below 0x20 and 0x7f
 * are escaped; a byte that is not part of valid UTF-8 becomes U+FFFD.
 * Input stops at the first NUL or after n bytes.
 */
void json_str(struct buf *b, const char *s, size_t n);

/*
 * For a terminal: printable ASCII and valid UTF-8 of U+00A0 and above pass;
 * a backslash and every other byte (controls, C1 controls, invalid
 * sequences) become \\ and \xNN, so no escape sequence reaches the screen.
 */
void text_str(struct buf *b, const char *s, size_t n);

/*
 * For an error message on stderr, which may be a terminal: s (a command
 * line argument, an environment value: any bytes) escaped as text_str()
 * does but for spaces, at most its first 256 bytes, in a static buffer
 * that the next call reuses.
 */
const char *text_shown(const char *s);

#endif
