/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one output path: records become text lines or JSON lines here, and
 * are written whole, so a reader never sees half a line.
 */
#ifndef NSTRACE_TRACE_OUTPUT_H
#define NSTRACE_TRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "trace/record.h"

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

struct output {
	int fd;
	enum output_format format;
	bool color;
	bool header_done;
	int err; /* the first write error, as an errno */
	uint64_t seq; /* the last JSON line's sequence number */
	struct buf pending;
};

/* path NULL or "-" is stdout. Returns 0 or a negative errno. */
int output_open(struct output *o, const char *path, enum output_format format);
void output_close(struct output *o);

/* The column header of the text output; once, and nothing for JSON. */
void output_header(struct output *o);
void output_record(struct output *o, const struct record *r);
/* Writes what is pending. Returns 0 or a negative errno (also in o->err). */
int output_flush(struct output *o);

/* The renderers, for tests: append one line, newline included. */
void render_json(struct buf *b, const struct record *r);
/* The same with "seq":seq after "schema", as output_record() writes it. */
void render_json_seq(struct buf *b, const struct record *r, uint64_t seq);
void render_text(struct buf *b, const struct record *r, bool color);
void render_text_header(struct buf *b);

#endif
