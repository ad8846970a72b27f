/* SPDX-License-Identifier: MIT */
#include "notify/webhook-format.h"

#include "notify/formats.h"

#define JSON_UTF8 "application/json; charset=utf-8"
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The codes each bot's documentation names, and -1, "system busy" on WeCom
 * and DingTalk. */
static const struct webhook_code wecom_codes[] = {
        { -1, WEBHOOK_RETRY, 0, "system busy" },
        { 40058, WEBHOOK_PERMANENT, 0, "the message is over the robot's size limit" },
        { 45009, WEBHOOK_RETRY, 60, "rate limited, 20 messages a minute per robot" },
        { 93000, WEBHOOK_PERMANENT, 0, "invalid webhook: check the channel's url and key" },
};

static const struct webhook_code dingtalk_codes[] = {
        { -1, WEBHOOK_RETRY, 0, "system busy" },
        { 130101, WEBHOOK_RETRY, 600, "sent too fast, the robot is throttled for 10 minutes" },
        { 310000, WEBHOOK_PERMANENT, 0,
          "keyword or signature mismatch: check the robot's security settings and the "
          "channel's secret" },
};

static const struct webhook_code feishu_codes[] = {
        { 9499, WEBHOOK_PERMANENT, 0, "bad request" },
        { 11232, WEBHOOK_RETRY, 60, "rate limited" },
        { 19021, WEBHOOK_PERMANENT, 0,
          "signature mismatch or stale timestamp: check the channel's secret and the clock" },
        { 19022, WEBHOOK_PERMANENT, 0, "this address is not allowed to post to the bot" },
        { 19024, WEBHOOK_PERMANENT, 0,
          "keyword check failed: the bot wants a keyword in every message" },
};

/* WeCom and DingTalk say errcode/errmsg; Feishu code/msg, and
 * StatusCode/StatusMessage in its older API. */
static const struct webhook_bot_reply errcode_reply = {
        .code_keys = { "errcode", "errcode" },
        .message_keys = { "errmsg", "errmsg" },
        .code_word = "errcode",
};

static const struct webhook_bot_reply feishu_reply = {
        .code_keys = { "code", "StatusCode" },
        .message_keys = { "msg", "StatusMessage" },
        .code_word = "code",
};

/* The limits are the platforms' documented ones (man/webhook-formats.md):
 * WeCom's markdown 4,096 bytes and text 2,048; Feishu's request 20 KB;
 * Slack's 50 blocks. DingTalk documents none: its refusals name 20,000
 * bytes. Slack's refusal of long blocks (msg_blocks_too_long) is reported
 * near 13,000 characters: 30,000 bytes of Chinese stay under it. */
static const struct webhook_format formats[] = {
        [CHANNEL_JSON] = {
                .content_type = JSON_UTF8,
                .whsec_secret = true,
                .needs_id = true,
                .write = json_payload,
                .headers = webhook_json_headers,
        },
        [CHANNEL_SLACK] = {
                .content_type = JSON_UTF8,
                .limit = { .bytes = 30000, .array = "blocks", .items = 50 },
                .body = slack_blocks,
        },
        [CHANNEL_WECOM] = {
                .content_type = JSON_UTF8,
                .limit = { .field = "markdown.content", .bytes = 4096 },
                .body = wecom_markdown,
                .mention = wecom_mention,
                .mention_limit = { .field = "text.content", .bytes = 2048 },
                .bot_reply = &errcode_reply,
                .codes = wecom_codes,
                .n_codes = N(wecom_codes),
        },
        [CHANNEL_DINGTALK] = {
                .content_type = JSON_UTF8,
                .limit = { .bytes = 20000 },
                .body = dingtalk_markdown,
                .url = webhook_dingtalk_url,
                .bot_reply = &errcode_reply,
                .codes = dingtalk_codes,
                .n_codes = N(dingtalk_codes),
        },
        [CHANNEL_FEISHU] = {
                .content_type = JSON_UTF8,
                .limit = { .bytes = 20000 },
                .body = feishu_card,
                .bot_reply = &feishu_reply,
                .codes = feishu_codes,
                .n_codes = N(feishu_codes),
        },
};

const struct webhook_format *webhook_format_of(enum channel_format f) {
        return &formats[f];
}
