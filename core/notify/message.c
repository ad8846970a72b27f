/* SPDX-License-Identifier: MIT */
#include "notify/message.h"
#include "ledger/workdays.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/greedy.h"
#include "basic/text.h"

enum field {
        F_ITEM,
        F_LABEL,
        F_DUE,
        F_DAYS_LEFT,
        F_DAYS_OVERDUE,
        F_OWNERS,
        F_PHRASE,
        F_LEDGER,
        F_FEED_URL,
        F_KIND,
        F_COUNT,
        F_DONE_URL,
        F_SNOOZE1_URL,
        F_SNOOZE3_URL,
        F_SNOOZE7_URL,
        F_PAGE_URL,
        F_WHEN,
        F_DUE_SHORT,
        F_HOLIDAY,
        N_FIELDS,
};

static const char *const field_names[N_FIELDS] = {
        [F_ITEM] = "item",         [F_LABEL] = "label",   [F_DUE] = "due",
        [F_DAYS_LEFT] = "days_left", [F_DAYS_OVERDUE] = "days_overdue",
        [F_OWNERS] = "owners",     [F_PHRASE] = "phrase", [F_LEDGER] = "ledger",
        [F_FEED_URL] = "feed_url", [F_KIND] = "kind",     [F_COUNT] = "count",
        [F_DONE_URL] = "done_url", [F_SNOOZE1_URL] = "snooze1_url",
        [F_SNOOZE3_URL] = "snooze3_url", [F_SNOOZE7_URL] = "snooze7_url", [F_PAGE_URL] = "page_url",
        [F_WHEN] = "when", [F_DUE_SHORT] = "due_short", [F_HOLIDAY] = "holiday",
};

#define ITEM_LINES "工作事项：{item}{label}\n责任单位：{owners}\n完成时限：{phrase}\n"
/* The reminder's own buttons, as links; left out when there are none. */
#define ACTION_LINES "已完成，点此登记：{done_url}\n推迟1天：{snooze1_url}\n推迟3天：{snooze3_url}\n" \
                     "推迟7天：{snooze7_url}\n查看我的全部事项：{page_url}\n"

/* What a person sorts a mail list by comes first: the date and how near it
 * is; a phone's list shows the start of a subject only. */
static const struct message_templates defaults = {
        .kinds = {
                [REMINDER_UPCOMING] = {
                        "【台账提醒】{when}：{item}{label}",
                        ITEM_LINES "到期日期：{due}（还有{days_left}天）\n{holiday}\n所属台账：{ledger}\n"
                                   ACTION_LINES,
                },
                [REMINDER_DUE_TODAY] = {
                        "【台账提醒】{when}：{item}{label}",
                        ITEM_LINES "到期日期：{due}（今天）\n{holiday}\n所属台账：{ledger}\n"
                                   "请于今天内办结。\n" ACTION_LINES,
                },
                [REMINDER_OVERDUE] = {
                        "【台账提醒】{when}：{item}{label}",
                        ITEM_LINES "到期日期：{due}（已逾期{days_overdue}天）\n所属台账：{ledger}\n"
                                   "请尽快办理。\n" ACTION_LINES,
                },
                [REMINDER_ESCALATION] = {
                        "【逾期督办】{when}：{owners}承办的{item}{label}",
                        ITEM_LINES "到期日期：{due}（已逾期{days_overdue}天）\n所属台账：{ledger}\n"
                                   "请督促责任单位尽快办理。\n" ACTION_LINES,
                },
        },
        .digest_subject = "【台账提醒】{when}：{item}{label} 等{count}项",
        .footer = "订阅日历：{feed_url}\n本消息由台账提醒服务自动发送，请勿直接回复。\n",
};

static const char *const kind_words[MESSAGE_KINDS] = {
        [REMINDER_UPCOMING] = "即将到期",
        [REMINDER_DUE_TODAY] = "今日到期",
        [REMINDER_OVERDUE] = "已逾期",
        [REMINDER_ESCALATION] = "逾期督办",
};

#define LATE_NOTE "（补发：此提醒的原定发送时间已过，服务恢复后补发。）\n\n"
#define LATE_SUBJECT "（补发）"

const struct message_templates *message_defaults(void) {
        return &defaults;
}

void message_templates_free(struct message_templates *t) {
        if (!t)
                return;
        for (size_t i = 0; i < MESSAGE_KINDS; i++) {
                free((char *) t->kinds[i].subject);
                free((char *) t->kinds[i].body);
        }
        free((char *) t->digest_subject);
        free((char *) t->footer);
        free(t);
}

/* A growing string; a failed allocation is remembered and reported once at
 * the end, so that the many appends need no error branch each. */
struct mbuf {
        char *s;
        size_t len, cap;
        bool oom;
};

static void put(struct mbuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (GREEDY_REALLOC(b->s, b->cap, b->len + n + 1) < 0) {
                b->oom = true;
                return;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void puts_(struct mbuf *b, const char *s) {
        put(b, s, strlen(s));
}

/* Hands the string over to the caller; NULL when out of memory. */
static char *mbuf_take(struct mbuf *b) {
        if (!b->oom && !b->s)
                put(b, "", 0);
        if (b->oom) {
                free(b->s);
                return NULL;
        }
        return b->s;
}

static void mbuf_truncate(struct mbuf *b, size_t len) {
        if (b->s && len <= b->len) {
                b->len = len;
                b->s[len] = '\0';
        }
}

enum tok_type { TOK_END, TOK_TEXT, TOK_NEWLINE, TOK_FIELD };

struct tok {
        enum tok_type type;
        const char *s; /* TEXT: the bytes; an error: what is wrong */
        size_t len;
        enum field field;
};

static int field_find(const char *name, size_t len) {
        for (int f = 0; f < N_FIELDS; f++)
                if (strlen(field_names[f]) == len && memcmp(field_names[f], name, len) == 0)
                        return f;
        return -1;
}

/* "{name}" at s: the field, or -EINVAL with t->s/len naming the bad part. */
static int tok_field(const char *s, struct tok *t) {
        size_t n = strcspn(s + 1, "{}\n");
        int f;

        t->s = s, t->len = n + 2;
        if (s[1 + n] != '}') {
                t->len = 1;
                return -EINVAL;
        }
        f = field_find(s + 1, n);
        if (f < 0)
                return -EINVAL;
        t->type = TOK_FIELD, t->field = (enum field) f;
        return 0;
}

/* The next piece of the template at *p; advances *p past it. */
static int tok_next(const char **p, struct tok *t) {
        const char *s = *p;
        int r = 0;

        t->s = s, t->len = 1, t->type = TOK_TEXT;
        if (*s == '\0')
                t->type = TOK_END, t->len = 0;
        else if (*s == '\n')
                t->type = TOK_NEWLINE;
        else if ((s[0] == '{' || s[0] == '}') && s[1] == s[0])
                *p += 1; /* an escaped brace: the first one is the text */
        else if (*s == '{')
                r = tok_field(s, t);
        else if (*s != '}') /* a lone '}' is itself */
                t->len = strcspn(s, "{}\n");
        if (r == 0)
                *p += t->len;
        return r;
}

/* Copies s (n bytes) into buf, cut short if need be between characters (a
 * byte that is not UTF-8 counting as one). */
static void copy_bad(char *buf, size_t size, const char *s, size_t n) {
        size_t i;

        if (size == 0)
                return;
        i = text_utf8_prefix(s, n, size - 1);
        memcpy(buf, s, i);
        buf[i] = '\0';
}

int message_template_check(const char *tmpl, char *bad, size_t bad_size) {
        struct tok t;
        int r;

        do {
                r = tok_next(&tmpl, &t);
                if (r < 0) {
                        copy_bad(bad, bad_size, t.s, t.len);
                        return r;
                }
        } while (t.type != TOK_END);
        return 0;
}

/* Controls from start on, a value's newline among them, become spaces. */
static void flatten(struct mbuf *b, size_t start) {
        for (size_t i = start; b->s && i < b->len; i++)
                if ((unsigned char) b->s[i] < 0x20 || b->s[i] == 0x7f)
                        b->s[i] = ' ';
}

/* Expands tmpl into out. drop_empty: leave out a line whose placeholders all
 * came out empty; one_line: newlines and other controls become spaces. */
static int expand(const char *tmpl, char *const values[N_FIELDS], bool drop_empty, bool one_line,
                  struct mbuf *out) {
        size_t start = out->len, line_start = out->len;
        int fields = 0, filled = 0;
        struct tok t;

        for (;;) {
                int r = tok_next(&tmpl, &t);

                if (r < 0)
                        return r;
                if (t.type == TOK_TEXT)
                        put(out, t.s, t.len);
                else if (t.type == TOK_FIELD) {
                        fields++;
                        filled += values[t.field][0] != '\0';
                        puts_(out, values[t.field]);
                } else {
                        if (drop_empty && fields > 0 && filled == 0)
                                mbuf_truncate(out, line_start);
                        else if (t.type == TOK_NEWLINE)
                                put(out, one_line ? " " : "\n", 1);
                        if (t.type == TOK_END)
                                break;
                        line_start = out->len, fields = filled = 0;
                }
        }
        if (one_line)
                flatten(out, start);
        return out->oom ? -ENOMEM : 0;
}

char *message_owners(const struct task *t) {
        struct mbuf b = { 0 };

        for (size_t i = 0; i < t->n_owners; i++) {
                if (i > 0)
                        puts_(&b, "、");
                puts_(&b, t->owners[i]->name);
        }
        return mbuf_take(&b);
}

char *message_item_name(const struct task *t) {
        char *s = NULL;

        if (t->item && *t->item)
                return strdup(t->item);
        if (t->category && *t->category)
                return strdup(t->category);
        return asprintf(&s, "第%s项", t->id) < 0 ? NULL : s;
}

static char *dup_or_empty(const char *s) {
        return strdup(s ? s : "");
}

void message_days_left(const struct reminder *r, char *buf, size_t size) {
        day_t due = r->milestone->due;

        if (due > r->day)
                snprintf(buf, size, "还有%ld天", (long) (due - r->day));
        else if (due == r->day)
                snprintf(buf, size, "今天到期");
        else
                snprintf(buf, size, "已逾期%ld天", (long) (r->day - due));
}

void message_when(const struct reminder *r, char *buf, size_t size) {
        day_t due = r->milestone->due;
        int y, m, d;

        date_to_ymd(due, &y, &m, &d);
        if (due > r->day)
                snprintf(buf, size, "%d月%d日到期（还有%ld天）", m, d, (long) (due - r->day));
        else if (due == r->day)
                snprintf(buf, size, "今天到期（%d月%d日）", m, d);
        else
                snprintf(buf, size, "已逾期%ld天（%d月%d日到期）", (long) (r->day - due), m, d);
}

void message_holiday_note(const struct workdays *w, day_t due, char *buf, size_t size) {
        const char *name = w ? workdays_holiday_name(w, due) : NULL;
        int y, m, d, py, pm, pd;

        buf[0] = '\0';
        if (!name)
                return;
        date_to_ymd(due, &y, &m, &d);
        if (workdays_is_working(w, due)) {
                snprintf(buf, size, "%d月%d日为%s调休工作日，照常办公。", m, d, name);
                return;
        }
        date_to_ymd(workdays_on_or_before(w, due), &py, &pm, &pd);
        snprintf(buf, size, "%d月%d日为%s假期，请在%d月%d日前办理。", m, d, name, pm, pd);
}

static char *number(long n) {
        char *s = NULL;

        return asprintf(&s, "%ld", n) < 0 ? NULL : s;
}

static char *due_words(day_t due) {
        char *s = NULL;
        int y, m, d;

        date_to_ymd(due, &y, &m, &d);
        return asprintf(&s, "%d年%d月%d日", y, m, d) < 0 ? NULL : s;
}

static void values_free(char *v[N_FIELDS]) {
        for (int f = 0; f < N_FIELDS; f++) {
                free(v[f]);
                v[f] = NULL;
        }
}

static char *when_words(const struct reminder *r) {
        char buf[96];

        message_when(r, buf, sizeof buf);
        return strdup(buf);
}

static char *due_short(day_t due) {
        char *s = NULL;
        int y, m, d;

        date_to_ymd(due, &y, &m, &d);
        return asprintf(&s, "%d月%d日", m, d) < 0 ? NULL : s;
}

static char *holiday_words(const struct workdays *calendar, day_t due) {
        char buf[192];

        message_holiday_note(calendar, due, buf, sizeof buf);
        return strdup(buf);
}

/* Everything the placeholders stand for, for one reminder. */
static int values_fill(char *v[N_FIELDS], const struct message_input *in, size_t i) {
        const struct reminder *r = in->reminders[i];
        const char *feed_url = in->feed_url;
        const struct message_links *links = in->links ? &in->links[i] : NULL;
        size_t count = in->n_reminders;
        const struct message_links none = { 0 }, *l = links ? links : &none;
        const struct milestone *m = r->milestone;
        const struct task *t = m->task;
        const char *label = m->label ? m->label : "";

        v[F_ITEM] = message_item_name(t);
        v[F_LABEL] = *label ? NULL : strdup("");
        if (*label && asprintf(&v[F_LABEL], "（%s）", label) < 0)
                v[F_LABEL] = NULL;
        v[F_DUE] = due_words(m->due);
        v[F_DAYS_LEFT] = number(m->due > r->day ? m->due - r->day : 0);
        v[F_DAYS_OVERDUE] = number(r->day > m->due ? r->day - m->due : 0);
        v[F_OWNERS] = message_owners(t);
        v[F_PHRASE] = dup_or_empty(t->deadline);
        v[F_LEDGER] = dup_or_empty(t->ledger->title && *t->ledger->title ? t->ledger->title
                                                                         : t->ledger->id);
        v[F_FEED_URL] = dup_or_empty(feed_url);
        v[F_KIND] = dup_or_empty((unsigned) r->kind < MESSAGE_KINDS ? kind_words[r->kind] : "");
        v[F_COUNT] = number((long) count);
        v[F_DONE_URL] = dup_or_empty(l->done);
        v[F_SNOOZE1_URL] = dup_or_empty(l->snooze1);
        v[F_SNOOZE3_URL] = dup_or_empty(l->snooze3);
        v[F_SNOOZE7_URL] = dup_or_empty(l->snooze7);
        v[F_PAGE_URL] = dup_or_empty(l->page);
        v[F_WHEN] = when_words(r);
        v[F_DUE_SHORT] = due_short(m->due);
        v[F_HOLIDAY] = holiday_words(in->calendar, m->due);
        for (int f = 0; f < N_FIELDS; f++)
                if (!v[f]) {
                        values_free(v);
                        return -ENOMEM;
                }
        return 0;
}

/* Every line of text, indented, for a digest's list. */
static void put_indented(struct mbuf *out, const char *text) {
        while (*text) {
                size_t n = strcspn(text, "\n");

                if (n > 0)
                        puts_(out, "   ");
                put(out, text, n);
                put(out, "\n", 1);
                text += n + (text[n] == '\n');
        }
}

/* One reminder of a digest: "N. subject", then its body indented. */
static int digest_entry(const struct message_input *in, const struct message_templates *tp,
                        size_t i, struct mbuf *out) {
        const struct reminder *r = in->reminders[i];
        const struct message_template *k = &tp->kinds[r->kind];
        struct mbuf body = { 0 };
        char *v[N_FIELDS] = { 0 }, num[24];
        int e = values_fill(v, in, i);

        if (e < 0)
                return e;
        snprintf(num, sizeof num, "%s%zu. ", i > 0 ? "\n" : "", i + 1);
        puts_(out, num);
        e = expand(k->subject, v, false, true, out);
        put(out, "\n", 1);
        if (e == 0)
                e = expand(k->body, v, true, false, &body);
        if (e == 0 && body.s)
                put_indented(out, body.s);
        free(body.s);
        values_free(v);
        return e;
}

/* The subject, and the body up to the footer: one reminder's own, or the
 * digest's list. v: the values of the first reminder. */
static int render_main(const struct message_input *in, const struct message_templates *tp,
                       char *const v[N_FIELDS], struct mbuf *subject, struct mbuf *body) {
        const struct message_template *k = &tp->kinds[in->reminders[0]->kind];
        int r;

        if (in->late)
                puts_(body, LATE_NOTE);
        r = expand(in->n_reminders == 1 ? k->subject : tp->digest_subject, v, false, true, subject);
        /* Last, so that the subject still starts with what a person sorts by. */
        if (in->late)
                puts_(subject, LATE_SUBJECT);
        if (r == 0 && in->n_reminders == 1)
                return expand(k->body, v, true, false, body);
        for (size_t i = 0; r == 0 && i < in->n_reminders; i++)
                r = digest_entry(in, tp, i, body);
        return r;
}

static bool input_valid(const struct message_input *in) {
        if (in->n_reminders == 0 || !in->reminders)
                return false;
        for (size_t i = 0; i < in->n_reminders; i++)
                if ((unsigned) in->reminders[i]->kind >= MESSAGE_KINDS)
                        return false;
        return true;
}

int message_render(const struct message_input *in, struct message *out) {
        const struct message_templates *tp = in->templates ? in->templates : &defaults;
        struct mbuf subject = { 0 }, body = { 0 };
        char *v[N_FIELDS] = { 0 };
        int r;

        *out = (struct message) { 0 };
        if (!input_valid(in))
                return -EINVAL;
        r = values_fill(v, in, 0);
        if (r == 0)
                r = render_main(in, tp, v, &subject, &body);
        if (r == 0 && body.len > 0 && body.s[body.len - 1] != '\n')
                put(&body, "\n", 1);
        if (r == 0 && tp->footer && *tp->footer) {
                put(&body, "\n", body.len > 0 ? 1 : 0);
                r = expand(tp->footer, v, true, false, &body);
        }
        values_free(v);
        out->subject = mbuf_take(&subject);
        out->body = mbuf_take(&body);
        if (r == 0 && (!out->subject || !out->body))
                r = -ENOMEM;
        if (r < 0)
                message_free(out);
        return r;
}

void message_free(struct message *m) {
        free(m->subject);
        free(m->body);
        *m = (struct message) { 0 };
}
