/* SPDX-License-Identifier: MIT */
/* Reminder messages: template checking, the Chinese defaults for every kind
 * byte for byte, lines left out when empty, digests and late notices. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ledger/workdays.h"
#include "notify/message.h"

static struct owner czj = { .id = "czj", .name = "县财政局" };
static struct owner sjj = { .id = "sjj", .name = "县审计局" };
static const struct owner *both[] = { &czj, &sjj };
static struct ledger ledger = { .id = "yuli-2025", .title = "2025年预算绩效管理工作台账" };
static struct task task15 = {
        .id = "15",
        .item = "部门整体支出绩效自评",
        .deadline = "单位自评3月底之前 部门评价4月底之前",
        .owners = both,
        .n_owners = 2,
        .ledger = &ledger,
};
static struct task task7 = {
        .id = "7", .category = "绩效监控", .item = "", .deadline = "", .ledger = &ledger
};
static struct milestone m15_1 = { .id = "15.1", .label = "单位自评", .task = &task15 };
static struct milestone m7 = { .id = "7", .label = "", .task = &task7 };

static struct reminder reminder(const struct milestone *m, enum reminder_kind kind, int y, int mo,
                                int d, int due_m, int due_d) {
        ((struct milestone *) m)->due = date_from_ymd(y, due_m, due_d);
        return (struct reminder) { .milestone = m, .kind = kind, .day = date_from_ymd(y, mo, d) };
}

static void render(const struct reminder *const *rs, size_t n, const char *feed, bool late,
                   struct message *out) {
        struct message_input in = {
                .reminders = rs, .n_reminders = n, .feed_url = feed, .late = late
        };

        assert_int_equal(message_render(&in, out), 0);
}

static void expect_bad(const char *tmpl, size_t size, const char *want) {
        char bad[64] = "untouched";

        assert_int_equal(message_template_check(tmpl, bad, size), -EINVAL);
        assert_string_equal(bad, want);
}

static void test_check(void **state) {
        const struct message_templates *d = message_defaults();
        char bad[32] = "";

        (void) state;
        for (int k = 0; k < MESSAGE_KINDS; k++) {
                assert_int_equal(message_template_check(d->kinds[k].subject, bad, sizeof bad), 0);
                assert_int_equal(message_template_check(d->kinds[k].body, bad, sizeof bad), 0);
        }
        assert_int_equal(message_template_check(d->digest_subject, bad, sizeof bad), 0);
        assert_int_equal(message_template_check(d->footer, bad, sizeof bad), 0);
        assert_int_equal(message_template_check("{{item}} } {count}{kind}", bad, sizeof bad), 0);
        assert_int_equal(message_template_check("", bad, sizeof bad), 0);
        expect_bad("【提醒】{itme}将于{due}", 64, "{itme}");
        expect_bad("abc {item", 64, "{");
        expect_bad("{ item }", 64, "{ item }");
        expect_bad("{item\n}", 64, "{");
        expect_bad("{a{item}}", 64, "{");
        expect_bad("{}", 64, "{}");
        expect_bad("x{事项}", 64, "{事项}");
        expect_bad("x{事项}", 5, "{事");
        expect_bad("x{事项}", 4, "{");
        expect_bad("{\xb1\xb1\xb1\xb1}", 4, "{\xb1\xb1"); /* not UTF-8: bytes of their own */
}

static void test_upcoming(void **state) {
        struct reminder r = reminder(&m15_1, REMINDER_UPCOMING, 2025, 3, 24, 3, 31);
        const struct reminder *rs[] = { &r };
        struct message m;

        (void) state;
        render(rs, 1, "https://feeds.example.org/czj.ics", false, &m);
        assert_string_equal(
                m.subject,
                "【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评（单位自评）");
        assert_string_equal(m.body, "工作事项：部门整体支出绩效自评（单位自评）\n"
                                    "责任单位：县财政局、县审计局\n"
                                    "完成时限：单位自评3月底之前 部门评价4月底之前\n"
                                    "到期日期：2025年3月31日（还有7天）\n"
                                    "所属台账：2025年预算绩效管理工作台账\n"
                                    "\n"
                                    "订阅日历：https://feeds.example.org/czj.ics\n"
                                    "本消息由台账提醒服务自动发送，请勿直接回复。\n");
        message_free(&m);
        assert_null(m.subject);
}

/* No label, owners, phrase or feed: their lines go, the item falls back to
 * the category. */
static void test_empty_lines_dropped(void **state) {
        struct reminder r = reminder(&m7, REMINDER_DUE_TODAY, 2025, 7, 31, 7, 31);
        const struct reminder *rs[] = { &r };
        struct message m;

        (void) state;
        render(rs, 1, NULL, false, &m);
        assert_string_equal(m.subject, "【台账提醒】今天到期（7月31日）：绩效监控");
        assert_string_equal(m.body, "工作事项：绩效监控\n"
                                    "到期日期：2025年7月31日（今天）\n"
                                    "所属台账：2025年预算绩效管理工作台账\n"
                                    "请于今天内办结。\n"
                                    "\n"
                                    "本消息由台账提醒服务自动发送，请勿直接回复。\n");
        message_free(&m);
}

static void expect_subject(const struct reminder *r, const char *want) {
        const struct reminder *rs[] = { r };
        struct message m;

        render(rs, 1, "", false, &m);
        assert_string_equal(m.subject, want);
        message_free(&m);
}

static void test_kinds(void **state) {
        struct reminder r;

        (void) state;
        r = reminder(&m15_1, REMINDER_OVERDUE, 2025, 4, 3, 3, 31);
        expect_subject(
                &r,
                "【台账提醒】已逾期3天（3月31日到期）：部门整体支出绩效自评（单位自评）");
        r = reminder(&m15_1, REMINDER_ESCALATION, 2025, 4, 14, 3, 31);
        expect_subject(
                &r,
                "【逾期督办】已逾期14天（3月31日到期）：县财政局、县审计局承办的部门整体支出绩效自评（单位自评）");
        r = reminder(&m7, REMINDER_UPCOMING, 2025, 7, 17, 7, 31);
        expect_subject(&r, "【台账提醒】7月31日到期（还有14天）：绩效监控");
}

static void test_escalation_body(void **state) {
        struct reminder r = reminder(&m15_1, REMINDER_ESCALATION, 2025, 4, 14, 3, 31);
        const struct reminder *rs[] = { &r };
        struct message m;

        (void) state;
        render(rs, 1, NULL, false, &m);
        assert_string_equal(m.body, "工作事项：部门整体支出绩效自评（单位自评）\n"
                                    "责任单位：县财政局、县审计局\n"
                                    "完成时限：单位自评3月底之前 部门评价4月底之前\n"
                                    "到期日期：2025年3月31日（已逾期14天）\n"
                                    "所属台账：2025年预算绩效管理工作台账\n"
                                    "请督促责任单位尽快办理。\n"
                                    "\n"
                                    "本消息由台账提醒服务自动发送，请勿直接回复。\n");
        message_free(&m);
}

/* Two reminders at one instant for one recipient: one message. */
static void test_digest(void **state) {
        struct reminder a = reminder(&m15_1, REMINDER_UPCOMING, 2025, 3, 24, 3, 31);
        struct reminder b = reminder(&m7, REMINDER_OVERDUE, 2025, 3, 24, 3, 21);
        const struct reminder *rs[] = { &a, &b };
        struct message m;

        (void) state;
        render(rs, 2, "https://f.example/czj.ics", true, &m);
        assert_string_equal(m.subject,
                            "【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评（单位自评） 等2项（补发）");
        assert_string_equal(
                m.body,
                "（补发：此提醒的原定发送时间已过，服务恢复后补发。）\n"
                "\n"
                "1. 【台账提醒】3月31日到期（还有7天）：部门整体支出绩效自评（单位自评）\n"
                "   工作事项：部门整体支出绩效自评（单位自评）\n"
                "   责任单位：县财政局、县审计局\n"
                "   完成时限：单位自评3月底之前 部门评价4月底之前\n"
                "   到期日期：2025年3月31日（还有7天）\n"
                "   所属台账：2025年预算绩效管理工作台账\n"
                "\n"
                "2. 【台账提醒】已逾期3天（3月21日到期）：绩效监控\n"
                "   工作事项：绩效监控\n"
                "   到期日期：2025年3月21日（已逾期3天）\n"
                "   所属台账：2025年预算绩效管理工作台账\n"
                "   请尽快办理。\n"
                "\n"
                "订阅日历：https://f.example/czj.ics\n"
                "本消息由台账提醒服务自动发送，请勿直接回复。\n");
        message_free(&m);
}

/* A due date in a holiday says so, and when to do it instead; a make-up
 * working day says it is one. */
static void test_holiday_note(void **state) {
        struct workdays *w = workdays_new();
        char note[192];

        (void) state;
        assert_non_null(w);
        assert_int_equal(workdays_add_off(w, date_from_ymd(2026, 10, 1), date_from_ymd(2026, 10, 7),
                                          "国庆节"), 0);
        assert_int_equal(workdays_add_work(w, date_from_ymd(2026, 10, 10), "国庆节"), 0);
        assert_int_equal(workdays_cover_year(w, 2026), 0);
        message_holiday_note(w, date_from_ymd(2026, 10, 1), note, sizeof note);
        assert_string_equal(note, "10月1日为国庆节假期，请在9月30日前办理。");
        message_holiday_note(w, date_from_ymd(2026, 10, 10), note, sizeof note);
        assert_string_equal(note, "10月10日为国庆节调休工作日，照常办公。");
        message_holiday_note(w, date_from_ymd(2026, 10, 12), note, sizeof note);
        assert_string_equal(note, "");
        message_holiday_note(NULL, date_from_ymd(2026, 10, 1), note, sizeof note);
        assert_string_equal(note, "");
        workdays_free(w);
}

/* Configured templates: escapes, {kind} and {count}, a subject kept on one
 * line whatever the values hold, no footer. */
static void test_custom(void **state) {
        struct task t = task15;
        struct milestone ms = { .id = "15", .label = "", .task = &t };
        struct reminder r;
        const struct reminder *rs[] = { &r };
        struct message_templates tp = { .footer = NULL };
        struct message_input in = { .templates = &tp, .reminders = rs, .n_reminders = 1 };
        struct message m;

        (void) state;
        t.item = "第一行\n第二行\t完";
        r = reminder(&ms, REMINDER_UPCOMING, 2025, 5, 1, 5, 6);
        for (int k = 0; k < MESSAGE_KINDS; k++)
                tp.kinds[k] = (struct message_template) { "{{{kind}}} {item} ({count}) }",
                                                         "{days_left}|{days_overdue}|{label}" };
        assert_int_equal(message_render(&in, &m), 0);
        assert_string_equal(m.subject, "{即将到期} 第一行 第二行 完 (1) }");
        assert_string_equal(m.body, "5|0|\n");
        message_free(&m);
        tp.kinds[REMINDER_UPCOMING].body = "{nope}";
        assert_int_equal(message_render(&in, &m), -EINVAL);
        assert_null(m.subject);
        assert_null(m.body);
}

static void test_errors(void **state) {
        struct reminder r = reminder(&m7, REMINDER_UPCOMING, 2025, 7, 1, 7, 31);
        const struct reminder *rs[] = { &r };
        struct message_input in = { .reminders = rs, .n_reminders = 0 };
        struct message m;

        (void) state;
        assert_int_equal(message_render(&in, &m), -EINVAL);
        in.n_reminders = 1;
        r.kind = (enum reminder_kind) 9;
        assert_int_equal(message_render(&in, &m), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_upcoming),
                cmocka_unit_test(test_empty_lines_dropped),
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_escalation_body),
                cmocka_unit_test(test_digest),
                cmocka_unit_test(test_holiday_note),
                cmocka_unit_test(test_custom),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
