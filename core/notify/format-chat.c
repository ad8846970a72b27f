/* SPDX-License-Identifier: MIT */
/* What the chat formats share: buttons, safe text, a row as text, the
 * body of a card. */
#include "notify/formats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/memstream.h"
#include "notify/jsonb.h"

size_t chat_buttons(const struct card_row *row, struct chat_button out[CHAT_BUTTONS]) {
        const struct message_links *l = &row->links;
        const struct chat_button all[CHAT_BUTTONS] = {
                { "已完成", "已完成", l->done, true, false },
                { "推迟1天", "1天", l->snooze1, false, true },
                { "推迟3天", "3天", l->snooze3, false, true },
                { "推迟7天", "7天", l->snooze7, false, true },
                { "查看", "查看", l->page, false, false },
        };
        size_t n = 0;

        for (size_t i = 0; i < CHAT_BUTTONS; i++)
                if (all[i].url && *all[i].url)
                        out[n++] = all[i];
        return n;
}

/* The characters markdown gives a meaning; each is written as its
 * full-width form, ASCII 0x21…0x7E shifted by 0xFEE0 (three UTF-8 bytes). */
static const char specials[] = "*_[]<>#`~\\";

void chat_put_plain(FILE *f, const char *s) {
        for (; *s; s++) {
                unsigned cp = (unsigned char) *s + 0xFEE0;

                if (!strchr(specials, *s)) {
                        fputc(*s, f);
                        continue;
                }
                fputc(0xE0 | (cp >> 12), f);
                fputc(0x80 | ((cp >> 6) & 0x3F), f);
                fputc(0x80 | (cp & 0x3F), f);
        }
}

struct row_text {
        const struct card_row *row;
        const char *bold;
        void (*put)(FILE *f, const char *s);
};

static void put_row_text(FILE *f, const void *arg) {
        const struct row_text *t = arg;
        const struct card_row *row = t->row;

        fprintf(f, "%s%s%s（%s）", t->bold, row->due, t->bold, row->left);
        t->put(f, row->item);
        fputc('\n', f);
        t->put(f, row->owners);
        if (row->note[0])
                fprintf(f, "\n%s", row->note);
}

char *chat_row_text(const struct card_row *row, const char *bold,
                    void (*put)(FILE *f, const char *s)) {
        const struct row_text t = { row, bold, put };

        return memstream_run(put_row_text, &t, NULL);
}

struct text {
        const char *s;
        void (*put)(FILE *f, const char *s);
};

static void put_text(FILE *f, const void *arg) {
        const struct text *t = arg;

        t->put(f, t->s);
}

static bool add_row(struct json_object *blocks, const struct card_row *row, bool rule,
                    const struct chat_dialect *d) {
        char *text = chat_row_text(row, d->bold, d->put);
        bool ok = (!rule || jsonb_push(blocks, d->rule())) && d->add_text(blocks, text);

        free(text);
        if (ok && (row->links.done || row->links.page))
                ok = jsonb_push(blocks, d->actions(row));
        return ok;
}

bool chat_add_body(struct json_object *blocks, const struct card *c, const struct chat_dialect *d) {
        bool ok = !c->late || d->add_text(blocks, CHAT_LATE_NOTE);

        if (ok && c->text) {
                const struct text t = { c->text, d->put };
                char *text = memstream_run(put_text, &t, NULL);

                ok = d->add_text(blocks, text);
                free(text);
        }
        for (size_t i = 0; ok && i < c->n_rows; i++)
                ok = add_row(blocks, &c->rows[i], d->rule && (i > 0 || c->text), d);
        return ok;
}

/* A link in markdown, "[label](url)", or in Slack's mrkdwn, "<url|label>". */
static void put_link(FILE *f, const char *label, const char *url, bool slack) {
        if (slack)
                fprintf(f, "<%s|%s>", url, label);
        else
                fprintf(f, "[%s](%s)", label, url);
}

void chat_put_footer(FILE *f, const struct card *c, bool slack) {
        if (c->page_url)
                put_link(f, CHAT_ALL_ITEMS, c->page_url, slack);
        if (c->page_url && c->feed_url)
                fputs("　", f);
        if (c->feed_url)
                put_link(f, CHAT_SUBSCRIBE, c->feed_url, slack);
}

static void put_footer(FILE *f, const void *c) {
        chat_put_footer(f, c, false);
}

char *chat_footer(const struct card *c) {
        return memstream_run(put_footer, c, NULL);
}
