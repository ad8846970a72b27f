/* SPDX-License-Identifier: MIT */
#pragma once

/* What differs between the formats of webhook channels, in one table
 * indexed by enum channel_format: how a request is made (webhook.c) and how
 * its reply is read (webhook-reply.c). Adding a format is adding a row;
 * no other code asks which format it has. Internal to notify/. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/model.h"
#include "notify/webhook-reply.h"
#include "notify/webhook.h"

/* A bot's reply code that the bot's documentation names, and what it means
 * for the delivery. Any other non-zero code is permanent: the same message
 * would be refused the same way again. */
struct webhook_code {
        long code;
        enum webhook_verdict verdict;
        long delay; /* WEBHOOK_RETRY: seconds to wait at least; 0: no hint */
        const char *meaning;
};

/* Fills the request's body, or its URL, for in with the signing key (key_size
 * 0: no secret). text: the subject and body as one text for formats that
 * want it, else NULL. 0 or -errno. */
/* Where a bot's reply body says its code and message, the current API's
 * key first, and how a reason names the code ("errcode 45009: …"). */
struct webhook_bot_reply {
        const char *code_keys[2], *message_keys[2];
        const char *code_word;
};

typedef int (*webhook_body_fn)(const struct webhook_input *in, const char *text,
                               const uint8_t *key, size_t key_size, struct webhook_request *req);
typedef int (*webhook_step_fn)(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                               struct webhook_request *req);

struct webhook_format {
        /* ---- the request ---- */
        const char *content_type;
        /* The subject and body go as one text, cut to text_max bytes (0: no
         * limit); false: the body builder takes them apart (json). */
        bool one_text;
        size_t text_max;
        bool mentions_in_text; /* "@mobile" ends the text too (DingTalk highlights only those) */
        bool whsec_secret;     /* a "whsec_…" secret is the base64 of the key (Standard Webhooks) */
        bool needs_id;         /* the id is sent (webhook-id): it must be a valid header value */
        webhook_body_fn body;
        webhook_step_fn headers; /* more headers after the body (a signature); NULL: none */
        webhook_step_fn url;     /* NULL: the channel's url as it is */
        /* ---- the reply ---- */
        /* A bot answers HTTP 200 even when it refuses, with the verdict as a
         * code in the body, read as this says; NULL: the status decides. */
        const struct webhook_bot_reply *bot_reply;
        const struct webhook_code *codes; /* the codes the bot's documentation names */
        size_t n_codes;
};

/* The row of format f. */
const struct webhook_format *webhook_format_of(enum channel_format f);

/* The builders the rows name (webhook.c). */
int webhook_json_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                      size_t key_size, struct webhook_request *req);
int webhook_slack_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                       size_t key_size, struct webhook_request *req);
int webhook_wecom_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                       size_t key_size, struct webhook_request *req);
int webhook_dingtalk_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                          size_t key_size, struct webhook_request *req);
int webhook_feishu_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                        size_t key_size, struct webhook_request *req);
int webhook_json_headers(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req);
int webhook_dingtalk_url(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req);
