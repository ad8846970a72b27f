/* SPDX-License-Identifier: MIT */
/* ctl/timefmt.c: times as ledgerctl reads and shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "ctl/timefmt.h"

/* 2025-10-09 01:30:00 UTC = 09:30 Beijing time, a Thursday. */
#define T0 ((time_t) 1759973400)

static void test_local(void **state) {
        char buf[TIMEFMT_LEN];

        (void) state;
        assert_int_equal(timefmt_local("Asia/Shanghai", T0, buf), 0);
        assert_string_equal(buf, "2025-10-09 09:30 周四");
        assert_int_equal(timefmt_local("UTC", T0, buf), 0);
        assert_string_equal(buf, "2025-10-09 01:30 周四");
        /* Urumqi is six hours ahead of UTC: 07:30. */
        assert_int_equal(timefmt_local("Asia/Urumqi", T0, buf), 0);
        assert_string_equal(buf, "2025-10-09 07:30 周四");
        assert_int_equal(timefmt_local("Mars/Olympus", T0, buf), -ENOENT);
}

static void test_local_ignores_tz(void **state) {
        char buf[TIMEFMT_LEN];

        (void) state;
        setenv("TZ", "America/New_York", 1);
        assert_int_equal(timefmt_local("Asia/Shanghai", T0, buf), 0);
        assert_string_equal(buf, "2025-10-09 09:30 周四");
        unsetenv("TZ");
}

static void test_iso(void **state) {
        char buf[TIMEFMT_LEN];

        (void) state;
        assert_int_equal(timefmt_iso("Asia/Shanghai", T0 + 7, buf), 0);
        assert_string_equal(buf, "2025-10-09T09:30:07+08:00");
        assert_int_equal(timefmt_iso("UTC", T0, buf), 0);
        assert_string_equal(buf, "2025-10-09T01:30:00+00:00");
        /* A negative offset, and the day before in local time. */
        assert_int_equal(timefmt_iso("America/New_York", T0, buf), 0);
        assert_string_equal(buf, "2025-10-08T21:30:00-04:00");
        /* Midnight crossing: 2025-10-08 16:00 UTC is 00:00 the next day in Beijing. */
        assert_int_equal(timefmt_iso("Asia/Shanghai", (time_t) 1759939200, buf), 0);
        assert_string_equal(buf, "2025-10-09T00:00:00+08:00");
}

static void test_parse_until(void **state) {
        time_t t;

        (void) state;
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+3d", T0, &t), 0);
        assert_int_equal(t, T0 + 3 * 86400);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+12h", T0, &t), 0);
        assert_int_equal(t, T0 + 12 * 3600);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "2025-10-09T09:30", 0, &t), 0);
        assert_int_equal(t, T0);
        /* A bare date is local midnight: 2025-10-09 00:00 +08:00. */
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "2025-10-09", 0, &t), 0);
        assert_int_equal(t, T0 - (9 * 3600 + 30 * 60));
        assert_int_equal(timefmt_parse_until("UTC", "2025-10-09", 0, &t), 0);
        assert_int_equal(t, T0 - (1 * 3600 + 30 * 60));
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "@1759973400", 0, &t), 0);
        assert_int_equal(t, T0);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+0d", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+3", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+3w", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+-3d", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "+99999d", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "tomorrow", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "2025-13-01", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Asia/Shanghai", "2025-10-09T25:00", T0, &t), -EINVAL);
        assert_int_equal(timefmt_parse_until("Nowhere/Else", "+3d", T0, &t), -ENOENT);
}

static void test_parse_end(void **state) {
        time_t t;

        (void) state;
        /* --to 2025-10-09 covers that whole day: up to 2025-10-10 00:00 local. */
        assert_int_equal(timefmt_parse_end("Asia/Shanghai", "2025-10-09", &t), 0);
        assert_int_equal(t, T0 - (9 * 3600 + 30 * 60) + 86400);
        assert_int_equal(timefmt_parse_end("Asia/Shanghai", "2025-10-09T09:30", &t), 0);
        assert_int_equal(t, T0);
        assert_int_equal(timefmt_parse_end("Asia/Shanghai", "2025-02-30", &t), -EINVAL);
        assert_int_equal(timefmt_parse_end("Asia/Shanghai", "20251009", &t), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_local),
                cmocka_unit_test(test_local_ignores_tz),
                cmocka_unit_test(test_iso),
                cmocka_unit_test(test_parse_until),
                cmocka_unit_test(test_parse_end),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
