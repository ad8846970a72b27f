/* SPDX-License-Identifier: MIT */
/* One date formatter for HTTP and e-mail: both forms, English names in any
 * locale, offsets either side of UTC, and the limits. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <string.h>

#include "basic/rfcdate.h"

static void expect(time_t t, int offset, enum rfcdate_zone zone, const char *want) {
        char buf[RFCDATE_MAX];

        assert_int_equal(rfcdate_format(t, offset, zone, buf, sizeof buf), 0);
        assert_string_equal(buf, want);
}

static void test_gmt(void **state) {
        (void) state;
        expect(784111777, 0, RFCDATE_GMT, "Sun, 06 Nov 1994 08:49:37 GMT");
        /* The offset is for e-mail only: HTTP dates are UTC. */
        expect(784111777, 28800, RFCDATE_GMT, "Sun, 06 Nov 1994 08:49:37 GMT");
        expect(-62167219200, 0, RFCDATE_GMT, "Sat, 01 Jan 0000 00:00:00 GMT");
}

static void test_numeric(void **state) {
        (void) state;
        expect(1759798800, 28800, RFCDATE_NUMERIC, "Tue, 07 Oct 2025 09:00:00 +0800");
        expect(1759798800, -18000, RFCDATE_NUMERIC, "Mon, 06 Oct 2025 20:00:00 -0500");
        expect(1759798800, -34200, RFCDATE_NUMERIC, "Mon, 06 Oct 2025 15:30:00 -0930");
        expect(0, 0, RFCDATE_NUMERIC, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* strftime would write "周三" or "mer." here; the table does not. Skipped
 * where neither locale is installed. */
static void test_locale(void **state) {
        (void) state;
        if (!setlocale(LC_TIME, "zh_CN.UTF-8") && !setlocale(LC_TIME, "fr_FR.UTF-8"))
                skip();
        expect(1767225599, 0, RFCDATE_GMT, "Wed, 31 Dec 2025 23:59:59 GMT");
        setlocale(LC_TIME, "C");
}

static void test_limits(void **state) {
        char buf[RFCDATE_MAX], small[29];

        (void) state;
        assert_int_equal(rfcdate_format((time_t) 400000000000, 0, RFCDATE_GMT, buf, sizeof buf),
                         -EOVERFLOW);
        assert_int_equal(rfcdate_format(-62167219201, 0, RFCDATE_NUMERIC, buf, sizeof buf),
                         -EOVERFLOW);
        /* The last second of 9999, then one more through the offset. */
        assert_int_equal(rfcdate_format(253402300799, 0, RFCDATE_NUMERIC, buf, sizeof buf), 0);
        assert_int_equal(rfcdate_format(253402300799, 1, RFCDATE_NUMERIC, buf, sizeof buf),
                         -EOVERFLOW);
        assert_int_equal(rfcdate_format(INT64_MAX, 3600, RFCDATE_NUMERIC, buf, sizeof buf),
                         -EOVERFLOW);
        /* One byte short of "…GMT" and its NUL. */
        assert_int_equal(rfcdate_format(0, 0, RFCDATE_GMT, small, sizeof small), -ENOBUFS);
        assert_int_equal(rfcdate_format(0, 0, RFCDATE_GMT, buf, 30), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gmt),
                cmocka_unit_test(test_numeric),
                cmocka_unit_test(test_locale),
                cmocka_unit_test(test_limits),
        };

        return cmocka_run_group_tests_name("rfcdate", tests, NULL, NULL);
}
