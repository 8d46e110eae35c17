// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The inventory of the netns view (`nstrace ls`, identify, pids, where):
 * net namespaces, and of the other types only what that view uses, the
 * mount namespaces (whose mountinfo gives the names) and the user
 * namespaces (the owners). Its kernel types are ones that fall in
 * distinct slots of the kernel's CO-RE cache (see ls.bpf.h).
 */
#define LS_ALL_TYPES 0
#include "ls.bpf.h"
