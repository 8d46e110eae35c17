// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "lib/options.h"
#include "trace/metrics.h"

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void metrics_init(struct metrics *m, const char *path, uint64_t interval_ms,
		  const char *backend)
{
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->interval_ns = interval_ms * 1000000ULL;
	m->next_ns = now_ns(CLOCK_MONOTONIC) + m->interval_ns;
	m->start_ns = now_ns(CLOCK_REALTIME);
	m->backend = backend;
}

void metrics_count(struct metrics *m, const char *event)
{
	int i;

	m->records++;
	for (i = 0; i < m->nevents; i++)
		if (!strcmp(m->events[i].event, event))
			break;
	if (i == m->nevents) {
		/* More names than nstrace has: the total still counts them. */
		if (i == METRICS_EVENTS)
			return;
		snprintf(m->events[i].event, sizeof(m->events[i].event), "%s",
			 event);
		m->nevents++;
	}
	m->events[i].n++;
}

/* A label value: backslash, quote and newline escaped, as the format says. */
static void label(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_addc(b, *s);
	}
}

static void family(struct buf *b, const char *name, const char *type,
		   const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge(struct buf *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "gauge", help);
	buf_addf(b, "%s %llu\n", name, (unsigned long long)v);
}

void metrics_render(const struct metrics *m, const struct metrics_sample *s,
		    struct buf *b)
{
	struct utsname u;

	if (uname(&u))
		strcpy(u.release, "unknown");
	family(b, "nstrace_events_total", "counter",
	       "Records written to the stream, by their event field.");
	for (int i = 0; i < m->nevents; i++)
		buf_addf(b, "nstrace_events_total{event=\"%s\"} %llu\n",
			 m->events[i].event,
			 (unsigned long long)m->events[i].n);
	family(b, "nstrace_lost_events_total", "counter",
	       "Events the ring buffer could not take.");
	buf_addf(b, "nstrace_lost_events_total %llu\n",
		 (unsigned long long)s->lost);
	family(b, "nstrace_records_written_total", "counter",
	       "Lines written to the stream, records of every kind.");
	buf_addf(b, "nstrace_records_written_total %llu\n",
		 (unsigned long long)m->records);
	gauge(b, "nstrace_ring_buffer_size_bytes",
	      "The ring buffer the kernel queues events in.", s->ring_size);
	gauge(b, "nstrace_ring_buffer_used_bytes",
	      "What the ring buffer holds, not yet read.", s->ring_used);
	gauge(b, "nstrace_names_cache_entries",
	      "Namespaces the names cache knows; 0 with --no-names.", s->names);
	family(b, "nstrace_build_info", "gauge",
	       "The version, the hooks in use and the kernel, as labels.");
	buf_addf(b, "nstrace_build_info{version=\"%s\",backend=\"",
		 NSTRACE_VERSION);
	label(b, m->backend);
	buf_adds(b, "\",kernel=\"");
	label(b, u.release);
	buf_adds(b, "\"} 1\n");
	family(b, "nstrace_start_time_seconds", "gauge",
	       "When the stream started, in seconds since the epoch.");
	buf_addf(b, "nstrace_start_time_seconds %llu.%03llu\n",
		 (unsigned long long)(m->start_ns / 1000000000ULL),
		 (unsigned long long)(m->start_ns % 1000000000ULL / 1000000));
}

int metrics_write(struct metrics *m, const struct metrics_sample *s)
{
	char tmp[PATH_MAX];
	struct buf b = {};
	int fd = -1, err = 0;

	m->next_ns = now_ns(CLOCK_MONOTONIC) + m->interval_ns;
	metrics_render(m, s, &b);
	/* Beside PATH, so that the rename stays on one file system. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", m->path) >= (int)sizeof(tmp))
		err = -ENAMETOOLONG;
	if (!err) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		err = fd < 0 ? -errno : 0;
	}
	/* node_exporter reads it as another user, whatever the umask. */
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err)
		err = buf_write_all(fd, &b, NULL);
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, m->path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	buf_free(&b);
	if (!err)
		return 0;
	fprintf(stderr, "nstrace: cannot write metrics to %s: %s\n", m->path,
		strerror(-err));
	return -1;
}

int metrics_tick(struct metrics *m, const struct metrics_sample *s)
{
	if (now_ns(CLOCK_MONOTONIC) < m->next_ns)
		return 0;
	return metrics_write(m, s);
}
