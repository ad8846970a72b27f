/* SPDX-License-Identifier: MIT */
#pragma once

/* The reminders of one message laid out as the chat formats and the HTML
 * mail show them: a title, then one row per item (its due date, the days
 * left, the item, its owners, a holiday note and its buttons). Built once
 * from a message_input, so that every format says the same things in the
 * same order, the input's (the courier records a digest's items by due
 * date). */

#include <stdbool.h>
#include <stddef.h>

#include "notify/message.h"

enum card_urgency {
        CARD_UPCOMING, /* days left */
        CARD_TODAY,
        CARD_OVERDUE,
};

struct card_row {
        const struct reminder *reminder;
        char due[24];   /* "10月10日" */
        char left[48];  /* "还有3天", "今天到期", "已逾期5天" */
        enum card_urgency urgency;
        char *item;     /* "绩效目标管理（单位自评）" */
        char *owners;   /* "县财政局、县审计局" */
        char note[192]; /* message_holiday_note(), or "" */
        struct message_links links; /* NULL members: no such button */
        bool shortened; /* item or owners cut: the page (查看) has them whole */
};

struct card {
        char *title;          /* the message's subject, with "（2/3）" for a part */
        const char *text;     /* a paragraph before the rows (a test message's words); NULL: none */
        bool late;            /* sent after its time: the formats say so */
        const char *feed_url; /* to subscribe to; NULL: none */
        const char *page_url; /* the page of the one reached (查看全部); NULL: none */
        struct card_row *rows;
        size_t n_rows;
};

/* in's reminders under title (one line), as part of parts (0: not split).
 * 0, -EINVAL (no reminders) or -ENOMEM. Free with card_free(). */
int card_build(const struct message_input *in, const char *title, unsigned part, unsigned parts,
               struct card *out);
void card_free(struct card *c);

/* Cuts the item and owners of every row to at most max characters, "…"
 * ending what was cut: for a message that does not fit its platform even
 * alone. 0 or -ENOMEM. */
int card_shorten(struct card *c, size_t max);
