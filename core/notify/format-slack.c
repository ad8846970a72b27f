/* SPDX-License-Identifier: MIT */
/* Slack's incoming webhook: Block Kit. A header, per item a section (mrkdwn)
 * and an actions block of url buttons, and a context block with the links
 * to the page and the feed. "text" is what notifications show. */
#include "notify/formats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/memstream.h"
#include "basic/text.h"
#include "notify/jsonb.h"

#define HEADER_CHARS 150 /* a header block's text */

/* s with & < > as Slack's mrkdwn wants them escaped. */
static void put_escaped(FILE *f, const char *s) {
        for (; *s; s++)
                if (*s == '&')
                        fputs("&amp;", f);
                else if (*s == '<')
                        fputs("&lt;", f);
                else if (*s == '>')
                        fputs("&gt;", f);
                else
                        fputc(*s, f);
}

static struct json_object *block(const char *type) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, "type", jsonb_string(type)));
}

static struct json_object *mrkdwn_section(const char *text) {
        struct json_object *o = block("section");

        return jsonb_done(o, text && jsonb_add(o, "text", jsonb_text("type", "mrkdwn", "text", text)));
}

static struct json_object *button(const struct chat_button *b) {
        struct json_object *o = block("button");
        bool ok = jsonb_add(o, "text", jsonb_text("type", "plain_text", "text", b->label)) &&
                  jsonb_add(o, "url", jsonb_string(b->url));

        return jsonb_done(o, ok && (!b->primary || jsonb_add(o, "style", jsonb_string("primary"))));
}

static struct json_object *actions(const struct card_row *row) {
        struct chat_button b[CHAT_BUTTONS];
        size_t n = chat_buttons(row, b);
        struct json_object *o = block("actions"), *a = json_object_new_array();
        bool ok = jsonb_add(o, "elements", a);

        for (size_t i = 0; ok && i < n; i++)
                ok = jsonb_push(a, button(&b[i]));
        return jsonb_done(o, ok);
}

static bool add_section(struct json_object *blocks, const char *text) {
        return text && jsonb_push(blocks, mrkdwn_section(text));
}

static const struct chat_dialect mrkdwn_dialect = {
        .bold = "*",
        .put = put_escaped,
        .add_text = add_section,
        .actions = actions,
};

static bool add_header(struct json_object *blocks, const struct card *c) {
        char *title = text_ellipsize(c->title, HEADER_CHARS);
        struct json_object *o = block("header");
        bool ok = title && jsonb_add(o, "text", jsonb_text("type", "plain_text", "text", title));

        free(title);
        return jsonb_push(blocks, jsonb_done(o, ok));
}

static void put_context(FILE *f, const void *c) {
        chat_put_footer(f, c, true);
}

/* The links to the page and the feed in a context block, when any. */
static bool add_context(struct json_object *blocks, const struct card *c) {
        struct json_object *o, *list;
        char *text;
        bool ok;

        if (!c->page_url && !c->feed_url)
                return true;
        text = memstream_run(put_context, c, NULL);
        o = block("context");
        list = json_object_new_array();
        ok = text && jsonb_push(list, jsonb_text("type", "mrkdwn", "text", text)) &&
             jsonb_add(o, "elements", json_object_get(list));
        json_object_put(list);
        free(text);
        return jsonb_push(blocks, jsonb_done(o, ok));
}

static struct json_object *blocks_of(const struct card *c) {
        struct json_object *b = json_object_new_array();
        bool ok = add_header(b, c) && chat_add_body(b, c, &mrkdwn_dialect) && add_context(b, c);

        return jsonb_done(b, ok);
}

struct json_object *slack_blocks(const struct webhook_input *in, const uint8_t *key, size_t n) {
        struct json_object *o = json_object_new_object();

        (void) key, (void) n;
        return jsonb_done(o, jsonb_add(o, "text", jsonb_string(in->card->title)) &&
                                     jsonb_add(o, "blocks", blocks_of(in->card)));
}
