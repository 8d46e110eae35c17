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
#include "trace/logfile.h"
#include "trace/metrics.h"
#include "trace/record.h"

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

struct output {
	int fd;
	bool named; /* a file, in file: stdout is not */
	struct logfile file;
	enum output_format format;
	bool color;
	bool header_done;
	int err; /* the first write error, as an errno */
	uint64_t seq; /* the last JSON line's sequence number */
	struct buf pending;
	struct metrics *metrics; /* NULL, or told of every record */
};

/*
 * path NULL or "-" is stdout. A file rotates before it grows past
 * max_size bytes (0: never), into max_files older ones (trace/logfile.h).
 * Returns 0 or a negative errno.
 */
int output_open(struct output *o, const char *path, enum output_format format,
		uint64_t max_size, uint32_t max_files);
/*
 * From now on SIGHUP makes the next flush write what came before it,
 * then open FILE again (after logrotate moved it). Standard output
 * ignores it.
 */
void output_watch_hup(void);
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
