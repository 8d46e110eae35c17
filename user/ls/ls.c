// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

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
	{},
};

static const struct cli_use query_opts_used[] = {
	{ .opt = &options[OPT_JSON], .field = FIELD(json) },
	{},
};

const struct cli_cmd ls_cli = {
	.name = "ls",
	.about = "Every network namespace the kernel has, with its names,\n"
		 "processes, holders and interfaces (docs/ls.md).",
	.opts = ls_opts_used,
};

/* A query's one operand; what follows it is not an option. */
#define QUERY(operand, missing_what)                               \
	.operands = operand, .min_operands = 1, .max_operands = 1, \
	.operand_field = FIELD(arg), .missing = missing_what,      \
	.options_first = true, .opts = query_opts_used

const struct cli_cmd identify_cli = {
	.name = "identify",
	.about =
		"The network namespace of process PID: its inode, then its names.",
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
	.about = "The network namespaces that have an interface named IFNAME,\n"
		 "one per line: inode, ifindex, names.",
	QUERY("IFNAME", "missing the interface name"),
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
	if (o->json) {
		ls_json_identify(b, v, o->pid, nv);
	} else {
		buf_addf(b, "%u", nv->ns->inum);
		names_suffix(b, nv);
		buf_addc(b, '\n');
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

/* "INODE IFINDEX NAMES..." a line; how many. */
static size_t text_where(struct buf *b, const struct ls_view *v,
			 const char *ifname)
{
	size_t found = 0;

	for (size_t i = 0; i < v->inv.nnets; i++) {
		const struct ns_view *nv = ls_view_ns(v, v->inv.nets[i].inum);
		const struct ls_dev *d = ls_view_dev_named(nv, ifname);

		if (!d)
			continue;
		buf_addf(b, "%u %u", nv->ns->inum, d->ifindex);
		names_suffix(b, nv);
		buf_addc(b, '\n');
		found++;
	}
	return found;
}

static const char *where_refused(struct ls_opts *o)
{
	return *o->arg && strlen(o->arg) < NST_IFNAME_LEN ?
		       NULL :
		       "not an interface name";
}

static int where_answer(struct buf *b, const struct ls_view *v,
			const struct ls_opts *o)
{
	if (o->json ? ls_json_where(b, v, o->arg) : text_where(b, v, o->arg))
		return 0;
	b->len = 0;
	fprintf(stderr,
		"nstrace where: no interface named '%s' in any network namespace\n",
		shown(b, o->arg));
	return 1;
}

int where_main(int argc, char **argv)
{
	static const struct ls_cmd where = { &where_cli, where_refused,
					     where_answer };

	return run(&where, argc, argv);
}
