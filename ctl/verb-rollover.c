/* SPDX-License-Identifier: MIT */
/* ledgerctl rollover --to YEAR LEDGER.conf: next year's ledger on stdout,
 * and on stderr the items a person must check (every explicit date, and
 * whatever could not be moved). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/readfile.h"
#include "import/rollover.h"
#include "ledgerctl.h"

#define LEDGER_FILE_MAX ((size_t) 64 << 20)

int verb_rollover(int argc, char **argv, const struct ctl_options *o) {
        const struct rollover_options ro = { .file = argv[1], .to = o->to };
        struct diagnostics d = { 0 };
        char *text = NULL, *out = NULL;
        size_t size = 0;
        int r;

        (void) argc;
        if (!o->to) {
                fprintf(stderr, "ledgerctl rollover: --to YEAR is required: the year to write "
                        "the ledger for\n");
                return CTL_EXIT_USAGE;
        }
        r = readfile(argv[1], LEDGER_FILE_MAX, &text, &size);
        if (r < 0) {
                fprintf(stderr, "ledgerctl rollover: %s: %s\n", argv[1], strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        r = rollover_ledger(text, size, &ro, &out, &d);
        diag_print(&d, stderr);
        if (r == 0 && (fputs(out, stdout) < 0 || fflush(stdout) != 0)) {
                perror("ledgerctl rollover: writing the ledger");
                r = -1;
        }
        if (r == 0)
                fprintf(stderr, "ledgerctl rollover: %zu item%s to check\n", d.n_warnings,
                        d.n_warnings == 1 ? "" : "s");
        else if (r == -ENOMEM)
                fprintf(stderr, "ledgerctl rollover: %s\n", strerror(-r));
        free(text);
        free(out);
        diag_clear(&d);
        return r == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
}
