/* SPDX-License-Identifier: MIT */
/* ledgerctl import FILE: a 台账 table exported from Excel or WPS, as a ledger
 * file on stdout; every reading that had to be inferred is a warning on
 * stderr with its line, for the officer to check against the table. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/readfile.h"
#include "import/import.h"
#include "import/table.h"
#include "ledgerctl.h"

static int read_error(const char *file, int r) {
        if (r == -EILSEQ)
                fprintf(stderr, "ledgerctl import: %s: not a table exported as text: binary data, "
                        "or text in none of UTF-8, UTF-16 and GB18030 (save the sheet as "
                        "\"Text (Tab delimited)\" or CSV)\n", file);
        else if (r == -EFBIG)
                fprintf(stderr, "ledgerctl import: %s: larger than %zu MiB: not a ledger table\n",
                        file, TABLE_SIZE_MAX >> 20);
        else
                fprintf(stderr, "ledgerctl import: %s: %s\n", file, strerror(-r));
        return CTL_EXIT_FAILURE;
}

static int load(const char *file, struct table *t, struct diagnostics *d) {
        char *data = NULL;
        size_t size = 0;
        int r = readfile(file, TABLE_SIZE_MAX, &data, &size);

        if (r == 0 && size == 0)
                fprintf(stderr, "ledgerctl import: %s: empty file: not a ledger table\n", file);
        else if (r == 0)
                r = table_read(data, size, file, t, d);
        free(data);
        if (r < 0)
                return read_error(file, r);
        return size == 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
}

static int write_ledger(const struct import_ledger *l) {
        if (import_write(l, stdout) < 0 || fflush(stdout) != 0) {
                fprintf(stderr, "ledgerctl import: writing the ledger: %s\n", strerror(errno));
                return CTL_EXIT_FAILURE;
        }
        return CTL_EXIT_OK;
}

int verb_import(int argc, char **argv, const struct ctl_options *o) {
        const struct import_options io = { .file = argv[1], .id = o->id, .year = o->year };
        struct import_ledger l = { 0 };
        struct diagnostics d = { 0 };
        struct table t = { 0 };
        int status = load(argv[1], &t, &d), r;

        (void) argc;
        if (status != CTL_EXIT_OK) {
                diag_print(&d, stderr);
                diag_clear(&d);
                return status;
        }
        r = import_table(&t, &io, &l, &d);
        diag_print(&d, stderr);
        if (r == 0) {
                status = write_ledger(&l);
                fprintf(stderr, "ledgerctl import: %zu task%s, %zu owner%s, %zu warning%s: "
                        "check them, and define the owners in ledgerd.conf\n", l.n_tasks,
                        l.n_tasks == 1 ? "" : "s", l.n_owners, l.n_owners == 1 ? "" : "s",
                        d.n_warnings, d.n_warnings == 1 ? "" : "s");
        } else {
                if (r == -ENOMEM)
                        fprintf(stderr, "ledgerctl import: %s\n", strerror(-r));
                status = CTL_EXIT_FAILURE;
        }
        import_ledger_free(&l);
        table_free(&t);
        diag_clear(&d);
        return status;
}
