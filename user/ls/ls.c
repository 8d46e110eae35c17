// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/escape.h"
#include "ls/ls.h"
#include "ls/render.h"
#include "lib/enums.h"

struct ls_opts {
	bool json;
	uint32_t type_mask; /* 0: the netns view */
	const char *arg; /* the query's one argument */
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "type", required_argument, NULL, 't' },
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static void usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "ls"))
		fputs("usage: nstrace ls [-j] [-t TYPE[,TYPE...] | -a]\n"
		      "Every network namespace the kernel has, with its names,\n"
		      "processes, holders and interfaces (docs/ls.md).\n"
		      "\n"
		      "  -j, --json        one JSON document\n"
		      "  -t, --type LIST   namespaces of these types instead:\n"
		      "                    net,mnt,uts,ipc,pid,user,cgroup,time\n"
		      "  -a, --all         namespaces of every type\n"
		      "  -h, --help        this help\n",
		      f);
	else if (!strcmp(cmd, "identify"))
		fputs("usage: nstrace identify [-j] PID\n"
		      "The network namespace of process PID: its inode, then its names.\n",
		      f);
	else if (!strcmp(cmd, "pids"))
		fputs("usage: nstrace pids [-j] NETNS\n"
		      "The processes of a network namespace, given by name (ip netns),\n"
		      "inode, net:[INODE] or the path of an nsfs file.\n",
		      f);
	else
		fputs("usage: nstrace where [-j] IFNAME\n"
		      "The network namespaces that have an interface named IFNAME,\n"
		      "one per line: inode, ifindex, names.\n",
		      f);
}

static int bad_usage(const char *cmd, const char *what, const char *value)
{
	fprintf(stderr, "nstrace %s: %s: '%s'\n", cmd, what, text_shown(value));
	usage(stderr, cmd);
	return 2;
}

/* 0 to run, else the exit code. */
static int parse(struct ls_opts *o, int argc, char **argv, bool want_arg)
{
	const char *cmd = argv[0], *bad;
	int64_t mask;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* glibc's full reset: a parse before may have left state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, want_arg ? "+:jh" : ":jt:ah",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 't':
			mask = parse_list(optarg, ns_type_parse, NST_NS_ALL,
					  &bad);
			if (mask < 0)
				return bad_usage(cmd, "unknown namespace type",
						 bad);
			o->type_mask |= (uint32_t)mask;
			break;
		case 'a':
			o->type_mask = NST_NS_ALL;
			break;
		case 'h':
			usage(stdout, cmd);
			return -1;
		case ':':
			return bad_usage(cmd, "option needs a value",
					 argv[optind - 1]);
		default:
			return bad_usage(cmd, "unknown option",
					 argv[optind - 1]);
		}
	}
	if (want_arg) {
		if (optind >= argc) {
			fprintf(stderr, "nstrace %s: missing argument\n", cmd);
			usage(stderr, cmd);
			return 2;
		}
		o->arg = argv[optind++];
	}
	if (optind < argc)
		return bad_usage(cmd, "unexpected argument", argv[optind]);
	return 0;
}

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
	struct ls_opts o;
	int rc = parse(&o, argc, argv, false);
	bool netns_view;

	if (rc)
		return rc < 0 ? 0 : rc;
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
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
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
	struct ls_opts o;
	uint32_t pid;
	int rc = parse(&o, argc, argv, true);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!parse_u32(o.arg, &pid) || !pid)
		return bad_usage("identify", "not a process id", o.arg);
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
	struct ls_opts o;
	int rc = parse(&o, argc, argv, true);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!*o.arg)
		return bad_usage("pids", "empty network namespace", o.arg);
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
	struct ls_opts o;
	size_t found = 0;
	int rc = parse(&o, argc, argv, true);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!*o.arg || strlen(o.arg) >= NST_IFNAME_LEN)
		return bad_usage("where", "not an interface name", o.arg);
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
