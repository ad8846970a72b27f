/* SPDX-License-Identifier: MIT */
/* The verdict on a peer's answer, for every code the reference names, every
 * class of HTTP status, and Retry-After in both its forms. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "notify/webhook-reply.h"

#define NOW 1759798800 /* 2025-10-07T01:00:00Z */

struct row {
        enum channel_format format;
        int status;
        const char *retry_after;
        const char *body;
        enum webhook_verdict verdict;
        long delay;
        long code;
};

#define D WEBHOOK_DELIVERED
#define R WEBHOOK_RETRY
#define P WEBHOOK_PERMANENT

static const struct row rows[] = {
        /* WeCom: the verdict is in the body of a 200. */
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":0,\"errmsg\":\"ok\"}", D, 0, 0 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}", R,
          60, 45009 },
        { CHANNEL_WECOM, 200, "120", "{\"errcode\":45009}", R, 120, 45009 },
        { CHANNEL_WECOM, 200, "5", "{\"errcode\":45009}", R, 60, 45009 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}", P, 0,
          93000 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":-1,\"errmsg\":\"system busy\"}", R, 0, -1 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":40008,\"errmsg\":\"invalid message type\"}", P, 0,
          40008 },
        { CHANNEL_WECOM, 200, NULL, "<html>portal</html>", R, 0, 0 },
        { CHANNEL_WECOM, 200, NULL, "", R, 0, 0 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":\"0\"}", R, 0, 0 },
        { CHANNEL_WECOM, 200, NULL, "[0]", R, 0, 0 },
        { CHANNEL_WECOM, 200, NULL, "{\"errcode\":0", R, 0, 0 },
        /* DingTalk */
        { CHANNEL_DINGTALK, 200, NULL, "{\"errcode\":0,\"errmsg\":\"ok\"}", D, 0, 0 },
        { CHANNEL_DINGTALK, 200, NULL, "{\"errcode\":130101,\"errmsg\":\"send too fast\"}", R, 600,
          130101 },
        { CHANNEL_DINGTALK, 200, NULL, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}", P, 0,
          310000 },
        { CHANNEL_DINGTALK, 200, NULL, "{\"errcode\":-1}", R, 0, -1 },
        { CHANNEL_DINGTALK, 200, NULL, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}", P,
          0, 300001 },
        /* Feishu: code/msg, or StatusCode in its older API. */
        { CHANNEL_FEISHU, 200, NULL, "{\"code\":0,\"msg\":\"success\",\"data\":{}}", D, 0, 0 },
        { CHANNEL_FEISHU, 200, NULL,
          "{\"Extra\":null,\"StatusCode\":0,\"StatusMessage\":\"success\"}", D, 0, 0 },
        { CHANNEL_FEISHU, 200, NULL,
          "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}",
          P, 0, 19021 },
        { CHANNEL_FEISHU, 200, NULL, "{\"code\":19022,\"msg\":\"Ip Not Allowed\"}", P, 0, 19022 },
        { CHANNEL_FEISHU, 200, NULL, "{\"code\":19024,\"msg\":\"Key Words Not Found\"}", P, 0,
          19024 },
        { CHANNEL_FEISHU, 200, NULL, "{\"code\":11232,\"msg\":\"frequency limited\"}", R, 60,
          11232 },
        { CHANNEL_FEISHU, 200, NULL, "{\"code\":9499,\"msg\":\"Bad Request\"}", P, 0, 9499 },
        { CHANNEL_FEISHU, 400, NULL, "{\"code\":19021,\"msg\":\"sign match fail\"}", P, 0, 19021 },
        { CHANNEL_FEISHU, 429, NULL, "{\"code\":11232}", R, 60, 11232 },
        /* A bot's 5xx with its own code, and one the table does not know. */
        { CHANNEL_WECOM, 503, NULL, "{\"errcode\":45009}", R, 60, 45009 },
        { CHANNEL_WECOM, 502, NULL, "{\"errcode\":12345}", R, 0, 12345 },
        { CHANNEL_WECOM, 0, NULL, NULL, R, 0, 0 },
        { CHANNEL_DINGTALK, 301, NULL, "{\"errcode\":0}", P, 0, 0 },
        /* Standard Webhooks: the status decides, the body does not matter. */
        { CHANNEL_JSON, 200, NULL, "", D, 0, 0 },
        { CHANNEL_JSON, 204, NULL, NULL, D, 0, 0 },
        { CHANNEL_JSON, 202, NULL, "{\"errcode\":93000}", D, 0, 0 },
        { CHANNEL_JSON, 301, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 302, "30", NULL, P, 0, 0 },
        { CHANNEL_JSON, 304, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 400, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 401, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 404, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 410, NULL, NULL, P, 0, 0 },
        { CHANNEL_JSON, 410, "60", NULL, P, 0, 0 },
        { CHANNEL_JSON, 408, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 429, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 429, "30", NULL, R, 30, 0 },
        { CHANNEL_JSON, 429, " 30 ", NULL, R, 30, 0 },
        { CHANNEL_JSON, 429, "Tue, 07 Oct 2025 01:02:00 GMT", NULL, R, 120, 0 },
        { CHANNEL_JSON, 429, "Tue, 07 Oct 2025 00:58:20 GMT", NULL, R, 0, 0 },
        { CHANNEL_JSON, 429, "soon", NULL, R, 0, 0 },
        { CHANNEL_JSON, 429, "-5", NULL, R, 0, 0 },
        { CHANNEL_JSON, 429, "99999999999999999999", NULL, R, WEBHOOK_DELAY_MAX, 0 },
        { CHANNEL_JSON, 500, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 502, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 503, "3600", NULL, R, 3600, 0 },
        { CHANNEL_JSON, 504, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 0, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 100, NULL, NULL, R, 0, 0 },
        { CHANNEL_JSON, 600, NULL, NULL, R, 0, 0 },
        /* Slack answers 200 "ok" as plain text. */
        { CHANNEL_SLACK, 200, NULL, "ok", D, 0, 0 },
        { CHANNEL_SLACK, 404, NULL, "no_service", P, 0, 0 },
        { CHANNEL_SLACK, 429, "1", NULL, R, 1, 0 },
};

static void test_table(void **state) {
        (void) state;
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                const struct row *w = &rows[i];
                struct webhook_reply r;

                webhook_reply_classify(w->format, w->status, w->retry_after, NOW, w->body,
                                       w->body ? strlen(w->body) : 0, &r);
                if (r.verdict != w->verdict || r.delay != w->delay || r.code != w->code)
                        fail_msg("row %zu (HTTP %d %s): got %s delay %ld code %ld: %s", i,
                                 w->status, w->body ? w->body : "", webhook_verdict_name(r.verdict),
                                 r.delay, r.code, r.reason);
                assert_int_equal(r.verdict == WEBHOOK_DELIVERED, r.reason[0] == '\0');
        }
}

static void expect_reason(enum channel_format f, int status, const char *body, const char *want) {
        struct webhook_reply r;

        webhook_reply_classify(f, status, NULL, NOW, body, body ? strlen(body) : 0, &r);
        assert_string_equal(r.reason, want);
}

static void test_reasons(void **state) {
        (void) state;
        expect_reason(CHANNEL_WECOM, 200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}",
                      "errcode 93000: invalid webhook: check the channel's url and key "
                      "(invalid webhook url)");
        expect_reason(CHANNEL_FEISHU, 200, "{\"code\":19024}",
                      "code 19024: keyword check failed: the bot wants a keyword in every message");
        expect_reason(CHANNEL_DINGTALK, 200, "{\"errcode\":400013,\"errmsg\":\"群已被解散\"}",
                      "errcode 400013: refused (群已被解散)");
        expect_reason(CHANNEL_JSON, 410, NULL, "HTTP 410: the endpoint is gone");
        expect_reason(CHANNEL_JSON, 302, NULL,
                      "HTTP 302: redirected; set the channel's url to the new address");
        expect_reason(CHANNEL_JSON, 0, NULL, "no answer");
        expect_reason(CHANNEL_WECOM, 200, "nope", "HTTP 200 without a result code in the reply");
}

/* A peer's message reaches logs and terminals: controls become spaces, bad
 * bytes '?', and a long one is cut between characters. */
static void test_peer_text_cleaned(void **state) {
        static const char body[] = "{\"errcode\":1,\"errmsg\":\"a\\u001b[31mb\\nc\"}";
        char big[1024];
        struct webhook_reply r;
        size_t n;

        (void) state;
        expect_reason(CHANNEL_WECOM, 200, body, "errcode 1: refused (a [31mb c)");
        expect_reason(CHANNEL_WECOM, 200, "{\"errcode\":1,\"errmsg\":\"x\xff\"}",
                      "errcode 1: refused (x?)");
        n = (size_t) snprintf(big, sizeof big, "{\"errcode\":1,\"errmsg\":\"");
        for (int i = 0; i < 100; i++)
                n += (size_t) snprintf(big + n, sizeof big - n, "错");
        snprintf(big + n, sizeof big - n, "\"}");
        webhook_reply_classify(CHANNEL_WECOM, 200, NULL, NOW, big, strlen(big), &r);
        assert_int_equal(strncmp(r.reason, "errcode 1: refused (错错", 26), 0);
        /* 31 characters of three bytes fit in the 95 the message may take. */
        assert_int_equal(strlen(r.reason), strlen("errcode 1: refused ()") + 31 * 3);
}

/* Reading stops at the given size: the body need not end with a NUL. */
static void test_body_size(void **state) {
        static const char body[] = "{\"errcode\":0}garbage";
        struct webhook_reply r;

        (void) state;
        webhook_reply_classify(CHANNEL_WECOM, 200, NULL, NOW, body, 13, &r);
        assert_int_equal(r.verdict, WEBHOOK_DELIVERED);
        webhook_reply_classify(CHANNEL_WECOM, 200, NULL, NOW, body, 12, &r);
        assert_int_equal(r.verdict, WEBHOOK_RETRY);
}

static void test_retry_after(void **state) {
        (void) state;
        assert_int_equal(webhook_retry_after("0", NOW), 0);
        assert_int_equal(webhook_retry_after("120", NOW), 120);
        assert_int_equal(webhook_retry_after("\t120 ", NOW), 120);
        assert_int_equal(webhook_retry_after("12 0", NOW), -1);
        assert_int_equal(webhook_retry_after("", NOW), -1);
        assert_int_equal(webhook_retry_after("1.5", NOW), -1);
        assert_int_equal(webhook_retry_after("Tue, 07 Oct 2025 01:02:00 GMT", NOW), 120);
        assert_int_equal(webhook_retry_after("Tuesday, 07-Oct-25 01:02:00 GMT", NOW), 120);
        assert_int_equal(webhook_retry_after("Tue Oct  7 01:02:00 2025", NOW), 120);
        assert_int_equal(webhook_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", NOW),
                         WEBHOOK_DELAY_MAX);
        assert_int_equal(webhook_retry_after("Tue, 07 Oct 2025 01:02:00 GMT+", NOW), -1);
}

static void test_names(void **state) {
        (void) state;
        assert_string_equal(webhook_verdict_name(WEBHOOK_DELIVERED), "delivered");
        assert_string_equal(webhook_verdict_name(WEBHOOK_RETRY), "retry");
        assert_string_equal(webhook_verdict_name(WEBHOOK_PERMANENT), "permanent");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_reasons),
                cmocka_unit_test(test_peer_text_cleaned),
                cmocka_unit_test(test_body_size),
                cmocka_unit_test(test_retry_after),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
