// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The inventory of namespaces of every type: `nstrace ls -t`, `--all`,
 * and the views built on them. Its kernel types share slots of the
 * kernel's CO-RE cache (see ls.bpf.h), so the netns view, the common
 * case, has a skeleton of its own: ls_net.bpf.c.
 */
#define LS_ALL_TYPES 1
#include "ls.bpf.h"
