/* SPDX-License-Identifier: MIT */
#include "basic/diag.h"

#include <stdlib.h>
#include <string.h>

void diag_addv(struct diagnostics *d, enum diag_level level, const char *file, int line,
               const char *fmt, va_list ap) {
        struct diag *items = realloc(d->items, (d->n_items + 1) * sizeof *items);
        char *message = NULL;

        /* Out of memory while reporting: count the problem even if its text is lost,
         * so that an error still fails the load. */
        if (items)
                d->items = items;
        if (items && vasprintf(&message, fmt, ap) >= 0)
                d->items[d->n_items++] = (struct diag) {
                        .level = level,
                        .file = file ? strdup(file) : NULL,
                        .line = line,
                        .message = message,
                };
        if (level == DIAG_ERROR)
                d->n_errors++;
        else
                d->n_warnings++;
}

void diag_add(struct diagnostics *d, enum diag_level level, const char *file, int line,
              const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_addv(d, level, file, line, fmt, ap);
        va_end(ap);
}

void diag_append(struct diagnostics *d, const struct diagnostics *from) {
        size_t errors = 0;

        for (size_t i = 0; i < from->n_items; i++) {
                const struct diag *x = &from->items[i];

                diag_add(d, x->level, x->file, x->line, "%s", x->message);
                errors += x->level == DIAG_ERROR;
        }
        /* Those counted without their text (out of memory) count here too. */
        d->n_errors += from->n_errors - errors;
        d->n_warnings += from->n_warnings - (from->n_items - errors);
}

void diag_print(const struct diagnostics *d, FILE *out) {
        for (size_t i = 0; i < d->n_items; i++) {
                const struct diag *m = &d->items[i];
                const char *level = m->level == DIAG_ERROR ? "error" : "warning";

                if (m->file && m->line > 0)
                        fprintf(out, "%s:%d: %s: %s\n", m->file, m->line, level, m->message);
                else if (m->file)
                        fprintf(out, "%s: %s: %s\n", m->file, level, m->message);
                else
                        fprintf(out, "%s: %s\n", level, m->message);
        }
}

struct ranked {
        struct diag item;
        size_t rank; /* the order of arrival breaks ties: a stable sort */
};

static int compare_ranked(const void *a, const void *b) {
        const struct ranked *x = a, *y = b;
        int c = strcmp(x->item.file ? x->item.file : "", y->item.file ? y->item.file : "");

        if (c == 0)
                c = (x->item.line > y->item.line) - (x->item.line < y->item.line);
        return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

void diag_sort(struct diagnostics *d, size_t first) {
        size_t n = d->n_items > first ? d->n_items - first : 0;
        struct ranked *r = calloc(n + 1, sizeof *r);

        if (!r)
                return; /* out of memory: the messages stay, merely out of order */
        for (size_t i = 0; i < n; i++)
                r[i] = (struct ranked) { d->items[first + i], i };
        qsort(r, n, sizeof *r, compare_ranked);
        for (size_t i = 0; i < n; i++)
                d->items[first + i] = r[i].item;
        free(r);
}

void diag_clear(struct diagnostics *d) {
        for (size_t i = 0; i < d->n_items; i++) {
                free(d->items[i].file);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (struct diagnostics) { 0 };
}
