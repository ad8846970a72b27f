/* SPDX-License-Identifier: MIT */
/* A card as the markdown of WeCom and DingTalk: the title, then per item a
 * line with its due date, days left, item and owners, a holiday note when
 * there is one, and a line of links. */
#include "notify/formats.h"

#include "basic/memstream.h"

static const char *color_of(enum card_urgency u) {
        return u == CARD_UPCOMING ? "info" : "warning";
}

/* "[已完成](u)　推迟 [1天](u) [3天](u) [7天](u)　[查看](u)" */
static void put_links(FILE *f, const struct card_row *row) {
        struct chat_button b[CHAT_BUTTONS];
        size_t n = chat_buttons(row, b);
        bool snoozes = false;

        for (size_t i = 0; i < n; i++) {
                bool snooze = b[i].snooze;

                if (i > 0)
                        fputs(snooze && snoozes ? " " : "　", f);
                if (snooze && !snoozes)
                        fputs("推迟 ", f);
                snoozes = snooze;
                fprintf(f, "[%s](%s)", b[i].short_label, b[i].url);
        }
}

static void put_row(FILE *f, const struct card_row *row, const struct markdown_style *st) {
        fprintf(f, "**%s** ", row->due);
        if (st->colors)
                fprintf(f, "<font color=\"%s\">%s</font>　", color_of(row->urgency), row->left);
        else
                fprintf(f, "（%s）", row->left);
        chat_put_plain(f, row->item);
        fputs(st->colors ? "　<font color=\"comment\">" : "　", f);
        chat_put_plain(f, row->owners);
        fputs(st->colors ? "</font>" : "", f);
        if (row->note[0])
                fprintf(f, "%s%s", st->gap, row->note);
        if (row->links.done || row->links.page) {
                fputs(st->gap, f);
                put_links(f, row);
        }
}

struct layout {
        const struct card *card;
        const struct markdown_style *style;
        const char *tail;
};

static void put_card(FILE *f, const void *arg) {
        const struct layout *l = arg;
        const struct card *c = l->card;
        const struct markdown_style *st = l->style;

        fputs(st->title_open, f);
        chat_put_plain(f, c->title);
        fputs(st->title_close, f);
        if (c->late)
                fprintf(f, "%s%s%s%s", st->gap, st->colors ? "<font color=\"comment\">" : "",
                        CHAT_LATE_NOTE, st->colors ? "</font>" : "");
        if (c->text) {
                fputs(st->gap, f);
                chat_put_plain(f, c->text);
        }
        for (size_t i = 0; i < c->n_rows; i++) {
                fputs(st->sep, f);
                put_row(f, &c->rows[i], st);
        }
        if (c->page_url || c->feed_url) {
                fputs(st->sep, f);
                chat_put_footer(f, c, false);
        }
        if (l->tail && *l->tail)
                fprintf(f, "%s%s", st->sep, l->tail);
}

char *markdown_render(const struct card *c, const struct markdown_style *st, const char *tail) {
        return memstream_run(put_card, &(struct layout) { c, st, tail }, NULL);
}
