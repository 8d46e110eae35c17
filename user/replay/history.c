// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "lib/options.h"
#include "replay/decode.h"
#include "replay/log.h"
#include "nstrace.h"
#include "replay/replay.h"
#include "topology/topology.h"

/* The tag of a device followed in the model: it goes where the device goes. */
#define FOLLOWED 1

/* A followed device the model took away before its own record came. */
struct place {
	uint32_t netns, ifindex;
};

struct history {
	struct jlog log;
	const char *ifname;
	bool json;
	struct topo topo; /* the log's topology, applied record by record */
	struct place *ended; /* with its veth peer, say: its delete follows */
	size_t nended;
	struct buf label; /* netns_field()'s */
	struct buf out;
	struct jw jw; /* the steps into out, with --json */
	size_t steps;
};

struct history_opts {
	bool json;
	const char *operands[2]; /* IFNAME, FILE */
};

static const struct cli_use history_opts_used[] = {
	{ .opt = &options[OPT_JSON],
	  .field = offsetof(struct history_opts, json) },
	{},
};

const struct cli_cmd history_cli = {
	.name = "history",
	.operands = "IFNAME FILE",
	.min_operands = 2,
	.max_operands = 2,
	.operand_field = offsetof(struct history_opts, operands),
	.missing = "wants an interface name and a log file",
	.about =
		"Where interfaces named IFNAME have been, by a JSON log (nstrace\n"
		"--json, best with --snapshot), by its past names too: created,\n"
		"renamed, moved, handed back, deleted; when, by whom, why\n"
		"(docs/replay.md).",
	.opts = history_opts_used,
};

static struct place *find_ended(struct history *h, uint32_t netns,
				uint32_t ifindex)
{
	for (size_t i = 0; i < h->nended; i++)
		if (h->ended[i].netns == netns &&
		    h->ended[i].ifindex == ifindex)
			return &h->ended[i];
	return NULL;
}

/* Its own record came: it is no longer followed. */
static void unend(struct history *h, uint32_t netns, uint32_t ifindex)
{
	struct place *p = find_ended(h, netns, ifindex);

	if (p)
		*p = h->ended[--h->nended];
}

static bool followed(struct history *h, uint32_t netns, uint32_t ifindex)
{
	const struct topo_dev *d = topo_any_dev(&h->topo, netns, ifindex);

	return (d && d->tag == FOLLOWED) || find_ended(h, netns, ifindex);
}

/* The model's changes: a followed device it removed waits for its record. */
static void on_change(void *ctx, const struct topo_change *c)
{
	struct history *h = ctx;

	if (c->what != TOPO_DEV_GONE || c->dev->tag != FOLLOWED ||
	    find_ended(h, c->dev->d.netns, c->dev->d.ifindex))
		return;
	h->ended = reallocarray(h->ended, h->nended + 1, sizeof(*h->ended));
	if (!h->ended)
		abort();
	h->ended[h->nended++] =
		(struct place){ c->dev->d.netns, c->dev->d.ifindex };
}

/* "name1,name2", "init", or "": what the model knows of it by now. */
static const char *label_of(struct history *h, uint32_t inum)
{
	const struct topo_ns *ns = topo_any_ns(&h->topo, inum);

	h->label.len = 0;
	if (ns)
		topo_join_names(&h->label, ns, ',');
	if (!h->label.len && ns && ns->init)
		buf_adds(&h->label, "init");
	return buf_cstr(&h->label);
}

/* One field of a step: "key":value in JSON, nothing in text. */
static void jkey_u(struct history *h, const char *key, uint64_t v)
{
	jw_key_u(&h->jw, key, v);
}

static void jkey_s(struct history *h, const char *key, const char *s)
{
	jw_key_str(&h->jw, key, s);
}

/* "4026532178 (snx-a)" in text; netns and its names in JSON. */
static void netns_field(struct history *h, const char *key, uint32_t inum)
{
	const char *label = label_of(h, inum);

	if (h->json) {
		char names_key[32];

		jkey_u(h, key, inum);
		snprintf(names_key, sizeof(names_key), "%s_names", key);
		if (*label)
			jkey_s(h, names_key, label);
		return;
	}
	buf_addf(&h->out, "%u", inum);
	if (*label) {
		buf_adds(&h->out, " (");
		text_str(&h->out, label, strlen(label));
		buf_addc(&h->out, ')');
	}
}

static void text_s(struct history *h, const char *s)
{
	text_str(&h->out, s, strlen(s));
}

static void step_begin(struct history *h, const struct jlog_rec *r,
		       const char *action)
{
	if (h->json) {
		/* A step a line. */
		if (!h->steps)
			jw_init(&h->jw, &h->out);
		jw_newline(&h->jw);
		jw_obj_open(&h->jw);
		jkey_s(h, "time", r->time);
		if (r->seq)
			jkey_u(h, "seq", r->seq);
		jkey_s(h, "event", r->event);
		jkey_s(h, "action", action);
	} else {
		text_s(h, r->time);
		buf_addf(&h->out, " %-9s ", action);
	}
	h->steps++;
}

/* Who did it and why: pid, comm, cause, error. */
static void step_end(struct history *h, const struct jlog_rec *r)
{
	const char *comm = jlog_s(r->obj, "comm"),
		   *cause = jlog_s(r->obj, "cause"),
		   *error = jlog_s(r->obj, "error");
	uint64_t pid = jlog_u(r->obj, "pid");

	if (h->json) {
		if (pid) {
			jkey_u(h, "pid", pid);
			jkey_s(h, "comm", comm);
		}
		if (*cause)
			jkey_s(h, "cause", cause);
		if (*error)
			jkey_s(h, "error", error);
		jw_obj_close(&h->jw);
		return;
	}
	if (pid) {
		buf_adds(&h->out, " by ");
		text_s(h, comm);
		buf_addf(&h->out, "(%llu)", (unsigned long long)pid);
	}
	if (*cause) {
		buf_adds(&h->out, ", ");
		text_s(h, cause);
	}
	if (*error) {
		buf_adds(&h->out, ": ");
		text_s(h, error);
	}
	buf_addc(&h->out, '\n');
}

/* "va(5) in 4026532178 (snx-a)" */
static void where(struct history *h, const char *ifname, uint64_t ifindex,
		  uint32_t netns)
{
	if (h->json) {
		jkey_s(h, "ifname", ifname);
		jkey_u(h, "ifindex", ifindex);
		netns_field(h, "netns", netns);
		return;
	}
	text_s(h, ifname);
	buf_addf(&h->out, "(%llu) in ", (unsigned long long)ifindex);
	netns_field(h, "netns", netns);
}

/* Each of these tells its steps; true when the record concerns us. */
static bool on_move(struct history *h, const struct jlog_rec *r,
		    const struct topo_event *e)
{
	uint32_t from = e->dev.netns, to = e->to_netns,
		 ifindex = e->dev.ifindex, new_ifindex = e->new_ifindex;
	const char *name = e->dev.name, *new_name = e->new_ifname;
	bool refused = e->refused;

	if (!followed(h, from, ifindex) && strcmp(name, h->ifname) &&
	    strcmp(new_name, h->ifname))
		return false;
	step_begin(h, r,
		   refused	 ? "refused" :
		   e->netns_exit ? "returned" :
				   "moved");
	if (h->json) {
		jkey_s(h, "ifname", name);
		jkey_u(h, "ifindex", ifindex);
		if (!refused) {
			jkey_s(h, "new_ifname", new_name);
			jkey_u(h, "new_ifindex", new_ifindex);
		}
		netns_field(h, "from_netns", from);
		netns_field(h, "to_netns", to);
	} else {
		text_s(h, name);
		buf_addf(&h->out, "(%u) ", ifindex);
		netns_field(h, "from_netns", from);
		buf_adds(&h->out, " -> ");
		netns_field(h, "to_netns", to);
		if (!refused) {
			buf_adds(&h->out, " as ");
			text_s(h, new_name);
			buf_addf(&h->out, "(%u)", new_ifindex);
		}
	}
	step_end(h, r);
	return !refused;
}

/* A rename in place: followed by its old name, or now called IFNAME. */
static bool on_rename(struct history *h, const struct jlog_rec *r,
		      const struct topo_event *e)
{
	uint32_t netns = e->dev.netns, ifindex = e->dev.ifindex;
	const char *name = e->dev.name, *new_name = e->new_ifname;

	if (!followed(h, netns, ifindex) && strcmp(name, h->ifname) &&
	    strcmp(new_name, h->ifname))
		return false;
	step_begin(h, r, "renamed");
	where(h, name, ifindex, netns);
	if (h->json) {
		jkey_s(h, "new_ifname", new_name);
	} else {
		buf_adds(&h->out, " as ");
		text_s(h, new_name);
	}
	step_end(h, r);
	return true;
}

static bool on_life(struct history *h, const struct jlog_rec *r,
		    const struct topo_event *e)
{
	bool create = e->kind == TOPO_EV_DEV_CREATE;
	uint32_t netns = e->dev.netns, ifindex = e->dev.ifindex;
	const char *name = e->dev.name;
	bool was = followed(h, netns, ifindex);

	if (!was && strcmp(name, h->ifname))
		return false;
	/* An event a snapshot already showed. */
	if (create && was)
		return false;
	step_begin(h, r, create ? "created" : "deleted");
	where(h, name, ifindex, netns);
	if (h->json && *e->dev.link_kind)
		jkey_s(h, "kind", e->dev.link_kind);
	step_end(h, r);
	return true;
}

static bool on_seen(struct history *h, const struct jlog_rec *r,
		    const struct topo_event *e)
{
	uint32_t netns = e->dev.netns, ifindex = e->dev.ifindex;
	const char *name = e->dev.name;

	if (strcmp(name, h->ifname) || followed(h, netns, ifindex))
		return false;
	step_begin(h, r, "seen");
	where(h, name, ifindex, netns);
	if (h->json)
		jkey_u(h, "snapshot", e->snapshot);
	else
		buf_addf(&h->out, " (snapshot %llu)",
			 (unsigned long long)e->snapshot);
	step_end(h, r);
	return true;
}

/* The interfaces a dying netns took with it; those returned get a move. */
static bool on_destroy(struct history *h, const struct jlog_rec *r,
		       const struct topo_event *e)
{
	for (uint32_t i = 0; i < e->nfates; i++) {
		const struct topo_fate *f = &e->fates[i];

		if (f->returned || !followed(h, e->netns, f->ifindex))
			continue;
		step_begin(h, r, "died");
		where(h, f->ifname, f->ifindex, e->netns);
		if (h->json) {
			jkey_s(h, "cause", "netns-exit");
			jw_obj_close(&h->jw);
		} else {
			buf_adds(&h->out, ", with its netns\n");
		}
	}
	return true;
}

/* After the model took a record that concerned us: who is followed now. */
static void settle(struct history *h, const struct topo_event *e)
{
	switch (e->kind) {
	case TOPO_EV_DEV_SEEN:
	case TOPO_EV_DEV_CREATE:
	case TOPO_EV_DEV_RENAME:
		topo_tag(&h->topo, e->dev.netns, e->dev.ifindex, FOLLOWED);
		break;
	case TOPO_EV_DEV_MOVE:
		unend(h, e->dev.netns, e->dev.ifindex);
		/* The model moved its tag if it knew the device; else new. */
		topo_tag(&h->topo, e->to_netns, e->new_ifindex, FOLLOWED);
		break;
	case TOPO_EV_DEV_DELETE:
		unend(h, e->dev.netns, e->dev.ifindex);
		break;
	case TOPO_EV_NETNS_DESTROY:
		for (uint32_t i = 0; i < e->nfates; i++)
			if (!e->fates[i].returned)
				unend(h, e->netns, e->fates[i].ifindex);
		break;
	default:
		break;
	}
}

/* The records that make steps, by kind. */
static bool (*const steps[])(struct history *, const struct jlog_rec *,
			     const struct topo_event *) = {
	[TOPO_EV_DEV_SEEN] = on_seen,	      [TOPO_EV_DEV_MOVE] = on_move,
	[TOPO_EV_DEV_CREATE] = on_life,	      [TOPO_EV_DEV_DELETE] = on_life,
	[TOPO_EV_NETNS_DESTROY] = on_destroy, [TOPO_EV_DEV_RENAME] = on_rename,
};

/*
 * Each step is told as the model stood before its record, with the names
 * the record itself gives; then the model takes the record.
 */
static void on_record(void *ctx, const struct jlog_rec *r)
{
	struct history *h = ctx;
	struct topo_event e;
	bool step;

	/* h comes zeroed from history_main(): the watcher is set here. */
	h->topo.watch = on_change;
	h->topo.watch_ctx = h;
	if (!replay_decode(&h->log, r, &e))
		return;
	topo_learn(&h->topo, &e);
	step = e.kind < sizeof(steps) / sizeof(steps[0]) && steps[e.kind] &&
	       steps[e.kind](h, r, &e);
	topo_apply(&h->topo, &e);
	if (step)
		settle(h, &e);
}

/* The document: the steps that step_begin() and step_end() wrote. */
static void json_doc(struct buf *doc, const struct history *h)
{
	struct jw j;

	jw_init(&j, doc);
	jw_obj_open(&j);
	jw_key_u(&j, "schema", 1);
	jw_key_str(&j, "interface", h->ifname);
	jw_key(&j, "history");
	jw_arr_open(&j);
	buf_add(doc, h->out.data, h->out.len);
	jw_arr_close(&j);
	jw_obj_close(&j);
	buf_addc(doc, '\n');
}

static void history_free(struct history *h)
{
	topo_free(&h->topo);
	free(h->ended);
	buf_free(&h->label);
	buf_free(&h->out);
}

int history_main(int argc, char **argv)
{
	struct history_opts o = {};
	struct history h = {};
	struct buf doc = {};
	int rc;

	if (!cli_command(&history_cli, &o, argc, argv, &rc))
		return rc;
	h.json = o.json;
	h.ifname = o.operands[0];
	if (!*h.ifname || strlen(h.ifname) >= NST_IFNAME_LEN)
		return cli_refuse(&history_cli, stderr, "not an interface name",
				  h.ifname);
	if (jlog_read(&h.log, o.operands[1], on_record, &h)) {
		history_free(&h);
		return 1;
	}
	if (h.json)
		json_doc(&doc, &h);
	else if (!h.steps) {
		fprintf(stderr,
			"nstrace history: no interface of that name in the log\n");
	} else {
		buf_add(&doc, h.out.data, h.out.len);
	}
	rc = buf_write_stdout(&doc);
	buf_free(&doc);
	history_free(&h);
	return rc;
}
