// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loads slow_cleanup.bpf.o and keeps it attached until stdin closes or a
 * signal comes; says "attached" on stdout once it is.
 *
 *   slow_cleanup OBJECT
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	char c;

	if (argc != 2) {
		fprintf(stderr, "usage: slow_cleanup OBJECT\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "slow_cleanup: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "slow_cleanup");
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "slow_cleanup: cannot attach\n");
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
