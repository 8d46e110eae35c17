/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A hash map from 64-bit keys to pointers, for the per-event lookups of
 * the names cache: open addressing, so that a lookup is one or two cache
 * lines, and deletion by backward shift, so that no tombstone piles up
 * under churn.
 */
#ifndef NSTRACE_LIB_HMAP_H
#define NSTRACE_LIB_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t key;
	void *val; /* NULL: the slot is free */
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

void *hmap_get(const struct hmap *m, uint64_t key);
/* Sets key to val (not NULL); aborts when out of memory. */
void hmap_put(struct hmap *m, uint64_t key, void *val);
/* The value that was there, or NULL. */
void *hmap_del(struct hmap *m, uint64_t key);
void hmap_free(struct hmap *m);
/* The same, after free() of every value: for maps that own theirs. */
void hmap_free_values(struct hmap *m);

/* Slot i's value, or NULL: for walks, which must not change the map. */
static inline void *hmap_at(const struct hmap *m, size_t i)
{
	return m->slots[i].val;
}

#endif
