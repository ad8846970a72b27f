/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ledger/date.h"
#include "ledger/workdays.h"
#include "cn2025.h"


static void test_national_day_week(void **state) {
        struct workdays *w = cn2025();

        (void) state;
        assert_true(workdays_is_working(w, D(2025, 9, 26)));   /* Friday */
        assert_false(workdays_is_working(w, D(2025, 9, 27)));  /* Saturday */
        assert_true(workdays_is_working(w, D(2025, 9, 28)));   /* make-up Sunday */
        assert_true(workdays_is_working(w, D(2025, 9, 30)));
        for (int d = 1; d <= 8; d++)
                assert_false(workdays_is_working(w, D(2025, 10, d)));
        assert_true(workdays_is_working(w, D(2025, 10, 9)));
        assert_true(workdays_is_working(w, D(2025, 10, 10)));
        assert_true(workdays_is_working(w, D(2025, 10, 11)));  /* make-up Saturday */
        assert_false(workdays_is_working(w, D(2025, 10, 12))); /* plain Sunday */
        workdays_free(w);
}

static void test_other_holidays(void **state) {
        struct workdays *w = cn2025();

        (void) state;
        assert_false(workdays_is_working(w, D(2025, 1, 1)));
        assert_true(workdays_is_working(w, D(2025, 1, 2)));
        assert_true(workdays_is_working(w, D(2025, 1, 26)));
        assert_false(workdays_is_working(w, D(2025, 2, 3)));
        assert_true(workdays_is_working(w, D(2025, 2, 8)));
        assert_false(workdays_is_working(w, D(2025, 4, 4)));
        assert_true(workdays_is_working(w, D(2025, 4, 27)));
        assert_false(workdays_is_working(w, D(2025, 5, 5)));
        assert_false(workdays_is_working(w, D(2025, 6, 2)));
        assert_true(workdays_is_working(w, D(2025, 6, 3)));
        /* 2026 is not listed: the weekday alone decides. */
        assert_false(workdays_is_working(w, D(2026, 1, 1) + 2)); /* Saturday */
        assert_true(workdays_is_working(w, D(2026, 1, 1)));      /* Thursday */
        workdays_free(w);
}

static void test_holiday_name(void **state) {
        struct workdays *w = cn2025();

        (void) state;
        assert_string_equal(workdays_holiday_name(w, D(2025, 10, 3)), "国庆节、中秋节");
        assert_string_equal(workdays_holiday_name(w, D(2025, 9, 28)), "国庆节、中秋节");
        assert_string_equal(workdays_holiday_name(w, D(2025, 2, 1)), "春节");
        assert_string_equal(workdays_holiday_name(w, D(2025, 4, 27)), "劳动节");
        assert_null(workdays_holiday_name(w, D(2025, 9, 29)));
        assert_null(workdays_holiday_name(w, D(2025, 9, 27))); /* a weekend, no holiday */
        workdays_free(w);
}

static void test_names_copied(void **state) {
        struct workdays *w = workdays_new();
        char name[32];

        (void) state;
        strcpy(name, "国庆节");
        assert_int_equal(workdays_add_off(w, D(2025, 10, 1), D(2025, 10, 2), name), 0);
        strcpy(name, "补班");
        assert_int_equal(workdays_add_work(w, D(2025, 9, 28), name), 0);
        strcpy(name, "XXXX");
        assert_string_equal(workdays_holiday_name(w, D(2025, 10, 2)), "国庆节");
        assert_string_equal(workdays_holiday_name(w, D(2025, 9, 28)), "补班");
        workdays_free(w);
}

static void test_invalid(void **state) {
        struct workdays *w = workdays_new();

        (void) state;
        assert_int_equal(workdays_add_off(w, D(2025, 10, 8), D(2025, 10, 1), "x"), -EINVAL);
        assert_true(workdays_is_working(w, D(2025, 10, 1)));
        assert_int_equal(workdays_add_off(w, D(2025, 10, 1), D(2025, 10, 1), NULL), -EINVAL);
        assert_int_equal(workdays_add_work(w, D(2025, 9, 28), NULL), -EINVAL);
        assert_int_equal(workdays_cover_year(w, 0), -EINVAL);
        assert_int_equal(workdays_cover_year(w, 10000), -EINVAL);
        workdays_free(w);
        workdays_free(NULL);
}

static void test_covers(void **state) {
        struct workdays *w = workdays_new();

        (void) state;
        assert_false(workdays_covers(w, 2025));
        assert_int_equal(workdays_cover_year(w, 2026), 0);
        assert_int_equal(workdays_cover_year(w, 2024), 0);
        assert_int_equal(workdays_cover_year(w, 2025), 0);
        assert_int_equal(workdays_cover_year(w, 2025), 0);
        assert_true(workdays_covers(w, 2024));
        assert_true(workdays_covers(w, 2025));
        assert_true(workdays_covers(w, 2026));
        assert_false(workdays_covers(w, 2027));
        workdays_free(w);
}

static void test_on_or_before_after(void **state) {
        struct workdays *w = cn2025();

        (void) state;
        assert_int_equal(workdays_on_or_before(w, D(2025, 10, 5)), D(2025, 9, 30));
        assert_int_equal(workdays_on_or_after(w, D(2025, 10, 5)), D(2025, 10, 9));
        assert_int_equal(workdays_on_or_before(w, D(2025, 9, 29)), D(2025, 9, 29));
        assert_int_equal(workdays_on_or_after(w, D(2025, 9, 29)), D(2025, 9, 29));
        assert_int_equal(workdays_on_or_before(w, D(2025, 9, 27)), D(2025, 9, 26));
        assert_int_equal(workdays_on_or_after(w, D(2025, 9, 27)), D(2025, 9, 28));
        assert_int_equal(workdays_on_or_before(w, D(2025, 10, 12)), D(2025, 10, 11));
        assert_int_equal(workdays_on_or_after(w, D(2025, 10, 12)), D(2025, 10, 13));
        assert_int_equal(workdays_on_or_before(w, D(2025, 2, 2)), D(2025, 1, 27));
        workdays_free(w);
}

static void test_add(void **state) {
        struct workdays *w = cn2025();

        (void) state;
        assert_int_equal(workdays_add(w, D(2025, 9, 30), 0), D(2025, 9, 30));
        assert_int_equal(workdays_add(w, D(2025, 9, 30), 1), D(2025, 10, 9));
        assert_int_equal(workdays_add(w, D(2025, 9, 30), 3), D(2025, 10, 11));
        assert_int_equal(workdays_add(w, D(2025, 9, 30), 7), D(2025, 10, 16));
        assert_int_equal(workdays_add(w, D(2025, 10, 9), -1), D(2025, 9, 30));
        assert_int_equal(workdays_add(w, D(2025, 10, 10), -3), D(2025, 9, 29));
        assert_int_equal(workdays_add(w, D(2025, 10, 10), -5), D(2025, 9, 26));
        assert_int_equal(workdays_add(w, D(2025, 9, 26), 1), D(2025, 9, 28));
        assert_int_equal(workdays_add(w, D(2025, 10, 10), 1), D(2025, 10, 11));
        assert_int_equal(workdays_add(w, D(2025, 10, 10), 2), D(2025, 10, 13));
        /* From a day off: that day does not count either. */
        assert_int_equal(workdays_add(w, D(2025, 10, 1), 1), D(2025, 10, 9));
        assert_int_equal(workdays_add(w, D(2025, 10, 8), -1), D(2025, 9, 30));
        assert_int_equal(workdays_add(w, D(2025, 1, 27), 1), D(2025, 2, 5));
        workdays_free(w);
}

static void test_weekends_only(void **state) {
        struct workdays *w = workdays_new();

        (void) state;
        /* 2025-10-03 is a Friday; with no calendar only weekends are off. */
        assert_true(workdays_is_working(w, D(2025, 10, 3)));
        assert_int_equal(workdays_add(w, D(2025, 10, 3), 1), D(2025, 10, 6));
        assert_int_equal(workdays_add(w, D(2025, 10, 6), -1), D(2025, 10, 3));
        assert_int_equal(workdays_on_or_before(w, D(2025, 10, 5)), D(2025, 10, 3));
        assert_int_equal(workdays_on_or_after(w, D(2025, 10, 4)), D(2025, 10, 6));
        workdays_free(w);
}

static void test_overlaps(void **state) {
        struct workdays *w = workdays_new();

        (void) state;
        /* The first calendar to name a day keeps its name. */
        assert_int_equal(workdays_add_off(w, D(2025, 10, 1), D(2025, 10, 3), "国庆节"), 0);
        assert_int_equal(workdays_add_off(w, D(2025, 10, 3), D(2025, 10, 6), "中秋节"), 0);
        assert_string_equal(workdays_holiday_name(w, D(2025, 10, 3)), "国庆节");
        assert_string_equal(workdays_holiday_name(w, D(2025, 10, 6)), "中秋节");
        assert_false(workdays_is_working(w, D(2025, 10, 6)));
        /* A make-up day works even inside a range of days off. */
        assert_int_equal(workdays_add_work(w, D(2025, 10, 2), "补班"), 0);
        assert_true(workdays_is_working(w, D(2025, 10, 2)));
        assert_string_equal(workdays_holiday_name(w, D(2025, 10, 2)), "补班");
        assert_int_equal(workdays_add(w, D(2025, 9, 30), 1), D(2025, 10, 2));
        assert_int_equal(workdays_add(w, D(2025, 10, 2), 1), D(2025, 10, 7));
        workdays_free(w);
}

/* Inserting out of order must keep the lookups right. */
static void test_unordered_inserts(void **state) {
        struct workdays *w = workdays_new();

        (void) state;
        for (int i = 20; i >= 0; i--)
                assert_int_equal(workdays_add_off(w, D(2025, 3, 3) + 7 * i, D(2025, 3, 3) + 7 * i,
                                                  "周一"), 0);
        for (int i = 0; i <= 20; i++) {
                assert_false(workdays_is_working(w, D(2025, 3, 3) + 7 * i));
                assert_true(workdays_is_working(w, D(2025, 3, 4) + 7 * i));
        }
        assert_false(workdays_is_working(w, D(2025, 3, 3) + 7 * 20));
        assert_true(workdays_is_working(w, D(2025, 3, 3) + 7 * 21));
        workdays_free(w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_national_day_week),
                cmocka_unit_test(test_other_holidays),
                cmocka_unit_test(test_holiday_name),
                cmocka_unit_test(test_names_copied),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_covers),
                cmocka_unit_test(test_on_or_before_after),
                cmocka_unit_test(test_add),
                cmocka_unit_test(test_weekends_only),
                cmocka_unit_test(test_overlaps),
                cmocka_unit_test(test_unordered_inserts),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
