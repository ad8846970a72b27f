/* SPDX-License-Identifier: MIT */
/* A message's requests: the body from the format's builder, checked
 * against the format's limit, then the signing its platform wants. */
#include "notify/webhook.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/hmac.h"
#include "notify/jsonb.h"
#include "notify/webhook-format.h"

#define SIGN_SIZE (BASE64_ENCODED_SIZE(HMAC_SHA256_SIZE) + 1)
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

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

static int add_header(struct webhook_request *req, const char *name, const char *value) {
        if (req->n_headers >= WEBHOOK_HEADERS_MAX)
                return -ENOBUFS;
        if (asprintf(&req->headers[req->n_headers], "%s: %s", name, value) < 0)
                return -ENOMEM;
        req->n_headers++;
        return 0;
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

bool webhook_limited(enum channel_format f) {
        const struct webhook_limit *l = &webhook_format_of(f)->limit;

        return l->bytes > 0 || l->array;
}

unsigned webhook_steps(const struct webhook_input *in) {
        const struct webhook_format *fmt = webhook_format_of(in->channel->format);

        return fmt->mention && in->n_mobiles > 0 ? 2 : 1;
}

/* Whether the body o, serialized as s (n bytes), is within limit. */
static bool fits(const struct webhook_limit *limit, struct json_object *o, size_t n,
                 size_t headroom) {
        struct json_object *a;

        if (limit->bytes) {
                const char *field = limit->field ? jsonb_path_string(o, limit->field) : NULL;
                size_t size = limit->field ? (field ? strlen(field) : 0) : n;

                if (size + headroom > limit->bytes)
                        return false;
        }
        return !limit->array || !json_object_object_get_ex(o, limit->array, &a) ||
               json_object_array_length(a) <= limit->items;
}

/* Serializes o into the request's body when it fits, and frees o. */
static int set_body(struct webhook_request *req, struct json_object *o,
                    const struct webhook_limit *limit, size_t headroom) {
        const char *s;
        size_t n = 0;
        int r = 0;

        if (!o)
                return -ENOMEM;
        s = json_object_to_json_string_length(o, JSON_FLAGS, &n);
        if (!s)
                r = -ENOMEM;
        else if (!fits(limit, o, n, headroom))
                r = -EMSGSIZE;
        else if (!(req->body = strndup(s, n)))
                r = -ENOMEM;
        req->body_size = n;
        json_object_put(o);
        return r;
}

/* The body of a format that writes its own: no tree, so only its whole
 * size can be checked, against the limit on the body. */
static int write_body(const struct webhook_format *fmt, const struct webhook_input *in,
                      struct webhook_request *req) {
        int r = fmt->write(in, &req->body, &req->body_size);

        if (r == 0 && fmt->limit.bytes && req->body_size + in->headroom > fmt->limit.bytes) {
                free(req->body);
                req->body = NULL;
                r = -EMSGSIZE;
        }
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

/* The body, then any headers that sign it, then the URL. */
static int build(const struct webhook_format *fmt, const struct webhook_input *in,
                 const uint8_t *key, size_t key_size, struct webhook_request *out) {
        bool mention = in->step > 0;
        int r = !mention && fmt->write
                        ? write_body(fmt, in, out)
                        : set_body(out, (mention ? fmt->mention : fmt->body)(in, key, key_size),
                                   mention ? &fmt->mention_limit : &fmt->limit,
                                   mention ? 0 : in->headroom);

        if (r == 0 && fmt->headers)
                r = fmt->headers(in, key, key_size, out);
        if (r == 0 && fmt->url)
                r = fmt->url(in, key, key_size, out);
        else if (r == 0)
                r = (out->url = strdup(in->channel->url)) ? 0 : -ENOMEM;
        return r;
}

int webhook_build(const struct webhook_input *in, struct webhook_request *out) {
        const struct webhook_format *fmt = webhook_format_of(in->channel->format);
        uint8_t *key = NULL;
        size_t key_size = 0;
        int r = 0;

        *out = (struct webhook_request) { 0 };
        if (!in->channel->url || !in->card || in->step >= webhook_steps(in) ||
            (fmt->needs_id && !id_valid(in->id)))
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
