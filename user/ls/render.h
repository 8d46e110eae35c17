/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `nstrace ls` as text and as one JSON document (docs/ls.md). Both are
 * built whole in a buffer, so nothing half-written ever reaches a reader.
 */
#ifndef NSTRACE_LS_RENDER_H
#define NSTRACE_LS_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "inventory/view.h"

#define LS_SCHEMA_VERSION 1

/* Every network namespace on the kernel's list, in its order. */
void ls_json_netns(struct buf *b, const struct ls_view *v);
void ls_text_netns(struct buf *b, const struct ls_view *v);

/* The namespaces of the types in type_mask (a bit per enum nst_ns_type). */
void ls_json_namespaces(struct buf *b, const struct ls_view *v,
			uint32_t type_mask);
void ls_text_namespaces(struct buf *b, const struct ls_view *v,
			uint32_t type_mask);

/* One netns object of ls_json_netns, for the queries. */
void ls_json_one_netns(struct buf *b, const struct ls_view *v,
		       const struct ns_view *nv);
/* "name1,name2" (ip netns names), or "" */
void ls_netns_names(struct buf *b, const struct ns_view *nv, const char *sep,
		    bool json);

#endif
