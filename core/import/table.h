/* SPDX-License-Identifier: MIT */
#pragma once

/* A spreadsheet exported as text, read into rows of cells the way Excel and
 * WPS write it: tab-separated or CSV, a quoted field may hold the delimiter,
 * doubled quotes and line breaks; UTF-8 with or without a BOM, UTF-16 with
 * a BOM ("Unicode text") and GB18030/GBK, which Chinese Windows writes by
 * default. Pure: bytes in, rows out. */

#include <stddef.h>

#include "basic/diag.h"

#define TABLE_SIZE_MAX ((size_t) 64 << 20) /* a ledger is kilobytes */

struct table_row {
        char **cells; /* UTF-8, never NULL; a blank line is one empty cell */
        size_t n_cells;
        int line; /* where the row starts in the file, from 1 */
};

struct table {
        struct table_row *rows;
        size_t n_rows;
        char delimiter;       /* '\t', ',' or ';' */
        const char *encoding; /* static: "UTF-8", "UTF-8 with BOM", "UTF-16", "GB18030" */
};

/* Any bytes to UTF-8 text without a BOM: *text (free it) and *len. 0, or
 * -EILSEQ for binary data or text in no encoding above, -EFBIG past
 * TABLE_SIZE_MAX, -ENOMEM. *encoding names what was found. */
int table_decode(const void *data, size_t size, char **text, size_t *len,
                 const char **encoding);

/* UTF-8 text (len bytes, no NUL) into rows; the delimiter is the tab when
 * one stands outside quotes, else ';' or ','. Problems (a quote never
 * closed) are warnings in d naming file and line. 0 or -ENOMEM. */
int table_parse(const char *text, size_t len, const char *file, struct table *out,
                struct diagnostics *d);

/* Both steps. 0, or the error of either. */
int table_read(const void *data, size_t size, const char *file, struct table *out,
               struct diagnostics *d);

void table_free(struct table *t);
