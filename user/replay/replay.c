// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/options.h"
#include "ls/render.h"
#include "replay/replay.h"
#include "replay/decode.h"
#include "topology/topology.h"

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


struct replay_opts {
	bool json;
	struct cli_at cut;
	const char *file;
};

static const struct cli_use replay_opts_used[] = {
	{ .opt = &options[OPT_JSON],
	  .field = offsetof(struct replay_opts, json) },
	{ .opt = &options[OPT_AT], .field = offsetof(struct replay_opts, cut) },
	{},
};

const struct cli_cmd replay_cli = {
	.name = "replay",
	.operands = "FILE",
	.min_operands = 1,
	.max_operands = 1,
	.operand_field = offsetof(struct replay_opts, file),
	.missing = "missing the log file",
	.about =
		"The network namespaces and interfaces a JSON log (nstrace --json\n"
		"--snapshot -o FILE) says there were at TIME, as nstrace ls shows\n"
		"them (docs/replay.md). FILE - is standard input.",
	.opts = replay_opts_used,
};

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
		struct jw j;

		/* ls --json's document, with what the log could not tell. */
		ls_json_begin(&j, b);
		jw_key_bool(&j, "truncated", rp->cur.truncated);
		jw_key_bool(&j, "partial", !rp->cur.snapshot);
		jw_key_u(&j, "snapshot", rp->cur.snapshot);
		jw_key_u(&j, "lost", rp->lost);
		ls_json_netns_list(&j, &v);
		ls_json_end(&j);
	}
	ls_view_free(&v);
}

int replay_main(int argc, char **argv)
{
	struct replay_opts o = { .cut.at = UINT64_MAX };
	struct replay rp = {};
	struct buf b = {};
	int rc;

	if (!cli_command(&replay_cli, &o, argc, argv, &rc))
		return rc;
	rp.by_seq = o.cut.by_seq;
	rp.at = o.cut.at;
	if (jlog_read(&rp.log, o.file, on_record, &rp))
		return 1;
	if (!rp.log.records) {
		b.len = 0;
		text_str(&b, o.file, strlen(o.file));
		fprintf(stderr, "nstrace replay: %s holds no nstrace record\n",
			buf_cstr(&b));
		buf_free(&b);
		return 1;
	}
	notes(&rp);
	render(&b, &rp, o.json);
	rc = buf_write_stdout(&b);
	buf_free(&b);
	topo_free(&rp.cur);
	topo_free(&rp.next);
	return rc;
}
