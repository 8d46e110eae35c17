// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * setns ping-pong between two network namespaces from several threads, at
 * a total rate (0: as fast as they go), for a number of seconds. Every
 * call switches the thread's netns, so every call is one ns.setns event.
 * It starts after a line on stdin, so that a tracer can be given its pid
 * first, and prints what it did:
 *
 *   setns_storm NS_A NS_B THREADS RATE SECONDS
 *   -> setns=N seconds=S rate=N/S
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Calls between two looks at the clock. */
#define BATCH 64

struct worker {
	pthread_t th;
	const char *a, *b;
	double rate; /* per second, 0 for no limit */
	double secs;
	long done;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - ts.tv_sec) * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int fd[2] = { open(w->a, O_RDONLY | O_CLOEXEC),
		      open(w->b, O_RDONLY | O_CLOEXEC) };
	double start = now_s(), t = start;

	if (fd[0] < 0 || fd[1] < 0) {
		perror("setns_storm: open");
		exit(1);
	}
	while (t - start < w->secs) {
		for (int i = 0; i < BATCH; i++) {
			if (setns(fd[w->done & 1], CLONE_NEWNET)) {
				perror("setns_storm: setns");
				exit(1);
			}
			w->done++;
		}
		/* Absolute deadlines: a late batch is caught up, not lost. */
		if (w->rate > 0)
			sleep_until(start + w->done / w->rate);
		t = now_s();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *w;
	double t0, secs;
	long total = 0;
	char line[8];
	int n;

	if (argc != 6 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr,
			"usage: setns_storm NS_A NS_B THREADS RATE SECONDS\n");
		return 2;
	}
	w = calloc(n, sizeof(*w));
	if (!w || !fgets(line, sizeof(line), stdin))
		return 1;
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		w[i].a = argv[1];
		w[i].b = argv[2];
		w[i].rate = atof(argv[4]) / n;
		w[i].secs = atof(argv[5]);
		if (pthread_create(&w[i].th, NULL, work, &w[i]))
			return 1;
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].done;
	}
	secs = now_s() - t0;
	printf("setns=%ld seconds=%.3f rate=%.0f\n", total, secs, total / secs);
	return 0;
}
