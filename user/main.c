// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nstrace: what happens to Linux namespaces, live. */
#include <stdio.h>

#include "opts.h"
#include "trace.h"

int main(int argc, char **argv)
{
	struct opts o;

	switch (opts_parse(&o, argc, argv, stdout, stderr)) {
	case OPTS_EXIT_OK:
		return 0;
	case OPTS_EXIT_USAGE:
		return 2;
	case OPTS_RUN:
		break;
	}
	return trace_run(&o);
}
