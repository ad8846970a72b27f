/* SPDX-License-Identifier: MIT */
#include "notify/webhook.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/base64.h"
#include "basic/hmac.h"
#include "basic/text.h"
#include "ledger/schedule.h"
#include "notify/webhook-format.h"

#define SIGN_SIZE (BASE64_ENCODED_SIZE(HMAC_SHA256_SIZE) + 1)
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

size_t webhook_text_max(enum channel_format f) {
        return webhook_format_of(f)->text_max;
}

char *webhook_shorten(const char *text, size_t max, const char *link) {
        static const char ellipsis[] = "…";
        size_t n = strlen(text), tail;
        char *s = NULL;

        if (max == 0 || n <= max)
                return strdup(text);
        tail = strlen(ellipsis) + (link ? 1 + strlen(link) : 0);
        if (tail > max)
                link = NULL, tail = strlen(ellipsis);
        if (tail > max)
                return strndup(text, text_utf8_prefix(text, n, max));
        n = text_utf8_prefix(text, n, max - tail);
        if (asprintf(&s, "%.*s%s%s%s", (int) n, text, ellipsis, link ? "\n" : "",
                     link ? link : "") < 0)
                return NULL;
        return s;
}

/* o when ok; else NULL, o freed: how building an object ends. */
static struct json_object *built(struct json_object *o, bool ok) {
        if (ok)
                return o;
        json_object_put(o);
        return NULL;
}

static struct json_object *str(const char *s) {
        return json_object_new_string(s ? s : "");
}

/* Adds v under k, or frees it: false when out of memory. */
static bool add(struct json_object *o, const char *k, struct json_object *v) {
        if (v && json_object_object_add(o, k, v) == 0)
                return true;
        json_object_put(v);
        return false;
}

/* A string, or null for NULL. */
static bool add_nullable(struct json_object *o, const char *k, const char *s) {
        return s ? add(o, k, str(s)) : json_object_object_add(o, k, NULL) == 0;
}

static bool push(struct json_object *a, struct json_object *v) {
        if (v && json_object_array_add(a, v) == 0)
                return true;
        json_object_put(v);
        return false;
}

static struct json_object *string_array(const char *const *v, size_t n) {
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++)
                if (!push(a, str(v[i]))) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

/* "\n@13800000000 @13900000000": DingTalk highlights a mention only when the
 * mobile is in the text too. "" when there is none. */
static char *mention_suffix(const struct webhook_input *in) {
        size_t size = 2;
        char *s;

        for (size_t i = 0; i < in->n_mobiles; i++)
                size += strlen(in->mobiles[i]) + 2;
        s = malloc(size);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (size_t i = 0; i < in->n_mobiles; i++) {
                strcat(s, i == 0 ? "\n@" : " @");
                strcat(s, in->mobiles[i]);
        }
        return s;
}

/* The subject, a blank line and the body, cut to the channel's limit with
 * room kept for suffix (mentions are worth more than the body's tail). */
static char *compose_text(const struct webhook_input *in, const char *suffix) {
        size_t max = webhook_format_of(in->channel->format)->text_max, extra = strlen(suffix);
        const char *subject = in->subject ? in->subject : "", *body = in->body ? in->body : "";
        int body_len = (int) strlen(body);
        char *full = NULL, *cut, *s = NULL;

        while (body_len > 0 && body[body_len - 1] == '\n')
                body_len--;
        if (asprintf(&full, "%s%s%.*s", subject, *subject && body_len ? "\n\n" : "", body_len,
                     body) < 0)
                return NULL;
        if (max > 0 && extra + 64 > max)
                suffix = "", extra = 0; /* too many mentions to write out: at.atMobiles only */
        cut = webhook_shorten(full, max > 0 ? max - extra : 0, in->link);
        free(full);
        if (cut && asprintf(&s, "%s%s", cut, suffix) < 0)
                s = NULL;
        free(cut);
        return s;
}

/* The HMAC key a secret stands for: blanks around it (a secret file's final
 * newline) dropped, and for json a "whsec_" secret base64-decoded. */
static int secret_key(const char *secret, bool whsec, uint8_t **key, size_t *size) {
        size_t n;
        ssize_t r;

        while (*secret == ' ' || *secret == '\t' || *secret == '\n' || *secret == '\r')
                secret++;
        n = strlen(secret);
        while (n > 0 && strchr(" \t\r\n", secret[n - 1]))
                n--;
        *key = malloc(n + 1);
        if (!*key)
                return -ENOMEM;
        if (!whsec || n < 6 || memcmp(secret, "whsec_", 6) != 0) {
                memcpy(*key, secret, n);
                *size = n;
                return 0;
        }
        r = base64_decode(secret + 6, n - 6, *key, n);
        if (r <= 0) {
                free(*key);
                *key = NULL;
                return -EINVAL;
        }
        *size = (size_t) r;
        return 0;
}

/* Ends h (whose init may have failed: the final step says so) into base64. */
static int mac_base64(struct hmac_sha256 *h, char out[SIGN_SIZE]) {
        uint8_t mac[HMAC_SHA256_SIZE];

        if (hmac_sha256_final(h, mac) < 0)
                return -ENOMEM;
        base64_encode(mac, sizeof mac, out);
        return 0;
}

/* Serializes o into the request's body, and frees o. */
static int set_body(struct webhook_request *req, struct json_object *o) {
        const char *s;
        size_t n;

        if (!o)
                return -ENOMEM;
        s = json_object_to_json_string_length(o, JSON_FLAGS, &n);
        req->body = s ? strndup(s, n) : NULL;
        req->body_size = n;
        json_object_put(o);
        return req->body ? 0 : -ENOMEM;
}

static int add_header(struct webhook_request *req, const char *name, const char *value) {
        if (req->n_headers >= WEBHOOK_HEADERS_MAX)
                return -ENOBUFS;
        if (asprintf(&req->headers[req->n_headers], "%s: %s", name, value) < 0)
                return -ENOMEM;
        req->n_headers++;
        return 0;
}

/* DingTalk's "at": {"atMobiles":[…],"isAtAll":false}. */
static struct json_object *dingtalk_at(const struct webhook_input *in) {
        struct json_object *at = json_object_new_object();

        if (at && add(at, "atMobiles", string_array(in->mobiles, in->n_mobiles)) &&
            add(at, "isAtAll", json_object_new_boolean(false)))
                return at;
        json_object_put(at);
        return NULL;
}

int webhook_slack_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                       size_t key_size, struct webhook_request *req) {
        struct json_object *o = json_object_new_object();

        (void) in, (void) key, (void) key_size;
        return set_body(req, built(o, o && add(o, "text", str(text))));
}

/* WeCom's and DingTalk's text message, {"msgtype":"text","text":{"content":…}}.
 * *t: its "text" object, owned by the message, for more. NULL when out of
 * memory. */
static struct json_object *bot_text(const char *text, struct json_object **t) {
        struct json_object *o = json_object_new_object();

        *t = json_object_new_object();
        if (o && *t && add(o, "msgtype", str("text")) && add(*t, "content", str(text)) &&
            add(o, "text", json_object_get(*t))) {
                json_object_put(*t);
                return o;
        }
        json_object_put(*t);
        json_object_put(o);
        *t = NULL;
        return NULL;
}

/* Mobiles to @mention in text.mentioned_mobile_list. */
int webhook_wecom_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                       size_t key_size, struct webhook_request *req) {
        struct json_object *t, *o = bot_text(text, &t);
        bool ok = o && (in->n_mobiles == 0 ||
                        add(t, "mentioned_mobile_list", string_array(in->mobiles, in->n_mobiles)));

        (void) key, (void) key_size;
        return set_body(req, built(o, ok));
}

/* Mobiles to @mention in at.atMobiles (and at the end of the text). */
int webhook_dingtalk_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                          size_t key_size, struct webhook_request *req) {
        struct json_object *t, *o = bot_text(text, &t);

        (void) key, (void) key_size;
        return set_body(req, built(o, o && add(o, "at", dingtalk_at(in))));
}

/* Feishu's sign: HMAC-SHA256 keyed with "timestamp\nsecret" over nothing. */
static int feishu_sign(const char *ts, const uint8_t *secret, size_t size, char out[SIGN_SIZE]) {
        size_t n = strlen(ts);
        struct hmac_sha256 h;
        char *key = malloc(n + 1 + size);
        int r;

        if (!key)
                return -ENOMEM;
        memcpy(key, ts, n);
        key[n] = '\n';
        memcpy(key + n + 1, secret, size);
        hmac_sha256_init(&h, key, n + 1 + size);
        r = mac_base64(&h, out);
        explicit_bzero(key, n + 1 + size);
        free(key);
        return r;
}

/* Feishu: with a secret, the timestamp in seconds and the sign in the body. */
static struct json_object *feishu_message(const char *text, const struct webhook_input *in,
                                          const uint8_t *secret, size_t secret_size) {
        struct json_object *o = json_object_new_object(), *c = json_object_new_object();
        char ts[24], sign[SIGN_SIZE];
        bool ok = o && c;

        snprintf(ts, sizeof ts, "%" PRId64, in->now_ms / 1000);
        if (ok && secret_size > 0)
                ok = feishu_sign(ts, secret, secret_size, sign) == 0 &&
                     add(o, "timestamp", str(ts)) && add(o, "sign", str(sign));
        ok = ok && add(o, "msg_type", str("text")) && add(c, "text", str(text)) &&
             add(o, "content", json_object_get(c));
        json_object_put(c);
        return built(o, ok);
}

int webhook_feishu_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                        size_t key_size, struct webhook_request *req) {
        return set_body(req, feishu_message(text, in, key, key_size));
}

static void iso_instant(time_t t, char buf[32]) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                buf[0] = '\0';
}

static struct json_object *owner_list(const struct owner *const *owners, size_t n, bool ids_only) {
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                struct json_object *o = ids_only ? str(owners[i]->id) : json_object_new_object();
                bool ok = o && (ids_only || (add(o, "id", str(owners[i]->id)) &&
                                             add(o, "name", str(owners[i]->name))));

                if (!ok || !push(a, o)) {
                        if (!ok)
                                json_object_put(o);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static struct json_object *reminder_json(const struct reminder *r) {
        const struct milestone *m = r->milestone;
        const struct task *t = m->task;
        struct json_object *o = json_object_new_object();
        char at[32], day[DATE_ISO_LEN], due[DATE_ISO_LEN];
        bool ok;

        iso_instant(r->at, at);
        date_format_iso(r->day, day);
        date_format_iso(m->due, due);
        ok = o && add(o, "kind", str(reminder_kind_name(r->kind))) && add(o, "at", str(at)) &&
             add(o, "day", str(day)) && add(o, "ledger", str(t->ledger->id)) &&
             add(o, "ledger_title", str(t->ledger->title)) && add(o, "task", str(t->id)) &&
             add(o, "milestone", str(m->id)) && add(o, "item", str(t->item)) &&
             add(o, "label", str(m->label)) && add(o, "due", str(due)) &&
             add(o, "days_left", json_object_new_int(m->due - r->day)) &&
             add(o, "deadline", str(t->deadline)) &&
             add(o, "owners", owner_list(t->owners, t->n_owners, false)) &&
             add(o, "recipients", owner_list(r->owners, r->n_owners, true));
        return built(o, ok);
}

static struct json_object *reminders_json(const struct webhook_input *in) {
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < in->n_reminders; i++)
                if (!push(a, reminder_json(in->reminders[i]))) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

/* The Standard Webhooks payload: type, timestamp and data. */
static struct json_object *json_payload(const struct webhook_input *in) {
        struct json_object *o = json_object_new_object(), *d = json_object_new_object();
        char ts[32];
        bool ok = o && d;

        iso_instant((time_t) (in->now_ms / 1000), ts);
        ok = ok && add(d, "id", str(in->id)) && add(d, "late", json_object_new_boolean(in->late)) &&
             add(d, "subject", str(in->subject)) && add(d, "text", str(in->body)) &&
             add_nullable(d, "feed_url", in->link) &&
             add(d, "mobiles", string_array(in->mobiles, in->n_mobiles)) &&
             add(d, "reminders", reminders_json(in));
        ok = ok && add(o, "type", str("ledger.reminder")) && add(o, "timestamp", str(ts)) &&
             add(o, "data", json_object_get(d));
        json_object_put(d);
        return built(o, ok);
}

int webhook_json_body(const struct webhook_input *in, const char *text, const uint8_t *key,
                      size_t key_size, struct webhook_request *req) {
        (void) text, (void) key, (void) key_size;
        return set_body(req, json_payload(in));
}

/* Standard Webhooks headers; the signature covers "id.timestamp.body". */
int webhook_json_headers(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req) {
        char ts[24], sign[SIGN_SIZE + 3] = "v1,";
        struct hmac_sha256 h;
        int r;

        snprintf(ts, sizeof ts, "%" PRId64, in->now_ms / 1000);
        r = add_header(req, "webhook-id", in->id);
        if (r == 0)
                r = add_header(req, "webhook-timestamp", ts);
        if (r < 0 || key_size == 0)
                return r;
        hmac_sha256_init(&h, key, key_size);
        hmac_sha256_update(&h, in->id, strlen(in->id));
        hmac_sha256_update(&h, ".", 1);
        hmac_sha256_update(&h, ts, strlen(ts));
        hmac_sha256_update(&h, ".", 1);
        hmac_sha256_update(&h, req->body, req->body_size);
        if (mac_base64(&h, sign + 3) < 0)
                return -ENOMEM;
        return add_header(req, "webhook-signature", sign);
}

/* DingTalk, with a secret: &timestamp=<ms>&sign=<urlencoded base64
 * HMAC(secret, "ms\nsecret")> on the URL, percent-encoded by libcurl (all but
 * RFC 3986's unreserved characters). Without one, the URL as it is. */
int webhook_dingtalk_url(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                         struct webhook_request *req) {
        const char *url = in->channel->url;
        char ts[24], sign[SIGN_SIZE], *encoded;
        struct hmac_sha256 h;
        int r;

        if (key_size == 0)
                return (req->url = strdup(url)) ? 0 : -ENOMEM;
        snprintf(ts, sizeof ts, "%" PRId64, in->now_ms);
        hmac_sha256_init(&h, key, key_size);
        hmac_sha256_update(&h, ts, strlen(ts));
        hmac_sha256_update(&h, "\n", 1);
        hmac_sha256_update(&h, key, key_size);
        if (mac_base64(&h, sign) < 0 || !(encoded = curl_easy_escape(NULL, sign, 0)))
                return -ENOMEM;
        r = asprintf(&req->url, "%s%stimestamp=%s&sign=%s", url, strchr(url, '?') ? "&" : "?",
                     ts, encoded) < 0 ? -ENOMEM : 0;
        curl_free(encoded);
        return r;
}

/* The subject and body as one text for the formats that want it, with the
 * mentions at its end where the format wants them there. */
static int format_text(const struct webhook_format *fmt, const struct webhook_input *in,
                       char **text) {
        char *suffix = fmt->mentions_in_text ? mention_suffix(in) : strdup("");

        *text = suffix ? compose_text(in, suffix) : NULL;
        free(suffix);
        return *text ? 0 : -ENOMEM;
}

static bool id_valid(const char *id) {
        if (!id || !*id)
                return false;
        for (; *id; id++)
                if ((unsigned char) *id < 0x20 || *id == 0x7f)
                        return false;
        return true;
}

/* The body, then any headers that sign it, then the URL. */
static int build(const struct webhook_format *fmt, const struct webhook_input *in,
                 const uint8_t *key, size_t key_size, struct webhook_request *out) {
        char *text = NULL;
        int r = fmt->one_text ? format_text(fmt, in, &text) : 0;

        if (r == 0)
                r = fmt->body(in, text, key, key_size, out);
        if (r == 0 && fmt->headers)
                r = fmt->headers(in, key, key_size, out);
        if (r == 0 && fmt->url)
                r = fmt->url(in, key, key_size, out);
        else if (r == 0)
                r = (out->url = strdup(in->channel->url)) ? 0 : -ENOMEM;
        free(text);
        return r;
}

int webhook_build(const struct webhook_input *in, struct webhook_request *out) {
        const struct webhook_format *fmt = webhook_format_of(in->channel->format);
        uint8_t *key = NULL;
        size_t key_size = 0;
        int r = 0;

        *out = (struct webhook_request) { 0 };
        if (!in->channel->url || (fmt->needs_id && !id_valid(in->id)))
                return -EINVAL;
        if (in->secret)
                r = secret_key(in->secret, fmt->whsec_secret, &key, &key_size);
        if (r == 0)
                r = add_header(out, "Content-Type", fmt->content_type);
        if (r == 0)
                r = build(fmt, in, key, key_size, out);
        if (key)
                explicit_bzero(key, key_size);
        free(key);
        return r;
}

void webhook_request_free(struct webhook_request *r) {
        free(r->url);
        for (size_t i = 0; i < r->n_headers; i++)
                free(r->headers[i]);
        free(r->body);
        *r = (struct webhook_request) { 0 };
}
