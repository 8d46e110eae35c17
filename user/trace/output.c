// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "inventory/container_fmt.h"
#include "lib/enums.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "trace/output.h"

/* Above this, records are written out even in the middle of a batch. */
#define OUTPUT_HIGH_WATER (256 * 1024)

static volatile sig_atomic_t hup_seen;

static void on_hup(int sig)
{
	hup_seen = 1;
}

void output_watch_hup(void)
{
	struct sigaction sa = { .sa_handler = on_hup };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

int output_open(struct output *o, const char *path, enum output_format format,
		uint64_t max_size, uint32_t max_files)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	if (!path || !strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
	} else {
		int err = logfile_open(&o->file, path, max_size, max_files);

		if (err)
			return err;
		o->named = true;
		o->fd = o->file.fd;
	}
	o->color = format == OUTPUT_TEXT && isatty(o->fd) &&
		   !getenv("NO_COLOR");
	return 0;
}

void output_close(struct output *o)
{
	output_flush(o);
	if (o->named)
		logfile_close(&o->file);
	buf_free(&o->pending);
}

/*
 * A write that failed half-way (a full disk) left part of a line in the
 * file: cut a regular file back to its last whole line, so that whoever
 * reads it never sees a line that stops short. done bytes from p
 * were written.
 */
static void cut_partial_line(struct output *o, const char *p, size_t done)
{
	const char *nl = done ? memrchr(p, '\n', done) : NULL;
	size_t partial = nl ? done - (size_t)(nl + 1 - p) : done;
	struct stat st;
	off_t end;

	if (!partial || fstat(o->fd, &st) || !S_ISREG(st.st_mode))
		return;
	end = lseek(o->fd, 0, SEEK_CUR);
	if (end < (off_t)partial)
		return;
	if (!ftruncate(o->fd, end - partial))
		lseek(o->fd, end - partial, SEEK_SET);
}

/* n bytes from p, whole; a failure ends the output, whole lines kept. */
static int write_out(struct output *o, const char *p, size_t n)
{
	const struct buf b = { .data = (char *)p, .len = n };
	size_t done;
	int err = buf_write_all(o->fd, &b, &done);

	if (err) {
		o->err = -err;
		cut_partial_line(o, p, done);
	}
	if (o->named)
		o->file.size += done;
	return err;
}

/* A new file starts with the text header, as the first one did. */
static int started(struct output *o, int err)
{
	struct buf header = {};

	if (err) {
		o->err = -err;
		return err;
	}
	o->fd = o->file.fd;
	if (o->format != OUTPUT_TEXT || o->file.size)
		return 0;
	render_text_header(&header);
	err = write_out(o, header.data, header.len);
	buf_free(&header);
	return err;
}

/*
 * The whole lines from p (n bytes, ending with a newline) that fit in
 * the file; the first line alone when the file has no line yet but the
 * header, or 0: the file is full.
 */
static size_t fitting(const struct output *o, const char *p, size_t n,
		      bool fresh)
{
	const struct logfile *f = &o->file;
	size_t room = f->size < f->max_size ? f->max_size - f->size : 0;
	const char *nl;

	if (logfile_fits(f, n))
		return n;
	nl = room ? memrchr(p, '\n', room < n ? room : n) : NULL;
	if (nl)
		return (size_t)(nl + 1 - p);
	if (fresh)
		return (size_t)((char *)memchr(p, '\n', n) + 1 - p);
	return 0;
}

/* Rotated at line boundaries only: each file ends with a whole line. */
static int write_rotating(struct output *o)
{
	const char *p = o->pending.data, *end = p + o->pending.len;
	bool fresh = !o->file.size;
	int err;

	while (p < end) {
		size_t n = fitting(o, p, (size_t)(end - p), fresh);

		if (!n) {
			err = started(o, logfile_rotate(&o->file));
			if (err)
				return err;
			fresh = true;
			continue;
		}
		err = write_out(o, p, n);
		if (err)
			return err;
		p += n;
		fresh = false;
	}
	return 0;
}

int output_flush(struct output *o)
{
	/* After an error nothing more is written: the file ends whole. */
	if (!o->err && hup_seen && o->named) {
		hup_seen = 0;
		if (!write_rotating(o))
			started(o, logfile_reopen(&o->file));
		o->pending.len = 0;
	}
	if (!o->err)
		write_rotating(o);
	o->pending.len = 0;
	return -o->err;
}

static void format_time_rfc3339(struct buf *b, uint64_t ns)
{
	static time_t cached_sec = -1;
	static char cached[24];
	time_t sec = ns / 1000000000ULL;
	char frac[10];
	uint64_t f = ns % 1000000000ULL;

	if (sec != cached_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	for (int i = 8; i >= 0; i--, f /= 10)
		frac[i] = (char)('0' + f % 10);
	frac[9] = '\0';
	buf_adds(b, cached);
	buf_addc(b, '.');
	buf_add(b, frac, 9);
	buf_addc(b, 'Z');
}

static void json_devs(struct jw *j, const struct field *f)
{
	jw_arr_open(j);
	for (uint32_t i = 0; i < f->ndevs; i++) {
		const struct nst_dev *d = &f->devs[i];

		jw_obj_open(j);
		jw_key_strn(j, "ifname", d->ifname, sizeof(d->ifname));
		jw_key_u(j, "ifindex", d->ifindex);
		jw_key_str(j, "fate", fate_name(d->fate));
		jw_obj_close(j);
	}
	jw_arr_close(j);
}

static void json_field(struct jw *j, const struct field *f)
{
	jw_keyn(j, f->key, f->keylen);
	switch (f->kind) {
	case FIELD_U64:
		jw_u(j, f->u);
		break;
	case FIELD_STR:
	case FIELD_NAME:
		jw_strn(j, f->str, f->len);
		break;
	case FIELD_TIME: {
		struct buf *b = jw_raw(j);

		buf_addc(b, '"');
		format_time_rfc3339(b, f->u);
		buf_addc(b, '"');
		break;
	}
	case FIELD_DEVS:
		json_devs(j, f);
		break;
	case FIELD_STRS:
	case FIELD_PIDS:
		jw_arr_open(j);
		for (uint32_t i = 0; i < f->ndevs; i++) {
			if (f->kind == FIELD_STRS)
				jw_str(j, f->strs[i]);
			else
				jw_u(j, f->pids[i]);
		}
		jw_arr_close(j);
		break;
	case FIELD_CONTAINER:
		container_json(j, f->ctr);
		break;
	case FIELD_BOOL:
		jw_bool(j, f->u);
		break;
	}
}

void render_json_seq(struct buf *b, const struct record *r, uint64_t seq)
{
	struct jw j;

	jw_init(&j, b);
	jw_obj_open(&j);
	if (r->n)
		json_field(&j, &r->f[0]);
	/* Right after "schema", so that a reader finds it at once. */
	if (seq)
		jw_key_u(&j, "seq", seq);
	for (int i = 1; i < r->n; i++)
		json_field(&j, &r->f[i]);
	jw_obj_close(&j);
	buf_addc(b, '\n');
}

void render_json(struct buf *b, const struct record *r)
{
	render_json_seq(b, r, 0);
}

/* Column widths of the text output; DETAILS takes the rest of the line. */
#define W_TIME 12
#define W_EVENT 13
#define W_PID 7
#define W_COMM 16
#define W_TYPE 6
#define W_NS 21

void render_text_header(struct buf *b)
{
	buf_addf(b, "%-*s %-*s %*s %-*s %-*s %-*s %s\n", W_TIME, "TIME",
		 W_EVENT, "EVENT", W_PID, "PID", W_COMM, "COMM", W_TYPE, "TYPE",
		 W_NS, "NS", "DETAILS");
}

static void pad_to(struct buf *b, size_t start, int width)
{
	while (b->len - start < (size_t)width)
		buf_addc(b, ' ');
}

/* A list's items with commas between; an empty one is "none" or "-". */
static void text_list(struct buf *b, const struct field *f)
{
	for (uint32_t i = 0; i < f->ndevs; i++) {
		if (i)
			buf_addc(b, ',');
		if (f->kind == FIELD_DEVS) {
			text_str(b, f->devs[i].ifname,
				 sizeof(f->devs[i].ifname));
			buf_addf(b, "(%u,%s)", f->devs[i].ifindex,
				 fate_name(f->devs[i].fate));
		} else if (f->kind == FIELD_STRS) {
			text_str(b, f->strs[i], strlen(f->strs[i]));
		} else {
			buf_addu(b, f->pids[i]);
		}
	}
	if (!f->ndevs && f->kind != FIELD_PIDS)
		buf_adds(b, f->kind == FIELD_DEVS ? "none" : "-");
}

static void text_value(struct buf *b, const struct field *f)
{
	switch (f->kind) {
	case FIELD_U64:
		buf_addu(b, f->u);
		break;
	case FIELD_STR:
		text_str(b, f->str, f->len);
		break;
	case FIELD_NAME:
		buf_add(b, f->str, f->len);
		break;
	case FIELD_TIME: {
		static time_t cached_sec = -1;
		static char cached[16];
		time_t sec = f->u / 1000000000ULL;
		unsigned ms = f->u % 1000000000ULL / 1000000;

		if (sec != cached_sec) {
			struct tm tm;

			localtime_r(&sec, &tm);
			strftime(cached, sizeof(cached), "%H:%M:%S", &tm);
			cached_sec = sec;
		}
		buf_adds(b, cached);
		buf_addc(b, '.');
		buf_addc(b, (char)('0' + ms / 100));
		buf_addc(b, (char)('0' + ms / 10 % 10));
		buf_addc(b, (char)('0' + ms % 10));
		break;
	}
	case FIELD_DEVS:
	case FIELD_STRS:
	case FIELD_PIDS:
		text_list(b, f);
		break;
	case FIELD_CONTAINER:
		container_text(b, f->ctr);
		break;
	case FIELD_BOOL:
		buf_adds(b, f->u ? "true" : "false");
		break;
	}
}

static const char *event_color(const char *event)
{
	if (!strcmp(event, "lost"))
		return "\033[1;31m";
	if (strstr(event, "create"))
		return "\033[32m";
	if (strstr(event, "destroy") || strstr(event, "delete"))
		return "\033[31m";
	if (strstr(event, "move"))
		return "\033[33m";
	return "\033[36m";
}

/* The fields shown in one column, joined by "->" (from and to). */
static void text_column(struct buf *b, const struct record *r,
			enum field_col col, int width, bool left, bool color)
{
	static struct buf v; /* reused: this runs for every event */
	size_t value_start;
	bool any = false;

	v.len = 0;
	for (int i = 0; i < r->n; i++) {
		if (r->f[i].col != col)
			continue;
		if (any)
			buf_adds(&v, "->");
		text_value(&v, &r->f[i]);
		any = true;
	}
	if (!any)
		buf_addc(&v, '-');
	if (color)
		buf_adds(b, event_color(buf_cstr(&v)));
	value_start = b->len;
	if (!left)
		for (size_t i = v.len; i < (size_t)width; i++)
			buf_addc(b, ' ');
	buf_add(b, v.data, v.len);
	if (left)
		pad_to(b, value_start, width);
	if (color)
		buf_adds(b, "\033[0m");
	buf_addc(b, ' ');
}

void render_text(struct buf *b, const struct record *r, bool color)
{
	bool first = true;

	text_column(b, r, COL_TIME, W_TIME, true, false);
	text_column(b, r, COL_EVENT, W_EVENT, true, color);
	text_column(b, r, COL_PID, W_PID, false, false);
	text_column(b, r, COL_COMM, W_COMM, true, false);
	text_column(b, r, COL_TYPE, W_TYPE, true, false);
	text_column(b, r, COL_NS, W_NS, true, false);
	for (int i = 0; i < r->n; i++) {
		const struct field *f = &r->f[i];

		if (f->col != COL_NONE)
			continue;
		if (!first)
			buf_addc(b, ' ');
		buf_addf(b, "%s=", f->key);
		text_value(b, f);
		first = false;
	}
	/* Columns are padded: no trailing blanks on a line without details. */
	while (b->len && b->data[b->len - 1] == ' ')
		b->len--;
	buf_addc(b, '\n');
}

void output_header(struct output *o)
{
	if (o->format == OUTPUT_TEXT && !o->header_done)
		render_text_header(&o->pending);
	o->header_done = true;
}

static const char *event_of(const struct record *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->f[i].col == COL_EVENT)
			return r->f[i].str;
	return "unknown";
}

void output_record(struct output *o, const struct record *r)
{
	if (o->metrics)
		metrics_count(o->metrics, event_of(r));
	output_header(o);
	if (o->format == OUTPUT_JSON)
		render_json_seq(&o->pending, r, ++o->seq);
	else
		render_text(&o->pending, r, o->color);
	if (o->pending.len >= OUTPUT_HIGH_WATER)
		output_flush(o);
}
