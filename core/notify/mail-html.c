/* SPDX-License-Identifier: MIT */
#include "notify/mail-html.h"

#include <stdio.h>

#include "basic/memstream.h"
#include "http/html.h"
#include "notify/formats.h"

#define FONT "-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei',sans-serif"
#define BUTTON "display:inline-block;padding:8px 10px;margin:6px 4px 0 0;border-radius:6px;" \
               "text-decoration:none;font-size:14px;"

static const char *urgency_color(enum card_urgency u) {
        return u == CARD_UPCOMING ? "#0969da" : u == CARD_TODAY ? "#bc4c00" : "#cf222e";
}

/* <a href="url" style="…">label</a> */
static void put_link(FILE *f, const char *url, const char *label, const char *style) {
        fputs("<a href=\"", f);
        html_escape(f, url);
        fprintf(f, "\" style=\"%s\">", style);
        html_escape(f, label);
        fputs("</a>", f);
}

static void put_buttons(FILE *f, const struct card_row *row) {
        struct chat_button b[CHAT_BUTTONS];
        size_t n = chat_buttons(row, b);

        if (n == 0)
                return;
        fputs("<div>", f);
        for (size_t i = 0; i < n; i++)
                put_link(f, b[i].url, b[i].label,
                         b[i].primary ? BUTTON "background:#1a7f37;color:#ffffff;"
                                      : BUTTON "background:#f6f8fa;color:#24292f;"
                                               "border:1px solid #d0d7de;");
        fputs("</div>", f);
}

static void put_row(FILE *f, const struct card_row *row) {
        fputs("<tr><td style=\"padding:14px 16px;border-top:1px solid #e5e7eb;\">"
              "<div style=\"font-size:15px;\"><strong>", f);
        html_escape(f, row->due);
        fprintf(f, "</strong> <span style=\"color:%s;\">", urgency_color(row->urgency));
        html_escape(f, row->left);
        fputs("</span></div><div style=\"font-size:16px;font-weight:600;margin-top:2px;\">", f);
        html_escape(f, row->item);
        fputs("</div><div style=\"color:#57606a;margin-top:2px;\">", f);
        html_escape(f, row->owners);
        fputs("</div>", f);
        if (row->note[0]) {
                fputs("<div style=\"color:#9a6700;margin-top:4px;\">", f);
                html_escape(f, row->note);
                fputs("</div>", f);
        }
        put_buttons(f, row);
        fputs("</td></tr>\n", f);
}

static void put_footer(FILE *f, const struct card *c) {
        const char *link = "color:#0969da;";

        fputs("<tr><td style=\"padding:14px 16px;border-top:1px solid #e5e7eb;\">", f);
        if (c->page_url)
                put_link(f, c->page_url, CHAT_ALL_ITEMS, link);
        if (c->page_url && c->feed_url)
                fputs(" · ", f);
        if (c->feed_url)
                put_link(f, c->feed_url, "订阅我的日历", link);
        fputs("<p style=\"color:#6e7781;font-size:12px;margin:10px 0 0;\">"
              "本消息由台账提醒服务自动发送。</p></td></tr>\n", f);
}

static void put_document(FILE *f, const void *arg) {
        const struct card *c = arg;

        fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
              "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>", f);
        html_escape(f, c->title);
        fputs("</title></head>\n<body style=\"margin:0;padding:0;background:#f6f8fa;\">\n"
              "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
              "style=\"width:100%;max-width:600px;margin:0 auto;background:#ffffff;"
              "border-collapse:collapse;font-family:" FONT ";line-height:1.5;color:#1f2328;"
              "word-break:break-word;\">\n<tr><td style=\"padding:16px;\">"
              "<h1 style=\"font-size:18px;margin:0;\">", f);
        html_escape(f, c->title);
        fputs("</h1>", f);
        if (c->late)
                fputs("<p style=\"color:#6e7781;margin:6px 0 0;\">" CHAT_LATE_NOTE "</p>", f);
        if (c->text) {
                fputs("<p style=\"margin:6px 0 0;white-space:pre-line;\">", f);
                html_escape(f, c->text);
                fputs("</p>", f);
        }
        fputs("</td></tr>\n", f);
        for (size_t i = 0; i < c->n_rows; i++)
                put_row(f, &c->rows[i]);
        put_footer(f, c);
        fputs("</table>\n</body></html>\n", f);
}

char *mail_html(const struct card *c) {
        return memstream_run(put_document, c, NULL);
}
