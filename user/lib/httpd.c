// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "lib/httpd.h"

#define LISTEN_BACKLOG 16

struct request {
	int status; /* 0 until an answer is chosen */
	bool head; /* HEAD: the headers of GET's answer alone */
	bool close;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int httpd_open(struct httpd *h, const struct hostport *addr, const char *path,
	       const char *content_type,
	       void (*render)(void *ctx, struct buf *body), void *ctx)
{
	int one = 1, err;

	*h = (struct httpd){ .path = path,
			     .content_type = content_type,
			     .render = render,
			     .ctx = ctx,
			     .now_ns = monotonic_ns };
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		h->clients[i].fd = -1;
	h->fd = socket(addr->addr.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		return -errno;
	/* A restart binds again at once, whatever TIME_WAIT still holds. */
	if (setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->fd, (const struct sockaddr *)&addr->addr, addr->len) ||
	    listen(h->fd, LISTEN_BACKLOG)) {
		err = -errno;
		close(h->fd);
		h->fd = -1;
		return err;
	}
	return 0;
}

static void drop(struct httpd_client *c)
{
	close(c->fd);
	buf_free(&c->out);
	*c = (struct httpd_client){ .fd = -1 };
}

void httpd_close(struct httpd *h)
{
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->clients[i].state != HTTPD_FREE)
			drop(&h->clients[i]);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

int httpd_pollfds(const struct httpd *h, struct pollfd *fds)
{
	bool room = false;
	int n = 0;

	for (int i = 0; i < HTTPD_CLIENTS; i++) {
		const struct httpd_client *c = &h->clients[i];

		if (c->state == HTTPD_FREE) {
			room = true;
			continue;
		}
		fds[n++] = (struct pollfd){
			.fd = c->fd,
			.events = c->state == HTTPD_WRITE ? POLLOUT : POLLIN,
		};
	}
	/* Full: the next client waits in the backlog until one leaves. */
	if (room && h->fd >= 0)
		fds[n++] = (struct pollfd){ .fd = h->fd, .events = POLLIN };
	return n;
}

/* Where the request's head ends (after its empty line), or 0. */
static size_t head_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '\n')
			continue;
		if (s[i + 1] == '\n')
			return i + 2;
		if (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* The next line of *s, its CR and LF cut off; NULL after the last. */
static char *next_line(char **s)
{
	char *line = *s, *nl;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	*s = nl ? nl + 1 : NULL;
	if (nl)
		*nl = '\0';
	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	return line;
}

/* Whether the comma-separated list has this token, as HTTP compares it. */
static bool has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; *p;) {
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && !strncasecmp(p, token, n))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

/* The headers nstrace acts on: Connection, and whether a body follows. */
static void headers(struct request *r, char **rest, bool http10)
{
	bool keep_alive = false, close = false;
	char *line;

	while ((line = next_line(rest)) && *line) {
		char *colon = strchr(line, ':'), *value;

		/* No name, or the obsolete folding of a value onto more lines. */
		if (!colon || colon == line || *line == ' ' || *line == '\t') {
			r->status = 400;
			return;
		}
		*colon = '\0';
		value = colon + 1 + strspn(colon + 1, " \t");
		if (!strcasecmp(line, "connection")) {
			close |= has_token(value, "close");
			keep_alive |= has_token(value, "keep-alive");
		} else if (!strcasecmp(line, "transfer-encoding") ||
			   (!strcasecmp(line, "content-length") &&
			    strspn(value, "0") != strlen(value))) {
			/* A body is never read: the connection ends after it. */
			close = true;
		}
	}
	r->close = close || (http10 && !keep_alive);
}

/* The request's answer, chosen from its head (NUL-terminated). */
static struct request parse(const struct httpd *h, char *head)
{
	struct request r = { .close = true };
	char *rest = head, *line = next_line(&rest);
	char *method = line, *target, *version, *query;

	target = strchr(method, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!version || strchr(version + 1, ' ') || target == method) {
		r.status = 400;
		return r;
	}
	*target++ = '\0';
	*version++ = '\0';
	if (!*target || strncmp(version, "HTTP/", 5)) {
		r.status = 400;
		return r;
	}
	if (strcmp(version, "HTTP/1.1") && strcmp(version, "HTTP/1.0")) {
		r.status = 505;
		return r;
	}
	headers(&r, &rest, !strcmp(version, "HTTP/1.0"));
	if (r.status)
		return r;
	query = strchr(target, '?');
	if (query)
		*query = '\0';
	r.head = !strcmp(method, "HEAD");
	if (strcmp(target, h->path))
		r.status = 404;
	else if (!r.head && strcmp(method, "GET"))
		r.status = 405;
	else
		r.status = 200;
	return r;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Bad Request";
	}
}

/* RFC 9110's IMF-fixdate, in English whatever the locale. */
static void add_date(struct buf *b)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed",
					"Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		return;
	buf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
		 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void answer(struct httpd *h, struct httpd_client *c,
		   const struct request *r)
{
	struct buf body = {};

	if (r->status == 200)
		h->render(h->ctx, &body);
	else
		buf_addf(&body, "%s\n", reason(r->status));
	buf_addf(&c->out, "HTTP/1.1 %d %s\r\n", r->status, reason(r->status));
	add_date(&c->out);
	buf_addf(&c->out, "Content-Type: %s\r\n",
		 r->status == 200 ? h->content_type :
				    "text/plain; charset=utf-8");
	if (r->status == 405)
		buf_adds(&c->out, "Allow: GET, HEAD\r\n");
	buf_addf(&c->out, "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
		 body.len, r->close ? "close" : "keep-alive");
	if (!r->head)
		buf_add(&c->out, body.data, body.len);
	buf_free(&body);
	c->close_after = r->close;
	c->out_done = 0;
	c->state = HTTPD_WRITE;
	c->deadline_ns = h->now_ns() + HTTPD_TIMEOUT_MS * 1000000ULL;
}

static void process(struct httpd *h, struct httpd_client *c);

/* Sends what the socket takes now; the rest waits for POLLOUT. */
static void send_out(struct httpd *h, struct httpd_client *c)
{
	while (c->out_done < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_done,
				 c->out.len - c->out_done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			drop(c);
			return;
		}
		c->out_done += (size_t)n;
	}
	c->out.len = 0;
	c->deadline_ns = h->now_ns() + HTTPD_TIMEOUT_MS * 1000000ULL;
	if (c->close_after) {
		/*
		 * Closing with unread bytes would reset the connection, and
		 * the client could lose the answer: it sees the end first.
		 */
		shutdown(c->fd, SHUT_WR);
		c->state = HTTPD_DRAIN;
		return;
	}
	c->state = HTTPD_READ;
	process(h, c); /* a request sent right behind the last one */
}

/* Answers the request that has arrived whole, if one has. */
static void process(struct httpd *h, struct httpd_client *c)
{
	char head[HTTPD_REQUEST_MAX + 1];
	size_t end = head_end(c->in, c->in_len);
	struct request r = { .status = 431, .close = true };

	if (!end && c->in_len < sizeof(c->in))
		return;
	if (end) {
		memcpy(head, c->in, end);
		head[end] = '\0';
		r = parse(h, head);
		c->in_len -= end;
		memmove(c->in, c->in + end, c->in_len);
	}
	answer(h, c, &r);
	send_out(h, c);
}

/* Reads what came: into the request, or away once answered. */
static void receive(struct httpd *h, struct httpd_client *c)
{
	char sink[512];
	bool drain = c->state == HTTPD_DRAIN;
	char *to = drain ? sink : c->in + c->in_len;
	size_t room = drain ? sizeof(sink) : sizeof(c->in) - c->in_len;
	ssize_t n = recv(c->fd, to, room, MSG_DONTWAIT);

	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	if (drain)
		return;
	c->in_len += (size_t)n;
	process(h, c);
}

static void accept_clients(struct httpd *h)
{
	for (int i = 0; i < HTTPD_CLIENTS; i++) {
		struct httpd_client *c = &h->clients[i];
		int fd;

		if (c->state != HTTPD_FREE)
			continue;
		fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == ECONNABORTED) {
			i--; /* that one left already: the next may be there */
			continue;
		}
		if (fd < 0)
			return; /* none waiting, or no fd left: next time */
		*c = (struct httpd_client){
			.state = HTTPD_READ,
			.fd = fd,
			.deadline_ns =
				h->now_ns() + HTTPD_TIMEOUT_MS * 1000000ULL,
		};
	}
}

static struct httpd_client *client_of(struct httpd *h, int fd)
{
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->clients[i].state != HTTPD_FREE && h->clients[i].fd == fd)
			return &h->clients[i];
	return NULL;
}

void httpd_serve(struct httpd *h, const struct pollfd *fds, int n)
{
	uint64_t now;

	/*
	 * The listener comes last: a client accepted now may have the fd of
	 * one dropped above, and no entry of fds is about it.
	 */
	for (int i = 0; i < n; i++) {
		struct httpd_client *c;

		if (!fds[i].revents)
			continue;
		if (fds[i].fd == h->fd) {
			accept_clients(h);
			continue;
		}
		c = client_of(h, fds[i].fd);
		if (!c)
			continue;
		if (fds[i].revents & POLLERR)
			drop(c);
		else if (c->state == HTTPD_WRITE)
			send_out(h, c);
		else if (fds[i].revents & (POLLIN | POLLHUP))
			receive(h, c);
	}
	now = h->now_ns();
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->clients[i].state != HTTPD_FREE &&
		    now >= h->clients[i].deadline_ns)
			drop(&h->clients[i]);
}
