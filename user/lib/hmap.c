// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "lib/hmap.h"

#define HMAP_MIN_CAP 64

/* Keys are inodes and pids, close together: mix every bit in. */
static size_t hash(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

void *hmap_get(const struct hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].val)
			return NULL;
		if (m->slots[i].key == key)
			return m->slots[i].val;
	}
}

static void insert(struct hmap_slot *slots, size_t cap, uint64_t key, void *val)
{
	size_t i = hash(key, cap);

	while (slots[i].val && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	slots[i].key = key;
	slots[i].val = val;
}

static void grow(struct hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : HMAP_MIN_CAP;
	struct hmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		abort();
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].val)
			insert(slots, cap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void hmap_put(struct hmap *m, uint64_t key, void *val)
{
	/* At most half full: probes stay short. */
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	if (!hmap_get(m, key))
		m->n++;
	insert(m->slots, m->cap, key, val);
}

void *hmap_del(struct hmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j;
	void *val;

	if (!m->cap)
		return NULL;
	for (i = hash(key, m->cap); m->slots[i].key != key || !m->slots[i].val;
	     i = (i + 1) & mask)
		if (!m->slots[i].val)
			return NULL;
	val = m->slots[i].val;
	/* Pull back every later slot of the run that may sit past home. */
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t home = hash(m->slots[j].key, m->cap);

		/* Is home cyclically in (i, j]? Then the slot stays. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].val = NULL;
	m->n--;
	return val;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void hmap_free_values(struct hmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].val);
	hmap_free(m);
}
