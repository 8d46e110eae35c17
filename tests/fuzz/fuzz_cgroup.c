// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * container_from_cgroup, the parser of /proc/PID/cgroup that tells which
 * container runtime (and Kubernetes pod) a process belongs to: any text,
 * and what it finds must be terminated strings within their fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/container.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void terminated(const char *s, size_t n, const char *what)
{
	if (!memchr(s, '\0', n))
		fuzz_fail(what, s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container c;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	container_from_cgroup(text, &c);
	terminated(c.runtime, sizeof(c.runtime), "runtime not terminated");
	terminated(c.id, sizeof(c.id), "id not terminated");
	terminated(c.pod, sizeof(c.pod), "pod not terminated");
	if (c.id[0] && !c.runtime[0])
		fuzz_fail("an id without a runtime", c.id, strlen(c.id));
	free(text);
	return 0;
}
