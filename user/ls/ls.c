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

/* Writes the whole document, or says why not; the exit code. */
static int emit(struct buf *b)
{
	int rc = buf_write_stdout(b);

	buf_free(b);
	return rc;
}

int ls_main(int argc, char **argv)
{
	struct ls_view v;
	struct buf b = {};
	struct ls_opts o = {};
	int rc;
	bool netns_view;

	if (!cli_command(&ls_cli, &o, argc, argv, &rc))
		return rc;
	netns_view = !o.type_mask || o.type_mask == 1u << NST_NS_NET;
	if (netns_view ? ls_view_build_netns(&v) : ls_view_build(&v))
		return 1;
	if (netns_view) {
		if (o.json)
			ls_json_netns(&b, &v);
		else
			ls_text_netns(&b, &v);
	} else if (o.json) {
		ls_json_namespaces(&b, &v, o.type_mask);
	} else {
		ls_text_namespaces(&b, &v, o.type_mask);
	}
	ls_view_free(&v);
	return emit(&b);
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

int identify_main(int argc, char **argv)
{
	const struct ls_task *t;
	const struct ns_view *nv;
	struct ls_view v;
	struct buf b = {};
	struct ls_opts o = {};
	uint32_t pid;
	int rc;

	if (!cli_command(&identify_cli, &o, argc, argv, &rc))
		return rc;
	if (!parse_u32(o.arg, &pid) || !pid)
		return cli_refuse(&identify_cli, stderr, "not a process id",
				  o.arg);
	if (ls_view_build_netns(&v))
		return 1;
	t = ls_view_task(&v, pid);
	nv = t ? ls_view_ns(&v, t->ns[NST_NS_NET]) : NULL;
	if (!t) {
		fprintf(stderr, "nstrace identify: no process with pid %u\n",
			pid);
		rc = 1;
	} else if (!nv) {
		fprintf(stderr,
			"nstrace identify: process %u has no network namespace (exiting?)\n",
			pid);
		rc = 1;
	} else if (o.json) {
		ls_json_identify(&b, &v, pid, nv);
	} else {
		buf_addf(&b, "%u", nv->ns->inum);
		names_suffix(&b, nv);
		buf_addc(&b, '\n');
	}
	ls_view_free(&v);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	return emit(&b);
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

int pids_main(int argc, char **argv)
{
	const struct ns_view *nv;
	struct ls_view v;
	struct buf b = {};
	struct ls_opts o = {};
	int rc;

	if (!cli_command(&pids_cli, &o, argc, argv, &rc))
		return rc;
	if (!*o.arg)
		return cli_refuse(&pids_cli, stderr, "empty network namespace",
				  o.arg);
	if (ls_view_build_netns(&v))
		return 1;
	nv = find_netns(&v, o.arg);
	if (!nv) {
		b.len = 0;
		text_str(&b, o.arg, strlen(o.arg));
		fprintf(stderr, "nstrace pids: no network namespace '%s'\n",
			buf_cstr(&b));
		buf_free(&b);
		ls_view_free(&v);
		return 1;
	}
	if (o.json)
		ls_json_pids(&b, nv);
	else
		text_pids(&b, nv);
	ls_view_free(&v);
	return emit(&b);
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

int where_main(int argc, char **argv)
{
	struct ls_view v;
	struct buf b = {};
	struct ls_opts o = {};
	size_t found = 0;
	int rc;

	if (!cli_command(&where_cli, &o, argc, argv, &rc))
		return rc;
	if (!*o.arg || strlen(o.arg) >= NST_IFNAME_LEN)
		return cli_refuse(&where_cli, stderr, "not an interface name",
				  o.arg);
	if (ls_view_build_netns(&v))
		return 1;
	found = o.json ? ls_json_where(&b, &v, o.arg) :
			 text_where(&b, &v, o.arg);
	ls_view_free(&v);
	if (!found) {
		buf_free(&b);
		b.len = 0;
		text_str(&b, o.arg, strlen(o.arg));
		fprintf(stderr,
			"nstrace where: no interface named '%s' in any network namespace\n",
			buf_cstr(&b));
		buf_free(&b);
		return 1;
	}
	return emit(&b);
}
