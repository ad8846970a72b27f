/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "ledger/zone.h"

static void test_shanghai(void **state) {
        time_t t;
        day_t day;
        int minute;

        (void) state;
        assert_int_equal(zone_check("Asia/Shanghai"), 0);
        assert_int_equal(zone_check("Mars/Olympus"), -ENOENT);
        /* 2025-07-31 09:30 in Beijing is 01:30 UTC. */
        assert_int_equal(zone_local_to_utc("Asia/Shanghai", date_from_ymd(2025, 7, 31), 570, &t), 0);
        assert_int_equal(t, 1753925400);
        assert_int_equal(zone_utc_to_local("Asia/Shanghai", t, &day, &minute), 0);
        assert_int_equal(day, date_from_ymd(2025, 7, 31));
        assert_int_equal(minute, 570);
        /* 23:00 UTC is already the next day in Beijing. */
        assert_int_equal(zone_utc_to_local("Asia/Shanghai", 1754002800, &day, NULL), 0);
        assert_int_equal(day, date_from_ymd(2025, 8, 1));
}

static void test_dst_zone(void **state) {
        time_t t;

        (void) state;
        /* Berlin is UTC+2 in summer: the zone's rules, not a fixed offset. */
        assert_int_equal(zone_local_to_utc("Europe/Berlin", date_from_ymd(2025, 7, 1), 0, &t), 0);
        assert_int_equal(t, 1751320800);
        assert_int_equal(zone_local_to_utc("Europe/Berlin", date_from_ymd(2025, 1, 1), 0, &t), 0);
        assert_int_equal(t, 1735686000);
}

static void test_parse_time(void **state) {
        time_t t;

        (void) state;
        assert_int_equal(zone_parse_time("Asia/Shanghai", "@1753925400", &t), 0);
        assert_int_equal(t, 1753925400);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-07-31T09:30", &t), 0);
        assert_int_equal(t, 1753925400);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-07-31 09:30", &t), 0);
        assert_int_equal(t, 1753925400);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-07-31", &t), 0);
        assert_int_equal(t, 1753925400 - 570 * 60);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-07-31T24:00", &t), -EINVAL);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-07-31T09:30x", &t), -EINVAL);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "2025-02-30", &t), -EINVAL);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "@-5", &t), -EINVAL);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "@", &t), -EINVAL);
        assert_int_equal(zone_parse_time("Asia/Shanghai", "tomorrow", &t), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shanghai),
                cmocka_unit_test(test_dst_zone),
                cmocka_unit_test(test_parse_time),
        };

        return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
