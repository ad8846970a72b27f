/* SPDX-License-Identifier: MIT */
#include "notify/webhook-reply.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "basic/names.h"
#include "basic/text.h"
#include "http/http.h"
#include "notify/webhook-format.h"

/* What a bot's body said. */
struct bot_body {
        bool has_code;
        long code;
        char msg[96]; /* the bot's own words, cleaned */
};

static const struct webhook_code *code_find(const struct webhook_format *fmt, long code) {
        for (size_t i = 0; i < fmt->n_codes; i++)
                if (fmt->codes[i].code == code)
                        return &fmt->codes[i];
        return NULL;
}

/* Drops a character that vsnprintf cut in two at the end of s. */
static void trim_cut_char(char *s) {
        size_t n = strlen(s), i = n;
        unsigned cp;

        while (i > 0 && n - i < 4 && text_utf8_continuation(s[i - 1]))
                i--;
        if (i > 0 && (unsigned char) s[i - 1] >= 0xc0 &&
            !text_utf8_decode(s + i - 1, n - i + 1, &cp))
                s[i - 1] = '\0';
}

static struct json_object *body_parse(const char *body, size_t size) {
        struct json_tokener *tok;
        struct json_object *o;

        if (!body || size == 0 || size > WEBHOOK_REPLY_BODY_MAX)
                return NULL;
        tok = json_tokener_new_ex(16);
        if (!tok)
                return NULL;
        o = json_tokener_parse_ex(tok, body, (int) size);
        if (json_tokener_get_error(tok) != json_tokener_success) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

/* Reads the first of two keys that holds a value of the given type. */
static struct json_object *get_either(struct json_object *o, const char *a, const char *b,
                                      json_type type) {
        struct json_object *v;

        if (json_object_object_get_ex(o, a, &v) && json_object_is_type(v, type))
                return v;
        if (json_object_object_get_ex(o, b, &v) && json_object_is_type(v, type))
                return v;
        return NULL;
}

/* The code and message, under the keys the bot uses. */
static void bot_body_read(const struct webhook_bot_reply *bot, const char *body, size_t size,
                          struct bot_body *out) {
        struct json_object *o = body_parse(body, size), *code, *msg;

        *out = (struct bot_body) { 0 };
        if (!o || !json_object_is_type(o, json_type_object))
                goto done;
        code = get_either(o, bot->code_keys[0], bot->code_keys[1], json_type_int);
        msg = get_either(o, bot->message_keys[0], bot->message_keys[1], json_type_string);
        if (code) {
                out->has_code = true;
                out->code = (long) json_object_get_int64(code);
        }
        if (msg)
                text_clean_copy(out->msg, sizeof out->msg, json_object_get_string(msg),
                                (size_t) json_object_get_string_len(msg));
done:
        json_object_put(o);
}

static void set(struct webhook_reply *r, enum webhook_verdict v, long delay, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void set(struct webhook_reply *r, enum webhook_verdict v, long delay, const char *fmt, ...) {
        va_list ap;

        r->verdict = v;
        r->delay = delay;
        va_start(ap, fmt);
        vsnprintf(r->reason, sizeof r->reason, fmt, ap);
        va_end(ap);
        trim_cut_char(r->reason);
}

/* The reason's tail: the bot's own words, if it said any. */
static const char *said(const struct bot_body *b, char *buf, size_t size) {
        if (!b->msg[0])
                return "";
        snprintf(buf, size, " (%s)", b->msg);
        return buf;
}

/* A bot's code that settles the matter whatever the HTTP status; false for
 * none (status decides). */
static bool classify_code(const struct webhook_format *fmt, const struct bot_body *b,
                          struct webhook_reply *r) {
        const struct webhook_code *c;
        char tail[sizeof b->msg + 3];

        if (!b->has_code || b->code == 0)
                return false;
        c = code_find(fmt, b->code);
        if (!c)
                return false;
        set(r, c->verdict, c->delay, "%s %ld: %s%s", fmt->bot_reply->code_word, b->code,
            c->meaning, said(b, tail, sizeof tail));
        return true;
}

/* HTTP 200 from a bot: delivered only when the body says code 0. */
static void classify_bot_success(const struct webhook_format *fmt, const struct bot_body *b,
                                 struct webhook_reply *r) {
        char tail[sizeof b->msg + 3];

        if (!b->has_code)
                set(r, WEBHOOK_RETRY, 0, "HTTP 200 without a result code in the reply");
        else if (b->code == 0)
                set(r, WEBHOOK_DELIVERED, 0, "%s", "");
        else
                set(r, WEBHOOK_PERMANENT, 0, "%s %ld: refused%s", fmt->bot_reply->code_word,
                    b->code, said(b, tail, sizeof tail));
}

/* What the status alone says, for everything but a 2xx. */
static void classify_status(int status, const struct bot_body *b, struct webhook_reply *r) {
        char tail[sizeof b->msg + 3];

        said(b, tail, sizeof tail);
        if (status == 0)
                set(r, WEBHOOK_RETRY, 0, "no answer");
        else if (status >= 300 && status < 400)
                set(r, WEBHOOK_PERMANENT, 0,
                    "HTTP %d: redirected; set the channel's url to the new address", status);
        else if (status == 410)
                set(r, WEBHOOK_PERMANENT, 0, "HTTP 410: the endpoint is gone%s",
                    b->msg[0] ? tail : "");
        else if (status == 408 || status == 429)
                set(r, WEBHOOK_RETRY, 0, "HTTP %d: %s", status,
                    status == 429 ? "too many requests" : "request timeout");
        else if (status >= 400 && status < 500)
                set(r, WEBHOOK_PERMANENT, 0, "HTTP %d: refused%s", status, b->msg[0] ? tail : "");
        else if (status >= 500 && status < 600)
                set(r, WEBHOOK_RETRY, 0, "HTTP %d: server error%s", status, b->msg[0] ? tail : "");
        else
                set(r, WEBHOOK_RETRY, 0, "HTTP %d: unexpected status", status);
}

void webhook_reply_classify(enum channel_format format, int status, const char *retry_after,
                            time_t now, const char *body, size_t body_size,
                            struct webhook_reply *out) {
        const struct webhook_format *fmt = webhook_format_of(format);
        struct bot_body b = { 0 };
        long after;

        *out = (struct webhook_reply) { 0 };
        if (fmt->bot_reply && status != 0) {
                bot_body_read(fmt->bot_reply, body, body_size, &b);
                out->code = b.has_code ? b.code : 0;
        }
        if (status >= 300 && status < 400)
                classify_status(status, &b, out);
        else if (classify_code(fmt, &b, out))
                ;
        else if (status >= 200 && status < 300 && fmt->bot_reply)
                classify_bot_success(fmt, &b, out);
        else if (status >= 200 && status < 300)
                set(out, WEBHOOK_DELIVERED, 0, "%s", "");
        else
                classify_status(status, &b, out);
        after = retry_after ? webhook_retry_after(retry_after, now) : -1;
        if (out->verdict == WEBHOOK_RETRY && after > out->delay)
                out->delay = after;
}

static long seconds_parse(const char *s, size_t n) {
        long v = 0;

        if (n == 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                if (v < WEBHOOK_DELAY_MAX)
                        v = v * 10 + (s[i] - '0');
        }
        return v < WEBHOOK_DELAY_MAX ? v : WEBHOOK_DELAY_MAX;
}

long webhook_retry_after(const char *value, time_t now) {
        char date[64];
        size_t n;
        time_t t;
        long v;

        while (*value == ' ' || *value == '\t')
                value++;
        n = strlen(value);
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
                n--;
        if (value[0] >= '0' && value[0] <= '9')
                return seconds_parse(value, n);
        if (n >= sizeof date)
                return -1;
        memcpy(date, value, n);
        date[n] = '\0';
        if (http_date_parse(date, &t) < 0)
                return -1;
        if (t <= now)
                return 0;
        v = t - now > WEBHOOK_DELAY_MAX ? WEBHOOK_DELAY_MAX : (long) (t - now);
        return v;
}

static const char *const verdict_names[] = {
        [WEBHOOK_DELIVERED] = "delivered",
        [WEBHOOK_RETRY] = "retry",
        [WEBHOOK_PERMANENT] = "permanent",
};

NAMES_DEFINE_GET(webhook_verdict_name, enum webhook_verdict, verdict_names, "invalid")
