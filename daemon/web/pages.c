/* SPDX-License-Identifier: MIT */
#include "web/pages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/greedy.h"
#include "http/html.h"
#include "ledger/model.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "marks/marks.h"
#include "web/links.h"

/* Colours and sizes for a phone first; max-width keeps lines readable on a
 * PC. overflow-wrap keeps long words and URLs from widening the page. */
static const char style[] =
        "body{margin:0;background:#f3f4f6;color:#1f2329;font:16px/1.55 system-ui,-apple-system,"
        "\"PingFang SC\",\"Microsoft YaHei\",sans-serif;overflow-wrap:anywhere}"
        "main{max-width:640px;margin:0 auto;padding:12px 14px 32px}"
        "h1{font-size:20px;margin:8px 0 4px}h2{font-size:16px;margin:20px 0 6px;color:#646a73}"
        ".card{background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;"
        "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
        ".item{font-weight:600}.meta{color:#646a73;font-size:14px}"
        ".late{color:#c62828;font-weight:600}.soon{color:#b26a00;font-weight:600}"
        ".ok{color:#2e7d32}.notice{background:#e8f5e9;border-radius:8px;padding:10px 12px}"
        ".actions{margin-top:10px;display:flex;flex-wrap:wrap;gap:6px}"
        "form{margin:0}"
        "button,.button{display:inline-block;border:0;border-radius:8px;padding:8px 9px;"
        "font:inherit;font-size:15px;background:#1f6feb;color:#fff;text-decoration:none}"
        "button.second{background:#e8ebf0;color:#1f2329}"
        "a{color:#1f6feb}";

static void head(FILE *out, const char *title) {
        fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", out);
        html_escape(out, title);
        fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
}

static int foot(FILE *out) {
        fputs("</main>\n</body>\n</html>\n", out);
        return ferror(out) ? -EIO : 0;
}

const char *page_action_words(enum link_action a) {
        switch (a) {
        case LINK_DONE: return "已完成";
        case LINK_SNOOZE_1: return "推迟1天";
        case LINK_SNOOZE_3: return "推迟3天";
        case LINK_SNOOZE_7: return "推迟7天";
        default: return "查看";
        }
}

/* "项目支出绩效评价（单位自评）" */
static void milestone_title(FILE *out, const struct milestone *ms) {
        const struct task *t = ms->task;

        html_escape(out, *t->item ? t->item : *t->category ? t->category : t->id);
        if (*ms->label) {
                fputs("（", out);
                html_escape(out, ms->label);
                fputs("）", out);
        }
}

/* "截止 2025-10-10（周五） · 还有3天" */
static void due_line(FILE *out, const struct milestone *ms, day_t today, bool done) {
        char due[DATE_ISO_LEN];
        long left = (long) ms->due - (long) today;

        date_format_iso(ms->due, due);
        fprintf(out, "截止 %s（%s）", due, date_weekday_zh(ms->due));
        if (done)
                return;
        if (left < 0)
                fprintf(out, " · <span class=\"late\">已逾期%ld天</span>", -left);
        else if (left == 0)
                fputs(" · <span class=\"soon\">今天到期</span>", out);
        else
                fprintf(out, " · <span class=\"%s\">还有%ld天</span>", left <= 7 ? "soon" : "", left);
}

static void button_form(FILE *out, const char *url, const char *words, bool second) {
        fputs("<form method=\"post\" action=\"", out);
        html_escape(out, url);
        fputs("\"><input type=\"hidden\" name=\"confirm\" value=\"1\"><button type=\"submit\"", out);
        if (second)
                fputs(" class=\"second\"", out);
        fputs(">", out);
        html_escape(out, words);
        fputs("</button></form>", out);
}

static void page_link(FILE *out, const char *page_url) {
        if (!page_url)
                return;
        fputs("<p><a href=\"", out);
        html_escape(out, page_url);
        fputs("\">查看我的全部事项</a></p>\n", out);
}

/* ---- the confirmation ------------------------------------------------------------ */

static void confirm_text(FILE *out, const struct config *c, enum link_action a, time_t now) {
        unsigned days = link_snooze_days(a);
        char until[32];

        if (a == LINK_DONE) {
                fputs("<p>确认后，此事项标记为已完成：不再发送提醒，订阅的日历也显示为已完成。</p>\n", out);
                return;
        }
        zone_format_local(c->timezone, now + (time_t) days * 86400, until, sizeof until);
        fprintf(out, "<p>确认后，%u天内不再提醒此事项，%s 之后照常提醒。截止日期不变。</p>\n", days,
                until);
}

int page_confirm(FILE *out, const struct config *c, const struct milestone *ms,
                 const struct owner *o, enum link_action a, const char *action_url,
                 const char *page_url, day_t today, time_t now) {
        head(out, page_action_words(a));
        fprintf(out, "<h1>%s？</h1>\n<div class=\"card\">\n<div class=\"item\">",
                a == LINK_DONE ? "标记为已完成" : page_action_words(a));
        milestone_title(out, ms);
        fputs("</div>\n<div class=\"meta\">", out);
        due_line(out, ms, today, false);
        fputs("<br>", out);
        html_escape(out, ms->task->ledger->title);
        fputs(" 第", out);
        html_escape(out, ms->task->id);
        fputs("项 · 责任主体：", out);
        html_escape(out, o->name);
        fputs("</div>\n", out);
        confirm_text(out, c, a, now);
        fputs("<div class=\"actions\">", out);
        button_form(out, action_url, a == LINK_DONE ? "确认已完成" : "确认推迟", false);
        fputs("</div>\n</div>\n", out);
        page_link(out, page_url);
        return foot(out);
}

/* ---- the owner's page -------------------------------------------------------------- */

static int by_due(const void *a, const void *b) {
        const struct milestone *x = *(const struct milestone *const *) a;
        const struct milestone *y = *(const struct milestone *const *) b;

        return (x->due > y->due) - (x->due < y->due);
}

/* The dated milestones the owner is reminded of (its own, and those it is
 * escalated), sorted by due date. */
static int owner_milestones(const struct config *c, const struct owner *o,
                            const struct milestone ***out, size_t *n) {
        const struct milestone **ms = NULL;
        size_t allocated = 0;

        *n = 0;
        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++) {
                        const struct task *t = &c->ledgers[i].tasks[j];

                        if (!task_reaches(c, t, o))
                                continue;
                        for (size_t k = 0; k < t->n_milestones; k++) {
                                if (GREEDY_REALLOC(ms, allocated, *n + 1) < 0) {
                                        free(ms);
                                        return -ENOMEM;
                                }
                                ms[(*n)++] = &t->milestones[k];
                        }
                }
        if (*n > 1)
                qsort(ms, *n, sizeof *ms, by_due);
        *out = ms;
        return 0;
}

static void open_card(FILE *out, const struct owner_page *p, const struct milestone *ms,
                      const struct state_mark *mark) {
        struct milestone_links links;
        char until[32];

        fputs("<div class=\"card\">\n<div class=\"item\">", out);
        milestone_title(out, ms);
        fputs("</div>\n<div class=\"meta\">", out);
        due_line(out, ms, p->today, false);
        if (mark && mark->snoozed_until > p->now) {
                zone_format_local(p->config->timezone, mark->snoozed_until, until, sizeof until);
                fprintf(out, "<br>已推迟：%s 前不再提醒", until);
        }
        fputs("</div>\n", out);
        if (links_for_milestone(p->links, ms, p->owner, NULL, &links) >= 0) {
                fputs("<div class=\"actions\">", out);
                button_form(out, links.done, "已完成", false);
                for (size_t i = 0; i < 3; i++) {
                        char words[32];

                        snprintf(words, sizeof words, "推迟%u天", links_snooze_days[i]);
                        button_form(out, links.snooze[i], words, true);
                }
                fputs("</div>\n", out);
        }
        fputs("</div>\n", out);
}

static void done_card(FILE *out, const struct owner_page *p, const struct milestone *ms,
                      const struct state_mark *mark) {
        char when[32];

        zone_format_local(p->config->timezone, mark->when, when, sizeof when);
        fputs("<div class=\"card\">\n<div class=\"item ok\">✓ ", out);
        milestone_title(out, ms);
        fputs("</div>\n<div class=\"meta\">", out);
        due_line(out, ms, p->today, true);
        fprintf(out, "<br>%s 由", when);
        html_escape(out, *mark->by.user ? mark->by.user : "（未署名）");
        fputs(strcmp(mark->by.via, "link") == 0 ? "标记完成（经提醒中的链接）" : "标记完成", out);
        fputs("</div>\n</div>\n", out);
}

int page_owner(FILE *out, const struct owner_page *p) {
        const struct milestone **ms;
        size_t n, open = 0;
        int r = owner_milestones(p->config, p->owner, &ms, &n);

        if (r < 0)
                return r;
        head(out, p->owner->name);
        fputs("<h1>", out);
        html_escape(out, p->owner->name);
        fputs("的工作事项</h1>\n", out);
        if (p->notice) {
                fputs("<p class=\"notice\">", out);
                html_escape(out, p->notice);
                fputs("</p>\n", out);
        }
        fputs("<h2>待完成</h2>\n", out);
        for (size_t i = 0; i < n; i++) {
                struct state_mark mark;
                bool marked = marks_get(p->marks, ms[i]->task->ledger->id, ms[i]->id, &mark);

                if (!marked || mark.status != STATE_DONE) {
                        open_card(out, p, ms[i], marked ? &mark : NULL);
                        open++;
                }
        }
        if (open == 0)
                fputs("<p class=\"ok\">全部事项均已完成。</p>\n", out);
        if (open < n)
                fputs("<h2>已完成</h2>\n", out);
        for (size_t i = 0; i < n; i++) {
                struct state_mark mark;

                if (marks_get(p->marks, ms[i]->task->ledger->id, ms[i]->id, &mark) &&
                    mark.status == STATE_DONE)
                        done_card(out, p, ms[i], &mark);
        }
        free(ms);
        return foot(out);
}

int page_message(FILE *out, const char *title, const char *text, const char *page_url) {
        head(out, title);
        fputs("<h1>", out);
        html_escape(out, title);
        fputs("</h1>\n<div class=\"card\"><p>", out);
        html_escape(out, text);
        fputs("</p></div>\n", out);
        page_link(out, page_url);
        return foot(out);
}
