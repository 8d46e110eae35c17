// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "trace/logfile.h"

/* Events can name processes: nobody but the owner reads them. */
#define LOGFILE_MODE 0600

static int open_at(struct logfile *f, int flags)
{
	struct stat st;
	int fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC | flags,
		      LOGFILE_MODE);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	return 0;
}

int logfile_open(struct logfile *f, const char *path, uint64_t max_size,
		 uint32_t max_files)
{
	struct stat st;

	*f = (struct logfile){ .path = path,
			       .fd = -1,
			       .max_size = max_size,
			       .max_files = max_files };
	if (max_size && !stat(path, &st) && S_ISREG(st.st_mode) &&
	    st.st_size > 0) {
		int err = open_at(f, O_APPEND);

		return err ? err : logfile_rotate(f);
	}
	return open_at(f, O_TRUNC);
}

void logfile_close(struct logfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static void numbered(char *s, size_t n, const char *path, uint32_t i)
{
	snprintf(s, n, "%s.%u", path, i);
}

int logfile_rotate(struct logfile *f)
{
	char from[PATH_MAX], to[PATH_MAX];

	/* Oldest first: each rename makes room for the one after it. */
	for (uint32_t i = f->max_files; i > 1; i--) {
		numbered(from, sizeof(from), f->path, i - 1);
		numbered(to, sizeof(to), f->path, i);
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	numbered(to, sizeof(to), f->path, 1);
	if (rename(f->path, to))
		return -errno;
	return open_at(f, O_TRUNC);
}

int logfile_reopen(struct logfile *f)
{
	return open_at(f, O_APPEND);
}
