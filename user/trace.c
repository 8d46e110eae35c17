// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nstrace.skel.h"
#include "backend.h"
#include "output.h"
#include "preflight.h"
#include "privs.h"
#include "record.h"
#include "trace.h"

#define POLL_TIMEOUT_MS 100

struct trace {
	struct nstrace_bpf *skel;
	struct ring_buffer *rb;
	struct output out;
	const char *out_name;
	int64_t realtime_off;
	uint64_t events;
	uint64_t lost_seen; /* what the counter said last time we looked */
	uint64_t *lost_percpu;
	int ncpus;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
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

static uint64_t now_realtime_ns(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (uint64_t)rt.tv_sec * 1000000000ULL + rt.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct trace *t = ctx;
	const struct nst_event *e = data;
	struct record r;

	if (!event_valid(e, size))
		return 0;
	t->events++;
	if (t->out.err)
		return 0;
	record_from_event(&r, e, t->realtime_off);
	output_record(&t->out, &r);
	return 0;
}

/* Reports, in the stream itself, what the BPF side could not queue. */
static void check_lost(struct trace *t)
{
	uint32_t zero = 0;
	uint64_t total = 0;
	struct record r;

	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.lost_events), &zero,
				t->lost_percpu))
		return;
	for (int i = 0; i < t->ncpus; i++)
		total += t->lost_percpu[i];
	if (total == t->lost_seen)
		return;
	record_lost(&r, now_realtime_ns(), total - t->lost_seen, total);
	t->lost_seen = total;
	output_record(&t->out, &r);
}

static int open_output(struct trace *t, const struct opts *o)
{
	int err = output_open(&t->out, o->output,
			      o->json ? OUTPUT_JSON : OUTPUT_TEXT);

	t->out_name = o->output ? o->output : "standard output";
	if (err)
		fprintf(stderr, "nstrace: cannot open %s: %s\n", t->out_name,
			strerror(-err));
	return err;
}

static int load_and_attach(struct trace *t, const struct opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf);
	int err;

	t->skel = nstrace_bpf__open_opts(&open_opts);
	if (!t->skel) {
		fprintf(stderr, "nstrace: cannot open the BPF object: %s\n",
			strerror(errno));
		return -1;
	}
	t->skel->rodata->targ_tgid = o->pid;
	t->skel->rodata->targ_ns_mask = o->ns_mask;
	t->skel->rodata->targ_ev_mask = o->ev_mask;
	if (o->buffer_size &&
	    (err = bpf_map__set_max_entries(t->skel->maps.events,
					    o->buffer_size))) {
		fprintf(stderr, "nstrace: cannot size the ring buffer: %s\n",
			strerror(-err));
		return -1;
	}
	if (backend_configure(t->skel, o->ev_mask, o->backend, o->btf))
		return -1;
	err = nstrace_bpf__load(t->skel);
	if (err) {
		fprintf(stderr,
			"nstrace: cannot load the BPF programs: %s (try -v for the verifier's log)\n",
			strerror(-err));
		return -1;
	}
	err = nstrace_bpf__attach(t->skel);
	if (err) {
		fprintf(stderr, "nstrace: cannot attach the BPF programs: %s\n",
			strerror(-err));
		return -1;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event,
				 t, NULL);
	if (!t->rb) {
		fprintf(stderr, "nstrace: cannot open the ring buffer: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: the poll must return so that the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe shows up as EPIPE from write(), handled there. */
	signal(SIGPIPE, SIG_IGN);
}

int trace_run(const struct opts *o)
{
	struct trace t = {};
	bool attached = false;
	int ret = 1, err;

	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	if (preflight_caps() || preflight_btf(o->btf) || preflight_pid(o->pid) ||
	    preflight_tracefs())
		return 1;
	if (open_output(&t, o))
		return 1;
	t.ncpus = libbpf_num_possible_cpus();
	if (t.ncpus <= 0) {
		fprintf(stderr, "nstrace: cannot count the possible CPUs\n");
		goto cleanup;
	}
	t.lost_percpu = calloc(t.ncpus, sizeof(*t.lost_percpu));
	if (!t.lost_percpu || load_and_attach(&t, o))
		goto cleanup;
	if (privs_drop(bpf_map__fd(t.skel->maps.lost_events)))
		goto cleanup;
	install_signals();
	output_header(&t.out);
	output_flush(&t.out);
	attached = true;
	fprintf(stderr, "nstrace: tracing namespace events (%s); Ctrl-C to stop\n",
		backend_describe());
	while (!exiting && !t.out.err) {
		t.realtime_off = realtime_offset();
		err = ring_buffer__poll(t.rb, POLL_TIMEOUT_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nstrace: cannot read the ring buffer: %s\n",
				strerror(-err));
			goto cleanup;
		}
		check_lost(&t);
		output_flush(&t.out);
	}
	/* Stop the producers first, then take what they left behind. */
	nstrace_bpf__detach(t.skel);
	ring_buffer__consume(t.rb);
	check_lost(&t);
	output_flush(&t.out);
	if (t.out.err && t.out.err != EPIPE) {
		fprintf(stderr, "nstrace: cannot write to %s: %s\n", t.out_name,
			strerror(t.out.err));
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (attached)
		fprintf(stderr, "nstrace: %llu events, %llu lost\n",
			(unsigned long long)t.events,
			(unsigned long long)t.lost_seen);
	ring_buffer__free(t.rb);
	nstrace_bpf__destroy(t.skel);
	output_close(&t.out);
	free(t.lost_percpu);
	return ret;
}
