/* SPDX-License-Identifier: MIT */
#pragma once

/* What differs between the formats of webhook channels, in one table
 * indexed by enum channel_format: how a request is made and how big it may
 * be (webhook.c), and how its reply is read (webhook-reply.c). Adding a
 * format is adding a row and its builder, format-*.c; no other code asks
 * which format it has. Internal to notify/. */

#include <json-c/json.h>
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

/* Where a bot's reply body says its code and message, the current API's
 * key first, and how a reason names the code ("errcode 45009: …"). */
struct webhook_bot_reply {
        const char *code_keys[2], *message_keys[2];
        const char *code_word;
};

/* How big a message may be, as its platform's documentation says. */
struct webhook_limit {
        const char *field; /* the string counted, a dotted path ("markdown.content"); NULL: the body */
        size_t bytes;      /* at most this many bytes of it (UTF-8); 0: no limit */
        const char *array; /* an array whose length is limited ("blocks"); NULL: none */
        size_t items;      /* at most this many elements in it */
};

/* The body of request in->step, with the signing key (key_size 0: no
 * secret) for formats that sign in the body. NULL when out of memory. */
typedef struct json_object *(*webhook_body_fn)(const struct webhook_input *in, const uint8_t *key,
                                               size_t key_size);
/* The body written as bytes into *body (*size of them, the caller's to
 * free): 0 or -ENOMEM. */
typedef int (*webhook_write_fn)(const struct webhook_input *in, char **body, size_t *size);
typedef int (*webhook_step_fn)(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                               struct webhook_request *req);

struct webhook_format {
        /* ---- the request ---- */
        const char *content_type;
        bool whsec_secret; /* a "whsec_…" secret is the base64 of the key (Standard Webhooks) */
        bool needs_id;     /* the id is sent (webhook-id): it must be a valid header value */
        struct webhook_limit limit;
        webhook_body_fn body;
        /* Instead of body, the body written straight as bytes, no tree: for
         * a format whose limit, if any, counts the whole body (json, whose
         * digests are the largest bodies); NULL: body. */
        webhook_write_fn write;
        /* A second request when there are mobiles to @mention that the body
         * cannot (WeCom's markdown); NULL: none. */
        webhook_body_fn mention;
        struct webhook_limit mention_limit;
        webhook_step_fn headers; /* more headers after the body (a signature); NULL: none */
        webhook_step_fn url;     /* NULL: the channel's url as it is */
        /* ---- the reply ---- */
        /* A bot answers HTTP 200 even when it refuses, with the verdict as a
         * code in the body, read as this says; NULL: the status decides. */
        const struct webhook_bot_reply *bot_reply;
        const struct webhook_code *codes; /* the codes the bot's documentation names */
        size_t n_codes;
};

/* The signing steps the rows name (webhook.c): Standard Webhooks headers,
 * and DingTalk's signed URL. */
int webhook_json_headers(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req);
int webhook_dingtalk_url(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req);

/* The row of format f. */
const struct webhook_format *webhook_format_of(enum channel_format f);
