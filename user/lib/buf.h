/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A growable byte buffer: records are built here, then written whole. */
#ifndef NSTRACE_LIB_BUF_H
#define NSTRACE_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_free(struct buf *b);
/* Room for more bytes and a NUL; the slow path of the inline adders. */
void buf_grow(struct buf *b, size_t more);
void buf_adds(struct buf *b, const char *s);
/* A number in decimal: every record has several. */
void buf_addu(struct buf *b, unsigned long long v);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* These run for every byte of every record: inline, with one check. */
static inline void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap)
		buf_grow(b, more);
}

static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	__builtin_memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

/* NUL-terminates without counting the NUL, for tests and stdio. */
const char *buf_cstr(struct buf *b);

/*
 * All of b to fd, again after EINTR and short writes. 0 or a negative
 * errno; done, when not NULL, says how many bytes went out.
 */
int buf_write_all(int fd, const struct buf *b, size_t *done);
/*
 * All of b to stdout, for a command's one document: 0, or 1 after one
 * line on stderr. A closed pipe is no error: the reader took what it
 * wanted.
 */
int buf_write_stdout(const struct buf *b);

#endif
