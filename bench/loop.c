// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The cost of a syscall where nstrace has nothing to report: N UDP
 * datagrams sent with sendmsg(2) on loopback (each one passes nstrace's
 * netlink filter), or N getppid(2) (a syscall nstrace does not hook, which
 * still pays for syscall tracepoints being on at all), or N UDP send(2)
 * (the sendto syscall), or N unshare(CLONE_NEWUTS) (as root). Prints the
 * mean nanoseconds per call.
 *
 *   loop sendmsg N
 *   loop sendto N
 *   loop unshare N
 *   loop getppid N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * A connected UDP socket to a bound one that is never read: once its
 * receive buffer is full the kernel drops each datagram at the socket,
 * so every call does the same work and nothing piles up.
 */
static int udp_pair(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int rx = socket(AF_INET, SOCK_DGRAM, 0);
	int tx = socket(AF_INET, SOCK_DGRAM, 0);

	if (rx < 0 || tx < 0)
		die("socket");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(rx, (void *)&a, sizeof(a)) ||
	    getsockname(rx, (void *)&a, &len) ||
	    connect(tx, (void *)&a, sizeof(a)))
		die("udp loopback");
	return tx;
}

static double run_sendmsg(long n)
{
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = udp_pair();
	double t0;

	/* Warm up: fill the receiver, fault in the paths. */
	for (long i = 0; i < n / 20 + 1000; i++)
		sendmsg(fd, &msg, 0);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (sendmsg(fd, &msg, 0) != 1)
			die("sendmsg");
	return (now_ns() - t0) / n;
}

static double run_sendto(long n)
{
	char byte = 'x';
	int fd = udp_pair();
	double t0;

	for (long i = 0; i < n / 20 + 1000; i++)
		send(fd, &byte, 1, 0);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (send(fd, &byte, 1, 0) != 1)
			die("sendto");
	return (now_ns() - t0) / n;
}

/* Each call makes a new UTS namespace and drops the one before. */
static double run_unshare(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (unshare(CLONE_NEWUTS))
			die("unshare");
	return (now_ns() - t0) / n;
}

static double run_getppid(long n)
{
	double t0;

	for (long i = 0; i < n / 20; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	/* syscall(): glibc never caches getppid, but be sure of a syscall. */
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[2]) : 0;

	if (n <= 0) {
		fprintf(stderr,
			"usage: loop sendmsg|sendto|unshare|getppid N\n");
		return 2;
	}
	if (!strcmp(argv[1], "sendmsg"))
		printf("%.1f\n", run_sendmsg(n));
	else if (!strcmp(argv[1], "sendto"))
		printf("%.1f\n", run_sendto(n));
	else if (!strcmp(argv[1], "unshare"))
		printf("%.1f\n", run_unshare(n));
	else if (!strcmp(argv[1], "getppid"))
		printf("%.1f\n", run_getppid(n));
	else
		return fprintf(stderr, "loop: unknown load %s\n", argv[1]), 2;
	return 0;
}
