// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "trace/select.h"

bool select_any(const struct select *s)
{
	return s->container || s->pod;
}

/* Runtimes take any unique start of an id; a name must be whole. */
static bool is_container(const struct container *c, const char *want)
{
	size_t n = strlen(want);

	if (!strncmp(c->name, want, sizeof(c->name)) && n < sizeof(c->name))
		return true;
	return c->id[0] && n <= strnlen(c->id, sizeof(c->id)) &&
	       !strncmp(c->id, want, n);
}

static bool in_pod(const struct container *c, const char *want)
{
	const char *slash = strchr(want, '/');
	size_t ns = slash - want;

	return strnlen(c->pod_namespace, sizeof(c->pod_namespace)) == ns &&
	       !memcmp(c->pod_namespace, want, ns) &&
	       !strncmp(c->pod_name, slash + 1, sizeof(c->pod_name)) &&
	       strlen(slash + 1) < sizeof(c->pod_name);
}

bool select_container(const struct select *s, const struct container *c)
{
	if (!c)
		return false;
	if (s->container && !is_container(c, s->container))
		return false;
	return !s->pod || in_pod(c, s->pod);
}
