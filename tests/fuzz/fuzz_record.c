// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A ring buffer record of any bytes and any size, through the path the
 * live stream takes: the size check (user/loader/event.c), then
 * record_from_event, then both renderers. Whatever the BPF side (or a bug
 * in it) hands over, nstrace must not read past the record, and must
 * write one valid JSON line and one terminal-safe text line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "loader/event.h"
#include "trace/output.h"
#include "trace/record.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As the stream has it: CLOCK_REALTIME minus CLOCK_BOOTTIME, now. */
static int64_t realtime_off(void)
{
	static int64_t off;
	struct timespec rt, bt;

	if (!off) {
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		off = (int64_t)(rt.tv_sec - bt.tv_sec) * 1000000000LL +
		      (rt.tv_nsec - bt.tv_nsec);
	}
	return off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf b;
	struct record r;
	void *copy;

	/* Exactly size bytes on the heap: ASan sees any read past them. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (event_size(copy, size)) {
		struct nst_event *e = copy;

		/*
		 * CLOCK_BOOTTIME from the kernel stays below 2^62 ns (146
		 * years of uptime); past it, adding the clock offset would
		 * overflow (see record_from_event).
		 */
		e->task.ts_boot_ns &= (1ULL << 62) - 1;
		record_from_event(&r, e, realtime_off());
		b.len = 0;
		render_json(&b, &r);
		check_json_line(b.data, b.len);
		b.len = 0;
		render_text(&b, &r, false);
		check_text(b.data, b.len, 1);
		b.len = 0;
		render_text(&b, &r, true);
		b.len = 0;
	}
	free(copy);
	return 0;
}
