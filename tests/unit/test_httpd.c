// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics server runs inside the stream's loop, so what matters most
 * is what a client can make it do: every answer whole and framed, the
 * connection kept or closed as HTTP says, and no client, slow, silent or
 * flooding, able to hold it. Real loopback sockets; the clock is the
 * test's, so that timeouts are checked without waiting for them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "lib/httpd.h"

#define BODY "nstrace_events_total{event=\"ns.create\"} 3\n"

static uint64_t fake_now;
static int renders;

static uint64_t now_ns(void)
{
	return fake_now;
}

static void render(void *ctx, struct buf *body)
{
	renders++;
	buf_adds(body, BODY);
}

struct srv {
	struct httpd h;
	struct sockaddr_in addr;
};

static int setup(void **state)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct hostport hp = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *in = (struct sockaddr_in *)&hp.addr;
	socklen_t len = sizeof(s->addr);

	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Port 0: the kernel picks a free one, which getsockname() tells. */
	assert_int_equal(httpd_open(&s->h, &hp, "/metrics", "text/plain",
				    render, NULL),
			 0);
	s->h.now_ns = now_ns;
	assert_int_equal(
		getsockname(s->h.fd, (struct sockaddr *)&s->addr, &len), 0);
	fake_now = 1000000000ULL;
	renders = 0;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct srv *s = *state;

	httpd_close(&s->h);
	free(s);
	return 0;
}

/* One turn of a caller's loop. */
static void turn(struct srv *s)
{
	struct pollfd fds[HTTPD_FDS];
	int n = httpd_pollfds(&s->h, fds);

	poll(fds, n, 20);
	httpd_serve(&s->h, fds, n);
}

static int connect_to(struct srv *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	connect(fd, (struct sockaddr *)&s->addr, sizeof(s->addr));
	return fd;
}

static void say(int fd, const char *text)
{
	assert_int_equal(send(fd, text, strlen(text), MSG_NOSIGNAL),
			 (ssize_t)strlen(text));
}

/*
 * What the server sent on fd, after some turns; *closed when it ended
 * the connection. NUL-terminated, in a static buffer.
 */
static const char *heard(struct srv *s, int fd, bool *closed)
{
	static char got[16384];
	size_t len = 0;

	*closed = false;
	for (int i = 0; i < 20 && !*closed; i++) {
		ssize_t n;

		turn(s);
		while ((n = recv(fd, got + len, sizeof(got) - 1 - len,
				 MSG_DONTWAIT)) > 0)
			len += (size_t)n;
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			*closed = true;
	}
	got[len] = '\0';
	return got;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

static void assert_has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("no \"%s\" in:\n%s", what, text);
}

/* What REQUEST, sent on fd, brought back; *closed as heard() says. */
static const char *ask(struct srv *s, int fd, const char *request, bool *closed)
{
	say(fd, request);
	return heard(s, fd, closed);
}

static void test_get_keeps_the_connection(void **state)
{
	struct srv *s = *state;
	int fd = connect_to(s);
	char want[64];
	bool closed;
	const char *got =
		ask(s, fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &closed);

	assert_false(closed);
	assert_has(got, "HTTP/1.1 200 OK\r\n");
	assert_has(got, "Content-Type: text/plain\r\n");
	snprintf(want, sizeof(want), "Content-Length: %zu\r\n", strlen(BODY));
	assert_has(got, want);
	assert_has(got, "Connection: keep-alive\r\n");
	assert_has(got, "\r\nDate: ");
	/* The body, whole, ends the answer. */
	assert_string_equal(strstr(got, "\r\n\r\n") + 4, BODY);
	/* A query string is the same document. */
	assert_has(ask(s, fd, "GET /metrics?x=1 HTTP/1.1\r\n\r\n", &closed),
		   "HTTP/1.1 200 OK\r\n");
	assert_false(closed);
	assert_int_equal(renders, 2);
	close(fd);
}

/* Three at once, the last asking to close: three answers, in order. */
static void test_pipelined_then_close(void **state)
{
	struct srv *s = *state;
	int fd = connect_to(s);
	bool closed;
	const char *got = ask(
		s, fd,
		"GET /metrics HTTP/1.1\r\n\r\n"
		"HEAD /metrics HTTP/1.1\r\n\r\n"
		"GET /metrics HTTP/1.1\r\nConnection: Keep-Alive, close\r\n\r\n",
		&closed);

	assert_true(closed);
	assert_int_equal(count(got, "HTTP/1.1 200 OK\r\n"), 3);
	/* HEAD: the headers of GET's answer, no body. */
	assert_int_equal(count(got, BODY), 2);
	assert_int_equal(count(got, "Connection: close\r\n"), 1);
	close(fd);
}

/* HTTP/1.0 closes unless asked to keep; a bare LF ends lines too. */
static void test_http10_closes(void **state)
{
	struct srv *s = *state;
	int fd[2] = { connect_to(s), connect_to(s) };
	bool closed[2];
	const char *got =
		ask(s, fd[0], "GET /metrics HTTP/1.0\n\n", &closed[0]);

	assert_true(closed[0]);
	assert_has(got, "HTTP/1.1 200 OK\r\n");
	assert_has(got, "Connection: close\r\n");
	assert_has(
		ask(s, fd[1],
		    "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		    &closed[1]),
		"Connection: keep-alive\r\n");
	assert_false(closed[1]);
	close(fd[0]);
	close(fd[1]);
}

/* REQUEST, and the status line of its answer; errors end the connection. */
static void assert_answer(struct srv *s, const char *request,
			  const char *status, bool keep)
{
	int fd = connect_to(s);
	bool closed;
	const char *got = ask(s, fd, request, &closed);

	if (strncmp(got, status, strlen(status)))
		fail_msg("%s: got\n%s", request, got);
	assert_int_equal(closed, !keep);
	close(fd);
}

static void test_errors(void **state)
{
	struct srv *s = *state;

	assert_answer(s, "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found\r\n",
		      true);
	assert_answer(s, "GET /metrics/ HTTP/1.1\r\n\r\n",
		      "HTTP/1.1 404 Not Found\r\n", true);
	assert_answer(s, "DELETE /metrics HTTP/1.1\r\n\r\n",
		      "HTTP/1.1 405 Method Not Allowed\r\n", true);
	/* A body is never read: answered, and the connection ends. */
	assert_answer(s,
		      "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		      "HTTP/1.1 405 Method Not Allowed\r\n", false);
	assert_answer(s, "GET /metrics HTTP/2.0\r\n\r\n",
		      "HTTP/1.1 505 HTTP Version Not Supported\r\n", false);
	assert_answer(s, "GET /metrics\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n",
		      false);
	assert_answer(s, "GET  /metrics HTTP/1.1\r\n\r\n",
		      "HTTP/1.1 400 Bad Request\r\n", false);
	assert_answer(s, "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
		      "HTTP/1.1 400 Bad Request\r\n", false);
	assert_answer(s, "GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		      "HTTP/1.1 400 Bad Request\r\n", false);
	assert_int_equal(renders, 0);
}

static void test_405_says_allow(void **state)
{
	struct srv *s = *state;
	int fd = connect_to(s);
	bool closed;

	assert_has(ask(s, fd, "PUT /metrics HTTP/1.1\r\n\r\n", &closed),
		   "\r\nAllow: GET, HEAD\r\n");
	close(fd);
}

static void test_request_too_long(void **state)
{
	struct srv *s = *state;
	int fd = connect_to(s);
	char big[HTTPD_REQUEST_MAX + 100];
	bool closed;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	assert_has(ask(s, fd, big, &closed),
		   "HTTP/1.1 431 Request Header Fields Too Large\r\n");
	assert_true(closed);
	close(fd);
}

/* Clients beyond the cap wait; a silent one is dropped when time is up. */
static void test_silent_clients_time_out(void **state)
{
	struct srv *s = *state;
	int fds[HTTPD_CLIENTS], late;
	bool closed;

	for (int i = 0; i < HTTPD_CLIENTS; i++)
		fds[i] = connect_to(s);
	for (int i = 0; i < 5; i++)
		turn(s);
	late = connect_to(s);
	say(late, "GET /metrics HTTP/1.1\r\n\r\n");
	assert_string_equal(heard(s, late, &closed), "");
	assert_false(closed);
	/* Half a request does not buy more time. */
	say(fds[0], "GET /met");
	fake_now += HTTPD_TIMEOUT_MS * 1000000ULL;
	assert_has(heard(s, late, &closed), "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < HTTPD_CLIENTS; i++) {
		assert_string_equal(heard(s, fds[i], &closed), "");
		assert_true(closed);
		close(fds[i]);
	}
	close(late);
}

/* A client that asks and never reads holds one answer, never more. */
static void test_client_that_never_reads(void **state)
{
	struct srv *s = *state;
	int fd = connect_to(s), small = 4096;
	char req[] = "GET /metrics HTTP/1.1\r\n\r\n";

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (int i = 0; i < 2000; i++) {
		send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		turn(s);
	}
	/* Served at most what its buffers took, and then not read from. */
	assert_true(renders < 2000);
	fake_now += HTTPD_TIMEOUT_MS * 1000000ULL;
	turn(s);
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		assert_int_equal(s->h.clients[i].state, HTTPD_FREE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_keeps_the_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_then_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http10_closes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_405_says_allow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_silent_clients_time_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_that_never_reads,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
