// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "replay/log.h"
#include "nstrace.h"
#include "replay/replay.h"

/* Where an interface of that name (or that it became) is: netns, ifindex. */
struct place {
	uint32_t netns, ifindex;
};

struct netns_label {
	uint32_t inum;
	char *label; /* "name1,name2", "init", or "" */
};

struct history {
	struct jlog log;
	const char *ifname;
	bool json;
	struct place *at; /* the places followed */
	size_t nat;
	struct netns_label *labels; /* from the snapshots */
	size_t nlabels;
	struct buf out;
	struct jw jw; /* the steps into out, with --json */
	size_t steps;
};

struct history_opts {
	bool json;
	const char *operands[2]; /* IFNAME, FILE */
};

static const struct cli_use history_opts_used[] = {
	{ .opt = &cli_json, .field = offsetof(struct history_opts, json) },
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
		"--json, best with --snapshot): created, moved (renames followed),\n"
		"handed back, deleted; when, by whom, why (docs/replay.md).",
	.opts = history_opts_used,
};

static struct place *find_place(struct history *h, uint32_t netns,
				uint32_t ifindex)
{
	for (size_t i = 0; i < h->nat; i++)
		if (h->at[i].netns == netns && h->at[i].ifindex == ifindex)
			return &h->at[i];
	return NULL;
}

static void follow(struct history *h, uint32_t netns, uint32_t ifindex)
{
	if (find_place(h, netns, ifindex))
		return;
	h->at = realloc(h->at, (h->nat + 1) * sizeof(*h->at));
	if (!h->at)
		abort();
	h->at[h->nat++] = (struct place){ netns, ifindex };
}

static void unfollow(struct history *h, uint32_t netns, uint32_t ifindex)
{
	struct place *p = find_place(h, netns, ifindex);

	if (p)
		*p = h->at[--h->nat];
}

static const char *label_of(const struct history *h, uint32_t inum)
{
	for (size_t i = 0; i < h->nlabels; i++)
		if (h->labels[i].inum == inum)
			return h->labels[i].label;
	return "";
}

static void learn_label(struct history *h, const json_t *o)
{
	uint32_t inum = (uint32_t)jlog_u(o, "inode");
	json_t *names = json_object_get(o, "names"), *v;
	struct buf b = {};
	size_t i;

	json_array_foreach(names, i, v) if (json_is_string(v))
	{
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, json_string_value(v));
	}
	if (!b.len && json_is_true(json_object_get(o, "init")))
		buf_adds(&b, "init");
	for (i = 0; i < h->nlabels && h->labels[i].inum != inum; i++)
		;
	if (i == h->nlabels) {
		h->labels = realloc(h->labels,
				    (h->nlabels + 1) * sizeof(*h->labels));
		if (!h->labels)
			abort();
		h->labels[h->nlabels++] = (struct netns_label){ inum, NULL };
	}
	free(h->labels[i].label);
	h->labels[i].label = strdup(buf_cstr(&b));
	buf_free(&b);
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

static void on_move(struct history *h, const struct jlog_rec *r)
{
	const json_t *o = r->obj;
	uint32_t from = (uint32_t)jlog_u(o, "from_netns"),
		 to = (uint32_t)jlog_u(o, "to_netns"),
		 ifindex = (uint32_t)jlog_u(o, "ifindex"),
		 new_ifindex = (uint32_t)jlog_u(o, "new_ifindex");
	const char *name = jlog_s(o, "ifname"),
		   *new_name = jlog_s(o, "new_ifname");
	bool refused = json_object_get(o, "error") != NULL;

	if (!find_place(h, from, ifindex) && strcmp(name, h->ifname) &&
	    strcmp(new_name, h->ifname))
		return;
	step_begin(h, r,
		   refused				     ? "refused" :
		   !strcmp(jlog_s(o, "cause"), "netns-exit") ? "returned" :
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
	if (refused)
		return;
	unfollow(h, from, ifindex);
	follow(h, to, new_ifindex);
}

static void on_life(struct history *h, const struct jlog_rec *r, bool create)
{
	const json_t *o = r->obj;
	uint32_t netns = (uint32_t)jlog_u(o, "netns"),
		 ifindex = (uint32_t)jlog_u(o, "ifindex");
	const char *name = jlog_s(o, "ifname");
	bool followed = find_place(h, netns, ifindex);

	if (!followed && strcmp(name, h->ifname))
		return;
	/* An event a snapshot already showed. */
	if (create && followed)
		return;
	step_begin(h, r, create ? "created" : "deleted");
	where(h, name, ifindex, netns);
	if (h->json && *jlog_s(o, "kind"))
		jkey_s(h, "kind", jlog_s(o, "kind"));
	step_end(h, r);
	if (create)
		follow(h, netns, ifindex);
	else
		unfollow(h, netns, ifindex);
}

static void on_seen(struct history *h, const struct jlog_rec *r)
{
	const json_t *o = r->obj;
	uint32_t netns = (uint32_t)jlog_u(o, "netns"),
		 ifindex = (uint32_t)jlog_u(o, "ifindex");
	const char *name = jlog_s(o, "ifname");

	if (strcmp(name, h->ifname) || find_place(h, netns, ifindex))
		return;
	step_begin(h, r, "seen");
	where(h, name, ifindex, netns);
	if (h->json)
		jkey_u(h, "snapshot", jlog_u(o, "snapshot"));
	else
		buf_addf(&h->out, " (snapshot %llu)",
			 (unsigned long long)jlog_u(o, "snapshot"));
	step_end(h, r);
	follow(h, netns, ifindex);
}

/* The interfaces a dying netns took with it; those returned get a move. */
static void on_destroy(struct history *h, const struct jlog_rec *r)
{
	json_t *devs = json_object_get(r->obj, "interfaces"), *v;
	uint32_t netns = (uint32_t)jlog_u(r->obj, "ns");
	size_t i;

	json_array_foreach(devs, i, v)
	{
		uint32_t ifindex = (uint32_t)jlog_u(v, "ifindex");

		if (strcmp(jlog_s(v, "fate"), "deleted") ||
		    !find_place(h, netns, ifindex))
			continue;
		step_begin(h, r, "died");
		where(h, jlog_s(v, "ifname"), ifindex, netns);
		if (h->json) {
			jkey_s(h, "cause", "netns-exit");
			jw_obj_close(&h->jw);
		} else {
			buf_adds(&h->out, ", with its netns\n");
		}
		unfollow(h, netns, ifindex);
	}
}

static void on_record(void *ctx, const struct jlog_rec *r)
{
	struct history *h = ctx;

	if (!strcmp(r->event, "snapshot.netns"))
		learn_label(h, r->obj);
	else if (!strcmp(r->event, "snapshot.netdev"))
		on_seen(h, r);
	else if (!strcmp(r->event, "netdev.move"))
		on_move(h, r);
	else if (!strcmp(r->event, "netdev.create"))
		on_life(h, r, true);
	else if (!strcmp(r->event, "netdev.delete"))
		on_life(h, r, false);
	else if (!strcmp(r->event, "ns.destroy"))
		on_destroy(h, r);
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
	for (size_t i = 0; i < h->nlabels; i++)
		free(h->labels[i].label);
	free(h->labels);
	free(h->at);
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
