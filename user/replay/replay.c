// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/escape.h"
#include "ls/render.h"
#include "replay/replay.h"
#include "replay/decode.h"
#include "topology/topology.h"

enum { OPT_AT = 0x100 };

struct replay {
	struct jlog log;
	struct topo cur; /* the topology so far */
	struct topo next; /* a snapshot being read */
	uint64_t reading; /* next's snapshot number, 0 if none */
	bool by_seq; /* the cut-off is a seq, else a time */
	uint64_t at; /* the last seq or time to take */
	uint64_t lost; /* events lost after cur's snapshot */
	uint64_t incomplete; /* a snapshot with no end, 0 if none */
};

static void usage(FILE *f)
{
	fputs("usage: nstrace replay [-j] [--at TIME] FILE\n"
	      "The network namespaces and interfaces a JSON log (nstrace --json\n"
	      "--snapshot -o FILE) says there were at TIME, as nstrace ls shows\n"
	      "them (docs/replay.md). FILE - is standard input.\n"
	      "\n"
	      "  -j, --json        one JSON document\n"
	      "      --at TIME     RFC 3339 (2026-12-01T08:45:05.9Z, offsets too),\n"
	      "                    or seq:N (the line with that seq); default: the end\n"
	      "  -h, --help        this help\n",
	      f);
}

static int bad_usage(const char *what, const char *value)
{
	fprintf(stderr, "nstrace replay: %s: '%s'\n", what, text_shown(value));
	usage(stderr);
	return 2;
}

static bool parse_at(struct replay *rp, const char *s)
{
	char *end;

	if (!strncmp(s, "seq:", 4)) {
		if (s[4] < '0' || s[4] > '9')
			return false;
		errno = 0;
		rp->at = strtoull(s + 4, &end, 10);
		rp->by_seq = true;
		return !errno && !*end;
	}
	return !rfc3339_parse(s, &rp->at);
}

static bool in_time(const struct replay *rp, const struct jlog_rec *r)
{
	return rp->by_seq ? r->seq <= rp->at : r->time_ns <= rp->at;
}

static void snapshot_end(struct replay *rp, const struct jlog_rec *r)
{
	if (!rp->reading || jlog_u(r->obj, "snapshot") != rp->reading)
		return;
	/* One read at a moment after the cut-off may show later changes. */
	if (in_time(rp, r)) {
		topo_free(&rp->cur);
		rp->cur = rp->next;
		rp->cur.snapshot = rp->reading;
		rp->cur.truncated =
			json_is_true(json_object_get(r->obj, "truncated"));
		memset(&rp->next, 0, sizeof(rp->next));
		rp->lost = 0;
		rp->incomplete = 0;
	} else {
		topo_free(&rp->next);
	}
	rp->reading = 0;
}

static void apply(struct topo *t, struct jlog *log, const struct jlog_rec *r)
{
	struct topo_event e;

	if (replay_decode(log, r, &e))
		topo_apply(t, &e);
}

static void on_record(void *ctx, const struct jlog_rec *r)
{
	struct replay *rp = ctx;

	if (!strcmp(r->event, "snapshot.begin")) {
		if (!jlog_need(&rp->log, r, "snapshot", NULL))
			return;
		if (rp->reading)
			rp->incomplete = rp->reading;
		topo_free(&rp->next);
		rp->reading = in_time(rp, r) ? jlog_u(r->obj, "snapshot") : 0;
	} else if (!strncmp(r->event, "snapshot.", 9) &&
		   strcmp(r->event, "snapshot.end")) {
		if (rp->reading && jlog_u(r->obj, "snapshot") == rp->reading)
			apply(&rp->next, &rp->log, r);
	} else if (!strcmp(r->event, "snapshot.end")) {
		snapshot_end(rp, r);
	} else if (!in_time(rp, r)) {
		return;
	} else if (!strcmp(r->event, "lost")) {
		rp->lost += jlog_u(r->obj, "count");
	} else {
		apply(&rp->cur, &rp->log, r);
	}
}

/* What the picture lacks, on stderr: stdout stays what ls would print. */
static void notes(const struct replay *rp)
{
	if (rp->incomplete || rp->reading)
		fprintf(stderr,
			"nstrace replay: snapshot %llu has no snapshot.end: not used\n",
			(unsigned long long)(rp->reading ? rp->reading :
							   rp->incomplete));
	if (!rp->cur.snapshot)
		fputs("nstrace replay: no snapshot before that moment: the picture is partial, only what the events tell\n",
		      stderr);
	if (rp->lost)
		fprintf(stderr,
			"nstrace replay: %llu events were lost after the last snapshot: the picture may miss what they changed\n",
			(unsigned long long)rp->lost);
}

static void render(struct buf *b, const struct replay *rp, bool json)
{
	struct ls_view v;

	topo_to_view(&rp->cur, &v);
	if (!json) {
		ls_text_netns(b, &v);
	} else {
		buf_addf(
			b,
			"{\"schema\":%d,\"truncated\":%s,\"partial\":%s,\"snapshot\":%llu,\"lost\":%llu,\"netns\":[",
			LS_SCHEMA_VERSION, rp->cur.truncated ? "true" : "false",
			rp->cur.snapshot ? "false" : "true",
			(unsigned long long)rp->cur.snapshot,
			(unsigned long long)rp->lost);
		for (size_t i = 0; i < v.inv.nnets; i++) {
			if (i)
				buf_addc(b, ',');
			ls_json_one_netns(b, &v,
					  ls_view_ns(&v, v.inv.nets[i].inum));
		}
		buf_adds(b, "]}\n");
	}
	ls_view_free(&v);
}

int replay_write(struct buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(STDOUT_FILENO, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EPIPE) {
			fprintf(stderr,
				"nstrace: cannot write to standard output: %s\n",
				strerror(errno));
			return 1;
		}
		if (n < 0)
			break;
		off += n;
	}
	return 0;
}

int replay_main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, OPT_AT },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct replay rp = { .at = UINT64_MAX };
	struct buf b = {};
	bool json = false;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case OPT_AT:
			if (!parse_at(&rp, optarg))
				return bad_usage(
					"not an RFC 3339 time nor seq:N",
					optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad_usage("option needs a value",
					 argv[optind - 1]);
		default:
			return bad_usage("unknown option", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc) {
		if (optind < argc)
			return bad_usage("unexpected argument",
					 argv[optind + 1]);
		fputs("nstrace replay: missing the log file\n", stderr);
		usage(stderr);
		return 2;
	}
	if (jlog_read(&rp.log, argv[optind], on_record, &rp))
		return 1;
	if (!rp.log.records) {
		b.len = 0;
		text_str(&b, argv[optind], strlen(argv[optind]));
		fprintf(stderr, "nstrace replay: %s holds no nstrace record\n",
			buf_cstr(&b));
		buf_free(&b);
		return 1;
	}
	notes(&rp);
	render(&b, &rp, json);
	rc = replay_write(&b);
	buf_free(&b);
	topo_free(&rp.cur);
	topo_free(&rp.next);
	return rc;
}
