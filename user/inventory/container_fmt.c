// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "inventory/container_fmt.h"
#include "lib/escape.h"

/* Each part only when the cgroup path or the runtime's state told it. */
void container_json(struct jw *j, const struct container *c)
{
	const struct {
		const char *key, *val;
		size_t size;
	} parts[] = {
		{ "runtime", c->runtime, sizeof(c->runtime) },
		{ "id", c->id, sizeof(c->id) },
		{ "name", c->name, sizeof(c->name) },
		{ "pod", c->pod, sizeof(c->pod) },
		{ "pod_namespace", c->pod_namespace, sizeof(c->pod_namespace) },
		{ "pod_name", c->pod_name, sizeof(c->pod_name) },
	};

	jw_obj_open(j);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].val[0])
			jw_key_strn(j, parts[i].key, parts[i].val,
				    strnlen(parts[i].val, parts[i].size));
	jw_obj_close(j);
}

static void text_part(struct buf *b, const char *s, size_t size)
{
	text_str(b, s, strnlen(s, size));
}

void container_text(struct buf *b, const struct container *c)
{
	if (c->runtime[0])
		text_part(b, c->runtime, sizeof(c->runtime));
	if (c->id[0]) {
		buf_addc(b, ':');
		text_part(b, c->id, 12);
	}
	if (c->name[0]) {
		buf_addc(b, '/');
		text_part(b, c->name, sizeof(c->name));
	}
	if (!c->pod[0] && !c->pod_name[0])
		return;
	buf_adds(b, c->runtime[0] || c->id[0] ? ",pod:" : "pod:");
	if (c->pod_name[0]) {
		text_part(b, c->pod_namespace, sizeof(c->pod_namespace));
		buf_addc(b, '/');
		text_part(b, c->pod_name, sizeof(c->pod_name));
	} else {
		text_part(b, c->pod, sizeof(c->pod));
	}
}
