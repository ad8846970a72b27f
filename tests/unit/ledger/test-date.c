/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "ledger/date.h"

static void test_round_trip(void **state) {
        (void) state;
        /* Every day from 1900 to 2200 maps to a unique number and back. */
        day_t prev = date_from_ymd(1899, 12, 31);
        for (int y = 1900; y <= 2200; y++)
                for (int m = 1; m <= 12; m++)
                        for (int d = 1; d <= date_days_in_month(y, m); d++) {
                                day_t n = date_from_ymd(y, m, d);
                                int yy, mm, dd;

                                assert_int_equal(n, prev + 1);
                                date_to_ymd(n, &yy, &mm, &dd);
                                assert_int_equal(yy, y);
                                assert_int_equal(mm, m);
                                assert_int_equal(dd, d);
                                prev = n;
                        }
}

static void test_known_days(void **state) {
        (void) state;
        assert_int_equal(date_from_ymd(1970, 1, 1), 0);
        assert_int_equal(date_from_ymd(2025, 1, 1), 20089);
        assert_int_equal(date_weekday(date_from_ymd(1970, 1, 1)), 4);  /* Thursday */
        assert_int_equal(date_weekday(date_from_ymd(2025, 9, 28)), 7); /* Sunday */
        assert_int_equal(date_weekday(date_from_ymd(2025, 10, 11)), 6);
        assert_int_equal(date_weekday(date_from_ymd(1969, 12, 31)), 3);
        assert_string_equal(date_weekday_zh(date_from_ymd(2025, 7, 31)), "周四");
        assert_int_equal(date_year(date_from_ymd(2026, 1, 1) - 1), 2025);
}

static void test_validity(void **state) {
        (void) state;
        assert_true(date_valid(2024, 2, 29));
        assert_false(date_valid(2025, 2, 29));
        assert_false(date_valid(1900, 2, 29));
        assert_true(date_valid(2000, 2, 29));
        assert_false(date_valid(2025, 4, 31));
        assert_false(date_valid(2025, 13, 1));
        assert_false(date_valid(2025, 0, 1));
        assert_false(date_valid(2025, 1, 0));
}

static void test_iso(void **state) {
        char buf[DATE_ISO_LEN];
        day_t d;

        (void) state;
        assert_int_equal(date_parse_iso("2025-10-01", &d), 0);
        assert_int_equal(d, date_from_ymd(2025, 10, 1));
        date_format_iso(d, buf);
        assert_string_equal(buf, "2025-10-01");
        assert_int_equal(date_parse_iso("2025-02-30", &d), -EINVAL);
        assert_int_equal(date_parse_iso("2025-2-3", &d), -EINVAL);
        assert_int_equal(date_parse_iso("2025-02-03 ", &d), -EINVAL);
        assert_int_equal(date_parse_iso("2025-+2-03", &d), -EINVAL);
        assert_int_equal(date_parse_iso("", &d), -EINVAL);
        assert_int_equal(date_parse_iso(NULL, &d), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_known_days),
                cmocka_unit_test(test_validity),
                cmocka_unit_test(test_iso),
        };

        return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
