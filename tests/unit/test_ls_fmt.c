// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mac_str() writes addresses without printf (nstrace ls prints thousands):
 * every byte value must still come out as printf's %02x would write it,
 * lengths from none to the 32 bytes of MAX_ADDR_LEN, appended to what the
 * buffer already holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/buf.h"
#include "lib/netfmt.h"

static void test_mac_every_byte(void **state)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint8_t addr[1] = { (uint8_t)v };
		struct buf b = {};
		char want[3];

		snprintf(want, sizeof(want), "%02x", v);
		mac_str(&b, addr, 1);
		assert_string_equal(buf_cstr(&b), want);
		buf_free(&b);
	}
}

static void test_mac_lengths(void **state)
{
	uint8_t addr[32];

	for (unsigned int i = 0; i < sizeof(addr); i++)
		addr[i] = (uint8_t)(i * 37 + 11);
	for (uint32_t n = 0; n <= sizeof(addr); n++) {
		struct buf b = {};
		char want[3 * 32 + 8] = "x ";
		size_t len = strlen(want);

		for (uint32_t i = 0; i < n; i++)
			len += snprintf(want + len, sizeof(want) - len,
					i ? ":%02x" : "%02x", addr[i]);
		buf_adds(&b, "x ");
		mac_str(&b, addr, n);
		assert_string_equal(buf_cstr(&b), want);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_every_byte),
		cmocka_unit_test(test_mac_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
