/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A container record as every output writes it: the stream's
 * <field>_container, nstrace ls, identify, where and the snapshot.
 */
#ifndef NSTRACE_INVENTORY_CONTAINER_FMT_H
#define NSTRACE_INVENTORY_CONTAINER_FMT_H

#include "inventory/container.h"
#include "lib/buf.h"
#include "lib/json.h"

/* An object of the parts known: runtime, id, name, pod, pod_namespace... */
void container_json(struct jw *j, const struct container *c);
/*
 * One word, escaped: runtime:ID/NAME, the id cut to the 12 characters
 * runtimes show; then ,pod:NAMESPACE/NAME, or ,pod:UID without names.
 */
void container_text(struct buf *b, const struct container *c);

#endif
