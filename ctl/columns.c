/* SPDX-License-Identifier: MIT */
#include "columns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "basic/greedy.h"
#include "basic/text.h"

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

int columns_add(struct columns *t, const char *const *cells) {
        size_t base = t->n_rows * t->n_cols;

        if (grow(t, base + t->n_cols) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_cols; i++) {
                t->cells[base + i] = strdup(cells[i] ? cells[i] : "");
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

/* One cell: its colour around the text only, so padding stays plain. The
 * last column is not padded: no trailing blanks. */
static void print_cell(FILE *out, const char *s, const char *colour, size_t width, bool last,
                       size_t cut) {
        char *shown = cut ? columns_truncate(s, cut) : NULL;
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
                      const char *const *colours, const size_t *widths, size_t cut) {
        for (size_t c = 0; c < t->n_cols; c++) {
                bool last = c + 1 == t->n_cols;

                print_cell(out, cells[c], colours ? colours[c] : NULL, widths[c], last,
                           last ? cut : 0);
        }
        fputc('\n', out);
}

void columns_print(const struct columns *t, FILE *out, bool colour, size_t max_width) {
        size_t widths[COLUMNS_MAX], used = 0, cut = 0;
        const char *bold[COLUMNS_MAX];

        column_widths(t, widths);
        for (size_t c = 0; c + 1 < t->n_cols; c++)
                used += widths[c] + GAP;
        /* Cut the last column only when the table would not fit, and never below 10. */
        if (max_width > 0 && t->n_cols > 0 && used + widths[t->n_cols - 1] > max_width)
                cut = max_width > used + 10 ? max_width - used : 10;
        for (size_t c = 0; c < t->n_cols; c++)
                bold[c] = COLUMNS_BOLD;
        if (t->headers[0])
                print_row(t, out, t->headers, colour ? bold : NULL, widths, cut);
        for (size_t r = 0; r < t->n_rows; r++)
                print_row(t, out, (const char *const *) t->cells + r * t->n_cols,
                          colour ? t->colours + r * t->n_cols : NULL, widths, cut);
}

void columns_free(struct columns *t) {
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
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

bool columns_use_colour(FILE *out) {
        const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");

        if (no_colour && *no_colour)
                return false;
        if (term && strcmp(term, "dumb") == 0)
                return false;
        return isatty(fileno(out));
}

size_t columns_terminal_width(FILE *out) {
        struct winsize ws;

        if (!isatty(fileno(out)) || ioctl(fileno(out), TIOCGWINSZ, &ws) < 0)
                return 0;
        return ws.ws_col;
}
