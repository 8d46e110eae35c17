// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Makes namespace events that the usual tools can't: raw clone and clone3
 * with CLONE_NEW* flags, setns through a pidfd (several types at once),
 * and a process name of arbitrary bytes. The integration tests drive it.
 *
 *   nstool clone  FLAGS [SECONDS]   child sleeps; prints the child's pid
 *   nstool clone3 FLAGS [SECONDS]
 *   nstool setns-pidfd PID FLAGS [SECONDS]
 *   nstool comm HEX unshare FLAGS   rename itself, then unshare
 *   nstool setns-loop NS_A NS_B N   setns between two netns files N times,
 *                                   after a line on stdin (so that a
 *                                   tracer can be told its pid first)
 *
 * FLAGS is a comma list of net,mnt,uts,ipc,pid,user,cgroup,time.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	unsigned long flag;
} types[] = {
	{ "net", CLONE_NEWNET },       { "mnt", CLONE_NEWNS },
	{ "uts", CLONE_NEWUTS },       { "ipc", CLONE_NEWIPC },
	{ "pid", CLONE_NEWPID },       { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static void die(const char *what)
{
	fprintf(stderr, "nstool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long parse_flags(const char *list)
{
	char *copy = strdup(list), *save = NULL, *item;
	unsigned long flags = 0;

	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(item, types[i].name))
				break;
		if (i == sizeof(types) / sizeof(types[0])) {
			fprintf(stderr, "nstool: unknown type %s\n", item);
			exit(2);
		}
		flags |= types[i].flag;
	}
	free(copy);
	return flags;
}

/* Forks the way clone(2) or clone3(2) does; the child sleeps, then exits. */
static int do_clone(bool v3, unsigned long flags, unsigned int secs)
{
	pid_t pid;

	if (v3) {
		struct clone_args args = { .flags = flags,
					   .exit_signal = SIGCHLD };

		pid = syscall(SYS_clone3, &args, sizeof(args));
	} else {
		/* clone(2) without a new stack behaves like fork(). */
		pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	}
	if (pid < 0)
		die(v3 ? "clone3" : "clone");
	if (pid == 0) {
		sleep(secs);
		_exit(0);
	}
	printf("%d\n", pid);
	fflush(stdout);
	waitpid(pid, NULL, 0);
	return 0;
}

static int do_setns_pidfd(pid_t target, unsigned long flags, unsigned int secs)
{
	int fd = syscall(SYS_pidfd_open, target, 0);

	if (fd < 0)
		die("pidfd_open");
	if (setns(fd, flags))
		die("setns");
	printf("%d\n", getpid());
	fflush(stdout);
	sleep(secs);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Takes its name as hex, so that any byte but NUL can be in it. */
static int do_comm_unshare(const char *hex, unsigned long flags)
{
	char name[16] = {};
	size_t n = strlen(hex) / 2;

	if (n > 15)
		n = 15;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "nstool: bad hex %s\n", hex);
			return 2;
		}
		name[i] = (char)(hi << 4 | lo);
	}
	if (prctl(PR_SET_NAME, name))
		die("prctl");
	if (unshare(flags))
		die("unshare");
	printf("%d\n", getpid());
	return 0;
}

/* N switches, each one ns.setns: a burst as fast as one thread goes. */
static int do_setns_loop(const char *a, const char *b, long n)
{
	int fa = open(a, O_RDONLY | O_CLOEXEC),
	    fb = open(b, O_RDONLY | O_CLOEXEC);
	char line[8];

	if (fa < 0 || fb < 0)
		die("open");
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++)
		if (setns(i % 2 ? fb : fa, CLONE_NEWNET))
			die("setns");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int secs;

	if (argc >= 3 &&
	    (!strcmp(argv[1], "clone") || !strcmp(argv[1], "clone3"))) {
		secs = argc > 3 ? atoi(argv[3]) : 1;
		return do_clone(argv[1][5] == '3', parse_flags(argv[2]), secs);
	}
	if (argc >= 4 && !strcmp(argv[1], "setns-pidfd")) {
		secs = argc > 4 ? atoi(argv[4]) : 0;
		return do_setns_pidfd(atoi(argv[2]), parse_flags(argv[3]),
				      secs);
	}
	if (argc == 5 && !strcmp(argv[1], "setns-loop"))
		return do_setns_loop(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "comm") &&
	    !strcmp(argv[3], "unshare"))
		return do_comm_unshare(argv[2], parse_flags(argv[4]));
	fprintf(stderr, "usage: see the top of tests/tools/nstool.c\n");
	return 2;
}
