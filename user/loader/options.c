// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "loader/backend.h"
#include "loader/options.h"

static bool parse_backend(void *field, const char *value, const char **shown)
{
	int b = backend_parse(value);

	if (b < 0)
		return false;
	*(int *)field = b;
	return true;
}

const struct cli_opt loader_opt_backend = {
	.name = "backend",
	.value = "NAME",
	.help = "hook flavour: auto, fentry, kprobe or\n"
		"tracepoint (default auto)",
	.parse = parse_backend,
	.refused = "backend must be auto, fentry, kprobe or tracepoint",
};

const struct cli_opt loader_opt_btf = {
	.name = "btf",
	.value = "FILE",
	.help = "kernel BTF to use instead of\n"
		"/sys/kernel/btf/vmlinux",
	.parse = cli_name,
	.refused = "empty BTF file name",
};

const struct cli_opt loader_opt_verbose = {
	.name = "verbose",
	.letter = 'v',
	.help = "show libbpf's messages",
};
