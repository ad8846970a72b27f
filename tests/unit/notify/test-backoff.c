/* SPDX-License-Identifier: MIT */
/* Retry delays: the exponential ceiling, full jitter from the random number
 * given, the peer's hint as a floor, and giving up at the maximum age. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "notify/backoff.h"

static const struct backoff_policy policy = { .base = 5, .cap = 3600, .max_age = 86400 };

/* random % ceiling + 1: the largest random value below a multiple of the
 * ceiling gives the ceiling itself. */
static void test_ceiling_doubles(void **state) {
        static const long want[] = { 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600 };

        (void) state;
        for (unsigned t = 1; t <= sizeof want / sizeof want[0]; t++) {
                assert_int_equal(backoff_delay(&policy, t, 0, (uint64_t) want[t - 1] - 1),
                                 want[t - 1]);
                assert_int_equal(backoff_delay(&policy, t, 0, 0), 1);
        }
        assert_int_equal(backoff_delay(&policy, 1000000, 0, 3599), 3600);
        assert_int_equal(backoff_delay(&policy, UINT32_MAX, 0, UINT64_MAX), 1 + UINT64_MAX % 3600);
}

/* Full jitter: every value from 1 to the ceiling comes out, nothing else. */
static void test_jitter_range(void **state) {
        int seen[41] = { 0 };

        (void) state;
        for (uint64_t r = 0; r < 400; r++) {
                long d = backoff_delay(&policy, 4, 0, r * 7919);

                assert_true(d >= 1 && d <= 40);
                seen[d]++;
        }
        for (int d = 1; d <= 40; d++)
                assert_int_equal(seen[d], 10);
}

static void test_hint_is_a_floor(void **state) {
        (void) state;
        assert_int_equal(backoff_delay(&policy, 1, 60, 4), 60);
        assert_int_equal(backoff_delay(&policy, 12, 60, 999), 1000);
        assert_int_equal(backoff_delay(&policy, 1, 7200, 0), 7200); /* above the cap too */
}

static void test_next(void **state) {
        time_t next = 0;

        (void) state;
        assert_true(backoff_next(&policy, 1, 0, 1000, 1000, 2, &next));
        assert_int_equal(next, 1003);
        assert_true(backoff_next(&policy, 3, 45, 1000, 2000, 0, &next));
        assert_int_equal(next, 2045);
}

/* Near the end a long wait is cut to one last try at the deadline; after it,
 * or when the peer wants us back only after it, give up. */
static void test_max_age(void **state) {
        time_t next = 0;

        (void) state;
        assert_true(backoff_next(&policy, 20, 0, 0, 86000, 3599, &next));
        assert_int_equal(next, 86400);
        assert_true(backoff_next(&policy, 20, 0, 0, 86399, 0, &next));
        assert_int_equal(next, 86400);
        next = 7;
        assert_false(backoff_next(&policy, 20, 0, 0, 86400, 0, &next));
        assert_false(backoff_next(&policy, 20, 0, 0, 90000, 0, &next));
        assert_false(backoff_next(&policy, 2, 600, 0, 86000, 0, &next));
        assert_int_equal(next, 7);
        assert_true(backoff_next(&policy, 2, 400, 0, 86000, 0, &next));
        assert_int_equal(next, 86400);
}

static void test_odd_policies(void **state) {
        const struct backoff_policy zero = { 0 },
                                    big_base = { .base = 100, .cap = 30, .max_age = 10 };

        (void) state;
        assert_int_equal(backoff_delay(&zero, 1, 0, 12345), 1);
        assert_int_equal(backoff_delay(&zero, 50, 0, 12345), 1);
        assert_int_equal(backoff_delay(&big_base, 1, 0, 29), 30);
        assert_int_equal(BACKOFF_DEFAULTS.base, 5);
        assert_int_equal(BACKOFF_DEFAULTS.cap, 3600);
        assert_int_equal(BACKOFF_DEFAULTS.max_age, 259200);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ceiling_doubles), cmocka_unit_test(test_jitter_range),
                cmocka_unit_test(test_hint_is_a_floor), cmocka_unit_test(test_next),
                cmocka_unit_test(test_max_age),         cmocka_unit_test(test_odd_policies),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
