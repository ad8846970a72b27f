/* SPDX-License-Identifier: MIT */
#pragma once

/* The words of a reminder: a subject and a body made from templates with
 * named placeholders, the same for e-mail and group bots. Templates come
 * from the configuration, so message_template_check() finds a bad one when
 * it is loaded, never at sending time.
 *
 * Placeholders (values of the reminder's milestone and task):
 *   {item}         the work item (its category, or "第N项", when it has none)
 *   {label}        the milestone's label in brackets, "（单位自评）", or ""
 *   {due}          the due date, "2025年10月10日"
 *   {days_left}    days until the due date, 0 on and after it
 *   {days_overdue} days since the due date, 0 until it has passed
 *   {owners}       the responsible units, "县财政局、县审计局"
 *   {phrase}       the deadline as the ledger words it
 *   {ledger}       the ledger's title
 *   {feed_url}     the calendar feed to subscribe to, or ""
 *   {kind}         "即将到期", "今日到期", "已逾期" or "逾期督办"
 *   {count}        how many reminders the message carries (a digest: > 1)
 *   {done_url}     the reminder's 已完成 link (its button), or ""
 *   {snooze1_url}, {snooze3_url}, {snooze7_url}
 *                  its 推迟 links: no reminder for 1, 3 or 7 days, or ""
 *   {page_url}     the owner's page (查看), or ""
 *   {when}         what a person sorts by: "10月10日到期（还有3天）", "今天到期（10月10日）",
 *                  "已逾期5天（10月10日到期）"
 *   {due_short}    "10月10日"
 *   {holiday}      "10月1日为国庆节、中秋节假期，请在9月30日前办理。" when the due date is a
 *                  day off of the holiday calendars; "…为…调休工作日，照常办公。" on a
 *                  make-up working day; "" otherwise
 * "{{" and "}}" stand for literal braces. In a body or footer, a line whose
 * placeholders all came out empty is left out ("订阅日历：{feed_url}" when
 * there is no feed). */

#include <stdbool.h>
#include <stddef.h>

#include "ledger/schedule.h"

/* One template per enum reminder_kind: why this header needs schedule.h. */
#define MESSAGE_KINDS (REMINDER_ESCALATION + 1)

struct message_template {
        const char *subject; /* one line */
        const char *body;    /* about one milestone; may span lines */
};

struct message_templates {
        struct message_template kinds[MESSAGE_KINDS]; /* indexed by enum reminder_kind */
        const char *digest_subject; /* several reminders in one message; values of the first */
        const char *footer;         /* after the body of every message */
};

/* The built-in Chinese templates. */
const struct message_templates *message_defaults(void);
/* Frees templates whose every string is owned, as conf_load() makes them
 * (the defaults' copies too). NULL is fine. */
void message_templates_free(struct message_templates *t);

/* 0 when every placeholder of tmpl is known and every brace closed; else
 * -EINVAL with the offending name ("{itme}") or "{" (left open) in bad. */
int message_template_check(const char *tmpl, char *bad, size_t bad_size);

struct message {
        char *subject; /* one line, UTF-8 */
        char *body;    /* lines ended by '\n', UTF-8 */
};

/* The links of one reminder, for the one reached (web/links.h); a NULL
 * member is an empty placeholder. */
struct message_links {
        const char *done, *snooze1, *snooze3, *snooze7, *page;
};

struct workdays;

struct message_input {
        const struct message_templates *templates; /* NULL: message_defaults() */
        const struct workdays *calendar;           /* for {holiday}; NULL: none */
        const struct reminder *const *reminders;   /* one, or more for a digest */
        size_t n_reminders;
        const struct message_links *links; /* one per reminder; NULL: none */
        const char *feed_url; /* NULL or "": none */
        bool late; /* sent after its time (catch-up after downtime): says so */
};

/* One reminder: the subject and body of its kind, then the footer. More:
 * the digest subject, then for each reminder "N. " and its subject with its
 * body indented below, then the footer. 0, -ENOMEM, or -EINVAL for a bad
 * template or no reminders. Free with message_free(). */
int message_render(const struct message_input *in, struct message *out);
void message_free(struct message *m);

/* {item} of t: its work item, or its category, or "第N项". NULL when out of
 * memory; free it. */
char *message_item_name(const struct task *t);
/* {owners} of t: "县财政局、县审计局". NULL when out of memory; free it. */
char *message_owners(const struct task *t);
/* "还有3天", "今天到期" or "已逾期5天". */
void message_days_left(const struct reminder *r, char *buf, size_t size);
/* {when} of r: "10月10日到期（还有3天）" and the like, for every format. */
void message_when(const struct reminder *r, char *buf, size_t size);
/* {holiday} of a due date: "" when it is an ordinary day. */
void message_holiday_note(const struct workdays *w, day_t due, char *buf, size_t size);
