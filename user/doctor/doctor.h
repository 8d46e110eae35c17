/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* nstrace doctor: what this kernel allows, and what each event will use. */
#ifndef NSTRACE_DOCTOR_DOCTOR_H
#define NSTRACE_DOCTOR_DOCTOR_H

#include "lib/cli.h"

extern const struct cli_cmd doctor_cli;
int doctor_main(int argc, char **argv);

#endif
