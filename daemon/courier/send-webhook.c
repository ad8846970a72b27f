/* SPDX-License-Identifier: MIT */
#include "courier/send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "basic/cleanup.h"
#include "notify/webhook-reply.h"

/* Of the reply body, in the answer shown to people. */
#define ANSWER_BODY_MAX 150

struct webhook_send {
        enum channel_format format;
        struct curl_slist *headers;
        char *body; /* the reply: up to WEBHOOK_REPLY_BODY_MAX + 1 bytes kept */
        size_t size;
        char error[CURL_ERROR_SIZE];
        send_done_fn done;
        void *userdata;
};

static void webhook_send_free(void *userdata) {
        struct webhook_send *w = userdata;

        curl_slist_free_all(w->headers);
        free(w->body);
        free(w);
}
DEFINE_CLEANUP_FUNC(struct webhook_send, webhook_send_free)

/* Keeps one byte more than the classifier reads, so that it sees an
 * oversized body as such; the rest is read and dropped, not refused, so
 * that the transfer still ends with the status. */
static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        struct webhook_send *w = userdata;
        size_t len = size * n, room = WEBHOOK_REPLY_BODY_MAX + 1 - w->size;
        size_t take = len < room ? len : room;

        if (take > 0) {
                char *b = realloc(w->body, w->size + take);

                if (!b)
                        return 0; /* libcurl ends the transfer: a retry */
                memcpy(b + w->size, data, take);
                w->body = b;
                w->size += take;
        }
        return len;
}

/* "HTTP 200 {"errcode":0,"errmsg":"ok"}": the status and the start of the body. */
static void answer_of(const struct webhook_send *w, long status, char *buf, size_t size) {
        char body[ANSWER_BODY_MAX + 1];

        send_text_copy(body, sizeof body, w->body ? w->body : "", w->size);
        snprintf(buf, size, "HTTP %ld%s%s", status, body[0] ? " " : "", body);
}

static const char *retry_after_of(CURL *easy) {
        struct curl_header *h;

        if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
                return NULL;
        return h->value;
}

static void on_done(CURL *easy, CURLcode result, void *userdata) {
        struct webhook_send *w = userdata;
        struct send_result r = { 0 };
        struct webhook_reply reply;
        send_done_fn done = w->done;
        void *done_userdata = w->userdata;
        long status = 0;

        /* A status that came with a cut body (a timeout while reading it)
         * is no answer either. */
        if (result == CURLE_OK)
                curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        webhook_reply_classify(w->format, (int) status, status ? retry_after_of(easy) : NULL,
                               time(NULL), w->body, w->size, &reply);
        r.verdict = reply.verdict == WEBHOOK_DELIVERED ? SEND_DELIVERED
                    : reply.verdict == WEBHOOK_RETRY   ? SEND_RETRY
                                                       : SEND_PERMANENT;
        r.delay = reply.delay;
        r.code = reply.code ? reply.code : status;
        if (status) {
                snprintf(r.reason, sizeof r.reason, "%s", reply.reason);
                answer_of(w, status, r.answer, sizeof r.answer);
        } else {
                char why[SEND_TEXT_MAX];

                send_curl_error(why, sizeof why, w->error, result);
                snprintf(r.reason, sizeof r.reason, "no answer: %.150s", why);
        }
        curl_easy_cleanup(easy);
        webhook_send_free(w);
        done(&r, done_userdata);
}

static bool has_header(const struct webhook_request *req, const char *name) {
        size_t n = strlen(name);

        for (size_t i = 0; i < req->n_headers; i++)
                if (strncasecmp(req->headers[i], name, n) == 0 && req->headers[i][n] == ':')
                        return true;
        return false;
}

static int add_header(struct webhook_send *w, const char *line) {
        struct curl_slist *l = curl_slist_append(w->headers, line);

        if (!l)
                return -ENOMEM;
        w->headers = l;
        return 0;
}

static int build_headers(struct webhook_send *w, const struct webhook_request *req) {
        int r = 0;

        for (size_t i = 0; r == 0 && i < req->n_headers; i++)
                r = add_header(w, req->headers[i]);
        if (r == 0 && !has_header(req, "Content-Type"))
                r = add_header(w, "Content-Type: application/json; charset=utf-8");
        /* No "Expect: 100-continue" for larger bodies: a wait for nothing
         * with peers that do not answer it. */
        if (r == 0)
                r = add_header(w, "Expect:");
        return r;
}

static int set_options(CURL *e, const struct webhook_request *req, struct webhook_send *w) {
        CURLcode c = CURLE_OK;

#define SET(opt, val) \
        if (c == CURLE_OK) \
        c = curl_easy_setopt(e, opt, val)
        SET(CURLOPT_FOLLOWLOCATION, 0L);
        SET(CURLOPT_USERAGENT, "ledgerd/" LEDGERD_VERSION);
        SET(CURLOPT_HTTPHEADER, w->headers);
        SET(CURLOPT_POST, 1L);
        /* The size first: COPYPOSTFIELDS copies that many bytes. */
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_size);
        SET(CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
        SET(CURLOPT_WRITEFUNCTION, on_body);
        SET(CURLOPT_WRITEDATA, w);
#undef SET
        return send_curl_errno(c);
}

int send_webhook(struct curl_loop *loop, enum channel_format format,
                 const struct webhook_request *req, long timeout, send_done_fn done,
                 void *userdata) {
        _cleanup_(webhook_send_freep) struct webhook_send *w = NULL;
        _cleanup_(curl_easy_cleanupp) CURL *e = NULL;
        int r;

        if (!req->url)
                return -EINVAL;
        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (struct webhook_send) { .format = format, .done = done, .userdata = userdata };
        r = build_headers(w, req);
        if (r < 0)
                return r;
        r = send_easy_new(req->url, "http,https", timeout, w->error, &e);
        if (r == 0)
                r = set_options(e, req, w);
        if (r < 0)
                return r;
        r = curl_loop_add_full(loop, e, on_done, webhook_send_free, w);
        if (r < 0)
                return r;
        TAKE_PTR(e);
        TAKE_PTR(w);
        return 0;
}
