/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lines of `nstrace top`'s tree: the model filtered and sorted, one
 * row per netns followed by one per interface, and each row's text with
 * every outside byte escaped. No terminal here either.
 */
#ifndef NSTRACE_TOP_ROWS_H
#define NSTRACE_TOP_ROWS_H

#include <stddef.h>

#include "lib/buf.h"
#include "top/model.h"
#include "trace/select.h"

enum top_sort {
	TOP_SORT_INODE,
	TOP_SORT_NAME, /* named first, by name; then by inode */
	TOP_SORT_IFACES, /* most interfaces first */
	TOP_SORTS,
};

const char *top_sort_name(enum top_sort s);

/* How a row is to stand out; the text says it as well. */
enum top_style {
	TOP_STYLE_PLAIN,
	TOP_STYLE_NEW,
	TOP_STYLE_GONE,
	TOP_STYLE_MOVED,
};

/* The netns line itself has neither dev nor ifc. */
struct top_row {
	const struct top_netns *ns;
	const struct topo_dev *dev; /* a live interface, from the model */
	const struct top_iface *ifc; /* its mark, or a ghost; NULL if none */
};

struct top_rows {
	struct top_row *r;
	size_t n, cap;
};

/*
 * The netns whose inode (in decimal), one of whose names or whose
 * container contains filter ("" or NULL: all), and whose container sel
 * selects (if it selects any), each with its interfaces. The rows point into
 * the model: build them again after any change to it.
 */
void rows_build(struct top_rows *rows, const struct top_model *m,
		const char *filter, const struct select *sel,
		enum top_sort sort);
void rows_free(struct top_rows *rows);

/* The row's text, escaped, without a newline; and how it stands out. */
enum top_style row_text(struct buf *b, const struct top_model *m,
			const struct top_row *r);

#endif
