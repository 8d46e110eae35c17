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
#include "lib/json.h"
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

/* The queries' documents (docs/ls.md); where's says how many it found. */
/* ctr: the process's container, or NULL; host: it has the host's netns. */
void ls_json_identify(struct buf *b, const struct ls_view *v, uint32_t pid,
		      const struct ns_view *nv, const struct container *ctr,
		      bool host);
void ls_json_pids(struct buf *b, const struct ns_view *nv);
/* An interface where found, in its netns. */
struct ls_where {
	const struct ns_view *nv;
	const struct ls_dev *d;
};
/* arg: what was asked, the name or (--netns) the ifindex. */
void ls_json_where(struct buf *b, const struct ls_view *v, const char *arg,
		   const struct ls_where *hits, size_t n);

/*
 * For documents of the same shape (replay): the document's open and its
 * "schema"; one netns object of ls_json_netns; "netns": and the list of
 * them all; the document's close and its newline.
 */
void ls_json_begin(struct jw *j, struct buf *b);
void ls_json_one_netns(struct jw *j, const struct ls_view *v,
		       const struct ns_view *nv);
void ls_json_netns_list(struct jw *j, const struct ls_view *v);
void ls_json_end(struct jw *j);

/* "name1,name2" (ip netns names), or "" */
void ls_netns_names(struct buf *b, const struct ns_view *nv, const char *sep);

#endif
