// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + more + 1 <= b->cap)
		return;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		/* Nothing sensible is left to do for a tracer out of memory. */
		fputs("nstrace: out of memory\n", stderr);
		abort();
	}
	b->data = p;
	b->cap = cap;
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/*
 * "00" to "99", two digits a step: the stream writes a dozen integers an
 * event.
 */
static const char digit_pairs[] = "00010203040506070809"
				  "10111213141516171819"
				  "20212223242526272829"
				  "30313233343536373839"
				  "40414243444546474849"
				  "50515253545556575859"
				  "60616263646566676869"
				  "70717273747576777879"
				  "80818283848586878889"
				  "90919293949596979899";

static const unsigned long long pow10[20] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	10000000000000000000ULL,
};

/* Written in place, from the last digit: no copy, no library call. */
void buf_addu(struct buf *b, unsigned long long v)
{
	/* log10 from log2: 1233 / 4096 is just above log10(2). */
	unsigned int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	unsigned int n = t + 1 - ((v | 1) < pow10[t]), i;
	char *p;

	buf_reserve(b, n);
	p = b->data + b->len + n;
	b->len += n;
	while (v >= 100) {
		i = (unsigned int)(v % 100) * 2;
		v /= 100;
		*--p = digit_pairs[i + 1];
		*--p = digit_pairs[i];
	}
	if (v >= 10) {
		i = (unsigned int)v * 2;
		*--p = digit_pairs[i + 1];
		*--p = digit_pairs[i];
	} else {
		*--p = (char)('0' + v);
	}
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n;

	/* Most fit in what is already there: format once. */
	buf_reserve(b, 64);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		buf_reserve(b, n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

const char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

int buf_write_all(int fd, const struct buf *b, size_t *done)
{
	size_t off = 0;
	int err = 0;

	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		off += n;
	}
	if (done)
		*done = off;
	return err;
}

int buf_write_stdout(const struct buf *b)
{
	int err = buf_write_all(STDOUT_FILENO, b, NULL);

	if (!err || err == -EPIPE)
		return 0;
	fprintf(stderr, "nstrace: cannot write to standard output: %s\n",
		strerror(-err));
	return 1;
}
