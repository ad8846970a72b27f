/* SPDX-License-Identifier: MIT */
/* DingTalk's custom robot: a markdown message. A mention shows only when
 * the mobile is both in at.atMobiles and written "@mobile" in the text. */
#include "notify/formats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/memstream.h"
#include "notify/jsonb.h"

static const struct markdown_style dingtalk_style = {
        .title_open = "#### ",
        .title_close = "",
        .gap = "\n\n",
        .sep = "\n\n",
        .colors = false,
};

/* "@13800000000 @13900000000", or "" */
static void put_mentions(FILE *f, const void *arg) {
        const struct webhook_input *in = arg;

        for (size_t i = 0; i < in->n_mobiles; i++)
                fprintf(f, "%s@%s", i ? " " : "", in->mobiles[i]);
}

static struct json_object *at(const struct webhook_input *in) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add(o, "atMobiles", jsonb_strings(in->mobiles, in->n_mobiles)) &&
                                     jsonb_add(o, "isAtAll", json_object_new_boolean(false)));
}

struct json_object *dingtalk_markdown(const struct webhook_input *in, const uint8_t *key, size_t n) {
        char *tail = memstream_run(put_mentions, in, NULL), *text = tail ? markdown_render(in->card, &dingtalk_style, tail) : NULL;
        struct json_object *o = json_object_new_object(), *m = json_object_new_object();
        bool ok = text && jsonb_add(o, "msgtype", jsonb_string("markdown")) &&
                  jsonb_add(m, "title", jsonb_string(in->card->title)) &&
                  jsonb_add(m, "text", jsonb_string(text)) &&
                  jsonb_add(o, "markdown", json_object_get(m)) && jsonb_add(o, "at", at(in));

        (void) key, (void) n;
        json_object_put(m);
        free(tail);
        free(text);
        return jsonb_done(o, ok);
}
