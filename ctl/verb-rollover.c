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
#include "calendar.h"
#include "ledgerctl.h"
#include "ledger/workdays.h"

#define LEDGER_FILE_MAX ((size_t) 64 << 20)

/* No calendar for the new year: every reminder may fall on a public holiday.
 * Says so, and how to add one. 1 when it warned, else 0. */
static int warn_no_calendar(const struct ctl_options *o) {
        struct ctl_calendar cal;
        int warned = 0;

        if (ctl_calendar_load(o, "rollover", &cal) != 0)
                return 0;
        if (!ctl_calendar_days(&cal) || !workdays_covers(ctl_calendar_days(&cal), o->to)) {
                fprintf(stderr, "ledgerctl rollover: warning: no holiday calendar %s%s covers %d: "
                        "its reminders may fall on public holidays. When the State Council "
                        "publishes the %d notice (国务院办公厅关于%d年部分节假日安排的通知, each "
                        "November or December), add holidays/cn-%d.conf, written like "
                        "cn-2025.conf, or an iCalendar subscription file (holidays/cn-%d.ics), "
                        "to 'holidays' in ledgerd.conf; ledgerctl holidays --year %d then lists "
                        "what it says\n", cal.config_path ? "of " : "",
                        cal.config_path ? cal.config_path : "(no configuration)", o->to, o->to,
                        o->to, o->to, o->to, o->to);
                warned = 1;
        }
        ctl_calendar_free(&cal);
        return warned;
}

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
        if (r == 0) {
                size_t n = d.n_warnings + (size_t) warn_no_calendar(o);

                fprintf(stderr, "ledgerctl rollover: %zu item%s to check\n", n, n == 1 ? "" : "s");
        }
        else if (r == -ENOMEM)
                fprintf(stderr, "ledgerctl rollover: %s\n", strerror(-r));
        free(text);
        free(out);
        diag_clear(&d);
        return r == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
}
