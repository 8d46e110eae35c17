// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mountinfo_nsfs, the parser of /proc/PID/mountinfo lines that finds
 * namespaces bind-mounted somewhere (ip netns add): any line, and an
 * output buffer of any size, exactly as large as it says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/mounts.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t path_size;
	uint32_t type, inum;
	char *line, *path;

	if (size < 1)
		return 0;
	/* The first byte sizes the output: 1 to 256 bytes. */
	path_size = (size_t)data[0] + 1;
	line = malloc(size);
	path = malloc(path_size);
	if (!line || !path)
		goto out;
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	if (mountinfo_nsfs(line, path, path_size, &type, &inum) == 0) {
		if (!memchr(path, '\0', path_size))
			fuzz_fail("path not terminated", path, path_size);
		if (type >= NST_NS_TYPES || !inum)
			fuzz_fail("bad type or inode", line, size - 1);
	}
out:
	free(line);
	free(path);
	return 0;
}
