// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one definition of the maps and filters that common.bpf.h declares. */
#define NST_DEFINE_SHARED
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
