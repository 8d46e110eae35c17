// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdint.h>
#include <time.h>

#include "lib/rfc3339.h"

static int digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

static int expect(const char **s, char c)
{
	if (**s != c)
		return -1;
	(*s)++;
	return 0;
}

int rfc3339_parse(const char *s, uint64_t *ns)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	uint64_t frac = 0;
	struct tm tm = {};
	int64_t t;
	int n = 0;

	if (digits(&s, 4, &year) || expect(&s, '-') || digits(&s, 2, &mon) ||
	    expect(&s, '-') || digits(&s, 2, &day) ||
	    (*s != 'T' && *s != 't' && *s != ' ') || !++s ||
	    digits(&s, 2, &hour) || expect(&s, ':') || digits(&s, 2, &min) ||
	    expect(&s, ':') || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 9)
				frac = frac * 10 + (uint64_t)(*s - '0');
		if (!n || n > 9)
			return -1;
		for (; n < 9; n++)
			frac *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (digits(&s, 2, &oh) || expect(&s, ':') ||
		    digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*s || year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    hour > 23 || min > 59 || sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	/* timegm() normalises: 31 February would pass as 3 March. */
	if (tm.tm_mday != day || t < 0)
		return -1;
	*ns = (uint64_t)t * 1000000000ULL + frac;
	return 0;
}
