// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>

#include "lib/escape.h"
#include "top/screen.h"

enum { PAIR_NEW = 1, PAIR_GONE, PAIR_MOVED };

static SCREEN *screen;

int screen_open(void)
{
	const char *term = getenv("TERM");

	/* Names in UTF-8 reach the screen as characters in a UTF-8 locale. */
	setlocale(LC_CTYPE, "");
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		fprintf(stderr, "nstrace: cannot use the terminal type '%s'\n",
			text_shown(term ? term : ""));
		return -1;
	}
	set_term(screen);
	cbreak(); /* Ctrl-C still sends SIGINT: the loop ends cleanly on it */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_NEW, COLOR_GREEN, -1);
		init_pair(PAIR_GONE, COLOR_RED, -1);
		init_pair(PAIR_MOVED, COLOR_YELLOW, -1);
	}
	return 0;
}

void screen_close(void)
{
	if (!screen)
		return;
	/* A terminal without an alternate screen keeps no half picture. */
	erase();
	refresh();
	endwin();
	delscreen(screen);
	screen = NULL;
	fflush(stdout);
}

void screen_size(int *lines, int *cols)
{
	getmaxyx(stdscr, *lines, *cols);
}

void screen_clear(void)
{
	erase();
}

/* How many bytes of text fill at most cols columns. */
static size_t fit(const char *text, size_t len, int cols)
{
	mbstate_t st = {};
	size_t off = 0;
	int used = 0;

	while (off < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, text + off, len - off, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2) {
			/* Not this locale's: curses shows such a byte as ~X. */
			memset(&st, 0, sizeof(st));
			n = 1;
			w = 2;
		} else {
			w = wcwidth(wc);
			n = n ? n : 1;
			w = w < 0 ? 1 : w;
		}
		if (used + w > cols)
			break;
		used += w;
		off += n;
	}
	return off;
}

static attr_t style_attr(enum top_style style)
{
	bool color = has_colors();

	switch (style) {
	case TOP_STYLE_NEW:
		return A_BOLD | (color ? COLOR_PAIR(PAIR_NEW) : 0);
	case TOP_STYLE_GONE:
		return color ? COLOR_PAIR(PAIR_GONE) : A_DIM;
	case TOP_STYLE_MOVED:
		return A_BOLD | (color ? COLOR_PAIR(PAIR_MOVED) : A_REVERSE);
	default:
		return A_NORMAL;
	}
}

void screen_line(int y, const char *text, size_t len, enum top_style style,
		 bool bar)
{
	int lines, cols;
	attr_t a = bar ? A_REVERSE : style_attr(style);

	getmaxyx(stdscr, lines, cols);
	if (y < 0 || y >= lines)
		return;
	attrset(a);
	move(y, 0);
	/* The last cell of the last line would scroll: leave it blank. */
	addnstr(text, (int)fit(text, len, y == lines - 1 ? cols - 1 : cols));
	if (bar) {
		int cy, cx;

		getyx(stdscr, cy, cx);
		for (; cy == y && cx < cols - (y == lines - 1); cx++)
			addch(' ');
	}
	attrset(A_NORMAL);
}

void screen_show(void)
{
	refresh();
}

int screen_key(void)
{
	int c = getch();

	switch (c) {
	case ERR:
		return TOP_KEY_NONE;
	case KEY_UP:
		return TOP_KEY_UP;
	case KEY_DOWN:
		return TOP_KEY_DOWN;
	case KEY_PPAGE:
		return TOP_KEY_PGUP;
	case KEY_NPAGE:
		return TOP_KEY_PGDN;
	case KEY_HOME:
		return TOP_KEY_HOME;
	case KEY_END:
		return TOP_KEY_END;
	case KEY_RESIZE:
		return TOP_KEY_RESIZE;
	case KEY_ENTER:
	case '\r':
	case '\n':
		return TOP_KEY_ENTER;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		return TOP_KEY_BACKSPACE;
	case 27:
		return TOP_KEY_ESC;
	default:
		return c >= 0 && c <= 0xff ? c : TOP_KEY_NONE;
	}
}
