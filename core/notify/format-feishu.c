/* SPDX-License-Identifier: MIT */
/* Feishu's custom bot: an interactive card (card JSON 1.0: header,
 * elements) with a lark_md block and a row of url buttons per item, and
 * <at id=…> for the owners' Feishu ids, the only ids a custom bot can
 * mention. With a secret, timestamp and sign go in the body. */
#include "notify/formats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/hmac.h"
#include "basic/memstream.h"
#include "notify/jsonb.h"

#define SIGN_SIZE (BASE64_ENCODED_SIZE(HMAC_SHA256_SIZE) + 1)

/* The sign: HMAC-SHA256 keyed with "timestamp\nsecret", over nothing. */
static int sign(const char *ts, const uint8_t *secret, size_t size, char out[SIGN_SIZE]) {
        size_t n = strlen(ts);
        uint8_t mac[HMAC_SHA256_SIZE];
        struct hmac_sha256 h;
        char *key = malloc(n + 1 + size);
        int r;

        if (!key)
                return -ENOMEM;
        memcpy(key, ts, n);
        key[n] = '\n';
        memcpy(key + n + 1, secret, size);
        hmac_sha256_init(&h, key, n + 1 + size);
        r = hmac_sha256_final(&h, mac);
        if (r == 0)
                base64_encode(mac, sizeof mac, out);
        explicit_bzero(key, n + 1 + size);
        free(key);
        return r < 0 ? -ENOMEM : 0;
}

static struct json_object *lark_md(const char *tag, const char *text) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, "tag", jsonb_string(tag)) &&
                                     jsonb_add(o, "text", jsonb_text("tag", "lark_md", "content", text)));
}

static struct json_object *button(const struct chat_button *b) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, "tag", jsonb_string("button")) &&
                                     jsonb_add(o, "text", jsonb_text("tag", "plain_text", "content",
                                                                     b->label)) &&
                                     jsonb_add(o, "type", jsonb_string(b->primary ? "primary"
                                                                                  : "default")) &&
                                     jsonb_add(o, "url", jsonb_string(b->url)));
}

static struct json_object *actions(const struct card_row *row) {
        struct chat_button b[CHAT_BUTTONS];
        size_t n = chat_buttons(row, b);
        struct json_object *o = json_object_new_object(), *a = json_object_new_array();
        bool ok = jsonb_add(o, "tag", jsonb_string("action")) && jsonb_add(o, "actions", a);

        for (size_t i = 0; ok && i < n; i++)
                ok = jsonb_push(a, button(&b[i]));
        return jsonb_done(o, ok && n > 0);
}

static struct json_object *tag_only(const char *tag) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, "tag", jsonb_string(tag)));
}

static bool add_md(struct json_object *elements, const char *text) {
        return text && jsonb_push(elements, lark_md("div", text));
}

static struct json_object *rule(void) {
        return tag_only("hr");
}

static const struct chat_dialect lark_md_dialect = {
        .bold = "**",
        .put = chat_put_plain,
        .add_text = add_md,
        .actions = actions,
        .rule = rule,
};

/* "<at id=ou_1></at> <at id=ou_2></at>" */
static void put_mentions(FILE *f, const void *arg) {
        const struct webhook_input *in = arg;

        for (size_t i = 0; i < in->n_feishu_ids; i++)
                fprintf(f, "%s<at id=%s></at>", i ? " " : "", in->feishu_ids[i]);
}

/* The links to the page and the feed, as a note at the end. */
static bool add_footer(struct json_object *elements, const struct card *c) {
        struct json_object *note = json_object_new_object(), *list = json_object_new_array();
        char *text = chat_footer(c);
        bool ok = text && jsonb_add(note, "tag", jsonb_string("note")) &&
                  jsonb_push(list, jsonb_text("tag", "lark_md", "content", text)) &&
                  jsonb_add(note, "elements", json_object_get(list));

        json_object_put(list);
        if (text && !*text) {
                free(text);
                json_object_put(note);
                return true;
        }
        free(text);
        return jsonb_push(elements, jsonb_done(note, ok));
}

static struct json_object *elements_of(const struct webhook_input *in) {
        const struct card *c = in->card;
        struct json_object *e = json_object_new_array();
        char *at = in->n_feishu_ids ? memstream_run(put_mentions, in, NULL) : NULL;
        bool ok = e && (!in->n_feishu_ids || at) && chat_add_body(e, c, &lark_md_dialect);

        if (ok && at)
                ok = add_md(e, at);
        ok = ok && add_footer(e, c);
        free(at);
        return jsonb_done(e, ok);
}

static const char *header_color(const struct card *c) {
        for (size_t i = 0; i < c->n_rows; i++)
                if (c->rows[i].urgency == CARD_OVERDUE)
                        return "red";
        for (size_t i = 0; i < c->n_rows; i++)
                if (c->rows[i].urgency == CARD_TODAY)
                        return "orange";
        return "blue";
}

static struct json_object *card_of(const struct webhook_input *in) {
        struct json_object *o = json_object_new_object(), *h = json_object_new_object(),
                           *cfg = json_object_new_object();
        bool ok = jsonb_add(cfg, "wide_screen_mode", json_object_new_boolean(true)) &&
                  jsonb_add(o, "config", json_object_get(cfg)) &&
                  jsonb_add(h, "template", jsonb_string(header_color(in->card))) &&
                  jsonb_add(h, "title", jsonb_text("tag", "plain_text", "content", in->card->title)) &&
                  jsonb_add(o, "header", json_object_get(h)) &&
                  jsonb_add(o, "elements", elements_of(in));

        json_object_put(h);
        json_object_put(cfg);
        return jsonb_done(o, ok);
}

struct json_object *feishu_card(const struct webhook_input *in, const uint8_t *key, size_t n) {
        struct json_object *o = json_object_new_object();
        char ts[24], sig[SIGN_SIZE];
        bool ok = o != NULL;

        snprintf(ts, sizeof ts, "%" PRId64, in->now_ms / 1000);
        if (ok && n > 0)
                ok = sign(ts, key, n, sig) == 0 && jsonb_add(o, "timestamp", jsonb_string(ts)) &&
                     jsonb_add(o, "sign", jsonb_string(sig));
        ok = ok && jsonb_add(o, "msg_type", jsonb_string("interactive")) &&
             jsonb_add(o, "card", card_of(in));
        return jsonb_done(o, ok);
}
