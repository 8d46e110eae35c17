// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "nstrace_nocast.skel.h"
#include "loader/backend.h"
#include "loader/preflight.h"
#include "loader/probe.h"
#include "loader/privs.h"
#include "loader/event.h"
#include "loader/stream.h"

volatile sig_atomic_t stream_exiting;

static void on_signal(int sig)
{
	stream_exiting = 1;
}

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int64_t realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (int64_t)(rt.tv_sec - bt.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - bt.tv_nsec);
}

uint64_t stream_now_realtime_ns(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (uint64_t)rt.tv_sec * 1000000000ULL + rt.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct stream *s = ctx;
	const struct nst_event *e = data;

	if (!event_size(e, size))
		return 0;
	s->events++;
	s->ops->event(s->ctx, e, s->realtime_off);
	return 0;
}

/* Reports what the BPF side could not queue. */
static void check_lost(struct stream *s)
{
	uint32_t zero = 0;
	uint64_t total = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.lost_events), &zero,
				s->lost_percpu))
		return;
	for (int i = 0; i < s->ncpus; i++)
		total += s->lost_percpu[i];
	if (total == s->lost_seen)
		return;
	s->ops->lost(s->ctx, stream_now_realtime_ns(), total - s->lost_seen,
		     total);
	s->lost_seen = total;
}

int stream_preflight(const struct stream_config *cfg)
{
	verbose = cfg->verbose;
	libbpf_set_print(libbpf_print);
	if (preflight_caps() || preflight_btf(cfg->btf) ||
	    preflight_pid(cfg->pid))
		return -1;
	return 0;
}

/*
 * The consumer position (the first page) and the producer's (the next),
 * mapped a second time, read-only, for the metrics: libbpf before 1.3
 * has no call that tells how full the ring is.
 */
static int map_positions(struct stream *s)
{
	void *p;

	s->page_size = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, 2 * s->page_size, PROT_READ, MAP_SHARED,
		 bpf_map__fd(s->skel->maps.events), 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "nstrace: cannot map the ring buffer: %s\n",
			strerror(errno));
		return -1;
	}
	s->ring_pos = p;
	return 0;
}

void stream_ring_usage(const struct stream *s, uint64_t *size, uint64_t *used)
{
	const char *p = s->ring_pos;
	unsigned long cons, prod;

	*size = bpf_map__max_entries(s->skel->maps.events);
	cons = __atomic_load_n((const unsigned long *)p, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n((const unsigned long *)(p + s->page_size),
			       __ATOMIC_ACQUIRE);
	*used = prod - cons;
}

/*
 * Every sendmsg and sendto of the machine runs the rtnetlink filter: where
 * the kernel has bpf_rdonly_cast() (6.2 on), the twin that walks from the
 * fd to the socket by plain loads instead of helper calls.
 */
static void choose_rtnl_filter(struct nstrace_bpf *skel, bool cast)
{
	struct bpf_program *pairs[][2] = {
		{ skel->progs.nst_tp_enter_sendmsg,
		  skel->progs.nst_tp_enter_sendmsg_cast },
		{ skel->progs.nst_tp_enter_sendto,
		  skel->progs.nst_tp_enter_sendto_cast },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		bool on = bpf_program__autoload(pairs[i][0]);

		bpf_program__set_autoload(pairs[i][0], on && !cast);
		bpf_program__set_autoload(pairs[i][1], on && cast);
	}
}

/*
 * The stream's skeleton, opened on the object built with bpf_rdonly_cast()
 * where the kernel has it, else on its twin that never names it (the
 * Makefile's nstrace_nocast): the same maps, programs and globals, so one
 * skeleton serves both.
 */
static struct nstrace_bpf *open_skeleton(const struct bpf_object_open_opts *opts,
					 bool cast)
{
	struct nstrace_bpf *skel = calloc(1, sizeof(*skel));
	int err;

	if (!skel)
		return NULL;
	err = nstrace_bpf__create_skeleton(skel);
	if (!err && !cast)
		skel->skeleton->data = (void *)nstrace_nocast_bpf__elf_bytes(
			&skel->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(skel->skeleton, opts);
	if (err) {
		nstrace_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

int stream_open(struct stream *s, const struct stream_config *cfg,
		const struct stream_ops *ops, void *ctx)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = cfg->btf);
	const char *why;
	bool cast;
	int err;

	*s = (struct stream){ .ops = ops, .ctx = ctx };
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		fprintf(stderr, "nstrace: cannot count the possible CPUs\n");
		return -1;
	}
	s->lost_percpu = calloc(s->ncpus, sizeof(*s->lost_percpu));
	if (!s->lost_percpu) {
		fprintf(stderr, "nstrace: out of memory\n");
		return -1;
	}
	/* Before the backend's probes, which free the kernel's BTF at the end. */
	cast = !probe_kfunc(cfg->btf, "bpf_rdonly_cast", &why);
	s->skel = open_skeleton(&open_opts, cast);
	if (!s->skel) {
		fprintf(stderr, "nstrace: cannot open the BPF object: %s\n",
			strerror(errno));
		return -1;
	}
	s->skel->rodata->targ_tgid = cfg->pid;
	s->skel->rodata->targ_ns_mask = cfg->ns_mask;
	s->skel->rodata->targ_ev_mask = cfg->ev_mask & NST_EV_ALL;
	s->skel->rodata->targ_wakeup_bytes =
		(cfg->buffer_size ?
			 cfg->buffer_size :
			 bpf_map__max_entries(s->skel->maps.events)) /
		STREAM_WAKEUP_DIVISOR;
	if (cfg->buffer_size &&
	    (err = bpf_map__set_max_entries(s->skel->maps.events,
					    cfg->buffer_size))) {
		fprintf(stderr, "nstrace: cannot size the ring buffer: %s\n",
			strerror(-err));
		return -1;
	}
	if (backend_configure(s->skel, cfg->ev_mask, cfg->backend, cfg->btf))
		return -1;
	choose_rtnl_filter(s->skel, cast);
	err = nstrace_bpf__load(s->skel);
	if (err) {
		fprintf(stderr,
			"nstrace: cannot load the BPF programs: %s (try -v for the verifier's log)\n",
			strerror(-err));
		return -1;
	}
	err = nstrace_bpf__attach(s->skel);
	if (err) {
		fprintf(stderr, "nstrace: cannot attach the BPF programs: %s\n",
			strerror(-err));
		return -1;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event,
				 s, NULL);
	if (!s->rb) {
		fprintf(stderr, "nstrace: cannot open the ring buffer: %s\n",
			strerror(errno));
		return -1;
	}
	return map_positions(s);
}

int stream_drop_privs(struct stream *s, uint64_t keep_caps)
{
	return privs_drop(bpf_map__fd(s->skel->maps.lost_events), keep_caps);
}

void stream_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: the poll must return so that the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe shows up as EPIPE from write(), handled there. */
	signal(SIGPIPE, SIG_IGN);
}

int stream_poll(struct stream *s)
{
	int n;

	s->realtime_off = realtime_offset();
	n = ring_buffer__consume(s->rb);
	if (n < 0 && n != -EINTR) {
		fprintf(stderr, "nstrace: cannot read the ring buffer: %s\n",
			strerror(-n));
		return n;
	}
	check_lost(s);
	return n < 0 ? 0 : n;
}

int stream_fd(const struct stream *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

void stream_drain(struct stream *s)
{
	nstrace_bpf__detach(s->skel);
	ring_buffer__consume(s->rb);
	check_lost(s);
}

void stream_close(struct stream *s)
{
	if (s->ring_pos)
		munmap(s->ring_pos, 2 * s->page_size);
	ring_buffer__free(s->rb);
	nstrace_bpf__destroy(s->skel);
	free(s->lost_percpu);
	*s = (struct stream){};
}
