// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The escapers every untrusted name goes through: json_str must give one
 * valid JSON string of valid UTF-8 whatever the bytes, text_str nothing a
 * terminal acts on, and both must stop at the first NUL.
 */
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/escape.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf b;
	const char *s = (const char *)data;
	const char *nul = memchr(s, '\0', size);
	size_t len;

	b.len = 0;
	json_str(&b, s, size);
	check_json_string(b.data, b.len);
	len = b.len;
	/* Bytes after a NUL are never looked at. */
	if (nul) {
		b.len = 0;
		json_str(&b, s, nul - s);
		if (b.len != len)
			fuzz_fail("json_str read past a NUL", b.data, b.len);
	}
	b.len = 0;
	text_str(&b, s, size);
	check_text(b.data, b.len, 0);
	/* Nothing shows as a blank: columns must stay columns. */
	if (memchr(b.data, ' ', b.len))
		fuzz_fail("blank in text", b.data, b.len);
	return 0;
}
