/* SPDX-License-Identifier: MIT */
#pragma once

/* A 台账 table (table.h) read as a person reads it, into a ledger file for
 * ledgerd: the title and its year, the header row of every page (columns
 * found by name: 序号, 任务大类, 工作事项, 明细任务, 责任主体, 完成时间 and their
 * common variants), repeated page titles skipped, merged cells carried,
 * rows without a 序号 read as sub-rows (34b), and cells that are shifted or
 * repeated placed by their content: the owners look like units, the
 * deadline is a phrase when_parse reads. Every inference is a warning with
 * its line, and a comment above its task in the output. Pure: no I/O but
 * the FILE handed to import_write(). */

#include <stdio.h>

#include "basic/diag.h"
#include "import/table.h"

struct import_options {
        const char *file; /* for messages and the default ledger id */
        const char *id;   /* NULL: from the file name */
        int year;         /* 0: from the title ("2025年度") */
};

struct import_task {
        char *id; /* "15", "34b" */
        char *category, *item, *detail;
        char *deadline; /* verbatim; "" when the table has none */
        char **owners;
        size_t n_owners;
        char **notes; /* what was inferred, as the warnings said it */
        size_t n_notes;
        int line;
};

struct import_owner {
        char *name;
        size_t n_tasks;
};

struct import_ledger {
        char *id, *title;
        int year;
        char *file;           /* where it came from, for the header comment */
        const char *encoding; /* static, from the table */
        char delimiter;
        struct import_task *tasks;
        size_t n_tasks;
        struct import_owner *owners; /* distinct, in order of first use */
        size_t n_owners;
        char **trailing_notes; /* rows after the last task that were not tasks */
        size_t n_trailing_notes;
};

/* 0 and *out (free with import_ledger_free) with warnings in d, or -EINVAL
 * with the reason as an error in d (not a ledger: no header row, no year, no
 * task), or -ENOMEM. */
int import_table(const struct table *t, const struct import_options *o,
                 struct import_ledger *out, struct diagnostics *d);

/* The ledger file, in the layout of conf/ledgers/: the owners found, as a
 * block to paste into ledgerd.conf, then the tasks. 0 or -EIO. */
int import_write(const struct import_ledger *l, FILE *out);

void import_ledger_free(struct import_ledger *l);

/* libconfig's string syntax for s, quotes included: "a\"b". Escapes ", \ and
 * control characters; the caller frees it. NULL when out of memory. */
char *import_quote(const char *s);
