// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/escape.h"
#include "lib/notify.h"

int notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	socklen_t salen;
	int fd, err = 0;

	if (!path)
		return 0;
	/* A path, or '@' for a name in the abstract namespace. */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		fprintf(stderr,
			"nstrace: NOTIFY_SOCKET is not a socket: '%s'\n",
			text_shown(path));
		return -1;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			     (struct sockaddr *)&sa, salen) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (!err)
		return 0;
	fprintf(stderr, "nstrace: cannot tell %s that nstrace is ready: %s\n",
		text_shown(path), strerror(err));
	return -1;
}
