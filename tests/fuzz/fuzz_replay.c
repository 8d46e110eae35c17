// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON log reader, its decoder and the topology model: a log of any
 * bytes is read line by line (jansson), each record decoded and applied,
 * and the model renders as nstrace ls does: valid JSON and terminal-safe
 * text, always.
 * What it says of bad lines goes to stderr, and is escaped there too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/log.h"
#include "ls/render.h"
#include "replay/decode.h"
#include "topology/topology.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_record(void *ctx, const struct jlog_rec *r)
{
	struct jlog log = { .path = "fuzz" };
	struct topo_event e;

	if (replay_decode(&log, r, &e))
		topo_apply(ctx, &e);
}

static size_t count_newlines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/*
 * One line, one JSON object: json_check.h knows the event lines, which
 * hold no literals; ls documents have true, false and null, so jansson,
 * strict about RFC 8259 and UTF-8, checks this one.
 */
static void check_ls_json(const char *s, size_t n)
{
	json_error_t err;
	json_t *doc;

	if (!n || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
		fuzz_fail("not one line", s, n);
	doc = json_loadb(s, n - 1, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(doc))
		fuzz_fail("not one JSON object", s, n);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo t = {};
	struct jlog log;
	struct ls_view v;
	struct buf b = {};
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	jlog_read_stream(&log, f, "fuzz", on_record, &t);
	fclose(f);
	topo_to_view(&t, &v);
	ls_json_netns(&b, &v);
	check_ls_json(b.data, b.len);
	b.len = 0;
	ls_text_netns(&b, &v);
	check_text(b.data, b.len, count_newlines(b.data, b.len));
	ls_view_free(&v);
	buf_free(&b);
	topo_free(&t);
	return 0;
}
