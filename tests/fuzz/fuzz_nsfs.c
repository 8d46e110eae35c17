// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The names of the mount table and what changed between two reads: two
 * mountinfo texts of any shape (split at the first NUL byte), parsed,
 * then compared. Each set must come out sorted without duplicates, and
 * the diff must account for every name of each set exactly once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "trace/nsfs.h"
#include "nstrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	size_t added, removed;
};

static void count(void *ctx, bool added, const struct nsfs_name *n)
{
	struct tally *t = ctx;

	if (added)
		t->added++;
	else
		t->removed++;
	if (n->type >= NST_NS_TYPES || !n->inum || !n->path[0])
		fuzz_fail("bad name", n->path, strlen(n->path));
}

static void check_set(const struct nsfs_set *s, const char *text)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct nsfs_name *a = &s->v[i];

		if (a->name < a->path || a->name > a->path + strlen(a->path))
			fuzz_fail("name outside path", text, strlen(text));
		if (i && strcmp(s->v[i - 1].path, a->path) > 0)
			fuzz_fail("not sorted", text, strlen(text));
		if (i && !strcmp(s->v[i - 1].path, a->path) &&
		    s->v[i - 1].inum == a->inum && s->v[i - 1].type == a->type)
			fuzz_fail("duplicate", text, strlen(text));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 2);
	const char *second;
	struct nsfs_set a, b;
	struct tally t = {};

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	second = text + strlen(text) + 1;
	nsfs_set_parse(&a, text);
	nsfs_set_parse(&b, second);
	check_set(&a, text);
	check_set(&b, second);
	nsfs_set_diff(&a, &b, count, &t);
	/* Whatever is in both is neither added nor removed. */
	if (a.n - t.removed != b.n - t.added)
		fuzz_fail("diff does not add up", text, size);
	t = (struct tally){};
	nsfs_set_diff(&a, &a, count, &t);
	if (t.added || t.removed)
		fuzz_fail("a set differs from itself", text, size);
	nsfs_set_free(&a);
	nsfs_set_free(&b);
	free(text);
	return 0;
}
