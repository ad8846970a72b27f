/* SPDX-License-Identifier: MIT */
#include "courier/send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/text.h"

/* When the configuration gives none (it always does); for webhooks too. */
#define TIMEOUT_DEFAULT 30L

struct mail_send {
        char *message;
        size_t size, sent;
        struct curl_slist *rcpt;
        long last_code;
        char last[SEND_TEXT_MAX]; /* the server's last reply line */
        char error[CURL_ERROR_SIZE];
        send_done_fn done;
        void *userdata;
};

const char *send_verdict_name(enum send_verdict v) {
        switch (v) {
        case SEND_DELIVERED:
                return "delivered";
        case SEND_RETRY:
                return "retry";
        case SEND_PERMANENT:
                return "permanent";
        }
        return "invalid";
}

/* Shared with send-webhook.c: a peer's words without their line end. */
void send_text_copy(char *buf, size_t size, const char *s, size_t n) {
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
                n--;
        text_clean_copy(buf, size, s, n);
}

/* Shared with send-webhook.c too. */
void send_curl_error(char *buf, size_t size, const char *errbuf, CURLcode result) {
        if (errbuf[0])
                send_text_copy(buf, size, errbuf, strlen(errbuf));
        else
                snprintf(buf, size, "%s", curl_easy_strerror(result));
}

/* Shared with send-webhook.c as well, with send_easy_new(). */
int send_curl_errno(CURLcode c) {
        return c == CURLE_OK ? 0 : c == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

int send_easy_new(const char *url, const char *protocols, long timeout, char *errbuf,
                  CURL **out) {
        _cleanup_(curl_easy_cleanupp) CURL *e = curl_easy_init();
        CURLcode c = CURLE_OK;

        if (!e)
                return -ENOMEM;
        if (timeout <= 0)
                timeout = TIMEOUT_DEFAULT;
#define SET(opt, val) \
        if (c == CURLE_OK) \
        c = curl_easy_setopt(e, opt, val)
        SET(CURLOPT_URL, url);
        SET(CURLOPT_PROTOCOLS_STR, protocols);
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_TIMEOUT, timeout);
        SET(CURLOPT_CONNECTTIMEOUT, timeout);
        SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
        if (c != CURLE_OK)
                return send_curl_errno(c);
        *out = TAKE_PTR(e);
        return 0;
}

static void mail_send_free(void *userdata) {
        struct mail_send *m = userdata;

        curl_slist_free_all(m->rcpt);
        free(m->message);
        free(m);
}
DEFINE_CLEANUP_FUNC(struct mail_send, mail_send_free)

static size_t on_read(char *buf, size_t size, size_t n, void *userdata) {
        struct mail_send *m = userdata;
        size_t len = size * n;

        if (len > m->size - m->sent)
                len = m->size - m->sent;
        memcpy(buf, m->message + m->sent, len);
        m->sent += len;
        return len;
}

/* libcurl passes every SMTP reply line here. The last one is the answer
 * to show, except "221 Bye" to the QUIT libcurl sends when it drops a
 * connection after a failure: that says nothing about the message. */
static size_t on_reply_line(char *line, size_t size, size_t n, void *userdata) {
        struct mail_send *m = userdata;
        size_t len = size * n;
        long code;

        if (len < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
            line[2] < '0' || line[2] > '9')
                return len;
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (code == 221)
                return len;
        m->last_code = code;
        send_text_copy(m->last, sizeof m->last, line, len);
        return len;
}

static enum send_verdict verdict_of(CURLcode result, long code) {
        if (result == CURLE_OK)
                return SEND_DELIVERED;
        if (result == CURLE_LOGIN_DENIED || result == CURLE_USE_SSL_FAILED || code >= 500)
                return SEND_PERMANENT;
        return SEND_RETRY;
}

/* Lengths in bytes that cut between characters (send_text_copy). */
static void reason_of(const struct mail_send *m, CURLcode result, char *buf, size_t size) {
        char what[48], said[120];

        send_curl_error(what, sizeof what, m->error, result);
        send_text_copy(said, sizeof said, m->last, strlen(m->last));
        if (result == CURLE_USE_SSL_FAILED)
                snprintf(buf, size, "%s", "the server offers no STARTTLS, and tls is \"required\"");
        else if (said[0] && m->last_code >= 400 && m->error[0]) /* its own words first */
                snprintf(buf, size, "refused by the server: %s (%s)", said, what);
        else if (said[0] && m->last_code >= 400)
                snprintf(buf, size, "refused by the server: %s", said);
        else
                snprintf(buf, size, "%s", what);
}

static void on_done(CURL *easy, CURLcode result, void *userdata) {
        struct mail_send *m = userdata;
        struct send_result r = { 0 };
        send_done_fn done = m->done;
        void *done_userdata = m->userdata;

        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.code);
        r.verdict = verdict_of(result, r.code);
        if (r.verdict != SEND_DELIVERED)
                reason_of(m, result, r.reason, sizeof r.reason);
        memcpy(r.answer, m->last, sizeof r.answer);
        curl_easy_cleanup(easy);
        mail_send_free(m);
        done(&r, done_userdata);
}

static int set_options(CURL *e, const struct mail_transport *t, const char *from_addr,
                       struct mail_send *m) {
        long timeout = t->timeout > 0 ? t->timeout : TIMEOUT_DEFAULT;
        CURLcode c = CURLE_OK;

#define SET(opt, val) \
        if (c == CURLE_OK) \
        c = curl_easy_setopt(e, opt, val)
        /* libcurl waits for the answer to the message's end blocking (on
         * the loop's worker thread); this bounds that wait like the rest. */
        SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
        SET(CURLOPT_MAIL_FROM, from_addr);
        SET(CURLOPT_MAIL_RCPT, m->rcpt);
        SET(CURLOPT_UPLOAD, 1L);
        SET(CURLOPT_READFUNCTION, on_read);
        SET(CURLOPT_READDATA, m);
        SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t) m->size);
        SET(CURLOPT_HEADERFUNCTION, on_reply_line);
        SET(CURLOPT_HEADERDATA, m);
        /* smtps:// is TLS from the first byte whatever this says. */
        SET(CURLOPT_USE_SSL, t->tls_required ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_NONE);
        if (t->ca_file)
                SET(CURLOPT_CAINFO, t->ca_file);
        if (t->user)
                SET(CURLOPT_USERNAME, t->user);
        if (t->user && t->password)
                SET(CURLOPT_PASSWORD, t->password);
#undef SET
        return send_curl_errno(c);
}

int send_mail(struct curl_loop *loop, const struct mail_transport *t, const char *from_addr,
              const char *const *rcpt, size_t n_rcpt, const char *message, size_t size,
              send_done_fn done, void *userdata) {
        _cleanup_(mail_send_freep) struct mail_send *m = NULL;
        _cleanup_(curl_easy_cleanupp) CURL *e = NULL;
        int r;

        if (!t->url || !from_addr || n_rcpt == 0)
                return -EINVAL;
        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *m = (struct mail_send) { .size = size, .done = done, .userdata = userdata };
        m->message = malloc(size ? size : 1);
        if (!m->message)
                return -ENOMEM;
        memcpy(m->message, message, size);
        for (size_t i = 0; i < n_rcpt; i++) {
                struct curl_slist *l = curl_slist_append(m->rcpt, rcpt[i]);

                if (!l)
                        return -ENOMEM;
                m->rcpt = l;
        }
        r = send_easy_new(t->url, "smtp,smtps", t->timeout, m->error, &e);
        if (r == 0)
                r = set_options(e, t, from_addr, m);
        if (r < 0)
                return r;
        /* Not on the multi handle: libcurl's SMTP client would stop the
         * event loop while it waits for that answer. */
        r = curl_loop_add_blocking(loop, e, on_done, mail_send_free, m);
        if (r < 0)
                return r;
        TAKE_PTR(e);
        TAKE_PTR(m);
        return 0;
}
