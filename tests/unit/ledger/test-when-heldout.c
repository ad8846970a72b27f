/* SPDX-License-Identifier: MIT */
/* The phrases of tests/data/when-heldout.tsv, which no test was written
 * for, measured: right (the dates an official reads, or a refusal where the
 * phrase really is vague or ambiguous), missed (refused though it reads one
 * way: no reminder, but no wrong date), or wrong (a date the phrase does
 * not give: the one thing that must never happen). A "?" date is one no
 * calendar can give yet; a phrase with one is right only when refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "basic/diag.h"
#include "conf/conf.h"
#include "ledger/when.h"

#define LINE_MAX_BYTES 4096

struct tally {
        int right, missed, wrong;
};

static bool dates_equal(const struct when_result *r, const char *want) {
        char buf[LINE_MAX_BYTES], *save = NULL;
        size_t i = 0;

        snprintf(buf, sizeof buf, "%s", want);
        for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save), i++) {
                char iso[DATE_ISO_LEN];

                if (i >= r->n_dates)
                        return false;
                date_format_iso(r->dates[i].day, iso);
                if (strcmp(iso, t) != 0)
                        return false;
        }
        return i == r->n_dates;
}

static void judge(const char *phrase, const char *want, const struct workdays *cal,
                  struct tally *t) {
        struct when_result r;
        bool refuse = strcmp(want, "refuse") == 0, partial = strstr(want, "?") != NULL;

        when_parse_with(phrase, 2026, cal, &r);
        if (r.kind == WHEN_DATED && (refuse || partial || strcmp(want, "undated") == 0 ||
                                     strcmp(want, "ongoing") == 0 || !dates_equal(&r, want))) {
                t->wrong++;
                printf("WRONG  %s: read as a date, wanted %s\n", phrase, want);
        } else if (r.kind == WHEN_DATED || (r.kind == WHEN_UNKNOWN && refuse) ||
                   (r.kind == WHEN_UNDATED && strcmp(want, "undated") == 0) ||
                   (r.kind == WHEN_ONGOING && strcmp(want, "ongoing") == 0)) {
                t->right++;
        } else {
                t->missed++;
                printf("missed %s: %s (%s), wanted %s\n", phrase, when_kind_name(r.kind),
                       r.reason, want);
        }
}

static void test_heldout(void **state) {
        struct diagnostics d = { 0 };
        struct config *c = NULL;
        struct conf_holiday_file *files = NULL;
        size_t n_files = 0, n = 0;
        struct tally t = { 0 };
        char line[LINE_MAX_BYTES];
        FILE *f = fopen("data/when-heldout.tsv", "re");

        (void) state;
        assert_non_null(f);
        assert_int_equal(conf_load_holidays("../conf/ledgerd.conf", &c, &files, &n_files, &d), 0);
        while (fgets(line, sizeof line, f)) {
                char *phrase = line, *want, *tab;

                line[strcspn(line, "\n")] = '\0';
                if (line[0] == '#' || !(tab = strchr(line, '\t')))
                        continue;
                *tab = '\0';
                want = tab + 1;
                if ((tab = strchr(want, '\t')))
                        *tab = '\0';
                judge(phrase, want, c->calendar, &t);
                n++;
        }
        fclose(f);
        printf("held-out phrases: %zu; %d right, %d missed (refused though readable), "
               "%d wrong\n", n, t.right, t.missed, t.wrong);
        conf_holiday_files_free(files, n_files);
        config_free(c);
        diag_clear(&d);
        assert_true(n >= 30);
        assert_int_equal(t.wrong, 0);
        assert_true(t.right * 10 >= (int) n * 9);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_heldout),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
