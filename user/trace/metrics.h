/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The stream's counters in Prometheus's text format, one model for both
 * ways out: --metrics-file, for node_exporter's textfile collector (the
 * file is written whole beside PATH and renamed over it, so a scrape
 * never reads half of one), and --metrics, the same text over HTTP.
 */
#ifndef NSTRACE_TRACE_METRICS_H
#define NSTRACE_TRACE_METRICS_H

#include <stdint.h>

#include "lib/buf.h"

#define METRICS_EVENTS 32 /* distinct event names: a dozen exist */

struct metrics {
	const char *path; /* --metrics-file; NULL: none */
	uint64_t interval_ns, next_ns; /* CLOCK_MONOTONIC */
	uint64_t start_ns; /* since the epoch */
	const char *backend;
	struct {
		char event[32];
		uint64_t n;
	} events[METRICS_EVENTS];
	int nevents;
	uint64_t records;
};

/* What the stream's state says at the moment the text is made. */
struct metrics_sample {
	uint64_t lost; /* events the ring buffer could not take, in all */
	uint64_t ring_size, ring_used; /* bytes */
	uint64_t names; /* namespaces the names cache knows */
};

/* Nothing written yet; the first write is metrics_write()'s. */
void metrics_init(struct metrics *m, const char *path, uint64_t interval_ms,
		  const char *backend);
/* One record written, of this event ("ns.create", "lost", ...). */
void metrics_count(struct metrics *m, const char *event);
/* The text, as metrics_write() writes it and --metrics serves it. */
void metrics_render(const struct metrics *m, const struct metrics_sample *s,
		    struct buf *b);
/* Writes PATH now. 0, or -1 after one line on stderr. */
int metrics_write(struct metrics *m, const struct metrics_sample *s);
/* Writes PATH when the interval has passed: 0 or metrics_write()'s -1. */
int metrics_tick(struct metrics *m, const struct metrics_sample *s);

#endif
