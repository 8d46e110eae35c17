// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Network namespace churn: N unshare(CLONE_NEWNET) in a row, as fast as
 * the kernel allows. Each new netns is the only reference to the previous
 * one, so each call also dooms the one before; the last dies when the
 * process exits. Starts after a line on stdin, writes the inode of every
 * namespace it made to FILE, one a line, and prints the seconds it took.
 *
 *   nschurn N FILE
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	unsigned long *ino;
	char line[8];
	struct stat st;
	FILE *out;
	long n;

	if (argc != 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: nschurn N FILE\n");
		return 2;
	}
	ino = calloc(n, sizeof(*ino));
	out = fopen(argv[2], "w");
	if (!ino || !out || !fgets(line, sizeof(line), stdin))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (unshare(CLONE_NEWNET) || stat("/proc/self/ns/net", &st)) {
			perror("nschurn");
			return 1;
		}
		ino[i] = st.st_ino;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (long i = 0; i < n; i++)
		fprintf(out, "%lu\n", ino[i]);
	fclose(out);
	printf("%.3f\n",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
