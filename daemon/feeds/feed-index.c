/* SPDX-License-Identifier: MIT */
#include "feeds/feed-index.h"

#include <errno.h>
#include <libical/ical.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/html.h"
#include "http/qrsvg.h"
#include "ledger/model.h"
#include "marks/marks.h"

/* What a feed holds now: its open milestones and the next one due. */
struct feed_summary {
        size_t open, overdue;
        const struct milestone *next; /* the first open one due today or later */
};

static bool is_done(const struct marks_frozen *marks, const struct milestone *ms) {
        struct state_mark m;

        return marks_frozen_get(marks, ms->task->ledger->id, ms->id, &m) && m.status == STATE_DONE;
}

static void count(struct feed_summary *s, const struct milestone *ms, day_t today) {
        s->open++;
        s->overdue += ms->due < today;
        if (ms->due >= today && (!s->next || ms->due < s->next->due))
                s->next = ms;
}

/* Every feed's summary in one pass over the milestones: out[0] the public
 * feed's, out[1 + i] owner i's. One pass, not one per owner: a province has
 * a hundred owners and ten thousand milestones. */
static void summarize(const struct config *c, const struct marks_frozen *marks, day_t today,
                      struct feed_summary *out) {
        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++) {
                        const struct task *t = &c->ledgers[i].tasks[j];
                        bool public = !task_is_private(t);

                        for (size_t k = 0; k < t->n_milestones; k++) {
                                const struct milestone *ms = &t->milestones[k];

                                if (is_done(marks, ms))
                                        continue;
                                if (public)
                                        count(&out[0], ms, today);
                                /* Each owner once: the loader drops a repeated one. */
                                for (size_t o = 0; o < t->n_owners; o++)
                                        count(&out[1 + (t->owners[o] - c->owners)], ms, today);
                        }
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
static void put_link(FILE *out, const char *href) {
        fputs("<a href=\"", out);
        html_escape(out, href);
        fputs("\"><code>", out);
        html_escape(out, href);
        fputs("</code></a>", out);
}

static void put_summary(FILE *out, const struct feed_summary *s, day_t today) {
        int y, m, d;

        fprintf(out, "<p class=\"meta\">未完成 %zu 项", s->open);
        if (s->overdue)
                fprintf(out, "（其中<span class=\"late\">逾期 %zu 项</span>）", s->overdue);
        if (s->next) {
                const struct task *t = s->next->task;

                date_to_ymd(s->next->due, &y, &m, &d);
                fprintf(out, "<br>下一个截止：%d月%d日", m, d);
                if (s->next->due == today)
                        fputs("（今天）", out);
                else
                        fprintf(out, "（还有%ld天）", (long) (s->next->due - today));
                fputs(" ", out);
                html_escape(out, *t->item ? t->item : t->category);
        }
        fputs("</p>\n", out);
}

struct feed_entry {
        const char *title, *path;
        bool private_feed;
        struct feed_summary summary;
};

/* The QR codes of the previous page, and those of this one. */
struct page_codes {
        const struct qrsvg_memo *old;
        struct qrsvg_memo **kept;
};

static int put_feed(FILE *out, const char *base, const struct feed_entry *e, day_t today,
                    const struct page_codes *codes) {
        const char *rest = base ? strstr(base, "://") : NULL;
        char webcal[1024], http[1024];
        int r = 0;

        fputs("<section class=\"card\">\n", out);
        if (base && rest && !e->private_feed) {
                snprintf(webcal, sizeof webcal, "webcal%s%s", rest, e->path);
                snprintf(http, sizeof http, "%s%s", base, e->path);
                r = qrsvg_write_kept(out, webcal, e->title, codes->old, codes->kept);
        }
        fputs("<div class=\"text\"><h3>", out);
        html_escape(out, e->title);
        fputs("</h3>\n", out);
        put_summary(out, &e->summary, today);
        if (e->private_feed)
                fputs("<p>私有订阅地址，请向管理员索取。</p>\n", out);
        else if (!base || !rest) {
                fputs("<p><a href=\"", out);
                html_escape(out, e->path + 1);
                fputs("\">", out);
                html_escape(out, e->path + 1);
                fputs("</a></p>\n", out);
        } else {
                fputs("<p>", out);
                put_link(out, webcal);
                fputs("<br>", out);
                put_link(out, http);
                fputs("</p>\n", out);
        }
        fputs("</div>\n</section>\n", out);
        return r;
}

static const char style[] =
        "body{margin:0;background:#f3f4f6;color:#1f2329;font:16px/1.6 system-ui,-apple-system,"
        "\"PingFang SC\",\"Microsoft YaHei\",sans-serif;overflow-wrap:anywhere}"
        "main{max-width:760px;margin:0 auto;padding:12px 14px 32px}h1{font-size:22px}"
        "h3{margin:0 0 4px;font-size:17px}.card{display:flex;flex-wrap:wrap;gap:14px;"
        "align-items:flex-start;background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;"
        "box-shadow:0 1px 2px rgba(0,0,0,.08)}.text{flex:1 1 260px;min-width:0}"
        ".qr{width:132px;height:132px;flex:none}.meta{color:#646a73;font-size:14px}"
        ".late{color:#c62828}code{word-break:break-all;font-size:13px}a{color:#1f6feb}"
        "dt{font-weight:600;margin-top:8px}";

static void put_head(FILE *out, const struct config *c) {
        fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
              out);
        html_escape(out, c->feed.name);
        fprintf(out, " · 日历订阅</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
        html_escape(out, c->feed.name);
        fputs("</h1>\n<p>用手机扫描二维码或点击链接订阅日历，台账中的每个截止日期都会出现在您的日历里，"
              "并随台账和办理情况自动更新（本服务建议每 ", out);
        put_interval(out, c->feed.refresh);
        fputs("刷新一次）。</p>\n", out);
}

static const char how_to[] =
        "<h2>如何订阅</h2>\n<dl>\n"
        "<dt>iPhone / iPad</dt><dd>用相机扫描二维码，或在 Safari 中点按 webcal:// 链接，"
        "按提示订阅；或 设置 → 日历 → 账户 → 添加账户 → 其他 → 添加已订阅的日历，粘贴地址。</dd>\n"
        "<dt>安卓手机</dt><dd>在电脑浏览器中打开 Google 日历 → 其他日历 → 通过网址添加，"
        "粘贴 https:// 地址（Google 只接受 https:// 地址）；其他日历应用可用 ICSx⁵ 等应用订阅。</dd>\n"
        "<dt>Outlook（Windows）</dt><dd>日历 → 添加日历 → 从 Internet 订阅，粘贴 http(s):// 地址。"
        "Outlook 网页版和 Outlook.com 只接受 https:// 地址。</dd>\n"
        "<dt>Apple 日历（Mac）</dt><dd>点击 webcal:// 链接；或 文件 → 新建日历订阅，粘贴地址。</dd>\n"
        "<dt>Thunderbird</dt><dd>日历 → 新建日历 → 在网络上 → 格式选 iCalendar (ICS)，"
        "粘贴 http(s):// 地址。</dd>\n</dl>\n"
        "<h2>办结了怎么登记</h2>\n"
        "<p>每条提醒（邮件、企业微信、钉钉、飞书）都带有【已完成】【推迟】【查看】按钮：在手机上点开、"
        "再按一下确认即可，不必登录。登记后不再提醒此事项，订阅的日历也会显示为已完成。</p>\n"
        "</main>\n</body>\n</html>\n";

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

int feed_index_render(const struct config *c, const struct marks_frozen *marks,
                      const char *base_url, day_t today, const struct qrsvg_memo *old_codes,
                      struct qrsvg_memo **codes, FILE *out) {
        struct feed_summary *sums = calloc(c->n_owners + 1, sizeof *sums);
        struct feed_entry all = { "全部事项", "/ledger.ics", false, {} };
        const struct page_codes pc = { old_codes, codes };
        int r;

        if (!sums)
                return -ENOMEM;
        summarize(c, marks, today, sums);
        all.summary = sums[0];
        put_head(out, c);
        r = put_feed(out, base_url, &all, today, &pc);
        for (size_t i = 0; r >= 0 && i < c->n_owners; i++) {
                const struct owner *o = &c->owners[i];
                char path[128];
                struct feed_entry e = { o->name, path, o->feed_token != NULL, sums[1 + i] };

                snprintf(path, sizeof path, "/%s.ics", o->feed_slug ? o->feed_slug : o->id);
                r = put_feed(out, base_url, &e, today, &pc);
        }
        free(sums);
        put_ongoing(out, c);
        fputs(how_to, out);
        if (r < 0)
                return r;
        return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
