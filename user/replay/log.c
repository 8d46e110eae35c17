// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/escape.h"
#include "replay/log.h"

/* The user's file name, safe for a terminal. */
static const char *shown(struct buf *b, const char *path)
{
	b->len = 0;
	text_str(b, path, strlen(path));
	return buf_cstr(b);
}

/* text_str() but for the spaces between words, which stay spaces. */
static void terminal_safe(struct buf *b, const char *s)
{
	while (*s) {
		size_t word = strcspn(s, " ");

		text_str(b, s, word);
		s += word;
		for (; *s == ' '; s++)
			buf_addc(b, ' ');
	}
}

void jlog_bad(struct jlog *log, size_t line, const char *fmt, ...)
{
	struct buf name = {}, what = {};
	char msg[512];
	va_list ap;

	/* The reason quotes the log (jansson's "near ..."): bytes of anyone. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	terminal_safe(&what, msg);
	fprintf(stderr, "nstrace: %s:%zu: %s\n", shown(&name, log->path), line,
		buf_cstr(&what));
	buf_free(&name);
	buf_free(&what);
	log->bad++;
}

uint64_t jlog_u(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
		       (uint64_t)json_integer_value(v) :
		       0;
}

const char *jlog_s(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

bool jlog_need(struct jlog *log, const struct jlog_rec *r, ...)
{
	const char *key;
	bool ok = true;
	va_list ap;

	va_start(ap, r);
	while (ok && (key = va_arg(ap, const char *))) {
		json_t *v =
			json_object_get(r->obj, key[0] == '$' ? key + 1 : key);

		ok = key[0] == '$' ? json_is_string(v) : json_is_integer(v);
		if (!ok)
			jlog_bad(log, r->line, "%s without a valid \"%s\"",
				 r->event, key[0] == '$' ? key + 1 : key);
	}
	va_end(ap);
	return ok;
}

/* One line: a record for fn, or a reason on stderr. */
static void read_line(struct jlog *log, char *line, size_t len, size_t n,
		      bool last, void (*fn)(void *, const struct jlog_rec *),
		      void *ctx)
{
	struct jlog_rec r = { .line = n };
	json_error_t err;
	bool cut = last && (!len || line[len - 1] != '\n');

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return; /* blank lines carry nothing */
	r.obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!r.obj) {
		if (cut)
			jlog_bad(log, n, "the last line is cut short");
		else
			jlog_bad(log, n, "not valid JSON (column %d: %s)",
				 err.column, err.text);
		return;
	}
	r.event = json_string_value(json_object_get(r.obj, "event"));
	r.time = json_string_value(json_object_get(r.obj, "time"));
	if (!json_is_object(r.obj) || !r.event) {
		jlog_bad(log, n, "not an nstrace record (no \"event\")");
	} else if (!r.time || rfc3339_parse(r.time, &r.time_ns)) {
		jlog_bad(log, n, "%s without a valid \"time\"", r.event);
	} else {
		r.seq = jlog_u(r.obj, "seq");
		log->records++;
		fn(ctx, &r);
	}
	json_decref(r.obj);
}

static void swap_lines(char **a, char **b, size_t *acap, size_t *bcap)
{
	char *p = *a;
	size_t c = *acap;

	*a = *b;
	*b = p;
	*acap = *bcap;
	*bcap = c;
}

int jlog_read_stream(struct jlog *log, FILE *f, const char *name,
		     void (*fn)(void *ctx, const struct jlog_rec *r), void *ctx)
{
	char *line = NULL, *next = NULL;
	size_t cap = 0, ncap = 0, n = 0;
	ssize_t len, nlen;
	int ret = 0, err = 0;

	memset(log, 0, sizeof(*log));
	log->path = name;
	/* One line ahead, to tell the last line (perhaps cut short). */
	errno = 0;
	len = getline(&line, &cap, f);
	err = errno;
	while (len >= 0) {
		errno = 0;
		nlen = getline(&next, &ncap, f);
		err = errno; /* before read_line's own calls change it */
		read_line(log, line, (size_t)len, ++n, nlen < 0, fn, ctx);
		len = nlen;
		swap_lines(&line, &next, &cap, &ncap);
	}
	if (ferror(f))
		ret = err ? -err : -EIO;
	free(line);
	free(next);
	return ret;
}

int jlog_read(struct jlog *log, const char *path,
	      void (*fn)(void *ctx, const struct jlog_rec *r), void *ctx)
{
	struct buf name = {};
	int err = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		err = -errno;
	else
		err = jlog_read_stream(log, f, path, fn, ctx);
	if (f && f != stdin)
		fclose(f);
	if (!err)
		return 0;
	fprintf(stderr, "nstrace: cannot read %s: %s\n", shown(&name, path),
		strerror(-err));
	buf_free(&name);
	return -1;
}
