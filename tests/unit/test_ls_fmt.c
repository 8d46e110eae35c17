// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mac_str() writes addresses without printf (nstrace ls prints thousands):
 * every byte value must still come out as printf's %02x would write it,
 * lengths from none to the 32 bytes of MAX_ADDR_LEN, appended to what the
 * buffer already holds. And the names of states, link types and flags
 * must read back (replay) as the values they were written for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if.h>
#include <linux/if_arp.h>

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

static void test_operstate_both_ways(void **state)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT",
					     "DOWN",	"LOWERLAYERDOWN",
					     "TESTING", "DORMANT",
					     "UP" };

	for (uint32_t s = 0; s < 7; s++) {
		assert_string_equal(operstate_name(s), names[s]);
		assert_int_equal(operstate_parse(names[s]), s);
	}
	assert_string_equal(operstate_name(7), "UNKNOWN");
	assert_int_equal(operstate_parse("up"), IF_OPER_UNKNOWN);
}

static void test_link_type_both_ways(void **state)
{
	unsigned int named = 0;

	assert_string_equal(link_type_name(ARPHRD_ETHER), "ether");
	assert_string_equal(link_type_name(ARPHRD_IEEE80211), "ieee802.11");
	assert_null(link_type_name(ARPHRD_PPP));
	for (uint32_t t = 0; t <= 0xffff; t++) {
		const char *name = link_type_name(t);

		if (!name)
			continue;
		assert_int_equal(link_type_parse(name), t);
		named++;
	}
	assert_int_equal(named, 10);
	assert_int_equal(link_type_parse("ppp"), -1);
}

/* In bit order, each name once, and each back to its bit. */
static void test_iff_both_ways(void **state)
{
	const char *names[IFF_NAMES_MAX];
	uint32_t all = 0, n;

	assert_int_equal(iff_names(IFF_UP | IFF_BROADCAST | IFF_MULTICAST |
					   IFF_LOWER_UP,
				   names),
			 3);
	assert_string_equal(names[0], "UP");
	assert_string_equal(names[1], "BROADCAST");
	assert_string_equal(names[2], "MULTICAST");
	assert_int_equal(iff_names(0, names), 0);
	n = iff_names(UINT32_MAX, names);
	assert_int_equal(n, IFF_NAMES_MAX);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t bit = iff_parse(names[i]);

		assert_int_equal(__builtin_popcount(bit), 1);
		assert_true(bit > all);
		all |= bit;
	}
	assert_int_equal(all, 0xffff);
	assert_int_equal(iff_parse("LOWER_UP"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_every_byte),
		cmocka_unit_test(test_mac_lengths),
		cmocka_unit_test(test_operstate_both_ways),
		cmocka_unit_test(test_link_type_both_ways),
		cmocka_unit_test(test_iff_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
