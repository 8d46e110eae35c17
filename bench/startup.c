// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How long a tracer takes from exec to its "attached" line on stderr, and
 * its peak RSS then. Runs CMD with stderr on a pipe, waits for a line that
 * starts with PREFIX, prints "MS VMHWM_KB", and ends CMD with SIGINT.
 *
 *   startup PREFIX CMD [ARGS...]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long vmhwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	char line[512];
	double t0, ms = -1;
	int p[2], status;
	pid_t pid;
	FILE *err;

	if (argc < 3) {
		fprintf(stderr, "usage: startup PREFIX CMD [ARGS...]\n");
		return 2;
	}
	if (pipe(p))
		return 1;
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(p[1]);
	err = fdopen(p[0], "r");
	while (fgets(line, sizeof(line), err))
		if (!strncmp(line, argv[1], strlen(argv[1]))) {
			ms = now_ms() - t0;
			break;
		}
	if (ms >= 0)
		printf("%.1f %ld\n", ms, vmhwm_kb(pid));
	kill(pid, SIGINT);
	/* Let it drain its stderr so that it never blocks on the pipe. */
	while (fgets(line, sizeof(line), err))
		;
	waitpid(pid, &status, 0);
	return ms >= 0 ? 0 : 1;
}
