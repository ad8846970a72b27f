/* SPDX-License-Identifier: MIT */
/* Reminder e-mails byte for byte: the Date and Message-ID, RFC 2047 subjects
 * cut only between characters, addresses, and the MIME structure with its
 * calendar attachment. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"
#include "notify/mail.h"
#include "basic/text.h"

#define KEY "yuli-2025/2025-03-24T01:00Z/czj"
#define KEY_HEX "fd427b066335cfc42ebb351808fd7223" /* SHA-256 of KEY, 32 digits */

static void expect_date(time_t t, int offset, const char *want) {
        char buf[MAIL_DATE_MAX];

        assert_int_equal(mail_format_date(t, offset, buf), 0);
        assert_string_equal(buf, want);
}

static void test_date(void **state) {
        (void) state;
        expect_date(1759798800, 28800, "Tue, 07 Oct 2025 09:00:00 +0800");
        expect_date(1759798800, -18000, "Mon, 06 Oct 2025 20:00:00 -0500");
        expect_date(1759798800, 19800, "Tue, 07 Oct 2025 06:30:00 +0530");
        expect_date(0, 0, "Thu, 01 Jan 1970 00:00:00 +0000");
        expect_date(951782400 + 3599, 0, "Tue, 29 Feb 2000 00:59:59 +0000");
}

static void test_message_id(void **state) {
        char a[128], b[128];

        (void) state;
        assert_int_equal(mail_message_id(KEY, "ledgerd@czj.example.gov.cn", a, sizeof a), 0);
        assert_string_equal(a, "<ledgerd." KEY_HEX "@czj.example.gov.cn>");
        assert_int_equal(mail_message_id(KEY, "ledgerd@czj.example.gov.cn", b, sizeof b), 0);
        assert_string_equal(a, b);
        assert_int_equal(mail_message_id("k1", "root", b, sizeof b), 0);
        assert_string_equal(b, "<ledgerd.6ab9f1eb8f7d3388f4f9d586f66e99fd@localhost>");
        assert_int_equal(mail_message_id(KEY, "a@b", b, 20), -ENOBUFS);
}

/* Every encoded-word of a header: at most 75 characters, on a line of at
 * most 76, and valid UTF-8 on its own; together they give back text. */
static void check_words(const char *header, const char *text) {
        char joined[4096] = "";
        const char *p = header;

        while ((p = strstr(p, "=?UTF-8?B?"))) {
                const char *b = p + 10, *end = strstr(b, "?=");
                uint8_t raw[64];
                ssize_t n;
                size_t i = 0;

                assert_non_null(end);
                assert_true(end + 2 - p <= 75);
                n = base64_decode(b, (size_t) (end - b), raw, sizeof raw);
                assert_true(n > 0);
                while (i < (size_t) n) {
                        unsigned cp;
                        size_t len = text_utf8_decode((const char *) raw + i, (size_t) n - i, &cp);

                        assert_true(len > 0);
                        i += len;
                }
                strncat(joined, (const char *) raw, (size_t) n);
                p = end + 2;
        }
        assert_string_equal(joined, text);
        for (p = header; *p; p = strstr(p, "\r\n") + 2)
                assert_true(strstr(p, "\r\n") - p <= 76);
}

static void test_subject_chinese(void **state) {
        static const char s[] =
                "【台账提醒】部门整体支出绩效自评（单位自评）将于2025年3月31日到期（还有7天）";
        char *h = mail_header("Subject", s);

        (void) state;
        assert_string_equal(
                h, "Subject: =?UTF-8?B?44CQ5Y+w6LSm5o+Q6YaS44CR6YOo6Zeo5pW05L2T5pSv5Ye657up?=\r\n"
                   " =?UTF-8?B?5pWI6Ieq6K+E77yI5Y2V5L2N6Ieq6K+E77yJ5bCG5LqOMjAyNeW5tDPmnIgz?=\r\n"
                   " =?UTF-8?B?MeaXpeWIsOacn++8iOi/mOaciTflpKnvvIk=?=\r\n");
        check_words(h, s);
        free(h);
}

/* Long subjects of three- and four-byte characters, mixed with ASCII at
 * every offset, so that cuts fall at every position in a character. */
static void test_subject_boundaries(void **state) {
        static const char *const pieces[] = { "台", "账", "a", "😀", "提醒", "（", "7" };
        char s[1024];

        (void) state;
        for (size_t shift = 0; shift < 7; shift++) {
                char *h;

                s[0] = '\0';
                for (size_t i = 0; i < 120; i++)
                        strcat(s, pieces[(i * 3 + shift) % 7]);
                h = mail_header("Subject", s);

                assert_non_null(h);
                check_words(h, s);
                free(h);
        }
}

static void test_subject_plain(void **state) {
        char *h;

        (void) state;
        h = mail_header("Subject", "Reminder: budget report due");
        assert_string_equal(h, "Subject: Reminder: budget report due\r\n");
        free(h);
        h = mail_header("Subject", "");
        assert_string_equal(h, "Subject: \r\n");
        free(h);
        /* Text that looks like an encoded-word is encoded itself. */
        h = mail_header("Subject", "=?x?");
        assert_string_equal(h, "Subject: =?UTF-8?B?PT94Pw==?=\r\n");
        free(h);
        /* A byte that is not UTF-8 stays a byte of its own. */
        h = mail_header("Subject", "a\xff");
        assert_string_equal(h, "Subject: =?UTF-8?B?Yf8=?=\r\n");
        free(h);
}

static const struct mail_address to1[] = { { "县财政局", "czj@example.org" } };

static struct mail_input input(void) {
        return (struct mail_input) {
                .date = 1759798800,
                .utc_offset = 28800,
                .from = { "ledgerd", "ledgerd@example.org" },
                .to = to1,
                .n_to = 1,
                .subject = "台账提醒",
                .body = "你好\n",
                .key = KEY,
        };
}

#define HEADERS                                                                                    \
        "Date: Tue, 07 Oct 2025 09:00:00 +0800\r\n"                                                \
        "From: ledgerd <ledgerd@example.org>\r\n"                                                  \
        "To: =?UTF-8?B?5Y6/6LSi5pS/5bGA?= <czj@example.org>\r\n"                                   \
        "Subject: =?UTF-8?B?5Y+w6LSm5o+Q6YaS?=\r\n"                                                \
        "Message-ID: <ledgerd." KEY_HEX "@example.org>\r\n"                                        \
        "Auto-Submitted: auto-generated\r\n"                                                       \
        "Content-Language: zh-CN\r\n"                                                              \
        "MIME-Version: 1.0\r\n"

static void test_text_only(void **state) {
        struct mail_input in = input();
        char *m;
        size_t n;

        (void) state;
        assert_int_equal(mail_build(&in, &m, &n), 0);
        assert_string_equal(m, HEADERS "Content-Type: text/plain; charset=UTF-8\r\n"
                                       "Content-Transfer-Encoding: base64\r\n"
                                       "\r\n"
                                       "5L2g5aW9DQo=\r\n");
        assert_int_equal(n, strlen(m));
        free(m);
}

static const char ics[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ledgerd//EN\r\n"
                          "METHOD:PUBLISH\r\nEND:VCALENDAR\r\n";

static void test_with_calendar(void **state) {
        struct mail_input in = input();
        char *m, b64[128], want[2048];
        size_t n;

        (void) state;
        in.calendar = ics;
        in.calendar_name = "15.1.ics";
        assert_int_equal(mail_build(&in, &m, &n), 0);
        base64_encode(ics, strlen(ics), b64);
        assert_int_equal(strlen(b64), 112);
        snprintf(want, sizeof want,
                 HEADERS "Content-Type: multipart/mixed;\r\n"
                         " boundary=\"=_mfd427b066335cfc42ebb3518\"\r\n"
                         "\r\n"
                         "--=_mfd427b066335cfc42ebb3518\r\n"
                         "Content-Type: text/plain; charset=UTF-8\r\n"
                         "Content-Transfer-Encoding: base64\r\n"
                         "\r\n"
                         "5L2g5aW9DQo=\r\n"
                         "--=_mfd427b066335cfc42ebb3518\r\n"
                         "Content-Type: text/calendar; charset=UTF-8; method=PUBLISH;\r\n"
                         " name=\"15.1.ics\"\r\n"
                         "Content-Disposition: attachment; filename=\"15.1.ics\"\r\n"
                         "Content-Transfer-Encoding: base64\r\n"
                         "\r\n"
                         "%.76s\r\n%s\r\n"
                         "--=_mfd427b066335cfc42ebb3518--\r\n",
                 b64, b64 + 76);
        assert_string_equal(m, want);
        free(m);
}

/* The HTML as the alternative after the text, inside the mixed part;
 * Reply-To and List-Id in the headers, the list's name encoded. */
static void test_html_reply_to_list(void **state) {
        struct mail_input in = input();
        char *m;
        size_t n;

        (void) state;
        in.calendar = ics;
        in.html = "<p>你好</p>\n";
        in.reply_to = (struct mail_address) { NULL, "jxk@example.org" };
        in.list = (struct mail_address) { "预算绩效台账", "yuli-2025.ledgerd.example.org" };
        assert_int_equal(mail_build(&in, &m, &n), 0);
        assert_non_null(strstr(m, "To: =?UTF-8?B?5Y6/6LSi5pS/5bGA?= <czj@example.org>\r\n"
                                  "Reply-To: jxk@example.org\r\n"
                                  "List-Id: =?UTF-8?B?6aKE566X57up5pWI5Y+w6LSm?=\r\n"
                                  " <yuli-2025.ledgerd.example.org>\r\nSubject: "));
        assert_non_null(strstr(m, "--=_mfd427b066335cfc42ebb3518\r\n"
                                  "Content-Type: multipart/alternative;\r\n"
                                  " boundary=\"=_afd427b066335cfc42ebb3518\"\r\n\r\n"
                                  "--=_afd427b066335cfc42ebb3518\r\n"
                                  "Content-Type: text/plain; charset=UTF-8\r\n"
                                  "Content-Transfer-Encoding: base64\r\n\r\n5L2g5aW9DQo=\r\n"
                                  "--=_afd427b066335cfc42ebb3518\r\n"
                                  "Content-Type: text/html; charset=UTF-8\r\n"
                                  "Content-Transfer-Encoding: base64\r\n\r\n"
                                  "PHA+5L2g5aW9PC9wPg0K\r\n"
                                  "--=_afd427b066335cfc42ebb3518--\r\n"
                                  "--=_mfd427b066335cfc42ebb3518\r\n"
                                  "Content-Type: text/calendar;"));
        free(m);
        /* A list id that is no dot-atom, a Reply-To that is no address: refused. */
        in.list.addr = "yuli 2025";
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        in.list.addr = NULL, in.reply_to.addr = "not an address";
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
}

/* The same key gives the same bytes: a retry is the same message. */
static void test_stable(void **state) {
        struct mail_input in = input();
        char *a, *b;
        size_t na, nb;

        (void) state;
        in.calendar = ics;
        assert_int_equal(mail_build(&in, &a, &na), 0);
        assert_int_equal(mail_build(&in, &b, &nb), 0);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        assert_non_null(strstr(a, "filename=\"reminder.ics\""));
        free(b);
        in.key = "another";
        assert_int_equal(mail_build(&in, &b, &nb), 0);
        assert_null(strstr(b, KEY_HEX));
        free(a);
        free(b);
}

/* Long bodies: 76 characters a line, decoding to the CRLF form. */
static void test_body_lines(void **state) {
        struct mail_input in = input();
        char body[1024] = "", *m, *p, decoded[1024] = "", want[1024] = "";
        size_t n;

        (void) state;
        for (int i = 0; i < 20; i++) {
                strcat(body, "第一行\n第二行\r\n");
                strcat(want, "第一行\r\n第二行\r\n");
        }
        in.body = body;
        assert_int_equal(mail_build(&in, &m, &n), 0);
        p = strstr(m, "\r\n\r\n") + 4;
        while (*p) {
                size_t len = (size_t) (strstr(p, "\r\n") - p);
                uint8_t raw[64];
                ssize_t k = base64_decode(p, len, raw, sizeof raw);

                assert_true(len <= 76);
                assert_true(k > 0);
                strncat(decoded, (const char *) raw, (size_t) k);
                p += len + 2;
        }
        assert_string_equal(decoded, want);
        free(m);
}

static void test_addresses(void **state) {
        static const struct mail_address to[] = {
                { NULL, "a@example.org" },
                { "Audit \"Office\", Yuli", "b@example.org" },
                { "Finance", "c@example.org" },
        };
        struct mail_input in = input();
        char *m;
        size_t n;

        (void) state;
        in.to = to, in.n_to = 3;
        in.from = (struct mail_address) { NULL, "ledgerd@example.org" };
        assert_int_equal(mail_build(&in, &m, &n), 0);
        assert_non_null(strstr(m, "\r\nFrom: ledgerd@example.org\r\n"
                                  "To: a@example.org,\r\n"
                                  " \"Audit \\\"Office\\\", Yuli\" <b@example.org>,\r\n"
                                  " Finance <c@example.org>\r\n"));
        free(m);
        assert_true(mail_address_valid("czj@example.org"));
        assert_false(mail_address_valid("czj@"));
        assert_false(mail_address_valid("@example.org"));
        assert_false(mail_address_valid("czj example.org"));
        assert_false(mail_address_valid("a@b\r\nBcc: x@y"));
        assert_false(mail_address_valid("<a@b>"));
        assert_false(mail_address_valid("财政@example.org"));
}

static void test_invalid(void **state) {
        static const struct mail_address bad[] = { { "x", "x@y\r\nBcc: z@w" } };
        struct mail_input in = input();
        char *m = (char *) 1;
        size_t n;

        (void) state;
        in.to = bad;
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        assert_null(m);
        in = input(), in.n_to = 0;
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        in = input(), in.key = NULL;
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        in = input(), in.from.addr = "nobody";
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        in = input(), in.calendar = ics, in.calendar_name = "../x.ics";
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
        in.calendar_name = "a\"b.ics";
        assert_int_equal(mail_build(&in, &m, &n), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_date),
                cmocka_unit_test(test_message_id),
                cmocka_unit_test(test_subject_chinese),
                cmocka_unit_test(test_subject_boundaries),
                cmocka_unit_test(test_subject_plain),
                cmocka_unit_test(test_text_only),
                cmocka_unit_test(test_with_calendar),
                cmocka_unit_test(test_html_reply_to_list),
                cmocka_unit_test(test_stable),
                cmocka_unit_test(test_body_lines),
                cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
