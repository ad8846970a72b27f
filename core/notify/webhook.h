/* SPDX-License-Identifier: MIT */
#pragma once

/* The HTTP requests that carry one message to one webhook channel: URL,
 * headers and body, in the platform's own way of showing it and signed as
 * it wants. man/webhook-formats.md has the platforms' documentation this
 * follows; the limits are in one table, webhook-format.c. Pure: the clock
 * and the secret are passed in, and the daemon does the sending.
 *
 *   wecom     a markdown message: the title in bold, then per item a line
 *             with its due date, days left, item and owners, and a line of
 *             links [已完成] 推迟[1天][3天][7天] [查看]. Markdown cannot
 *             @mention by mobile, so with mobiles to mention the message
 *             has a second request: a text message with
 *             mentioned_mobile_list.
 *   dingtalk  a markdown message laid out the same way, "@mobile" in its
 *             text and the mobiles in at.atMobiles; with a secret,
 *             &timestamp=<ms>&sign=<urlencoded sign> on the URL.
 *   feishu    an interactive card: a header, per item a lark_md block and
 *             a row of url buttons, then <at id=…> for the owners' Feishu
 *             ids; with a secret, timestamp (seconds) and sign in the body.
 *   slack     Block Kit: a header, per item a section and an actions block
 *             of url buttons, a context block; "text" is the notification.
 *   json      Standard Webhooks: webhook-id (the same on every retry),
 *             webhook-timestamp, with a secret webhook-signature
 *             "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" (a
 *             "whsec_<base64>" secret's key is the decoded bytes). The body
 *             follows man/ledgerd-webhook.schema.json: the items with their
 *             action URLs.
 *
 * A message that does not fit its platform's limit is refused with
 * -EMSGSIZE: the courier splits digests before that, and shortens an item
 * that is too large alone (card_shorten()). Nothing is ever cut here. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/model.h"

struct card;

struct webhook_input {
        const struct channel *channel;
        const char *secret;  /* the secret file's contents (blanks around it ignored); NULL: none */
        const char *id;      /* the idempotency key: the same on every retry of the message */
        int64_t now_ms;      /* the real time of this try, in milliseconds: peers check it */
        const struct card *card; /* what the message says */
        const char *text;    /* the same as plain text (json's "text"); NULL: none */
        const char *const *mobiles; /* to @mention (wecom, dingtalk) */
        size_t n_mobiles;
        const char *const *feishu_ids; /* to @mention on Feishu (open_id or user_id) */
        size_t n_feishu_ids;
        unsigned part, parts; /* of a split digest; 0: not split */
        unsigned step;        /* which request of the message, from 0 (webhook_steps()) */
        size_t headroom;      /* bytes kept free under the limit: see courier's splitting */
};

#define WEBHOOK_HEADERS_MAX 4

struct webhook_request {
        char *url;
        char *headers[WEBHOOK_HEADERS_MAX]; /* "Name: value", for CURLOPT_HTTPHEADER */
        size_t n_headers;
        char *body; /* POSTed as it is, body_size bytes, NUL-terminated */
        size_t body_size;
};

/* Whether format f has a limit a digest may exceed (json has none). */
bool webhook_limited(enum channel_format f);

/* How many requests the message takes: 2 for a WeCom message with mobiles
 * to mention, else 1. */
unsigned webhook_steps(const struct webhook_input *in);

/* Request in->step of the message. 0; -EMSGSIZE when it does not fit the
 * platform's limit (less in->headroom); -EINVAL for a bad secret ("whsec_"
 * and not base64), a json channel without an id, or an id with control
 * characters; -ENOMEM. Free with webhook_request_free(), also after an
 * error. */
int webhook_build(const struct webhook_input *in, struct webhook_request *out);
void webhook_request_free(struct webhook_request *r);
