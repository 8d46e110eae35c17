/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The output file of a stream that runs for weeks: FILE, and with a
 * maximum size the files it rotates into, FILE.1 (the newest) to FILE.N,
 * the oldest removed. It knows files and names, not lines: the output
 * says where a line ends and when to rotate.
 */
#ifndef NSTRACE_TRACE_LOGFILE_H
#define NSTRACE_TRACE_LOGFILE_H

#include <stdbool.h>
#include <stdint.h>

struct logfile {
	const char *path;
	int fd;
	uint64_t size; /* bytes in FILE now */
	uint64_t max_size; /* 0: FILE never rotates */
	uint32_t max_files;
};

/*
 * Creates FILE, mode 0600, or truncates it; with max_size, an FILE that
 * holds lines is rotated first, so that the run before keeps its log.
 * Returns 0 or a negative errno.
 */
int logfile_open(struct logfile *f, const char *path, uint64_t max_size,
		 uint32_t max_files);
void logfile_close(struct logfile *f);
/* FILE becomes FILE.1 (FILE.1 FILE.2, ...) and a new FILE is open. */
int logfile_rotate(struct logfile *f);
/*
 * FILE again, appended to or created: after logrotate moved it away.
 * The old file stays open until the new one is.
 */
int logfile_reopen(struct logfile *f);
/* Whether n more bytes keep FILE within its maximum size. */
static inline bool logfile_fits(const struct logfile *f, uint64_t n)
{
	return !f->max_size || f->size + n <= f->max_size;
}

#endif
