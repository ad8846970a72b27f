/* SPDX-License-Identifier: MIT */
#pragma once

/* The HTTP request that carries one message to one webhook channel: URL,
 * headers and body, signed as the channel's format wants: as the group-robot
 * documentation of WeCom (企业微信群机器人), DingTalk (自定义机器人) and Feishu
 * (自定义机器人) describes it, and for json as the Standard Webhooks
 * specification does. Pure: the clock and the secret are passed in, and the
 * daemon does the sending.
 *
 *   json      Standard Webhooks: webhook-id (the idempotency key, the same on
 *             every retry), webhook-timestamp, and when there is a secret
 *             webhook-signature "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>";
 *             a "whsec_<base64>" secret's key is the decoded bytes, any other
 *             secret's its bytes as written. The body:
 *               {"type":"ledger.reminder","timestamp":"<ISO 8601 UTC>",
 *                "data":{"id","late","subject","text","feed_url" (or null),
 *                        "mobiles":[…],"reminders":[{"kind","at","day","ledger",
 *                        "ledger_title","task","milestone","item","label","due",
 *                        "days_left","deadline","owners":[{"id","name"}],
 *                        "recipients":[owner ids]}]}}
 *             ("at" an ISO 8601 UTC instant, "day" and "due" YYYY-MM-DD,
 *             days_left negative once overdue).
 *   slack     {"text":…}
 *   wecom     text message, mobiles in mentioned_mobile_list.
 *   dingtalk  text message, mobiles in at.atMobiles and as "@mobile" in the
 *             text; with a secret, &timestamp=<ms>&sign=<urlencoded sign> on the URL.
 *   feishu    text message; with a secret, timestamp (seconds) and sign in the body.
 * The text of the bots and Slack is the subject, a blank line and the body,
 * cut to the format's limit (WeCom 2048 bytes) between characters and ended
 * with "…" and the link when one is given. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/model.h"

struct reminder; /* ledger/schedule.h: only pointed to */

struct webhook_input {
        const struct channel *channel;
        const char *secret;  /* the secret file's contents (blanks around it ignored); NULL: none */
        const char *id;      /* the idempotency key: the same on every retry of the message */
        int64_t now_ms;      /* Unix time of this try, in milliseconds */
        const char *subject; /* one line */
        const char *body;
        const char *link;    /* the feed URL, for a shortened text and json; NULL: none */
        const char *const *mobiles; /* to @mention in wecom and dingtalk */
        size_t n_mobiles;
        const struct reminder *const *reminders; /* what the message is about, for json */
        size_t n_reminders;
        bool late; /* catch-up after downtime, for json */
};

#define WEBHOOK_HEADERS_MAX 4

struct webhook_request {
        char *url;
        char *headers[WEBHOOK_HEADERS_MAX]; /* "Name: value", for CURLOPT_HTTPHEADER */
        size_t n_headers;
        char *body; /* POSTed as it is, body_size bytes, NUL-terminated */
        size_t body_size;
};

/* 0; -EINVAL for a bad secret ("whsec_" and not base64), a json channel
 * without an id, or an id with control characters; -ENOMEM. Free with
 * webhook_request_free(), also after an error. */
int webhook_build(const struct webhook_input *in, struct webhook_request *out);
void webhook_request_free(struct webhook_request *r);

/* The most bytes of text a format takes in one message; 0: no limit. */
size_t webhook_text_max(enum channel_format f);
/* text when it fits in max bytes; else its longest start that ends between
 * two characters and leaves room for "…" and, on a line of its own, link
 * (NULL: none; left out when even it does not fit). NULL when out of memory. */
char *webhook_shorten(const char *text, size_t max, const char *link);
