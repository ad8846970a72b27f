/* SPDX-License-Identifier: MIT */
#pragma once

/* One try to hand a message to its peer, over the curl loop: an e-mail to
 * an SMTP server (send-mail.c) or a POST to a webhook (send-webhook.c).
 * Both end the same way, with a verdict: delivered, try again later, or
 * stop for good, and the peer's own words for the log.
 *
 * send_mail() and send_webhook() return 0 and call done exactly once,
 * later, from the event loop (never from inside the call); or they return
 * -errno and never call it. When the loop is freed first, done is not
 * called (the delivery stays pending in the log, for the next start). */

#include <stdbool.h>
#include <stddef.h>

#include "courier/curl-loop.h"
#include "ledger/model.h"
#include "notify/webhook.h"

enum send_verdict {
        SEND_DELIVERED,
        SEND_RETRY,     /* a passing failure: try again after a delay */
        SEND_PERMANENT, /* trying again cannot help */
};

#define SEND_TEXT_MAX 200

struct send_result {
        enum send_verdict verdict;
        long delay;                 /* RETRY: seconds the peer asked us to wait; 0: no hint */
        long code;                  /* SMTP reply code; the bot's errcode, else the HTTP status */
        char reason[SEND_TEXT_MAX]; /* why not delivered; "" when delivered */
        char answer[SEND_TEXT_MAX]; /* the peer's answer, for the log and send-test:
                                       "250 2.0.0 Ok: queued as ABC", "HTTP 200 {"errcode":0,…}";
                                       "" when none came */
};

typedef void (*send_done_fn)(const struct send_result *r, void *userdata);

/* "delivered", "retry", "permanent". */
const char *send_verdict_name(enum send_verdict v);

/* How to reach the SMTP server. The daemon fills it from the configuration
 * (struct smtp_settings), with the password already read from its file;
 * the strings need to live only during the send_mail() call. */
struct mail_transport {
        const char *url;   /* smtp://host:port (STARTTLS) or smtps://host:port */
        bool tls_required; /* smtp://: STARTTLS or nothing; false: plain text */
        const char *user;  /* NULL: no AUTH */
        const char *password;
        const char *ca_file; /* NULL: the system's trust store */
        long timeout;        /* seconds for the whole try: connect, send, answer */
};

/* Sends message (RFC 5322 bytes, CRLF lines; copied) from from_addr to
 * every address of rcpt (bare addresses). All recipients or none: a
 * refused recipient ends the try before the message is sent. The try runs
 * on the loop's worker thread (curl_loop_add_blocking()), one message at a
 * time: a server slow to answer delays the next message, never the loop.
 *   delivered  the server accepted the message
 *   permanent  a 5xx reply, AUTH refused, or no STARTTLS while required
 *   retry      anything else: refused connection, timeout, 4xx, TLS errors
 * -EINVAL without url or recipients; -ENOMEM. */
int send_mail(struct curl_loop *loop, const struct mail_transport *t, const char *from_addr,
              const char *const *rcpt, size_t n_rcpt, const char *message, size_t size,
              send_done_fn done, void *userdata);

/* POSTs req (copied: free it after the call) and classifies the answer with
 * webhook_reply_classify(). Redirects are not followed (a 3xx is permanent:
 * the channel's url is to be changed). timeout: seconds for the whole try.
 * -EINVAL without url; -ENOMEM. */
int send_webhook(struct curl_loop *loop, enum channel_format format,
                 const struct webhook_request *req, long timeout, send_done_fn done,
                 void *userdata);

/* Copies n bytes of a peer's text into buf for a log line: whole UTF-8
 * characters only (an invalid byte becomes "?"), controls as spaces, line
 * ends dropped at the end, cut to fit. */
void send_text_copy(char *buf, size_t size, const char *s, size_t n);
/* Why a try ended without an answer, for the log: libcurl's own words for
 * it (errbuf, the transfer's CURLOPT_ERRORBUFFER), else its words for
 * result. Copied as send_text_copy() does. */
void send_curl_error(char *buf, size_t size, const char *errbuf, CURLcode result);

/* A new easy handle for one try, with the options mail and webhooks set
 * alike: url, the protocols libcurl may speak for it ("smtp,smtps"), no
 * signals, timeout seconds (0: the default, 30) to connect and for the
 * whole try, and errbuf (CURL_ERROR_SIZE bytes, to outlive the transfer)
 * for libcurl's words when it fails. 0, or -ENOMEM or -EINVAL and no
 * handle. */
int send_easy_new(const char *url, const char *protocols, long timeout, char *errbuf,
                  CURL **out);
/* A curl_easy_setopt() result as 0 or -errno: -ENOMEM, else -EINVAL. */
int send_curl_errno(CURLcode c);
