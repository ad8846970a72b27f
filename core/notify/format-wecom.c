/* SPDX-License-Identifier: MIT */
/* WeCom's group robot: a markdown message; and, when there are mobiles to
 * @mention, which its markdown cannot do, a text message after it that
 * carries them in mentioned_mobile_list. */
#include "notify/formats.h"

#include <stdio.h>
#include <stdlib.h>

#include "notify/jsonb.h"

static const struct markdown_style wecom_style = {
        .title_open = "**",
        .title_close = "**",
        .gap = "\n",
        .sep = "\n\n",
        .colors = true,
};

/* {"msgtype": type, type: {"content": text, …}}; *inner: the inner object. */
static struct json_object *message(const char *type, const char *text, struct json_object **inner) {
        struct json_object *o = json_object_new_object(), *m = json_object_new_object();
        bool ok = jsonb_add(o, "msgtype", jsonb_string(type)) &&
                  jsonb_add(m, "content", jsonb_string(text)) &&
                  jsonb_add(o, type, json_object_get(m));

        *inner = m;
        json_object_put(m);
        return jsonb_done(o, ok && text);
}

struct json_object *wecom_markdown(const struct webhook_input *in, const uint8_t *key, size_t n) {
        char *text = markdown_render(in->card, &wecom_style, NULL);
        struct json_object *m, *o = message("markdown", text, &m);

        (void) key, (void) n;
        free(text);
        return o;
}

struct json_object *wecom_mention(const struct webhook_input *in, const uint8_t *key, size_t n) {
        char *text = NULL;
        struct json_object *m, *o;

        (void) key, (void) n;
        if (asprintf(&text, "%s：请查看上一条消息，及时办理。", in->card->title) < 0)
                text = NULL;
        o = message("text", text, &m);
        free(text);
        return jsonb_done(o, o && jsonb_add(m, "mentioned_mobile_list",
                                            jsonb_strings(in->mobiles, in->n_mobiles)));
}
