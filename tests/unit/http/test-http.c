/* SPDX-License-Identifier: MIT */
/* The HTTP decisions of the feed server: dates, If-None-Match lists,
 * Accept-Encoding and the constant-time token comparison. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "http/http.h"

/* 1994-11-06 08:49:37 UTC, RFC 9110's example. */
#define EXAMPLE ((time_t) 784111777)

static void test_date_format(void **state) {
        char buf[HTTP_DATE_MAX];

        (void) state;
        assert_int_equal(http_date_format(EXAMPLE, buf), 0);
        assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_int_equal(http_date_format(0, buf), 0);
        assert_string_equal(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_int_equal(http_date_format(1767225599, buf), 0);
        assert_string_equal(buf, "Wed, 31 Dec 2025 23:59:59 GMT");
        assert_int_equal(http_date_format((time_t) 400000000000, buf), -EOVERFLOW);
}

static void test_date_parse_forms(void **state) {
        time_t t = 0;

        (void) state;
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
        assert_int_equal(t, EXAMPLE);
        t = 0;
        assert_int_equal(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
        assert_int_equal(t, EXAMPLE);
        t = 0;
        assert_int_equal(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
        assert_int_equal(t, EXAMPLE);
        assert_int_equal(http_date_parse("Wed, 31 Dec 2025 23:59:59 GMT", &t), 0);
        assert_int_equal(t, 1767225599);
        assert_int_equal(http_date_parse("Thu Nov 13 08:49:37 2025", &t), 0);
        assert_int_equal(t, 1763023777);
}

static void test_date_parse_rejects(void **state) {
        static const char *const bad[] = {
                "", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun,", "Sun, ", "Sunday,",
                "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37", "Sun", "1994-11-06T08:49:37Z",
        };
        time_t t = 42;

        (void) state;
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                if (http_date_parse(bad[i], &t) != -EINVAL)
                        fail_msg("\"%s\" was read as a date", bad[i]);
                assert_int_equal(t, 42);
        }
}

/* What curl_getdate() alone would read, and must not: lower-case names and
 * zones, and years it cannot read as written. */
static void test_date_parse_strict(void **state) {
        static const char *const bad[] = {
                "Sun, 06 nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 gmt",
                "Sun, 06 NOV 1994 08:49:37 GMT", "Sun, 06 Nov 0094 08:49:37 GMT",
                "Sun, 06 Nov 1582 08:49:37 GMT", "Sun Nov  6 08:49:37 0000",
                "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
        };
        time_t t = 42;

        (void) state;
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                if (http_date_parse(bad[i], &t) != -EINVAL)
                        fail_msg("\"%s\" was read as a date", bad[i]);
                assert_int_equal(t, 42);
        }
        /* The day name is not checked; RFC 850's two-digit years are read as
         * RFC 9110 asks, not as libcurl does (which takes 71 as 1971). */
        assert_int_equal(http_date_parse("Xyz, 06 Nov 1994 08:49:37 GMT", &t), 0);
        assert_int_equal(t, EXAMPLE);
        assert_int_equal(http_date_parse("Sunday, 06-Nov-71 08:49:37 GMT", &t), 0);
        assert_true(t > (time_t) 3000000000);
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:60 GMT", &t), 0);
        assert_int_equal(t, EXAMPLE + 23);
}

static void test_etag_listed(void **state) {
        static const char tag[] = "\"0123abcd\"";

        (void) state;
        assert_true(http_etag_listed("\"0123abcd\"", tag));
        assert_true(http_etag_listed("W/\"0123abcd\"", tag)); /* weak comparison */
        assert_true(http_etag_listed("\"x\", \"0123abcd\"", tag));
        assert_true(http_etag_listed("\"x\",W/\"0123abcd\" , \"y\"", tag));
        assert_true(http_etag_listed(" * ", tag));
        assert_false(http_etag_listed("\"0123abcd-gz\"", tag));
        assert_false(http_etag_listed("\"0123abc\"", tag));
        assert_false(http_etag_listed("0123abcd", tag)); /* not quoted */
        assert_false(http_etag_listed("\"x\" \"0123abcd\"", tag)); /* no comma: malformed */
        assert_false(http_etag_listed("\"0123abcd", tag));
        assert_false(http_etag_listed("", tag));
        assert_false(http_etag_listed("*, \"x\"", tag));
}

static void test_accepts_gzip(void **state) {
        (void) state;
        assert_true(http_accepts_gzip("gzip"));
        assert_true(http_accepts_gzip("gzip, deflate, br"));
        assert_true(http_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
        assert_true(http_accepts_gzip("x-gzip"));
        assert_true(http_accepts_gzip("*"));
        assert_true(http_accepts_gzip("gzip;q=0.001"));
        assert_true(http_accepts_gzip(" deflate , gzip ; q=1"));
        assert_false(http_accepts_gzip(NULL));
        assert_false(http_accepts_gzip(""));
        assert_false(http_accepts_gzip("identity"));
        assert_false(http_accepts_gzip("deflate, br"));
        assert_false(http_accepts_gzip("gzip;q=0"));
        assert_false(http_accepts_gzip("gzip;q=0.000, deflate"));
        assert_false(http_accepts_gzip("*;q=0"));
        assert_false(http_accepts_gzip("gzip;q=0, *")); /* named: the star does not apply */
        assert_false(http_accepts_gzip("gzipx"));
        assert_false(http_accepts_gzip("gzip;q="));
}

static void test_token_equal(void **state) {
        static const char secret[] = "s3cr3t-T0ken_abcdef";

        (void) state;
        assert_true(http_token_equal(secret, strlen(secret), secret));
        assert_true(http_token_equal("s3cr3t-T0ken_abcdefXYZ", strlen(secret), secret));
        assert_false(http_token_equal("s3cr3t-T0ken_abcdeg", strlen(secret), secret));
        assert_false(http_token_equal("S3cr3t-T0ken_abcdef", strlen(secret), secret));
        assert_false(http_token_equal(secret, strlen(secret) - 1, secret));
        assert_false(http_token_equal("s3cr3t-T0ken_abcdefg", strlen(secret) + 1, secret));
        assert_false(http_token_equal("", 0, secret));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_date_format),
                cmocka_unit_test(test_date_parse_forms),
                cmocka_unit_test(test_date_parse_rejects),
                cmocka_unit_test(test_date_parse_strict),
                cmocka_unit_test(test_etag_listed),
                cmocka_unit_test(test_accepts_gzip),
                cmocka_unit_test(test_token_equal),
        };

        return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
