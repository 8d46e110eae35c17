/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The terminal of `nstrace top`, through ncurses: nothing else in nstrace
 * knows about curses. Text comes in already escaped; lines are cut to the
 * screen's width here.
 */
#ifndef NSTRACE_TOP_SCREEN_H
#define NSTRACE_TOP_SCREEN_H

#include <stddef.h>

#include "top/rows.h"

enum top_key {
	TOP_KEY_NONE = -1,
	TOP_KEY_UP = 0x100,
	TOP_KEY_DOWN,
	TOP_KEY_PGUP,
	TOP_KEY_PGDN,
	TOP_KEY_HOME,
	TOP_KEY_END,
	TOP_KEY_RESIZE,
	TOP_KEY_ENTER,
	TOP_KEY_BACKSPACE,
	TOP_KEY_ESC,
};

/* Takes the terminal (TERM from the environment). 0, or -1 said on stderr. */
int screen_open(void);
/* Gives it back as it was: safe to call more than once. */
void screen_close(void);
void screen_size(int *lines, int *cols);
void screen_clear(void);
/* Line y: text of len bytes, cut to the width; bar: the header's look. */
void screen_line(int y, const char *text, size_t len, enum top_style style,
		 bool bar);
void screen_show(void);
/* A key, a character (0..0xff) or TOP_KEY_NONE when none is waiting. */
int screen_key(void);

#endif
