/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Telling systemd (Type=notify) that the service is ready: one datagram,
 * "READY=1", to the socket $NOTIFY_SOCKET names (sd_notify(3)'s
 * protocol, written here rather than linking libsystemd for it).
 */
#ifndef NSTRACE_LIB_NOTIFY_H
#define NSTRACE_LIB_NOTIFY_H

/*
 * Sends state ("READY=1") when $NOTIFY_SOCKET is set; nothing otherwise.
 * Returns 0, or -1 after one line on stderr: the service manager would
 * wait for it in vain.
 */
int notify_send(const char *state);

#endif
