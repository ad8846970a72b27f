/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "import/rollover.h"

static char *roll(const char *text, int to, struct diagnostics *d) {
        const struct rollover_options o = { .file = "l.conf", .to = to };
        char *out = NULL;

        assert_int_equal(rollover_ledger(text, strlen(text), &o, &out, d), 0);
        assert_non_null(out);
        return out;
}

static void check_item(const struct diagnostics *d, int line, const char *message) {
        for (size_t i = 0; i < d->n_items; i++)
                if (d->items[i].line == line && strcmp(d->items[i].message, message) == 0) {
                        assert_int_equal(d->items[i].level, DIAG_WARNING);
                        assert_string_equal(d->items[i].file, "l.conf");
                        return;
                }
        for (size_t i = 0; i < d->n_items; i++)
                print_message("  %d: %s\n", d->items[i].line, d->items[i].message);
        fail_msg("no item at line %d: %s", line, message);
}

static const char ledger[] =
        "# 2025年度台账, as ledgerd reads it.\n"
        "ledger = {\n"
        "  id = \"yuli-2025\";\n"
        "  title = \"2025年度尉犁县\" \"工作台账\";\n"
        "  year = 2025;\n"
        "  tasks = (\n"
        "    { id = \"15\"; category = \"二、2025年度\"; item = \"2024年度评价\";\n"
        "      detail = \"按照《指标体系（\"\n"
        "               \"2023年度）》，编制2026年度预算，2025-07-31前\";\n"
        "      owners = [ \"2025年度专班\" ];\n"
        "      deadline = \"2025年7月31日前\";\n"
        "      dates = ( { date = \"2025-03-20\"; label = \"2025年度报送\"; } );\n"
        "      reminders = { leads = [ \"14d\" ]; time = \"09:00\"; }; },\n"
        "    /* 2025-02-01 */ { id = \"16\"; owners = [ \"czj\" ]; deadline = \"7月底前\"; }\n"
        "  );\n"
        "};\n";

static const char rolled[] =
        "# 2025年度台账, as ledgerd reads it.\n"
        "ledger = {\n"
        "  id = \"yuli-2026\";\n"
        "  title = \"2026年度尉犁县\" \"工作台账\";\n"
        "  year = 2026;\n"
        "  tasks = (\n"
        "    { id = \"15\"; category = \"二、2026年度\"; item = \"2025年度评价\";\n"
        "      detail = \"按照《指标体系（\"\n"
        "               \"2023年度）》，编制2027年度预算，2026-07-31前\";\n"
        "      owners = [ \"2025年度专班\" ];\n"
        "      deadline = \"2026年7月31日前\";\n"
        "      dates = ( { date = \"2026-03-20\"; label = \"2026年度报送\"; } );\n"
        "      reminders = { leads = [ \"14d\" ]; time = \"09:00\"; }; },\n"
        "    /* 2025-02-01 */ { id = \"16\"; owners = [ \"czj\" ]; deadline = \"7月底前\"; }\n"
        "  );\n"
        "};\n";

static void test_next_year(void **state) {
        struct diagnostics d = { 0 };
        char *out;

        (void) state;
        out = roll(ledger, 2026, &d);
        assert_string_equal(out, rolled);
        check_item(&d, 1, "a comment names 2025年: comments are not changed");
        check_item(&d, 3, "ledger id yuli-2025 is now yuli-2026: the calendar events of the new "
                   "year are new events");
        check_item(&d, 9, "2023年 in a document's name (《…》) is kept: check it");
        check_item(&d, 12, "explicit date 2025-03-20 moved to 2026-03-20: check it against the "
                   "new year's timetable");
        check_item(&d, 14, "a comment names 2025-02-01: comments are not changed");
        assert_int_equal(d.n_warnings, 5);
        assert_int_equal(d.n_errors, 0);
        free(out);
        diag_clear(&d);
}

static void test_years_apart(void **state) {
        struct diagnostics d = { 0 };
        char *out;

        (void) state;
        out = roll(ledger, 2023, &d);
        assert_non_null(strstr(out, "id = \"yuli-2023\";"));
        assert_non_null(strstr(out, "item = \"2022年度评价\";"));
        assert_non_null(strstr(out, "编制2024年度预算，2023-07-31前"));
        assert_non_null(strstr(out, "date = \"2023-03-20\""));
        assert_non_null(strstr(out, "year = 2023;"));
        free(out);
        diag_clear(&d);
}

/* Feb 29 has no day like it the next year; a phrase that named it no longer reads. */
static void test_leap_day(void **state) {
        static const char leap[] =
                "ledger = { id = \"x\"; title = \"台账\"; year = 2024;\n"
                "  tasks = ( { id = \"1\"; owners = [ \"czj\" ];\n"
                "    deadline = \"2月29日前\";\n"
                "    dates = ( { date = \"2024-02-29\"; } ); } ); };\n";
        struct diagnostics d = { 0 };
        char *out;

        (void) state;
        out = roll(leap, 2025, &d);
        assert_non_null(strstr(out, "id = \"x-2025\";"));
        assert_non_null(strstr(out, "date = \"2025-02-28\""));
        assert_non_null(strstr(out, "deadline = \"2月29日前\";"));
        check_item(&d, 1, "ledger id x is now x-2025: the calendar events of the new year are new "
                   "events");
        check_item(&d, 3, "deadline \"2月29日前\" does not read in 2025: date does not exist: "
                   "\"2月29日前\"; fix it or give dates");
        check_item(&d, 4, "explicit date 2024-02-29 has no day like it in 2025: written as "
                   "2025-02-28; check it");
        assert_int_equal(d.n_warnings, 3);
        free(out);
        diag_clear(&d);
}

static void check_refused(const char *text, size_t len, int to, int line, const char *message) {
        const struct rollover_options o = { .file = "l.conf", .to = to };
        struct diagnostics d = { 0 };
        char *out = (char *) "untouched";

        assert_int_equal(rollover_ledger(text, len, &o, &out, &d), -EINVAL);
        assert_null(out);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.items[d.n_items - 1].line, line);
        assert_string_equal(d.items[d.n_items - 1].message, message);
        diag_clear(&d);
}

static void test_refused(void **state) {
        static const char include[] = "ledger = { year = 2025; };\n  @include \"tasks.conf\"\n";
        static const char same[] = "ledger = { year = 2025; };";
        static const char broken[] = "ledger = { year = ; };\n";
        static const char other[] = "owners = ( { id = \"czj\"; } );\n";

        (void) state;
        check_refused(include, strlen(include), 2026, 2, "@include: rollover reads one file; roll "
                      "the included file over on its own");
        check_refused(same, strlen(same), 2025, 0, "the ledger is of 2025 already");
        check_refused(broken, strlen(broken), 2026, 1, "syntax error");
        check_refused(other, strlen(other), 2026, 0,
                      "not a ledger file: no ledger = { year = …; }");
        check_refused("ledger = {\0}", 12, 2026, 0, "not a ledger file: binary data");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_next_year),
                cmocka_unit_test(test_years_apart),
                cmocka_unit_test(test_leap_day),
                cmocka_unit_test(test_refused),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
