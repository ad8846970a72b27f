/* SPDX-License-Identifier: MIT */
/* Webhook requests: the reference's Feishu and DingTalk signatures, Standard
 * Webhooks headers and signature, each platform's own layout of a card with
 * its buttons and mentions, and the limits: a message over its platform's
 * limit is refused, never cut. */

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

#include "ledger/schedule.h"
#include "notify/card.h"
#include "notify/webhook.h"

#define TS_MS INT64_C(1599360473000)

static const char *const mobiles[] = { "13800000000", "13900000000" };

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
static const struct message_links links15 = {
        "https://l.example/act/D", "https://l.example/act/S1", "https://l.example/act/S3",
        "https://l.example/act/S7", "https://l.example/me/P",
};

static struct reminder reminder15(void) {
        m15_1.due = date_from_ymd(2025, 3, 31);
        return (struct reminder) { .at = 1742778000,
                                  .day = date_from_ymd(2025, 3, 24),
                                  .kind = REMINDER_UPCOMING,
                                  .milestone = &m15_1,
                                  .owners = just_czj,
                                  .n_owners = 1 };
}

/* A card of n copies of r, each with links15 (links false: none). */
static void make_card(const struct reminder *r, size_t n, bool links, struct card *c) {
        const struct reminder **rs = calloc(n, sizeof *rs);
        struct message_links *ls = calloc(n, sizeof *ls);
        struct message_input in = { .reminders = rs, .n_reminders = n, .links = links ? ls : NULL };

        for (size_t i = 0; i < n; i++)
                rs[i] = r, ls[i] = links15;
        assert_int_equal(card_build(&in, "【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评", 0, 0, c),
                         0);
        c->page_url = "https://l.example/me/P";
        c->feed_url = "https://l.example/";
        free(rs);
        free(ls);
}

static struct channel channel(enum channel_format f, const char *url) {
        return (struct channel) { .id = "grp", .format = f, .url = (char *) url };
}

static struct webhook_input input(const struct channel *c, const char *secret, const struct card *card) {
        return (struct webhook_input) { .channel = c, .secret = secret, .card = card,
                                       .id = "yuli-2025/15.1/upcoming/czj", .now_ms = TS_MS,
                                       .text = "请按时办结。\n" };
}

/* The request, its body parsed. */
static struct json_object *build(const struct webhook_input *in, struct webhook_request *req) {
        struct json_object *o;

        assert_int_equal(webhook_build(in, req), 0);
        assert_int_equal(req->body_size, strlen(req->body));
        assert_string_equal(req->headers[0], "Content-Type: application/json; charset=utf-8");
        o = json_tokener_parse(req->body);
        assert_non_null(o);
        return o;
}

static const char *get(struct json_object *o, const char *path) {
        char key[64];

        while (*path) {
                size_t n = strcspn(path, ".");

                memcpy(key, path, n);
                key[n] = '\0';
                if (json_object_is_type(o, json_type_array))
                        o = json_object_array_get_idx(o, (size_t) atoi(key));
                else if (!json_object_object_get_ex(o, key, &o))
                        return NULL;
                path += n + (path[n] == '.');
        }
        return json_object_get_string(o);
}

/* The reference's vector: secret "demo" at 1599360473; the secret file's
 * newline does not count. The card: a header, the item, its buttons. */
static void test_feishu(void **state) {
        struct channel c = channel(CHANNEL_FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/ID");
        const char *const ids[] = { "ou_abc" };
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o;

        (void) state;
        make_card(&r, 1, true, &card);
        in = input(&c, "demo\n", &card);
        in.mobiles = mobiles, in.n_mobiles = 2, in.feishu_ids = ids, in.n_feishu_ids = 1;
        assert_int_equal(webhook_steps(&in), 1); /* mentions are in the card */
        o = build(&in, &req);
        assert_string_equal(req.url, "https://open.feishu.cn/open-apis/bot/v2/hook/ID");
        assert_string_equal(get(o, "timestamp"), "1599360473");
        assert_string_equal(get(o, "sign"), "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
        assert_string_equal(get(o, "msg_type"), "interactive");
        assert_string_equal(get(o, "card.header.title.content"), card.title);
        assert_string_equal(get(o, "card.header.template"), "blue");
        assert_string_equal(get(o, "card.elements.0.text.content"),
                            "**3月31日**（还有7天）部门整体支出绩效自评（单位自评）\n县财政局、县审计局");
        assert_string_equal(get(o, "card.elements.1.tag"), "action");
        assert_string_equal(get(o, "card.elements.1.actions.0.text.content"), "已完成");
        assert_string_equal(get(o, "card.elements.1.actions.0.url"), links15.done);
        assert_string_equal(get(o, "card.elements.1.actions.0.type"), "primary");
        assert_string_equal(get(o, "card.elements.1.actions.3.text.content"), "推迟7天");
        assert_string_equal(get(o, "card.elements.1.actions.4.url"), links15.page);
        assert_string_equal(get(o, "card.elements.2.text.content"), "<at id=ou_abc></at>");
        assert_string_equal(get(o, "card.elements.3.tag"), "note");
        json_object_put(o);
        webhook_request_free(&req);
        in.secret = NULL;
        o = build(&in, &req);
        assert_null(get(o, "timestamp"));
        assert_null(get(o, "sign"));
        json_object_put(o);
        webhook_request_free(&req);
        assert_null(req.body);
        card_free(&card);
}

/* Signed URL; markdown with the mobiles written in the text and in at. */
static void test_dingtalk(void **state) {
        struct channel c = channel(CHANNEL_DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=T");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o;
        const char *text;

        (void) state;
        make_card(&r, 1, true, &card);
        in = input(&c, "demo", &card);
        in.mobiles = mobiles, in.n_mobiles = 2;
        o = build(&in, &req);
        assert_string_equal(
                req.url,
                "https://oapi.dingtalk.com/robot/send?access_token=T"
                "&timestamp=1599360473000&sign=eblRZvilBzXa6Ce18IeBM4pMy1rYNWKicaCg6VMwQe0%3D");
        assert_string_equal(get(o, "msgtype"), "markdown");
        assert_string_equal(get(o, "markdown.title"), card.title);
        text = get(o, "markdown.text");
        assert_string_equal(text,
                            "#### 【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评\n\n"
                            "**3月31日** （还有7天）部门整体支出绩效自评（单位自评）　县财政局、县审计局\n\n"
                            "[已完成](https://l.example/act/D)　推迟 [1天](https://l.example/act/S1) "
                            "[3天](https://l.example/act/S3) [7天](https://l.example/act/S7)　"
                            "[查看](https://l.example/me/P)\n\n"
                            "[我的全部事项](https://l.example/me/P)　[订阅日历](https://l.example/)\n\n"
                            "@13800000000 @13900000000");
        assert_string_equal(get(o, "at.atMobiles.1"), "13900000000");
        json_object_put(o);
        webhook_request_free(&req);
        /* Without a secret the URL is left alone. */
        in.secret = NULL;
        o = build(&in, &req);
        assert_string_equal(req.url, "https://oapi.dingtalk.com/robot/send?access_token=T");
        json_object_put(o);
        webhook_request_free(&req);
        card_free(&card);
}

/* A URL without a query gets '?'; '+' and '/' of the sign are encoded too. */
static void test_dingtalk_encoding(void **state) {
        struct channel c = channel(CHANNEL_DINGTALK, "http://127.0.0.1:8080/robot");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;

        (void) state;
        make_card(&r, 1, false, &card);
        in = input(&c, "SECabc", &card);
        in.now_ms = 1700000000011;
        json_object_put(build(&in, &req));
        assert_string_equal(req.url, "http://127.0.0.1:8080/robot?timestamp=1700000000011"
                                     "&sign=xExLZuBAxaIrop0wGL20%2F%2Bdu634TRY5oq4uQ3Y9B5rw%3D");
        webhook_request_free(&req);
        card_free(&card);
}

/* Markdown with colours and links; the mobiles in a second, text request,
 * as WeCom's markdown cannot mention them. */
static void test_wecom(void **state) {
        struct channel c = channel(CHANNEL_WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o;

        (void) state;
        make_card(&r, 1, true, &card);
        in = input(&c, NULL, &card);
        assert_int_equal(webhook_steps(&in), 1);
        in.mobiles = mobiles, in.n_mobiles = 1;
        assert_int_equal(webhook_steps(&in), 2);
        o = build(&in, &req);
        assert_string_equal(req.url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        assert_string_equal(get(o, "msgtype"), "markdown");
        assert_string_equal(get(o, "markdown.content"),
                            "**【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评**\n\n"
                            "**3月31日** <font color=\"info\">还有7天</font>　部门整体支出绩效自评（单位自评）"
                            "　<font color=\"comment\">县财政局、县审计局</font>\n"
                            "[已完成](https://l.example/act/D)　推迟 [1天](https://l.example/act/S1) "
                            "[3天](https://l.example/act/S3) [7天](https://l.example/act/S7)　"
                            "[查看](https://l.example/me/P)\n\n"
                            "[我的全部事项](https://l.example/me/P)　[订阅日历](https://l.example/)");
        assert_null(get(o, "markdown.mentioned_mobile_list"));
        json_object_put(o);
        webhook_request_free(&req);
        in.step = 1;
        o = build(&in, &req);
        assert_string_equal(get(o, "msgtype"), "text");
        assert_string_equal(get(o, "text.mentioned_mobile_list.0"), "13800000000");
        assert_non_null(strstr(get(o, "text.content"), "请查看上一条消息"));
        json_object_put(o);
        webhook_request_free(&req);
        in.step = 2;
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        webhook_request_free(&req);
        card_free(&card);
}

/* Block Kit: header, a section and buttons per item, the links; Slack's
 * mrkdwn escapes &, < and >. */
static void test_slack(void **state) {
        struct channel c = channel(CHANNEL_SLACK, "https://hooks.slack.com/services/X");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o;

        (void) state;
        task15.item = "a<b & c>";
        make_card(&r, 1, true, &card);
        task15.item = "部门整体支出绩效自评";
        in = input(&c, "ignored", &card);
        o = build(&in, &req);
        assert_int_equal(req.n_headers, 1);
        assert_string_equal(get(o, "text"), card.title);
        assert_string_equal(get(o, "blocks.0.type"), "header");
        assert_string_equal(get(o, "blocks.1.text.type"), "mrkdwn");
        assert_string_equal(get(o, "blocks.1.text.text"),
                            "*3月31日*（还有7天）a&lt;b &amp; c&gt;（单位自评）\n县财政局、县审计局");
        assert_string_equal(get(o, "blocks.2.type"), "actions");
        assert_string_equal(get(o, "blocks.2.elements.0.style"), "primary");
        assert_string_equal(get(o, "blocks.2.elements.4.url"), links15.page);
        assert_string_equal(get(o, "blocks.3.type"), "context");
        json_object_put(o);
        webhook_request_free(&req);
        card_free(&card);
}

/* Markdown's own characters in ledger text show as written, full-width. */
static void test_markdown_plain(void **state) {
        struct channel c = channel(CHANNEL_WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o;

        (void) state;
        task15.item = "**[x](y)**<font>";
        make_card(&r, 1, false, &card);
        task15.item = "部门整体支出绩效自评";
        in = input(&c, NULL, &card);
        o = build(&in, &req);
        assert_non_null(strstr(get(o, "markdown.content"), "＊＊［x］(y)＊＊＜font＞"));
        json_object_put(o);
        webhook_request_free(&req);
        card_free(&card);
}

/* The most rows under each limit, and the refusal one row later. */
static void test_limits(void **state) {
        static const enum channel_format f[] = { CHANNEL_WECOM, CHANNEL_DINGTALK, CHANNEL_FEISHU,
                                                 CHANNEL_SLACK };
        struct reminder r = reminder15();

        (void) state;
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
                struct channel c = channel(f[i], "https://example.org/hook");
                size_t n = 1;

                for (;; n++) {
                        struct card card;
                        struct webhook_request req;
                        struct webhook_input in;
                        int e;

                        make_card(&r, n, true, &card);
                        in = input(&c, NULL, &card);
                        e = webhook_build(&in, &req);
                        webhook_request_free(&req);
                        card_free(&card);
                        if (e == -EMSGSIZE)
                                break;
                        assert_int_equal(e, 0);
                        assert_true(n < 200);
                }
                /* A few items each, never none: nothing is cut to fit. */
                assert_true(n > 3);
        }
}

/* json carries no limit: 200 items go in one payload. */
static void test_json_unlimited(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;
        struct json_object *o, *items;

        (void) state;
        make_card(&r, 200, true, &card);
        in = input(&c, NULL, &card);
        o = build(&in, &req);
        assert_true(json_object_object_get_ex(json_object_object_get(o, "data"), "reminders", &items));
        assert_int_equal(json_object_array_length(items), 200);
        json_object_put(o);
        webhook_request_free(&req);
        card_free(&card);
}

#define JSON_BODY                                                                                      \
        "{\"type\":\"ledger.reminder\",\"timestamp\":\"2020-09-06T02:47:53Z\",\"data\":{"              \
        "\"id\":\"yuli-2025/15.1/upcoming/czj\",\"late\":false,\"part\":1,\"parts\":1,"                \
        "\"subject\":\"【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评\","                  \
        "\"text\":\"请按时办结。\\n\",\"feed_url\":\"https://l.example/\","                            \
        "\"page_url\":\"https://l.example/me/P\",\"mobiles\":[\"13800000000\"],"                        \
        "\"reminders\":[{\"kind\":\"upcoming\",\"at\":\"2025-03-24T01:00:00Z\",\"day\":\"2025-03-24\"," \
        "\"ledger\":\"yuli-2025\",\"ledger_title\":\"2025年预算绩效管理工作台账\",\"task\":\"15\","    \
        "\"milestone\":\"15.1\",\"item\":\"部门整体支出绩效自评\",\"label\":\"单位自评\","              \
        "\"due\":\"2025-03-31\",\"days_left\":7,\"deadline\":\"3月底之前\",\"holiday\":null,"          \
        "\"owners\":[{\"id\":\"czj\",\"name\":\"县财政局\"},{\"id\":\"sjj\",\"name\":\"县审计局\"}],"  \
        "\"recipients\":[\"czj\"],\"actions\":{\"done\":\"https://l.example/act/D\","                  \
        "\"snooze_1d\":\"https://l.example/act/S1\",\"snooze_3d\":\"https://l.example/act/S3\","        \
        "\"snooze_7d\":\"https://l.example/act/S7\",\"page\":\"https://l.example/me/P\"}}]}}"

#define JSON_SIGNATURE_WHSEC "EaVc5AOwNQLNDUxFme+xGVaXxbw8wnn1rH6qYdkiaAE="
#define JSON_SIGNATURE_PLAIN "ymTl0MmZ+8DWa+3mBWYQ1VZZ3s5Z+Ni/dper99p9NXU="

/* Standard Webhooks: the payload, its headers, and the signature with a
 * "whsec_" secret (the key is the decoded bytes). The signatures were
 * computed apart, with Python's hmac over the body above. */
static void test_json(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;

        (void) state;
        make_card(&r, 1, true, &card);
        in = input(&c, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", &card);
        in.mobiles = mobiles, in.n_mobiles = 1;
        json_object_put(build(&in, &req));
        assert_string_equal(req.url, "https://hooks.example.org/ledger");
        assert_string_equal(req.body, JSON_BODY);
        assert_int_equal(req.n_headers, 4);
        assert_string_equal(req.headers[1], "webhook-id: yuli-2025/15.1/upcoming/czj");
        assert_string_equal(req.headers[2], "webhook-timestamp: 1599360473");
        assert_string_equal(req.headers[3], "webhook-signature: v1," JSON_SIGNATURE_WHSEC);
        webhook_request_free(&req);
        /* A secret without the prefix is used as written. */
        in.secret = "plain-secret";
        json_object_put(build(&in, &req));
        assert_string_equal(req.headers[3], "webhook-signature: v1," JSON_SIGNATURE_PLAIN);
        webhook_request_free(&req);
        /* No secret: no signature, the rest the same. */
        in.secret = NULL;
        json_object_put(build(&in, &req));
        assert_string_equal(req.body, JSON_BODY);
        assert_int_equal(req.n_headers, 3);
        webhook_request_free(&req);
        card_free(&card);
}

static void test_json_late_split(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;

        (void) state;
        make_card(&r, 1, false, &card);
        card.late = true;
        in = input(&c, NULL, &card);
        in.part = 2, in.parts = 3;
        json_object_put(build(&in, &req));
        assert_non_null(strstr(req.body, "\"late\":true,\"part\":2,\"parts\":3,"));
        assert_non_null(strstr(req.body, "\"actions\":{\"done\":null,"));
        webhook_request_free(&req);
        card_free(&card);
}

static void test_invalid(void **state) {
        struct channel c = channel(CHANNEL_JSON, "https://hooks.example.org/ledger");
        struct reminder r = reminder15();
        struct webhook_request req;
        struct card card;
        struct webhook_input in;

        (void) state;
        make_card(&r, 1, false, &card);
        in = input(&c, "whsec_not base64!", &card);
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
        in.id = "ok", in.card = NULL;
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        c.url = NULL, in.card = &card;
        assert_int_equal(webhook_build(&in, &req), -EINVAL);
        assert_null(req.url);
        assert_int_equal(req.n_headers, 0);
        card_free(&card);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_feishu),
                cmocka_unit_test(test_dingtalk),
                cmocka_unit_test(test_dingtalk_encoding),
                cmocka_unit_test(test_wecom),
                cmocka_unit_test(test_slack),
                cmocka_unit_test(test_markdown_plain),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_json_unlimited),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_json_late_split),
                cmocka_unit_test(test_invalid),
        };

        return cmocka_run_group_tests_name("webhook", tests, NULL, NULL);
}
