/* SPDX-License-Identifier: MIT */
#include "feeds/feed-index.h"

#include <errno.h>
#include <libical/ical.h>
#include <stdbool.h>
#include <string.h>

static void put_escaped(FILE *out, const char *s) {
        for (; *s; s++)
                switch (*s) {
                case '&': fputs("&amp;", out); break;
                case '<': fputs("&lt;", out); break;
                case '>': fputs("&gt;", out); break;
                case '"': fputs("&quot;", out); break;
                case '\'': fputs("&#39;", out); break;
                default: fputc(*s, out);
                }
}

/* "PT6H" → "6 小时", for people. */
static void put_interval(FILE *out, const char *refresh) {
        struct icaldurationtype d = icaldurationtype_from_string(refresh ? refresh : "");
        int seconds = icaldurationtype_is_bad_duration(d) ? 0 : icaldurationtype_as_int(d);

        if (seconds >= 86400 && seconds % 86400 == 0)
                fprintf(out, "%d 天", seconds / 86400);
        else if (seconds >= 3600 && seconds % 3600 == 0)
                fprintf(out, "%d 小时", seconds / 3600);
        else
                fprintf(out, "%d 分钟", seconds > 0 ? (seconds + 59) / 60 : 360);
}

/* One <a>: the url of path under base, with another scheme if given. */
static void put_link(FILE *out, const char *base, const char *scheme, const char *path) {
        const char *rest = strstr(base, "://");
        char href[1024];

        snprintf(href, sizeof href, "%s%s%s", scheme ? scheme : "", scheme ? rest : base, path);
        fputs("<a href=\"", out);
        put_escaped(out, href);
        fputs("\"><code>", out);
        put_escaped(out, href);
        fputs("</code></a>", out);
}

static void put_feed(FILE *out, const char *base, const char *title, const char *path,
                     bool private_feed) {
        fputs("<li><strong>", out);
        put_escaped(out, title);
        fputs("</strong>", out);
        if (private_feed)
                fputs("：私有订阅地址，请向管理员索取", out);
        else if (!base) {
                fputs("：<a href=\"", out);
                put_escaped(out, path + 1);
                fputs("\">", out);
                put_escaped(out, path + 1);
                fputs("</a>", out);
        } else {
                fputs("<br>", out);
                put_link(out, base, "webcal", path);
                fputs("<br>", out);
                put_link(out, base, NULL, path);
        }
        fputs("</li>\n", out);
}

static void put_head(FILE *out, const struct config *c) {
        fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
              out);
        put_escaped(out, c->feed.name);
        fputs(" · 日历订阅</title>\n<style>body{font-family:sans-serif;max-width:48em;"
              "margin:2em auto;padding:0 1em;line-height:1.6}code{word-break:break-all}"
              "li{margin-bottom:.6em}</style>\n</head>\n<body>\n<h1>", out);
        put_escaped(out, c->feed.name);
        fputs("</h1>\n<p>订阅下列日历，台账中的每个截止日期都会出现在您的日历里，并随台账自动更新："
              "台账修改后，日历应用下次刷新时即可看到变化（本服务建议每 ", out);
        put_interval(out, c->feed.refresh);
        fputs("刷新一次）。</p>\n<h2>订阅地址</h2>\n<ul>\n", out);
}

static const char how_to[] =
        "<h2>如何订阅</h2>\n<dl>\n"
        "<dt>Outlook（Windows）</dt><dd>日历 → 添加日历 → 从 Internet 订阅，粘贴 http(s):// 地址。"
        "Outlook 网页版和 Outlook.com 只接受 https:// 地址。</dd>\n"
        "<dt>Apple 日历（Mac）</dt><dd>点击 webcal:// 链接；或 文件 → 新建日历订阅，粘贴地址，"
        "并设定自动刷新间隔。</dd>\n"
        "<dt>iPhone / iPad</dt><dd>在 Safari 中点按 webcal:// 链接；或 设置 → 日历 → 账户 → "
        "添加账户 → 其他 → 添加已订阅的日历，粘贴地址。</dd>\n"
        "<dt>Thunderbird</dt><dd>日历 → 新建日历 → 在网络上 → 格式选 iCalendar (ICS)，"
        "粘贴 http(s):// 地址。</dd>\n"
        "<dt>安卓手机（Google 日历）</dt><dd>在电脑浏览器中打开 Google 日历 → 其他日历 → "
        "通过网址添加，粘贴 https:// 地址，手机随后同步。Google 只接受 https:// 地址，"
        "约每 4 至 12 小时刷新一次。其他安卓日历应用可用 ICSx⁵ 等应用订阅。</dd>\n"
        "</dl>\n<p>订阅的日历是只读的：事项办结请在 ledgerctl 中标记。</p>\n"
        "</body>\n</html>\n";

/* Standing work ("长期", "常态化") has no date, so no feed shows it: said once. */
static void put_ongoing(FILE *out, const struct config *c) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++)
                        n += c->ledgers[i].tasks[j].when == WHEN_ONGOING &&
                             c->ledgers[i].tasks[j].n_milestones == 0;
        if (n > 0)
                fprintf(out, "<p>另有 %zu 项常态化（长期）工作，没有截止日期，不在日历中。</p>\n", n);
}

int feed_index_render(const struct config *c, const char *base_url, FILE *out) {
        put_head(out, c);
        put_feed(out, base_url, "全部事项", "/ledger.ics", false);
        for (size_t i = 0; i < c->n_owners; i++) {
                const struct owner *o = &c->owners[i];
                char path[128];

                snprintf(path, sizeof path, "/%s.ics", o->feed_slug ? o->feed_slug : o->id);
                put_feed(out, base_url, o->name, path, o->feed_token != NULL);
        }
        fputs("</ul>\n", out);
        put_ongoing(out, c);
        fputs(how_to, out);
        return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
