/* SPDX-License-Identifier: MIT */
#pragma once

/* Aligned tables for the terminal. Columns are padded by display width, so
 * Chinese text (two columns a character) lines up; a table wider than the
 * terminal is cut to fit, its widest text column first, with "…"; control
 * characters in cells are escaped (display.h); colour only where it helps a
 * person and never in a pipe. (Not "table.h": that name is
 * core/import/table.h, the spreadsheet reader.) */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define COLUMNS_MAX 8

/* ANSI colours for a cell; "" for none. */
#define COLUMNS_RED "\033[31m"
#define COLUMNS_GREEN "\033[32m"
#define COLUMNS_YELLOW "\033[33m"
#define COLUMNS_GREY "\033[90m"
#define COLUMNS_BOLD "\033[1m"
#define COLUMNS_RESET "\033[0m"

struct columns {
        size_t n_cols;
        const char *headers[COLUMNS_MAX]; /* NULL: no header line */
        char **cells;                     /* n_rows × n_cols, owned */
        const char **colours;             /* one per cell, static strings */
        size_t n_rows;
        size_t allocated; /* cells room in both arrays */
        bool cuttable[COLUMNS_MAX]; /* text that may be cut to fit */
};

/* A table is never cut narrower than this a column. */
#define COLUMNS_CUT_MIN 6

/* headers: n_cols names, or NULL for a table without a header line. */
void columns_init(struct columns *t, size_t n_cols, const char *const *headers);
/* Marks a column as text that may be cut to fit the width, as item, owners
 * or a peer's answer may; ids, dates and statuses are not. With none
 * marked, the last column is. */
void columns_cuttable(struct columns *t, size_t col);
/* A row of n_cols cells (copied, control characters escaped; NULL is "").
 * 0 or -ENOMEM. */
int columns_add(struct columns *t, const char *const *cells);
/* The colour of a cell of the last row added. */
void columns_colour(struct columns *t, size_t col, const char *colour);
/* Prints the table. With max_width > 0, no line is wider: the widest
 * cuttable column is cut (with "…") a column at a time, down to
 * COLUMNS_CUT_MIN, then the others, until the table fits. */
void columns_print(const struct columns *t, FILE *out, bool colour, size_t max_width);
void columns_free(struct columns *t);

/* The first columns of s that fit in width, with "…" when it was cut;
 * free it. NULL on ENOMEM. */
char *columns_truncate(const char *s, size_t width);
/* Colour on out: a terminal, $NO_COLOR unset or empty, $TERM not "dumb". */
bool columns_use_colour(FILE *out);
/* The terminal's width when out is one, else 0 (no limit). */
size_t columns_terminal_width(FILE *out);
/* Remembers whether stdout is a terminal, and its width, for the two above:
 * the pager (pager.h) makes stdout a pipe to itself, and what is written is
 * still for that terminal. */
void columns_remember_stdout(void);
