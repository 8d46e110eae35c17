// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "nstrace.h"
#include "lib/enums.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ns_types[NST_NS_TYPES] = {
	[NST_NS_NET] = "net",	    [NST_NS_MNT] = "mnt",
	[NST_NS_UTS] = "uts",	    [NST_NS_IPC] = "ipc",
	[NST_NS_PID] = "pid",	    [NST_NS_USER] = "user",
	[NST_NS_CGROUP] = "cgroup", [NST_NS_TIME] = "time",
};

static const char *const events[EV_NS_NAME + 1] = {
	[NST_EV_NS_CREATE] = "ns.create",
	[NST_EV_NS_SETNS] = "ns.setns",
	[NST_EV_NS_DESTROY] = "ns.destroy",
	[NST_EV_NETDEV_MOVE] = "netdev.move",
	[NST_EV_NETDEV_CREATE] = "netdev.create",
	[NST_EV_NETDEV_DELETE] = "netdev.delete",
	[NST_EV_NETDEV_RENAME] = "netdev.rename",
	[EV_NS_NAME] = "ns.name",
};

static const char *const origins[] = {
	/* clang-format off */
	[NST_ORIGIN_NONE] = "",
	[NST_ORIGIN_CLONE] = "clone",
	[NST_ORIGIN_CLONE3] = "clone3",
	[NST_ORIGIN_UNSHARE] = "unshare",
	[NST_ORIGIN_SETNS] = "setns",
	[NST_ORIGIN_SENDMSG] = "sendmsg",
	[NST_ORIGIN_SENDTO] = "sendto",
	[NST_ORIGIN_NETNS_EXIT] = "netns-exit",
	[NST_ORIGIN_NETNS_CREATE] = "netns-create",
	[NST_ORIGIN_IOCTL] = "ioctl",
	/* clang-format on */
};

static const char *const backends[] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_FENTRY] = "fentry",
	[BACKEND_KPROBE] = "kprobe",
	[BACKEND_TRACEPOINT] = "tracepoint",
};

const char *enum_name(const char *const *names, size_t n, uint32_t i,
		      const char *none)
{
	return i < n && names[i] ? names[i] : none;
}

int enum_parse(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && names[i][0] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *enum_pair_name(const struct enum_pair *pairs, size_t n,
			   uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (pairs[i].value == value)
			return pairs[i].name;
	return NULL;
}

int64_t enum_pair_parse(const struct enum_pair *pairs, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pairs[i].name, s))
			return pairs[i].value;
	return -1;
}

const char *ns_type_name(uint32_t type)
{
	return enum_name(ns_types, ARRAY_SIZE(ns_types), type, "?");
}

int ns_type_parse(const char *s)
{
	return enum_parse(ns_types, ARRAY_SIZE(ns_types), s);
}

const char *event_name(uint32_t kind)
{
	return enum_name(events, ARRAY_SIZE(events), kind, "?");
}

int event_parse(const char *s)
{
	return enum_parse(events, ARRAY_SIZE(events), s);
}

const char *origin_name(uint32_t origin)
{
	return enum_name(origins, ARRAY_SIZE(origins), origin, "?");
}

const char *cause_name(uint32_t cause)
{
	if (cause == NST_CAUSE_KERNEL)
		return "kernel";
	return cause == NST_CAUSE_NETNS_EXIT ? "netns-exit" : "request";
}

const char *fate_name(uint32_t fate)
{
	return fate == NST_FATE_RETURNED ? "returned" : "deleted";
}

const char *backend_name(enum backend b)
{
	return enum_name(backends, ARRAY_SIZE(backends), b, "?");
}

int backend_parse(const char *s)
{
	return enum_parse(backends, ARRAY_SIZE(backends), s);
}

int64_t parse_list(const char *list, int (*parse)(const char *),
		   uint32_t all_mask, const char **bad)
{
	static char item[64];
	uint32_t mask = 0;
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		int bit = -1;

		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			bit = strcmp(item, "all") ? parse(item) : 32;
		} else {
			memcpy(item, p, sizeof(item) - 1);
			item[sizeof(item) - 1] = '\0';
		}
		if (bit < 0) {
			*bad = item;
			return -1;
		}
		mask |= bit == 32 ? all_mask : 1u << bit;
		if (!p[n])
			return mask;
		p += n + 1;
	}
}
