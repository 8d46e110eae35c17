/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a parse wrote on its out and err, in memory, for the tests. */
#ifndef NSTRACE_TESTS_CAPTURE_H
#define NSTRACE_TESTS_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct capture {
	char *out, *err;
	size_t out_len, err_len;
	FILE *out_f, *err_f;
};

/* Drops what c held, and opens out_f and err_f on memory. */
static inline void capture_open(struct capture *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
	c->out_f = open_memstream(&c->out, &c->out_len);
	c->err_f = open_memstream(&c->err, &c->err_len);
	assert_non_null(c->out_f);
	assert_non_null(c->err_f);
}

/* out and err, NUL-terminated, are the texts written since the open. */
static inline void capture_close(struct capture *c)
{
	fclose(c->out_f);
	fclose(c->err_f);
	c->out_f = c->err_f = NULL;
}

static inline void capture_free(struct capture *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

#endif
