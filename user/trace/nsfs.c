// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "inventory/mounts.h"
#include "trace/nsfs.h"

#define READ_CHUNK 16384

static int cmp_name(const void *a, const void *b)
{
	const struct nsfs_name *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

const char *nsfs_last_component(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

void nsfs_set_parse(struct nsfs_set *s, const char *text)
{
	struct buf b = {};
	char path[4096], *line, *copy = strdup(text), *save = NULL;
	size_t n = 0;

	if (!copy)
		abort();
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct nsfs_name m = {};

		if (mountinfo_nsfs(line, path, sizeof(path), &m.type, &m.inum))
			continue;
		m.path = strdup(path);
		if (!m.path)
			abort();
		m.name = nsfs_last_component(m.path);
		buf_add(&b, &m, sizeof(m));
	}
	free(copy);
	s->v = (void *)b.data;
	s->n = b.len / sizeof(*s->v);
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_name);
	/* A mount stacked on the same path, or propagated twice. */
	for (size_t i = 1; i < s->n; i++) {
		if (!cmp_name(&s->v[n], &s->v[i]))
			free(s->v[i].path);
		else
			s->v[++n] = s->v[i];
	}
	s->n = n + 1;
}

int nsfs_set_read(struct nsfs_set *s, int fd)
{
	struct buf b = {};
	ssize_t got;

	memset(s, 0, sizeof(*s));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		buf_reserve(&b, READ_CHUNK);
		got = read(fd, b.data + b.len, READ_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = -errno;

			buf_free(&b);
			return err;
		}
		if (!got)
			break;
		b.len += got;
	}
	nsfs_set_parse(s, buf_cstr(&b));
	buf_free(&b);
	return 0;
}

void nsfs_clean_path(char *path)
{
	const char *in = path, *end;
	char *out = path; /* the end of what is kept, no slash after it */
	size_t len;

	for (;;) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		end = strchrnul(in, '/');
		len = end - in;
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else if (len != 1 || in[0] != '.') {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in = end;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

const struct nsfs_name *nsfs_set_find(const struct nsfs_set *s,
				      const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].path, path))
			return &s->v[i];
	return NULL;
}

void nsfs_set_free(struct nsfs_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Calls cb for what is in a and not in b. */
static void only_in(const struct nsfs_set *a, const struct nsfs_set *b,
		    bool added,
		    void (*cb)(void *, bool, const struct nsfs_name *),
		    void *ctx)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		int c = 1;

		while (j < b->n && (c = cmp_name(&a->v[i], &b->v[j])) > 0)
			j++;
		if (j >= b->n || c)
			cb(ctx, added, &a->v[i]);
	}
}

void nsfs_set_diff(const struct nsfs_set *old, const struct nsfs_set *cur,
		   void (*cb)(void *ctx, bool added, const struct nsfs_name *n),
		   void *ctx)
{
	only_in(old, cur, false, cb, ctx);
	only_in(cur, old, true, cb, ctx);
}
