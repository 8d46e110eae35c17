/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* For the unit tests of nstrace top: what its rows say, as one string. */
#ifndef NSTRACE_TESTS_TOP_TEXT_H
#define NSTRACE_TESTS_TOP_TEXT_H

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "top/rows.h"

/* Every row's text, one per line; the caller frees it. */
static inline char *screen_select(const struct top_model *m, const char *filter,
				  const struct select *sel, enum top_sort sort)
{
	struct top_rows rows = {};
	struct buf b = {};
	char *s;

	rows_build(&rows, m, filter, sel, sort);
	for (size_t i = 0; i < rows.n; i++) {
		row_text(&b, m, &rows.r[i]);
		buf_addc(&b, '\n');
	}
	s = strdup(buf_cstr(&b));
	buf_free(&b);
	rows_free(&rows);
	return s;
}

static inline char *screen_text(const struct top_model *m, const char *filter,
				enum top_sort sort)
{
	return screen_select(m, filter, &(struct select){ 0 }, sort);
}

#endif
