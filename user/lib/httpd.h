/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small HTTP/1.1 server of one document (GET or HEAD of one path),
 * polled from its caller's own loop: nothing here blocks or runs
 * beside it. Sockets are non-blocking, at most HTTPD_CLIENTS at once;
 * a request must arrive whole, and its answer leave, within
 * HTTPD_TIMEOUT_MS, or the client is dropped. Requests are at most
 * HTTPD_REQUEST_MAX bytes; connections stay open (keep-alive) unless
 * the client says otherwise. The document is made afresh for each
 * request, by the caller.
 */
#ifndef NSTRACE_LIB_HTTPD_H
#define NSTRACE_LIB_HTTPD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/hostport.h"

#define HTTPD_CLIENTS 8
#define HTTPD_REQUEST_MAX 4096 /* request line and headers */
#define HTTPD_TIMEOUT_MS 5000
/* What httpd_pollfds() fills at most: the listener and every client. */
#define HTTPD_FDS (1 + HTTPD_CLIENTS)

enum httpd_state {
	HTTPD_FREE,
	HTTPD_READ, /* reading a request */
	HTTPD_WRITE, /* sending its answer */
	HTTPD_DRAIN, /* answered and shut down: reading until the client closes */
};

struct httpd_client {
	enum httpd_state state;
	int fd;
	char in[HTTPD_REQUEST_MAX];
	size_t in_len;
	struct buf out;
	size_t out_done;
	bool close_after; /* the connection ends with this answer */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
};

struct httpd {
	int fd; /* the listening socket, -1 when closed */
	const char *path; /* the document's: "/metrics" */
	const char *content_type;
	/* Appends the document to body. */
	void (*render)(void *ctx, struct buf *body);
	void *ctx;
	struct httpd_client clients[HTTPD_CLIENTS];
	uint64_t (*now_ns)(void); /* CLOCK_MONOTONIC; replaced by tests */
};

/*
 * Binds and listens on addr, before any privilege goes: what comes after
 * (accept, read, write) needs none. Returns 0 or a negative errno.
 */
int httpd_open(struct httpd *h, const struct hostport *addr, const char *path,
	       const char *content_type,
	       void (*render)(void *ctx, struct buf *body), void *ctx);
/* Fills fds (room for HTTPD_FDS) with what to wait for; their number. */
int httpd_pollfds(const struct httpd *h, struct pollfd *fds);
/*
 * After poll() on what httpd_pollfds() filled: accepts, reads, answers,
 * and drops the clients whose time is up. Never blocks.
 */
void httpd_serve(struct httpd *h, const struct pollfd *fds, int n);
void httpd_close(struct httpd *h);

#endif
