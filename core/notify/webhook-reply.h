/* SPDX-License-Identifier: MIT */
#pragma once

/* What a webhook peer's answer means for the delivery: delivered, try again
 * later, or stop for good. The office bots (WeCom, DingTalk, Feishu) answer
 * HTTP 200 even when they refuse a message, with the verdict as a code in
 * the JSON body, so the body is read too. Pure: the caller does the I/O and
 * passes what it received. */

#include <stddef.h>
#include <time.h>

#include "ledger/model.h"

enum webhook_verdict {
        WEBHOOK_DELIVERED,
        WEBHOOK_RETRY,     /* a passing failure: try again after a delay */
        WEBHOOK_PERMANENT, /* trying again cannot help: fail now, say why */
};

#define WEBHOOK_REASON_MAX 200

struct webhook_reply {
        enum webhook_verdict verdict;
        long delay;  /* RETRY: seconds the peer asks us to wait at least; 0: no hint */
        long code;   /* the bot's errcode / code; 0 when none or not read */
        char reason[WEBHOOK_REASON_MAX]; /* for the log and ledgerctl; "" when delivered */
};

/* Bodies longer than this are not parsed: no bot answers with so much. */
#define WEBHOOK_REPLY_BODY_MAX 65536

/* status: the HTTP status, or 0 when no answer came (connection refused,
 * timeout, TLS failure: all worth another try). retry_after: the header's
 * value or NULL; now: for a Retry-After given as a date. body need not end
 * with a NUL. */
void webhook_reply_classify(enum channel_format format, int status, const char *retry_after,
                            time_t now, const char *body, size_t body_size,
                            struct webhook_reply *out);

/* A Retry-After value, delay-seconds or an HTTP-date (RFC 9110 10.2.3), as
 * seconds from now (0 for a date in the past, at most WEBHOOK_DELAY_MAX);
 * -1 when it cannot be read. */
#define WEBHOOK_DELAY_MAX (7L * 24 * 3600)
long webhook_retry_after(const char *value, time_t now);

const char *webhook_verdict_name(enum webhook_verdict v); /* "delivered", "retry", "permanent" */
