/* SPDX-License-Identifier: MIT */
#pragma once

/* Aligned tables for the terminal. Columns are padded by display width, so
 * Chinese text (two columns a character) lines up; colour only where it
 * helps a person and never in a pipe. (Not "table.h": that name is
 * core/table.h, the spreadsheet reader.) */

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
};

/* headers: n_cols names, or NULL for a table without a header line. */
void columns_init(struct columns *t, size_t n_cols, const char *const *headers);
/* A row of n_cols cells (copied; NULL is ""). 0 or -ENOMEM. */
int columns_add(struct columns *t, const char *const *cells);
/* The colour of a cell of the last row added. */
void columns_colour(struct columns *t, size_t col, const char *colour);
/* Prints the table. With max_width > 0 the last column is cut (with "…")
 * so that no line is wider. */
void columns_print(const struct columns *t, FILE *out, bool colour, size_t max_width);
void columns_free(struct columns *t);

/* The first columns of s that fit in width, with "…" when it was cut;
 * free it. NULL on ENOMEM. */
char *columns_truncate(const char *s, size_t width);
/* Colour on out: a terminal, $NO_COLOR unset or empty, $TERM not "dumb". */
bool columns_use_colour(FILE *out);
/* The terminal's width when out is one, else 0 (no limit). */
size_t columns_terminal_width(FILE *out);
