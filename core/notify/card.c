/* SPDX-License-Identifier: MIT */
#include "notify/card.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/text.h"

static int row_fill(const struct message_input *in, size_t i, struct card_row *row) {
        const struct reminder *r = in->reminders[i];
        const struct milestone *m = r->milestone;
        char *name = message_item_name(m->task);
        int y, mo, d;

        row->reminder = r;
        date_to_ymd(m->due, &y, &mo, &d);
        snprintf(row->due, sizeof row->due, "%d月%d日", mo, d);
        message_days_left(r, row->left, sizeof row->left);
        if (r->kind == REMINDER_ESCALATION) /* to whom the overdue work is escalated */
                strncat(row->left, "，督办", sizeof row->left - strlen(row->left) - 1);
        row->urgency = m->due > r->day ? CARD_UPCOMING : m->due == r->day ? CARD_TODAY : CARD_OVERDUE;
        message_holiday_note(in->calendar, m->due, row->note, sizeof row->note);
        if (in->links)
                row->links = in->links[i];
        if (name && m->label && *m->label && asprintf(&row->item, "%s（%s）", name, m->label) < 0)
                row->item = NULL;
        else if (name && !(m->label && *m->label))
                row->item = strdup(name);
        free(name);
        row->owners = message_owners(m->task);
        return row->item && row->owners ? 0 : -ENOMEM;
}

static int title_fill(const char *title, unsigned part, unsigned parts, struct card *c) {
        if (parts > 1)
                return asprintf(&c->title, "%s（%u/%u）", title, part, parts) < 0 ? -ENOMEM : 0;
        return (c->title = strdup(title)) ? 0 : -ENOMEM;
}

int card_build(const struct message_input *in, const char *title, unsigned part, unsigned parts,
               struct card *out) {
        int r;

        *out = (struct card) { .late = in->late, .feed_url = in->feed_url };
        if (in->n_reminders == 0)
                return -EINVAL;
        out->rows = calloc(in->n_reminders, sizeof *out->rows);
        if (!out->rows)
                return -ENOMEM;
        out->n_rows = in->n_reminders;
        r = title_fill(title, part, parts, out);
        for (size_t i = 0; r == 0 && i < in->n_reminders; i++)
                r = row_fill(in, i, &out->rows[i]);
        if (r == 0 && out->feed_url && !*out->feed_url)
                out->feed_url = NULL;
        out->page_url = out->rows[0].links.page;
        if (r < 0)
                card_free(out);
        return r;
}

void card_free(struct card *c) {
        for (size_t i = 0; c->rows && i < c->n_rows; i++) {
                free(c->rows[i].item);
                free(c->rows[i].owners);
        }
        free(c->rows);
        free(c->title);
        *c = (struct card) { 0 };
}

/* s cut to max characters, "…" the last, when longer. */
static int cut(char **s, size_t max, bool *cut_any) {
        char *t = text_ellipsize(*s, max);

        if (!t)
                return -ENOMEM;
        *cut_any = *cut_any || strcmp(t, *s) != 0;
        free(*s);
        *s = t;
        return 0;
}

int card_shorten(struct card *c, size_t max) {
        int r = 0;

        for (size_t i = 0; r == 0 && i < c->n_rows; i++) {
                r = cut(&c->rows[i].item, max, &c->rows[i].shortened);
                if (r == 0)
                        r = cut(&c->rows[i].owners, max, &c->rows[i].shortened);
        }
        return r;
}
