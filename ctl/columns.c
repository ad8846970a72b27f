/* SPDX-License-Identifier: MIT */
#include "columns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "basic/greedy.h"
#include "basic/strv.h"
#include "basic/text.h"
#include "display.h"

#define GAP 2 /* spaces between columns */

void columns_init(struct columns *t, size_t n_cols, const char *const *headers) {
        *t = (struct columns) { .n_cols = n_cols < COLUMNS_MAX ? n_cols : COLUMNS_MAX };
        for (size_t i = 0; headers && i < t->n_cols; i++)
                t->headers[i] = headers[i];
}

/* Room for need cells in both arrays; allocated counts what both have. */
static int grow(struct columns *t, size_t need) {
        size_t colours = t->allocated;

        if (GREEDY_REALLOC(t->colours, colours, need) < 0)
                return -ENOMEM;
        return GREEDY_REALLOC(t->cells, t->allocated, need);
}

void columns_cuttable(struct columns *t, size_t col) {
        if (col < t->n_cols)
                t->cuttable[col] = true;
}

int columns_add(struct columns *t, const char *const *cells) {
        size_t base = t->n_rows * t->n_cols;

        if (grow(t, base + t->n_cols) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_cols; i++) {
                t->cells[base + i] = display_escape(cells[i] ? cells[i] : "", false);
                t->colours[base + i] = "";
                if (!t->cells[base + i]) {
                        while (i-- > 0)
                                free(t->cells[base + i]);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

void columns_colour(struct columns *t, size_t col, const char *colour) {
        if (t->n_rows > 0 && col < t->n_cols)
                t->colours[(t->n_rows - 1) * t->n_cols + col] = colour;
}

static void column_widths(const struct columns *t, size_t *widths) {
        for (size_t c = 0; c < t->n_cols; c++) {
                widths[c] = t->headers[c] ? text_width(t->headers[c]) : 0;
                for (size_t r = 0; r < t->n_rows; r++) {
                        size_t w = text_width(t->cells[r * t->n_cols + c]);

                        if (w > widths[c])
                                widths[c] = w;
                }
        }
}

/* One cell, cut to width when wider: its colour around the text only, so
 * padding stays plain. The last column is not padded: no trailing blanks. */
static void print_cell(FILE *out, const char *s, const char *colour, size_t width, bool last) {
        char *shown = text_width(s) > width ? columns_truncate(s, width) : NULL;
        const char *text = shown ? shown : s;
        bool painted = colour && *colour;

        if (painted)
                fputs(colour, out);
        fputs(text, out);
        if (painted)
                fputs(COLUMNS_RESET, out);
        if (!last)
                for (size_t w = text_width(text); w < width + GAP; w++)
                        fputc(' ', out);
        free(shown);
}

static void print_row(const struct columns *t, FILE *out, const char *const *cells,
                      const char *const *colours, const size_t *widths) {
        for (size_t c = 0; c < t->n_cols; c++)
                print_cell(out, cells[c], colours ? colours[c] : NULL, widths[c], c + 1 == t->n_cols);
        fputc('\n', out);
}

/* The widest column that may still be cut, among the cuttable ones when
 * cuttable, else among all; n_cols when none may. */
static size_t widest(const struct columns *t, const size_t *widths, bool cuttable) {
        size_t best = t->n_cols;

        for (size_t c = 0; c < t->n_cols; c++)
                if ((!cuttable || t->cuttable[c]) && widths[c] > COLUMNS_CUT_MIN &&
                    (best == t->n_cols || widths[c] > widths[best]))
                        best = c;
        return best;
}

/* The column to narrow by one: the widest text column; with none marked,
 * the last; when those are at COLUMNS_CUT_MIN already (a very narrow
 * terminal), the widest of all. n_cols when nothing may be cut. */
static size_t to_cut(const struct columns *t, const size_t *widths) {
        size_t last = t->n_cols - 1, c;
        bool any = false;

        for (c = 0; c < t->n_cols; c++)
                any = any || t->cuttable[c];
        if (any && (c = widest(t, widths, true)) < t->n_cols)
                return c;
        if (!any && widths[last] > COLUMNS_CUT_MIN)
                return last;
        return widest(t, widths, false);
}

/* Narrows the table a column at a time until it fits: the longest texts
 * lose the most, the short ones keep what they have. */
static void fit(const struct columns *t, size_t *widths, size_t max_width) {
        size_t total = GAP * (t->n_cols - 1), c;

        for (c = 0; c < t->n_cols; c++)
                total += widths[c];
        while (total > max_width && (c = to_cut(t, widths)) < t->n_cols) {
                widths[c]--;
                total--;
        }
}

void columns_print(const struct columns *t, FILE *out, bool colour, size_t max_width) {
        size_t widths[COLUMNS_MAX];
        const char *bold[COLUMNS_MAX];

        if (t->n_cols == 0)
                return;
        column_widths(t, widths);
        if (max_width > 0)
                fit(t, widths, max_width);
        for (size_t c = 0; c < t->n_cols; c++)
                bold[c] = COLUMNS_BOLD;
        if (t->headers[0])
                print_row(t, out, t->headers, colour ? bold : NULL, widths);
        for (size_t r = 0; r < t->n_rows; r++)
                print_row(t, out, (const char *const *) t->cells + r * t->n_cols,
                          colour ? t->colours + r * t->n_cols : NULL, widths);
}

void columns_free(struct columns *t) {
        strv_free_n(t->cells, t->n_rows * t->n_cols);
        free(t->colours);
        *t = (struct columns) {};
}

char *columns_truncate(const char *s, size_t width) {
        size_t n = strlen(s), used = 0, i = 0;
        char *out;

        if (text_width(s) <= width)
                return strdup(s);
        /* Keep whole characters up to width - 1 columns, then "…" (one column). */
        while (i < n) {
                unsigned cp;
                size_t len = text_utf8_decode(s + i, n - i, &cp);
                size_t w = len ? (size_t) text_cp_width(cp) : 1;

                if (used + w + 1 > width)
                        break;
                used += w;
                i += len ? len : 1;
        }
        out = malloc(i + sizeof "…");
        if (out) {
                memcpy(out, s, i);
                strcpy(out + i, width > 0 ? "…" : "");
        }
        return out;
}

/* stdout as it was before the pager took it: -1 not remembered, else 0 or 1. */
static int stdout_tty = -1;
static size_t stdout_width;

static bool is_tty(FILE *out) {
        if (out == stdout && stdout_tty >= 0)
                return stdout_tty;
        return isatty(fileno(out));
}

bool columns_use_colour(FILE *out) {
        const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");

        if (no_colour && *no_colour)
                return false;
        if (term && strcmp(term, "dumb") == 0)
                return false;
        return is_tty(out);
}

static size_t window_width(FILE *out) {
        struct winsize ws;

        if (!isatty(fileno(out)) || ioctl(fileno(out), TIOCGWINSZ, &ws) < 0)
                return 0;
        return ws.ws_col;
}

size_t columns_terminal_width(FILE *out) {
        if (out == stdout && stdout_tty >= 0)
                return stdout_width;
        return window_width(out);
}

void columns_remember_stdout(void) {
        stdout_tty = isatty(STDOUT_FILENO);
        stdout_width = window_width(stdout);
}
