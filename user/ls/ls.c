// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "inventory/container_fmt.h"
#include "inventory/runtime.h"
#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/options.h"
#include "ls/ls.h"
#include "ls/render.h"
#include "lib/enums.h"

struct ls_opts {
	bool json;
	uint32_t type_mask; /* 0: the netns view */
	const char *arg; /* the query's one argument */
	uint32_t pid; /* identify's, read from arg */
	const char *host_root; /* the runtimes' state under it; NULL: / */
	const char *netns; /* where: arg is an ifindex in this netns */
	uint32_t ifindex; /* where --netns, read from arg */
};

#define FIELD(f) offsetof(struct ls_opts, f)

static const struct cli_use ls_opts_used[] = {
	{ .opt = &options[OPT_JSON], .field = FIELD(json) },
	{ .opt = &options[OPT_TYPE],
	  .field = FIELD(type_mask),
	  .help = "namespaces of these types instead:\n"
		  "net,mnt,uts,ipc,pid,user,cgroup,time",
	  .adds = true },
	{ .opt = &options[OPT_ALL], .field = FIELD(type_mask) },
	{ .opt = &options[OPT_HOST_ROOT], .field = FIELD(host_root) },
	{},
};

static const struct cli_use query_opts_used[] = {
	{ .opt = &options[OPT_JSON], .field = FIELD(json) },
	{ .opt = &options[OPT_HOST_ROOT], .field = FIELD(host_root) },
	{},
};

static const struct cli_use where_opts_used[] = {
	{ .opt = &options[OPT_JSON], .field = FIELD(json) },
	{ .opt = &options[OPT_HOST_ROOT], .field = FIELD(host_root) },
	{ .opt = &options[OPT_NETNS], .field = FIELD(netns) },
	{},
};

const struct cli_cmd ls_cli = {
	.name = "ls",
	.about = "Every network namespace the kernel has, with its names,\n"
		 "processes, holders and interfaces (docs/ls.md).",
	.opts = ls_opts_used,
};

/* A query's one operand; what follows it is not an option. */
#define QUERY_OPERAND(operand, missing_what)                       \
	.operands = operand, .min_operands = 1, .max_operands = 1, \
	.operand_field = FIELD(arg), .missing = missing_what,      \
	.options_first = true
#define QUERY(operand, missing_what) \
	QUERY_OPERAND(operand, missing_what), .opts = query_opts_used

const struct cli_cmd identify_cli = {
	.name = "identify",
	.about = "The network namespace of process PID: its inode, then its\n"
		 "names; then the process's container, when it is in one.",
	QUERY("PID", "missing the process id"),
};

const struct cli_cmd pids_cli = {
	.name = "pids",
	.about =
		"The processes of a network namespace, given by name (ip netns),\n"
		"inode, net:[INODE] or the path of an nsfs file.",
	QUERY("NETNS", "missing the network namespace"),
};

const struct cli_cmd where_cli = {
	.name = "where",
	.about =
		"The network namespaces that have an interface named IFNAME\n"
		"(or, with --netns, the interface of that ifindex there), one\n"
		"per line: inode, ifindex, names; then the namespace's\n"
		"container and a veth's peer, on lines of their own.",
	QUERY_OPERAND("IFNAME", "missing the interface name"),
	.opts = where_opts_used,
};

/* One command of this file: what it takes, and what it answers. */
struct ls_cmd {
	const struct cli_cmd *cli;
	/* Why the operand is refused, or NULL; before the kernel is asked. */
	const char *(*refused)(struct ls_opts *o);
	/* The answer into b, or why not on stderr: the exit code. */
	int (*answer)(struct buf *b, const struct ls_view *v,
		      const struct ls_opts *o);
};

/* The view of network namespaces alone, unless ls is asked for others. */
static bool netns_view(const struct ls_opts *o)
{
	return !o->type_mask || o->type_mask == 1u << NST_NS_NET;
}

/* Parses argv, reads the view, answers, and writes the whole answer. */
static int run(const struct ls_cmd *c, int argc, char **argv)
{
	struct ls_opts o = {};
	struct ls_view v;
	struct buf b = {};
	const char *why;
	int rc;

	if (!cli_command(c->cli, &o, argc, argv, &rc))
		return rc;
	if (o.host_root)
		runtime_set_root(o.host_root);
	if (c->refused && (why = c->refused(&o)))
		return cli_refuse(c->cli, stderr, why, o.arg);
	if (netns_view(&o) ? ls_view_build_netns(&v) : ls_view_build(&v))
		return 1;
	rc = c->answer(&b, &v, &o);
	ls_view_free(&v);
	if (!rc)
		rc = buf_write_stdout(&b);
	buf_free(&b);
	return rc;
}

/* s escaped for the terminal, in b: an answer that failed, run() drops it. */
static const char *shown(struct buf *b, const char *s)
{
	text_str(b, s, strlen(s));
	return buf_cstr(b);
}

static int ls_answer(struct buf *b, const struct ls_view *v,
		     const struct ls_opts *o)
{
	if (netns_view(o)) {
		if (o->json)
			ls_json_netns(b, v);
		else
			ls_text_netns(b, v);
	} else if (o->json) {
		ls_json_namespaces(b, v, o->type_mask);
	} else {
		ls_text_namespaces(b, v, o->type_mask);
	}
	return 0;
}

int ls_main(int argc, char **argv)
{
	static const struct ls_cmd ls = { &ls_cli, NULL, ls_answer };

	return run(&ls, argc, argv);
}

/* A decimal number with nothing after it. */
static bool parse_u32(const char *s, uint32_t *v)
{
	return cli_number(s, 0, UINT32_MAX, v);
}

/* " NAME..." after an inode in the queries' text output, if it has names. */
static void names_suffix(struct buf *b, const struct ns_view *nv)
{
	struct buf names = {};

	ls_netns_names(&names, nv, " ");
	if (names.len) {
		buf_addc(b, ' ');
		buf_add(b, names.data, names.len);
	}
	buf_free(&names);
}

static const char *identify_refused(struct ls_opts *o)
{
	return parse_u32(o->arg, &o->pid) && o->pid ? NULL : "not a process id";
}

static int identify_answer(struct buf *b, const struct ls_view *v,
			   const struct ls_opts *o)
{
	const struct ls_task *t = ls_view_task(v, o->pid);
	const struct ns_view *nv = t ? ls_view_ns(v, t->ns[NST_NS_NET]) : NULL;
	struct container ctr;
	bool in_ctr, host;

	if (!t) {
		fprintf(stderr, "nstrace identify: no process with pid %u\n",
			o->pid);
		return 1;
	}
	if (!nv) {
		fprintf(stderr,
			"nstrace identify: process %u has no network namespace (exiting?)\n",
			o->pid);
		return 1;
	}
	/* The view looks no container up in the host's netns: this one. */
	in_ctr = runtime_container_of_pid(o->pid, &ctr);
	host = nv->ns->inum == v->inv.init_ns[NST_NS_NET];
	if (o->json) {
		ls_json_identify(b, v, o->pid, nv, in_ctr ? &ctr : NULL, host);
	} else {
		buf_addf(b, "%u", nv->ns->inum);
		names_suffix(b, nv);
		buf_addc(b, '\n');
		if (in_ctr) {
			buf_adds(b, "  container ");
			container_text(b, &ctr);
			buf_adds(b, host ? " host-network\n" : "\n");
		}
	}
	return 0;
}

int identify_main(int argc, char **argv)
{
	static const struct ls_cmd identify = { &identify_cli, identify_refused,
						identify_answer };

	return run(&identify, argc, argv);
}

/* NETNS as users give it: a name, an inode, net:[INODE] or an nsfs path. */
static const struct ns_view *find_netns(const struct ls_view *v,
					const char *arg)
{
	const struct ns_view *nv;
	uint32_t inum;
	struct stat st;

	if (parse_u32(arg, &inum) || sscanf(arg, "net:[%u]", &inum) == 1) {
		nv = ls_view_ns(v, inum);
		return nv && nv->ns->type == NST_NS_NET ? nv : NULL;
	}
	nv = ls_view_netns_named(v, arg);
	if (nv || !strchr(arg, '/') || stat(arg, &st))
		return nv;
	nv = ls_view_ns(v, (uint32_t)st.st_ino);
	return nv && nv->ns->type == NST_NS_NET ? nv : NULL;
}

/* One pid a line, each process once. */
static void text_pids(struct buf *b, const struct ns_view *nv)
{
	uint32_t last = 0;

	for (size_t i = 0; i < PTRS_N(nv->tasks); i++) {
		const struct ls_task *t = PTRS_AT(nv->tasks, struct ls_task, i);

		if (t->pid != last)
			buf_addf(b, "%u\n", t->pid);
		last = t->pid;
	}
}

static const char *pids_refused(struct ls_opts *o)
{
	return *o->arg ? NULL : "empty network namespace";
}

static int pids_answer(struct buf *b, const struct ls_view *v,
		       const struct ls_opts *o)
{
	const struct ns_view *nv = find_netns(v, o->arg);

	if (!nv) {
		fprintf(stderr, "nstrace pids: no network namespace '%s'\n",
			shown(b, o->arg));
		return 1;
	}
	if (o->json)
		ls_json_pids(b, nv);
	else
		text_pids(b, nv);
	return 0;
}

int pids_main(int argc, char **argv)
{
	static const struct ls_cmd pids = { &pids_cli, pids_refused,
					    pids_answer };

	return run(&pids, argc, argv);
}

/* "  container WORD", when nv has one. */
static void container_line(struct buf *b, const struct ns_view *nv)
{
	if (!ls_view_ns_container(nv))
		return;
	buf_adds(b, "  container ");
	container_text(b, ls_view_ns_container(nv));
	buf_addc(b, '\n');
}

/*
 * "INODE IFINDEX NAMES..." a line, as before; then, each on its own line,
 * the netns's container and a veth's peer: "  peer IFNAME IFINDEX in
 * INODE NAMES... [CONTAINER]".
 */
static void text_where(struct buf *b, const struct ls_view *v,
		       const struct ls_where *hits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ns_view *nv = hits[i].nv, *pv;
		const struct ls_dev *d = hits[i].d;

		buf_addf(b, "%u %u", nv->ns->inum, d->ifindex);
		names_suffix(b, nv);
		buf_addc(b, '\n');
		container_line(b, nv);
		if (!d->peer_netns)
			continue;
		buf_adds(b, "  peer ");
		text_str(b, d->peer_name,
			 strnlen(d->peer_name, sizeof(d->peer_name)));
		buf_addf(b, " %u in %u", d->peer_ifindex, d->peer_netns);
		pv = ls_view_ns(v, d->peer_netns);
		if (pv)
			names_suffix(b, pv);
		if (pv && ls_view_ns_container(pv)) {
			buf_adds(b, " [");
			container_text(b, ls_view_ns_container(pv));
			buf_addc(b, ']');
		}
		buf_addc(b, '\n');
	}
}

static const char *where_refused(struct ls_opts *o)
{
	if (o->netns)
		return parse_u32(o->arg, &o->ifindex) && o->ifindex ?
			       NULL :
			       "not an ifindex (with --netns)";
	return *o->arg && strlen(o->arg) < NST_IFNAME_LEN ?
		       NULL :
		       "not an interface name";
}

/* Every netns with a device of that name; or, with --netns, the one. */
static size_t where_find(const struct ls_view *v, const struct ls_opts *o,
			 struct ls_where *hits)
{
	const struct ns_view *nv;
	size_t n = 0;

	if (o->netns) {
		nv = find_netns(v, o->netns);
		hits[0].nv = nv;
		hits[0].d = nv ? ls_view_dev(nv, o->ifindex) : NULL;
		return hits[0].d ? 1 : 0;
	}
	for (size_t i = 0; i < v->inv.nnets; i++) {
		nv = ls_view_ns(v, v->inv.nets[i].inum);
		hits[n].nv = nv;
		hits[n].d = ls_view_dev_named(nv, o->arg);
		if (hits[n].d)
			n++;
	}
	return n;
}

static int where_answer(struct buf *b, const struct ls_view *v,
			const struct ls_opts *o)
{
	struct ls_where *hits = calloc(v->inv.nnets + 1, sizeof(*hits));
	size_t n;

	if (!hits)
		abort();
	n = where_find(v, o, hits);
	if (n && o->json)
		ls_json_where(b, v, o->arg, hits, n);
	else if (n)
		text_where(b, v, hits, n);
	free(hits);
	if (n)
		return 0;
	if (!o->netns)
		fprintf(stderr,
			"nstrace where: no interface named '%s' in any network namespace\n",
			shown(b, o->arg));
	else if (!find_netns(v, o->netns))
		fprintf(stderr, "nstrace where: no network namespace '%s'\n",
			shown(b, o->netns));
	else
		fprintf(stderr,
			"nstrace where: no interface of index %u in network namespace '%s'\n",
			o->ifindex, shown(b, o->netns));
	b->len = 0;
	return 1;
}

int where_main(int argc, char **argv)
{
	static const struct ls_cmd where = { &where_cli, where_refused,
					     where_answer };

	return run(&where, argc, argv);
}
