// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTP server of --metrics, with any bytes as one client's stream,
 * arriving in pieces of any size: it must stay within its buffers, and
 * every answer it sends must be a whole HTTP/1.1 response (a status it
 * gives, headers ending in an empty line, the body its Content-Length
 * says, or none after HEAD), whatever came.
 *
 * The first byte of the input says how the rest arrives: its low six
 * bits plus one are the size of each piece, bit 6 sends it all at once,
 * bit 7 closes the client's side once it is sent.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/httpd.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DOCUMENT "nstrace_fuzz 1\n"

static void render(void *ctx, struct buf *body)
{
	buf_adds(body, DOCUMENT);
}

/* A clock that stands still: no client is dropped for its time. */
static uint64_t frozen_ns(void)
{
	return 1000000000ULL;
}

/* Everything the server sent so far, appended to *out. */
static void take_answers(int fd, struct buf *out)
{
	char b[4096];
	ssize_t n;

	while ((n = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0)
		buf_add(out, b, (size_t)n);
}

static const char *find(const char *s, size_t n, const char *what)
{
	return memmem(s, n, what, strlen(what));
}

/* One response at s (n bytes); its length. whole: it must all be there. */
static size_t check_response(const char *s, size_t n, bool whole)
{
	static const char *const statuses[] = { "200", "400", "404",
						"405", "431", "505" };
	const char *end = find(s, n, "\r\n\r\n"), *cl;
	size_t head, body_len, i;
	bool known = false;

	if (n < 13 || memcmp(s, "HTTP/1.1 ", 9))
		fuzz_fail("not an HTTP/1.1 status line", s, n < 64 ? n : 64);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		known |= !memcmp(s + 9, statuses[i], 3);
	if (!known || s[12] != ' ')
		fuzz_fail("a status the server does not give", s, 13);
	if (!end) {
		if (whole)
			fuzz_fail("headers without their empty line", s, n);
		return n;
	}
	head = (size_t)(end - s) + 4;
	cl = find(s, head, "\r\nContent-Length: ");
	if (!cl)
		fuzz_fail("no Content-Length", s, head);
	body_len = strtoul(cl + 18, NULL, 10);
	if (!find(s, head, "\r\nConnection: close\r\n") &&
	    !find(s, head, "\r\nConnection: keep-alive\r\n"))
		fuzz_fail("no Connection header", s, head);
	/* After HEAD, the next answer or nothing follows the headers. */
	if (head == n || (n - head >= 9 && !memcmp(s + head, "HTTP/1.1 ", 9)))
		return head;
	if (n - head < body_len) {
		if (whole)
			fuzz_fail("a body shorter than its Content-Length", s,
				  n);
		return n;
	}
	if (!memcmp(s + 9, "200", 3) && (body_len != strlen(DOCUMENT) ||
					 memcmp(s + head, DOCUMENT, body_len)))
		fuzz_fail("200 without the document", s, head + body_len);
	return head + body_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpd h = { .fd = -1,
			   .path = "/metrics",
			   .content_type = "text/plain",
			   .render = render,
			   .now_ns = frozen_ns };
	struct httpd_client *c = &h.clients[0];
	struct buf out = {};
	size_t piece, at = 1;
	int sv[2];

	if (!size)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		abort();
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		h.clients[i].fd = -1;
	*c = (struct httpd_client){ .state = HTTPD_READ,
				    .fd = sv[0],
				    .deadline_ns = frozen_ns() + 1 };
	piece = data[0] & 0x40 ? size : (size_t)(data[0] & 0x3f) + 1;
	while (c->state != HTTPD_FREE) {
		struct pollfd fd = { .fd = sv[0] };
		size_t n = at < size ? size - at : 0;

		if (n > piece)
			n = piece;
		if (n && send(sv[1], data + at, n, MSG_NOSIGNAL) != (ssize_t)n)
			abort();
		at += n;
		if (!n && (data[0] & 0x80))
			shutdown(sv[1], SHUT_WR);
		fd.revents = c->state == HTTPD_WRITE ? POLLOUT : POLLIN;
		httpd_serve(&h, &fd, 1);
		take_answers(sv[1], &out);
		if (c->in_len > sizeof(c->in))
			fuzz_fail("a request past its buffer", c->in,
				  sizeof(c->in));
		/*
		 * All sent, and the client stays: nothing more comes once its
		 * answers are out. A client that closed is dropped in time.
		 */
		if (!n && !(data[0] & 0x80) && c->state != HTTPD_WRITE)
			break;
	}
	for (size_t i = 0; i < out.len;)
		i += check_response(out.data + i, out.len - i,
				    c->state != HTTPD_WRITE);
	httpd_close(&h);
	close(sv[1]);
	buf_free(&out);
	return 0;
}
