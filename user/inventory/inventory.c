// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/buf.h"
#include "inventory/inventory.h"
#include "loader/preflight.h"
/* After inventory.h: their globals are of its record types. */
#include "inventory.lskel.h"
#include "inventory_net.lskel.h"

#define READ_CHUNK 65536

static const size_t rec_sizes[LS_REC_DEV + 1] = {
	[LS_REC_NS] = sizeof(struct ls_ns),
	[LS_REC_TASK] = sizeof(struct ls_task),
	[LS_REC_NSFD] = sizeof(struct ls_nsfd),
	[LS_REC_SOCK] = sizeof(struct ls_sock),
	[LS_REC_NET] = sizeof(struct ls_net),
	[LS_REC_DEV] = sizeof(struct ls_dev),
};

/* 0 for a kind that is none of the above. */
static size_t rec_size(uint32_t kind)
{
	return kind <= LS_REC_DEV ? rec_sizes[kind] : 0;
}

/* Records as they come, one growable array per kind. */
struct collector {
	struct buf by_kind[LS_REC_DEV + 1];
};

/* Files one record away; its size was checked by the caller. */
static void add_record(struct collector *c, const void *data)
{
	uint32_t kind;

	memcpy(&kind, data, sizeof(kind));
	buf_add(&c->by_kind[kind], data, rec_size(kind));
}

static void collector_free(struct collector *c)
{
	for (int k = 0; k <= LS_REC_DEV; k++)
		buf_free(&c->by_kind[k]);
}

/* The arrays become the inventory's: malloc'ed memory suits any record. */
static void *take(struct collector *c, uint32_t kind, size_t *n)
{
	struct buf *b = &c->by_kind[kind];
	void *p = b->data;

	*n = b->len / rec_size(kind);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

static void collector_move(struct collector *c, struct inventory *inv)
{
	inv->ns = take(c, LS_REC_NS, &inv->nns);
	inv->tasks = take(c, LS_REC_TASK, &inv->ntasks);
	inv->fds = take(c, LS_REC_NSFD, &inv->nfds);
	inv->socks = take(c, LS_REC_SOCK, &inv->nsocks);
	inv->nets = take(c, LS_REC_NET, &inv->nnets);
	inv->devs = take(c, LS_REC_DEV, &inv->ndevs);
}

/* A stream of whole records, as the seq_file iterators give them. */
static int add_stream(struct collector *c, const char *p, size_t len)
{
	while (len >= sizeof(uint32_t)) {
		uint32_t kind;
		size_t n;

		memcpy(&kind, p, sizeof(kind));
		n = rec_size(kind);
		if (!n || n > len)
			return -1;
		add_record(c, p);
		p += n;
		len -= n;
	}
	return len ? -1 : 0;
}

static int run_iter(int prog_fd, const char *name, struct buf *out)
{
	int link = skel_link_create(prog_fd, 0, BPF_TRACE_ITER);
	int fd, err = 0;
	ssize_t n;

	if (link < 0) {
		fprintf(stderr, "nstrace: cannot attach the %s iterator: %s\n",
			name, strerror(-link));
		return -1;
	}
	fd = bpf_iter_create(link);
	if (fd < 0) {
		fprintf(stderr, "nstrace: cannot start the %s iterator: %s\n",
			name, strerror(errno));
		close(link);
		return -1;
	}
	for (;;) {
		buf_reserve(out, READ_CHUNK);
		n = read(fd, out->data + out->len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += n;
	}
	if (n < 0) {
		fprintf(stderr, "nstrace: cannot read the %s iterator: %s\n",
			name, strerror(errno));
		err = -1;
	}
	close(fd);
	close(link);
	return err;
}

static int on_walk_record(void *ctx, void *data, size_t size)
{
	uint32_t kind;

	if (size < sizeof(kind))
		return 0;
	memcpy(&kind, data, sizeof(kind));
	if (rec_size(kind) && rec_size(kind) <= size)
		add_record(ctx, data);
	return 0;
}

/* What collect() needs of either skeleton, once loaded. */
struct loaded {
	void *skel;
	void (*destroy)(void *skel);
	int walk_out_fd;
	int task_fd;
	int task_file_fd;
	const struct ls_walk_totals *walk;
};

static void open_failed(void)
{
	fprintf(stderr, "nstrace: cannot open the BPF object: %s\n",
		strerror(errno));
}

static void load_failed(int err)
{
	fprintf(stderr, "nstrace: cannot load the BPF programs: %s\n",
		strerror(-err));
}

/*
 * name_load(): open and load the light skeleton `name` (the two builds of
 * bpf/inventory.bpf.c have the same members in types of other names) and
 * fill l from it; 0, or -1 after one message.
 */
#define DEFINE_LOADER(name)                                         \
	static void name##_destroy(void *skel)                      \
	{                                                           \
		name##__destroy(skel);                              \
	}                                                           \
	static int name##_load(struct loaded *l, __u32 walk_size)   \
	{                                                           \
		struct name *skel = name##__open();                 \
		int err;                                            \
                                                                    \
		if (!skel) {                                        \
			open_failed();                              \
			return -1;                                  \
		}                                                   \
		skel->maps.walk_out.max_entries = walk_size;        \
		err = name##__load(skel);                           \
		if (err) {                                          \
			load_failed(err);                           \
			name##__destroy(skel);                      \
			return -1;                                  \
		}                                                   \
		l->skel = skel;                                     \
		l->destroy = name##_destroy;                        \
		l->walk_out_fd = skel->maps.walk_out.map_fd;        \
		l->task_fd = skel->progs.ls_task.prog_fd;           \
		l->task_file_fd = skel->progs.ls_task_file.prog_fd; \
		l->walk = &skel->bss->walk;                         \
		return 0;                                           \
	}

DEFINE_LOADER(inventory_bpf)
DEFINE_LOADER(inventory_net_bpf)

/*
 * Run both iterators, take the walk's ring buffer; 0, -1, or 1 when the
 * walk did not fit a ring buffer smaller than the largest (nothing said).
 */
static int run(const struct loaded *l, struct inventory *inv, __u32 walk_size)
{
	struct ring_buffer *rb = NULL;
	struct collector c = {};
	struct buf stream = {};
	int ret = -1, err;

	rb = ring_buffer__new(l->walk_out_fd, on_walk_record, &c, NULL);
	if (!rb) {
		fprintf(stderr, "nstrace: cannot open the ring buffer: %s\n",
			strerror(errno));
		goto out;
	}
	/* The task walk first: the file walk uses what it learnt. */
	if (run_iter(l->task_fd, "task", &stream) ||
	    run_iter(l->task_file_fd, "task_file", &stream))
		goto out;
	if (!l->walk->done) {
		fputs("nstrace: the kernel never ran the end of the task walk\n",
		      stderr);
		goto out;
	}
	if (l->walk->lost && walk_size < LS_WALK_BUF_SIZE) {
		ret = 1;
		goto out;
	}
	if (l->walk->lost) {
		fprintf(stderr,
			"nstrace: %u devices or namespaces did not fit the walk's %u MiB buffer\n",
			l->walk->lost, LS_WALK_BUF_SIZE >> 20);
		goto out;
	}
	if (add_stream(&c, stream.data, stream.len)) {
		fputs("nstrace: the task iterator gave a malformed record\n",
		      stderr);
		goto out;
	}
	err = ring_buffer__consume(rb);
	if (err < 0) {
		fprintf(stderr, "nstrace: cannot read the ring buffer: %s\n",
			strerror(-err));
		goto out;
	}
	collector_move(&c, inv);
	/* More than the one list head: nodes nstrace could not make sense of. */
	inv->truncated = l->walk->truncated || l->walk->heads != 1;
	ret = 0;
out:
	collector_free(&c);
	ring_buffer__free(rb);
	buf_free(&stream);
	return ret;
}

/* Load the skeleton the scope needs and run it; 0, -1 or 1 as run(). */
static int collect_once(struct inventory *inv, enum inventory_scope scope,
			__u32 walk_size)
{
	struct loaded l;
	int ret;

	if (scope == INVENTORY_NETNS ? inventory_net_bpf_load(&l, walk_size) :
				       inventory_bpf_load(&l, walk_size))
		return -1;
	ret = run(&l, inv, walk_size);
	l.destroy(l.skel);
	return ret;
}

/* 0 or -1: the small ring buffer first, the whole one if it was short. */
static int collect(struct inventory *inv, enum inventory_scope scope)
{
	int ret = collect_once(inv, scope, LS_WALK_BUF_FIRST);

	if (ret > 0)
		ret = collect_once(inv, scope, LS_WALK_BUF_SIZE);
	return ret;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_ns(const void *a, const void *b)
{
	return cmp_u32(((const struct ls_ns *)a)->inum,
		       ((const struct ls_ns *)b)->inum);
}

static int cmp_task(const void *a, const void *b)
{
	const struct ls_task *x = a, *y = b;

	/* The leader (tid == pid) first, its odd threads after it. */
	if (x->pid != y->pid)
		return cmp_u32(x->pid, y->pid);
	if ((x->tid == x->pid) != (y->tid == y->pid))
		return x->tid == x->pid ? -1 : 1;
	return cmp_u32(x->tid, y->tid);
}

static const struct inventory *sort_inv; /* for cmp_net_index */

static int cmp_net_index(const void *a, const void *b)
{
	return cmp_u32(sort_inv->nets[*(const size_t *)a].inum,
		       sort_inv->nets[*(const size_t *)b].inum);
}

/*
 * A net that no process or fd reaches (a bind mount holds it) has no
 * LS_REC_NS yet: make one from the walk's record.
 */
static void add_walked_nets(struct inventory *inv)
{
	struct buf b = {};

	buf_add(&b, inv->ns, inv->nns * sizeof(*inv->ns));
	for (size_t i = 0; i < inv->nnets; i++) {
		struct ls_ns ns = {
			.kind = LS_REC_NS,
			.type = NST_NS_NET,
			.inum = inv->nets[i].inum,
			.owner = inv->nets[i].owner,
			.flags = inv->nets[i].flags,
		};

		buf_add(&b, &ns, sizeof(ns));
	}
	free(inv->ns);
	inv->ns = (void *)b.data;
	inv->nns = b.len / sizeof(*inv->ns);
}

/* Sorted, and one record per namespace even if the BPF side's map filled. */
static void index_inventory(struct inventory *inv)
{
	size_t j = 0;

	add_walked_nets(inv);
	/* The walk's copy of a net adds its flags (dying) to the other's. */
	qsort(inv->ns, inv->nns, sizeof(*inv->ns), cmp_ns);
	for (size_t i = 0; i < inv->nns; i++)
		if (!j || inv->ns[j - 1].inum != inv->ns[i].inum)
			inv->ns[j++] = inv->ns[i];
		else
			inv->ns[j - 1].flags |= inv->ns[i].flags;
	inv->nns = j;
	qsort(inv->tasks, inv->ntasks, sizeof(*inv->tasks), cmp_task);

	inv->net_by_inum = calloc(inv->nnets + 1, sizeof(size_t));
	if (!inv->net_by_inum) {
		fputs("nstrace: out of memory\n", stderr);
		abort();
	}
	for (size_t i = 0; i < inv->nnets; i++)
		inv->net_by_inum[i] = i;
	sort_inv = inv;
	qsort(inv->net_by_inum, inv->nnets, sizeof(size_t), cmp_net_index);

	/* Kernel threads run in every initial namespace. */
	for (size_t i = 0; i < inv->ntasks; i++)
		if (inv->tasks[i].flags & LS_TASK_KTHREAD) {
			memcpy(inv->init_ns, inv->tasks[i].ns,
			       sizeof(inv->init_ns));
			break;
		}
	for (size_t i = 0; i < inv->nnets; i++)
		if (inv->nets[i].flags & LS_NS_INIT)
			inv->init_ns[NST_NS_NET] = inv->nets[i].inum;
	for (size_t i = 0; i < inv->nns; i++)
		if (inv->ns[i].inum ==
		    inv->init_ns[inv->ns[i].type % NST_NS_TYPES])
			inv->ns[i].flags |= LS_NS_INIT;
}

int inventory_collect(struct inventory *inv, enum inventory_scope scope)
{
	memset(inv, 0, sizeof(*inv));
	if (preflight_caps() || preflight_btf(NULL) || collect(inv, scope))
		return -1;
	index_inventory(inv);
	return 0;
}

void inventory_free(struct inventory *inv)
{
	free(inv->ns);
	free(inv->tasks);
	free(inv->fds);
	free(inv->socks);
	free(inv->nets);
	free(inv->devs);
	free(inv->net_by_inum);
	memset(inv, 0, sizeof(*inv));
}

const struct ls_ns *inventory_ns(const struct inventory *inv, uint32_t inum)
{
	struct ls_ns key = { .inum = inum };

	return bsearch(&key, inv->ns, inv->nns, sizeof(*inv->ns), cmp_ns);
}

const struct ls_net *inventory_net(const struct inventory *inv, uint32_t inum)
{
	size_t lo = 0, hi = inv->nnets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct ls_net *n = &inv->nets[inv->net_by_inum[mid]];

		if (n->inum == inum)
			return n;
		if (n->inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t inventory_lower_bound(const void *base, size_t n, size_t size,
			     size_t off, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t k;

		memcpy(&k, (const char *)base + mid * size + off, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ls_task *inventory_task(const struct inventory *inv, uint32_t pid)
{
	/* The leader sorts first among its pid's records. */
	size_t i = inventory_lower_bound(inv->tasks, inv->ntasks,
					 sizeof(*inv->tasks),
					 offsetof(struct ls_task, pid), pid);

	return i < inv->ntasks && inv->tasks[i].pid == pid ? &inv->tasks[i] :
							     NULL;
}
