/* SPDX-License-Identifier: MIT */
/* Webhook requests byte for byte: the reference's Feishu and DingTalk
 * signatures, Standard Webhooks headers and signature, the bots' bodies
 * with mentions, and texts cut to size between characters. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/text.h"
#include "ledger/schedule.h"
#include "notify/webhook.h"

#define TS_MS INT64_C(1599360473000)

static const char *const mobiles[] = { "13800000000", "13900000000" };

static struct channel channel(enum channel_format f, const char *url) {
        return (struct channel) { .id = "grp", .format = f, .url = (char *) url };
}

static struct webhook_input input(const struct channel *c, const char *secret) {
        return (struct webhook_input) { .channel = c,
                                       .secret = secret,
                                       .id = "yuli-2025/15.1/upcoming/czj",
                                       .now_ms = TS_MS,
                                       .subject = "提醒",
                                       .body = "请按时办结。\n" };
}

static void build(const struct webhook_input *in, struct webhook_request *req) {
        assert_int_equal(webhook_build(in, req), 0);
        assert_int_equal(req->body_size, strlen(req->body));
        assert_string_equal(req->headers[0], "Content-Type: application/json; charset=utf-8");
}

/* The reference's vector: secret "demo" at 1599360473; the secret file's
 * newline does not count. */
static void test_feishu(void **state) {
        struct channel c =
                channel(CHANNEL_FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/ID");
        struct webhook_input in = input(&c, "demo\n");
        struct webhook_request req;

        (void) state;
        build(&in, &req);
        assert_string_equal(req.url, "https://open.feishu.cn/open-apis/bot/v2/hook/ID");
        assert_int_equal(req.n_headers, 1);
        assert_string_equal(
                req.body,
                "{\"timestamp\":\"1599360473\","
                "\"sign\":\"l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=\","
                "\"msg_type\":\"text\",\"content\":{\"text\":\"提醒\\n\\n请按时办结。\"}}");
        webhook_request_free(&req);
        in.secret = NULL;
        build(&in, &req);
        assert_string_equal(
                req.body,
                "{\"msg_type\":\"text\",\"content\":{\"text\":\"提醒\\n\\n请按时办结。\"}}");
        webhook_request_free(&req);
        assert_null(req.body);
}

static void test_dingtalk(void **state) {
        struct channel c =
                channel(CHANNEL_DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=T");
        struct webhook_input in = input(&c, "demo");
        struct webhook_request req;

        (void) state;
        in.mobiles = mobiles, in.n_mobiles = 2;
        build(&in, &req);
        assert_string_equal(
                req.url,
                "https://oapi.dingtalk.com/robot/send?access_token=T"
                "&timestamp=1599360473000&sign=eblRZvilBzXa6Ce18IeBM4pMy1rYNWKicaCg6VMwQe0%3D");
        assert_string_equal(req.body,
                            "{\"msgtype\":\"text\",\"text\":{\"content\":\"提醒\\n\\n请按时办结。"
                            "\\n@13800000000 @13900000000\"},\"at\":{\"atMobiles\":"
                            "[\"13800000000\",\"13900000000\"],\"isAtAll\":false}}");
        webhook_request_free(&req);
        /* Without a secret the URL is left alone; without mobiles, no @. */
        in.secret = NULL, in.n_mobiles = 0;
        build(&in, &req);
        assert_string_equal(req.url, "https://oapi.dingtalk.com/robot/send?access_token=T");
        assert_string_equal(
                req.body, "{\"msgtype\":\"text\",\"text\":{\"content\":\"提醒\\n\\n请按时办结。\"},"
                          "\"at\":{\"atMobiles\":[],\"isAtAll\":false}}");
        webhook_request_free(&req);
}

/* A URL without a query gets '?'; '+' and '/' of the sign are encoded too. */
static void test_dingtalk_encoding(void **state) {
        struct channel c = channel(CHANNEL_DINGTALK, "http://127.0.0.1:8080/robot");
        struct webhook_input in = input(&c, "SECabc");
        struct webhook_request req;

        (void) state;
        in.now_ms = 1700000000011;
        build(&in, &req);
        assert_string_equal(req.url, "http://127.0.0.1:8080/robot?timestamp=1700000000011"
                                     "&sign=xExLZuBAxaIrop0wGL20%2F%2Bdu634TRY5oq4uQ3Y9B5rw%3D");
        webhook_request_free(&req);
}

static void test_wecom(void **state) {
        struct channel c =
                channel(CHANNEL_WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        struct webhook_input in = input(&c, NULL);
        struct webhook_request req;

        (void) state;
        in.mobiles = mobiles, in.n_mobiles = 1;
        build(&in, &req);
        assert_string_equal(req.url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        assert_string_equal(
                req.body, "{\"msgtype\":\"text\",\"text\":{\"content\":\"提醒\\n\\n请按时办结。\","
                          "\"mentioned_mobile_list\":[\"13800000000\"]}}");
        webhook_request_free(&req);
        in.n_mobiles = 0, in.body = NULL;
        build(&in, &req);
        assert_string_equal(req.body, "{\"msgtype\":\"text\",\"text\":{\"content\":\"提醒\"}}");
        webhook_request_free(&req);
}

static void test_slack(void **state) {
        struct channel c = channel(CHANNEL_SLACK, "https://hooks.slack.com/services/X");
        struct webhook_input in = input(&c, "ignored");
        struct webhook_request req;

        (void) state;
        in.subject = "a/b \"q\"";
        build(&in, &req);
        assert_string_equal(req.body, "{\"text\":\"a/b \\\"q\\\"\\n\\n请按时办结。\"}");
        assert_int_equal(req.n_headers, 1);
        webhook_request_free(&req);
}

/* 1,000 Chinese characters for WeCom: cut to 2048 bytes between characters,
 * ended with "…" and the feed. */
static void test_wecom_size_limit(void **state) {
        struct channel c =
                channel(CHANNEL_WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        struct webhook_input in = input(&c, NULL);
        struct webhook_request req;
        struct json_object *o, *t, *content;
        char *body = malloc(3001);
        const char *s;

        (void) state;
        for (int i = 0; i < 1000; i++)
                memcpy(body + 3 * i, "账", 3);
        body[3000] = '\0';
        in.subject = "S", in.body = body, in.link = "https://f.example/c.ics"; /* 23 bytes */
        build(&in, &req);
        o = json_tokener_parse(req.body);
        assert_true(json_object_object_get_ex(o, "text", &t));
        assert_true(json_object_object_get_ex(t, "content", &content));
        s = json_object_get_string(content);
        /* 2048 - 3 ("…") - 1 - 23 = 2021 for "S\n\n" and 672 characters. */
        assert_int_equal(strlen(s), 3 + 672 * 3 + 3 + 1 + 23);
        assert_memory_equal(s, "S\n\n账账", 9);
        assert_string_equal(s + 3 + 672 * 3, "…\nhttps://f.example/c.ics");
        json_object_put(o);
        webhook_request_free(&req);
        free(body);
}

/* DingTalk keeps room for the mentions at the end. */
static void test_dingtalk_size_limit(void **state) {
        struct channel c =
                channel(CHANNEL_DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=T");
        struct webhook_input in = input(&c, NULL);
        struct webhook_request req;
        char *body = malloc(20001);
        size_t n;

        (void) state;
        memset(body, 'x', 20000);
        body[20000] = '\0';
        in.subject = "", in.body = body, in.mobiles = mobiles, in.n_mobiles = 2;
        build(&in, &req);
        n = strlen(req.body);
        /* 15000 bytes of text in the body: 14971 x, "…" and 26 bytes of mentions. */
        assert_int_equal(
                n, strlen("{\"msgtype\":\"text\",\"text\":{\"content\":\"\"},\"at\":{\"atMobiles\":"
                          "[\"13800000000\",\"13900000000\"],\"isAtAll\":false}}") +
                           14971 + 3 + strlen("\\n@13800000000 @13900000000"));
        assert_non_null(strstr(req.body, "xxx…\\n@13800000000 @13900000000\"}"));
        webhook_request_free(&req);
        free(body);
}

static struct owner czj = { .id = "czj", .name = "县财政局" };
static struct owner sjj = { .id = "sjj", .name = "县审计局" };
static const struct owner *both[] = { &czj, &sjj };
static const struct owner *just_czj[] = { &czj };
static struct ledger ledger = { .id = "yuli-2025", .title = "2025年预算绩效管理工作台账" };
static struct task task15 = { .id = "15",
                              .item = "部门整体支出绩效自评",
                              .deadline = "3月底之前",
                              .owners = both,
                              .n_owners = 2,
                              .ledger = &ledger };
static struct milestone m15_1 = { .id = "15.1", .label = "单位自评", .task = &task15 };

#define JSON_BODY                                                                                              \
        "{\"type\":\"ledger.reminder\",\"timestamp\":\"2020-09-06T02:47:53Z\",\"data\":{"                      \
        "\"id\":\"yuli-2025/15.1/upcoming/czj\",\"late\":false,\"subject\":\"提醒\","                        \
        "\"text\":\"请按时办结。\\n\",\"feed_url\":null,\"mobiles\":[\"13800000000\"],"                  \
        "\"reminders\":[{\"kind\":\"upcoming\",\"at\":\"2025-03-24T01:00:00Z\",\"day\":\"2025-03-24\","        \
        "\"ledger\":\"yuli-2025\",\"ledger_title\":\"2025年预算绩效管理工作台账\",\"task\":\"15\"," \
        "\"milestone\":\"15.1\",\"item\":\"部门整体支出绩效自评\",\"label\":\"单位自评\","       \
        "\"due\":\"2025-03-31\",\"days_left\":7,\"deadline\":\"3月底之前\",\"owners\":["                   \
        "{\"id\":\"czj\",\"name\":\"县财政局\"},{\"id\":\"sjj\",\"name\":\"县审计局\"}],"              \
        "\"recipients\":[\"czj\"]}]}}"

static struct webhook_input json_input(const struct channel *c, const char *secret,
                                       const struct reminder *const *rs) {
        struct webhook_input in = input(c, secret);

        in.mobiles = mobiles, in.n_mobiles = 1;
        in.reminders = rs, in.n_reminders = 1;
        return in;
}

static struct reminder reminder15(void) {
        m15_1.due = date_from_ymd(2025, 3, 31);
        return (struct reminder) { .at = 1742778000,
                                  .day = date_from_ymd(2025, 3, 24),
                                  .kind = REMINDER_UPCOMING,
                                  .milestone = &m15_1,
                                  .owners = just_czj,
                                  .n_owners = 1 };
}

/* Standard Webhooks: the payload, its headers, and the signature with a
 * "whsec_" secret (the key is the decoded bytes). */
static void test_json(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        const struct reminder *rs[] = { &r };
        struct webhook_input in = json_input(&c, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", rs);
        struct webhook_request req;

        (void) state;
        build(&in, &req);
        assert_string_equal(req.url, "https://hooks.example.org/ledger");
        assert_string_equal(req.body, JSON_BODY);
        assert_int_equal(req.n_headers, 4);
        assert_string_equal(req.headers[1], "webhook-id: yuli-2025/15.1/upcoming/czj");
        assert_string_equal(req.headers[2], "webhook-timestamp: 1599360473");
        assert_string_equal(req.headers[3],
                            "webhook-signature: v1,/nKzO/fP/9lbn1dqZK8EcFuj29r0EcjytaAumZgqUDU=");
        webhook_request_free(&req);
        /* A secret without the prefix is used as written. */
        in.secret = "plain-secret";
        build(&in, &req);
        assert_string_equal(req.headers[3],
                            "webhook-signature: v1,/lk7t1Q+ykfvs975ukKGSBn5443IsyPwyKLR+pJ7CiA=");
        webhook_request_free(&req);
        /* No secret: no signature, the rest the same. */
        in.secret = NULL;
        build(&in, &req);
        assert_string_equal(req.body, JSON_BODY);
        assert_int_equal(req.n_headers, 3);
        webhook_request_free(&req);
}

static void test_json_late_with_feed(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        const struct reminder *rs[] = { &r };
        struct webhook_input in = json_input(&c, NULL, rs);
        struct webhook_request req;

        (void) state;
        in.late = true, in.link = "https://f.example/czj.ics", in.n_mobiles = 0;
        build(&in, &req);
        assert_non_null(strstr(req.body, "\"late\":true,"));
        assert_non_null(
                strstr(req.body, "\"feed_url\":\"https://f.example/czj.ics\",\"mobiles\":[],"));
        webhook_request_free(&req);
}

static void test_invalid(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        const struct reminder *rs[] = { &r };
        struct webhook_input in = json_input(&c, "whsec_not base64!", rs);
        struct webhook_request req;

        (void) state;
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        webhook_request_free(&req);
        in.secret = "whsec_";
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        in.secret = NULL, in.id = NULL;
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        in.id = "";
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        in.id = "a\r\nX-Injected: 1";
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        c.url = NULL, in.id = "ok";
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        assert_null(req.url);
        assert_int_equal(req.n_headers, 0);
}

static void expect_shorten(const char *text, size_t max, const char *link, const char *want) {
        char *s = webhook_shorten(text, max, link);

        assert_non_null(s);
        assert_string_equal(s, want);
        assert_true(max == 0 || strlen(s) <= max);
        free(s);
}

static void test_shorten(void **state) {
        (void) state;
        expect_shorten("台账提醒", 12, "L", "台账提醒");
        expect_shorten("台账提醒", 0, "L", "台账提醒");
        expect_shorten("台账提醒", 11, NULL, "台账…");
        expect_shorten("台账提醒", 10, NULL, "台账…");
        expect_shorten("台账提醒", 9, NULL, "台账…");
        expect_shorten("台账提醒", 8, NULL, "台…");
        expect_shorten("台账提醒", 11, "L", "台账…\nL");
        expect_shorten("台账提醒", 8, "https://long.example", "台…");
        expect_shorten("台账提醒", 2, NULL, "");
        expect_shorten("ab台账提醒", 4, NULL, "a…");
        expect_shorten("ab\xff\xfe台账", 7, NULL, "ab\xff\xfe…");
        expect_shorten("a台\xe8\xb4", 7, NULL, "a台\xe8\xb4");
        expect_shorten("a台\xe8\xb4xx", 7, NULL, "a台…");
}

static void test_limits(void **state) {
        (void) state;
        assert_int_equal(webhook_text_max(CHANNEL_WECOM), 2048);
        assert_int_equal(webhook_text_max(CHANNEL_DINGTALK), 15000);
        assert_int_equal(webhook_text_max(CHANNEL_FEISHU), 18000);
        assert_int_equal(webhook_text_max(CHANNEL_SLACK), 39000);
        assert_int_equal(webhook_text_max(CHANNEL_JSON), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_feishu),
                cmocka_unit_test(test_dingtalk),
                cmocka_unit_test(test_dingtalk_encoding),
                cmocka_unit_test(test_wecom),
                cmocka_unit_test(test_slack),
                cmocka_unit_test(test_wecom_size_limit),
                cmocka_unit_test(test_dingtalk_size_limit),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_json_late_with_feed),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_shorten),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
