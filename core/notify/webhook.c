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

#define SIGN_SIZE (BASE64_ENCODED_SIZE(HMAC_SHA256_SIZE) + 1)
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* WeCom's limit is documented; DingTalk's is taken from its app robots
 * (15,000 bytes), Feishu's from its 20 KB request limit, Slack's from the
 * 40,000 characters after which it cuts a message itself. */
size_t webhook_text_max(enum channel_format f) {
        switch (f) {
        case CHANNEL_WECOM:
                return 2048;
        case CHANNEL_DINGTALK:
                return 15000;
        case CHANNEL_FEISHU:
                return 18000;
        case CHANNEL_SLACK:
                return 39000;
        case CHANNEL_JSON:
                break;
        }
        return 0;
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
        size_t max = webhook_text_max(in->channel->format), extra = strlen(suffix);
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

/* {"text":…} for Slack; WeCom's and DingTalk's text messages. */
static struct json_object *text_message(enum channel_format f, const char *text,
                                        const struct webhook_input *in) {
        struct json_object *o = json_object_new_object(), *t = NULL;
        bool ok = o != NULL;

        if (f == CHANNEL_SLACK)
                ok = ok && add(o, "text", str(text));
        else {
                t = json_object_new_object();
                ok = ok && t && add(o, "msgtype", str("text")) && add(t, "content", str(text));
                if (f == CHANNEL_WECOM && in->n_mobiles > 0)
                        ok = ok && add(t, "mentioned_mobile_list",
                                       string_array(in->mobiles, in->n_mobiles));
                ok = ok && add(o, "text", json_object_get(t));
                if (f == CHANNEL_DINGTALK)
                        ok = ok && add(o, "at", dingtalk_at(in));
                json_object_put(t);
        }
        if (!ok)
                json_object_put(o);
        return ok ? o : NULL;
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
        if (!ok)
                json_object_put(o);
        return ok ? o : NULL;
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
        if (!ok)
                json_object_put(o);
        return ok ? o : NULL;
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
        if (!ok)
                json_object_put(o);
        return ok ? o : NULL;
}

/* Standard Webhooks headers; the signature covers "id.timestamp.body". */
static int json_headers(const struct webhook_input *in, const uint8_t *key, size_t key_size,
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

/* DingTalk: &timestamp=<ms>&sign=<urlencoded base64 HMAC(secret, "ms\nsecret")>,
 * percent-encoded by libcurl (all but RFC 3986's unreserved characters). */
static int dingtalk_url(const char *url, int64_t now_ms, const uint8_t *secret, size_t size,
                        char **out) {
        char ts[24], sign[SIGN_SIZE], *encoded;
        struct hmac_sha256 h;
        int r;

        snprintf(ts, sizeof ts, "%" PRId64, now_ms);
        hmac_sha256_init(&h, secret, size);
        hmac_sha256_update(&h, ts, strlen(ts));
        hmac_sha256_update(&h, "\n", 1);
        hmac_sha256_update(&h, secret, size);
        if (mac_base64(&h, sign) < 0 || !(encoded = curl_easy_escape(NULL, sign, 0)))
                return -ENOMEM;
        r = asprintf(out, "%s%stimestamp=%s&sign=%s", url, strchr(url, '?') ? "&" : "?", ts,
                     encoded) < 0 ? -ENOMEM : 0;
        curl_free(encoded);
        return r;
}

/* The URL and body of the bots and Slack. */
static int bot_request(const struct webhook_input *in, const uint8_t *key, size_t key_size,
                       struct webhook_request *req) {
        enum channel_format f = in->channel->format;
        char *suffix = f == CHANNEL_DINGTALK ? mention_suffix(in) : strdup("");
        char *text = suffix ? compose_text(in, suffix) : NULL;
        int r = -ENOMEM;

        if (text)
                r = set_body(req, f == CHANNEL_FEISHU ? feishu_message(text, in, key, key_size)
                                                       : text_message(f, text, in));
        if (r == 0 && f == CHANNEL_DINGTALK && key_size > 0)
                r = dingtalk_url(in->channel->url, in->now_ms, key, key_size, &req->url);
        else if (r == 0)
                r = (req->url = strdup(in->channel->url)) ? 0 : -ENOMEM;
        free(suffix);
        free(text);
        return r;
}

static bool id_valid(const char *id) {
        if (!id || !*id)
                return false;
        for (; *id; id++)
                if ((unsigned char) *id < 0x20 || *id == 0x7f)
                        return false;
        return true;
}

int webhook_build(const struct webhook_input *in, struct webhook_request *out) {
        bool json = in->channel->format == CHANNEL_JSON;
        uint8_t *key = NULL;
        size_t key_size = 0;
        int r = 0;

        *out = (struct webhook_request) { 0 };
        if (!in->channel->url || (json && !id_valid(in->id)))
                return -EINVAL;
        if (in->secret)
                r = secret_key(in->secret, json, &key, &key_size);
        if (r == 0)
                r = add_header(out, "Content-Type", "application/json; charset=utf-8");
        if (r == 0 && json) {
                r = set_body(out, json_payload(in));
                if (r == 0)
                        r = json_headers(in, key, key_size, out);
                if (r == 0)
                        r = (out->url = strdup(in->channel->url)) ? 0 : -ENOMEM;
        } else if (r == 0)
                r = bot_request(in, key, key_size, out);
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
