/* SPDX-License-Identifier: MIT */
#pragma once

/* The payload builders of the webhook formats (format-*.c, one file each) and what
 * they share: the buttons of an item, ledger text made safe for markdown,
 * and the markdown layout WeCom and DingTalk both read. Internal to
 * notify/: webhook-format.c names the builders in its table. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "notify/card.h"
#include "notify/webhook.h"

/* ---- the builders (webhook_body_fn) ---- */
struct json_object *wecom_markdown(const struct webhook_input *in, const uint8_t *key, size_t n);
struct json_object *wecom_mention(const struct webhook_input *in, const uint8_t *key, size_t n);
struct json_object *dingtalk_markdown(const struct webhook_input *in, const uint8_t *key, size_t n);
struct json_object *feishu_card(const struct webhook_input *in, const uint8_t *key, size_t n);
struct json_object *slack_blocks(const struct webhook_input *in, const uint8_t *key, size_t n);
/* The json format writes its body (webhook_write_fn). */
int json_payload(const struct webhook_input *in, char **body, size_t *size);

/* ---- shared ---- */

/* An item's buttons, in the order they are shown: 已完成, 推迟1天, 推迟3天,
 * 推迟7天, 查看. */
struct chat_button {
        const char *label; /* "已完成", "推迟1天", … */
        const char *short_label; /* in a markdown line: "已完成", after "推迟" "1天" */
        const char *url;
        bool primary; /* the one to press: 已完成 */
        bool snooze;
};
#define CHAT_BUTTONS 5
/* The buttons of row that have a URL, into out; how many. */
size_t chat_buttons(const struct card_row *row, struct chat_button out[CHAT_BUTTONS]);

/* s with the characters markdown gives a meaning (* _ [ ] < > # ` ~ \) as
 * their full-width forms, so that ledger text shows as written; into f. */
void chat_put_plain(FILE *f, const char *s);

/* A row as the text of its own block, in the dialect of a card format
 * (Feishu's lark_md, Slack's mrkdwn): the due date between bold marks ("**",
 * Slack's "*"), the days left, the item, the owners and the note, each line
 * of ledger text written by put as the dialect needs (chat_put_plain). A
 * new string; NULL when out of memory. */
char *chat_row_text(const struct card_row *row, const char *bold,
                    void (*put)(FILE *f, const char *s));

/* How a card format (Feishu's elements, Slack's blocks) writes the body of
 * a card, for chat_add_body(). */
struct chat_dialect {
        const char *bold;                    /* around a row's due date, as chat_row_text() */
        void (*put)(FILE *f, const char *s); /* ledger text made safe, as chat_row_text() */
        /* Appends a block of text: false when text is NULL (out of memory
         * before) or when out of memory. */
        bool (*add_text)(struct json_object *blocks, const char *text);
        struct json_object *(*actions)(const struct card_row *row); /* a row's buttons */
        /* A rule before every row's block that follows another (the card's
         * text or a row); NULL: none. */
        struct json_object *(*rule)(void);
};
/* The body of c appended to blocks as d writes it: the late note when the
 * card is late, the card's text, and each row's text with its buttons when
 * it has links. false when out of memory. */
bool chat_add_body(struct json_object *blocks, const struct card *c, const struct chat_dialect *d);

/* "[我的全部事项](page)　[订阅日历](feed)" in markdown (with slack, in
 * Slack's "<url|label>"), either left out when the card has none, nothing
 * for neither; into f, or in markdown as a new string (NULL when out of
 * memory). */
void chat_put_footer(FILE *f, const struct card *c, bool slack);
char *chat_footer(const struct card *c);

/* Words every format uses. */
#define CHAT_LATE_NOTE "补发：此提醒的原定发送时间已过，服务恢复后补发。"
#define CHAT_ALL_ITEMS "我的全部事项"
#define CHAT_SUBSCRIBE "订阅日历"

/* How a markdown dialect lays a card out. */
struct markdown_style {
        const char *title_open, *title_close; /* around the title: "**" "**", "#### " "" */
        const char *gap;    /* between the lines of an item: "\n" or "\n\n" */
        const char *sep;    /* between the title, the items and the links: "\n\n" */
        bool colors;        /* WeCom's <font color="info|comment|warning"> */
};
/* The card as markdown, then tail (mentions; NULL: none). NULL when out of
 * memory. */
char *markdown_render(const struct card *c, const struct markdown_style *st, const char *tail);
