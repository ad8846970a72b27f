/* SPDX-License-Identifier: MIT */
#pragma once

/* Messages about the configuration, each tied to a file and line, collected
 * so that one run reports every problem at once, as a compiler does. */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_level {
        DIAG_ERROR,   /* the configuration is not used */
        DIAG_WARNING, /* used, but a person should look (a phrase not understood) */
};

struct diag {
        enum diag_level level;
        char *file; /* NULL when no file is involved */
        int line;   /* 0 when unknown */
        char *message;
};

struct diagnostics {
        struct diag *items;
        size_t n_items;
        size_t n_errors;
        size_t n_warnings;
};

void diag_add(struct diagnostics *d, enum diag_level level, const char *file, int line,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_addv(struct diagnostics *d, enum diag_level level, const char *file, int line,
               const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* "file:line: error: message", one per line. */
void diag_print(const struct diagnostics *d, FILE *out);
void diag_clear(struct diagnostics *d);
/* Copies every item of from to the end of d, in order, and counts what
 * from counted: an error whose text was lost to memory still fails a load. */
void diag_append(struct diagnostics *d, const struct diagnostics *from);
/* Orders the items from index first on by file and line, stably: for a
 * reader that had to visit settings out of order. */
void diag_sort(struct diagnostics *d, size_t first);
