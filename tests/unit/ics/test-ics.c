/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ics/ics.h"
#include "ledger/model.h"
#include "ledger/workdays.h"

/* ---- a small ledger, built by hand ------------------------------------------- */

/* 2025-01-01T00:00:00Z and 2025-03-01T08:30:00Z */
#define T_NEW_YEAR 1735689600
#define T_MARCH 1740817800

static struct owner owners[3];
static const struct owner *owners_czj[1], *owners_both[2], *owners_zcj[1];
static struct milestone ms_1[1], ms_15[2], ms_27[1];
static struct task tasks[4];
static struct policy task27_policy;
static struct ledger ledger;
static struct config config;

static void fixture_reset(void) {
        owners[0] = (struct owner) { .id = "czj", .name = "县财政局" };
        owners[1] = (struct owner) { .id = "bm", .name = "各相关部门单位" };
        owners[2] = (struct owner) { .id = "zcj", .name = "州财政局" };
        owners_czj[0] = &owners[0];
        owners_both[0] = &owners[0];
        owners_both[1] = &owners[1];
        owners_zcj[0] = &owners[2];

        tasks[0] = (struct task) { .id = "1", .category = "一、重点工作", .item = "重点项目建设评价",
                                   .detail = "短的明细", .deadline = "7月底之前",
                                   .owners = owners_czj, .n_owners = 1, .milestones = ms_1,
                                   .n_milestones = 1, .ledger = &ledger };
        ms_1[0] = (struct milestone) { .id = "1", .label = "", .due = date_from_ymd(2025, 7, 31),
                                       .task = &tasks[0] };
        tasks[1] = (struct task) { .id = "6", .category = "二、预算绩效闭环管理",
                                   .item = "事前绩效评估管理", .detail = "撰写项目事前绩效评估报告。",
                                   .deadline = "根据县财政局具体工作时间安排",
                                   .owners = owners_both, .n_owners = 2, .ledger = &ledger };
        tasks[2] = (struct task) { .id = "15", .category = "项目支出绩效评价",
                                   .item = "项目支出绩效评价", .detail = "形成自评表报县财政部门审核。",
                                   .deadline = "单位自评3月底之前 部门评价4月底之前",
                                   .owners = owners_both, .n_owners = 2, .milestones = ms_15,
                                   .n_milestones = 2, .ledger = &ledger };
        ms_15[0] = (struct milestone) { .id = "15.1", .label = "单位自评",
                                        .due = date_from_ymd(2025, 3, 31), .task = &tasks[2] };
        ms_15[1] = (struct milestone) { .id = "15.2", .label = "部门评价",
                                        .due = date_from_ymd(2025, 4, 30), .task = &tasks[2] };
        tasks[3] = (struct task) { .id = "27", .category = "部门整体支出绩效管理",
                                   .item = "整体绩效监控抽审", .detail = "抽审。", .deadline = "7月22日前",
                                   .owners = owners_zcj, .n_owners = 1, .milestones = ms_27,
                                   .n_milestones = 1, .ledger = &ledger };
        ms_27[0] = (struct milestone) { .id = "27", .label = "", .due = date_from_ymd(2025, 7, 22),
                                        .task = &tasks[3] };

        ledger = (struct ledger) { .id = "yuli-2025", .title = "预算绩效台账", .year = 2025,
                                   .tasks = tasks, .n_tasks = 4 };
        config.timezone = "Asia/Shanghai";
        config.feed = (struct feed_settings) { .name = "尉犁县预算绩效", .refresh = "PT6H" };
        config.defaults = (struct policy) {
                .has_leads = true, .has_overdue = true, .has_time = true, .has_escalation = true,
                .leads = { { 10, OFFSET_DAYS }, { 3, OFFSET_WORKDAYS }, { 0, OFFSET_DAYS } },
                .n_leads = 3, .minute_of_day = 9 * 60,
        };
        config.owners = owners;
        config.n_owners = 3;
        config.ledgers = &ledger;
        config.n_ledgers = 1;
}

static int setup(void **state) {
        (void) state;
        fixture_reset();
        config.calendar = workdays_new(); /* weekends only: no holidays loaded */
        return config.calendar ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        workdays_free(config.calendar);
        config.calendar = NULL;
        return 0;
}

static struct ics_options options(void) {
        return (struct ics_options) { .config = &config, .fallback_modified = T_NEW_YEAR };
}

/* ---- helpers --------------------------------------------------------------------- */

static char *render(const struct ics_options *o, size_t *len) {
        char *data = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&data, &n);

        assert_non_null(f);
        assert_int_equal(ics_render(o, f), 0);
        assert_int_equal(fclose(f), 0);
        if (len)
                *len = n;
        return data;
}

static char *render_default(void) {
        struct ics_options o = options();

        return render(&o, NULL);
}

/* RFC 5545 unfolding: every CRLF followed by one space goes. */
static char *unfold(const char *s) {
        char *out = malloc(strlen(s) + 1), *w = out;

        assert_non_null(out);
        while (*s) {
                if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ')
                        s += 3;
                else
                        *w++ = *s++;
        }
        *w = '\0';
        return out;
}

/* The unfolded VEVENT whose UID is uid, without its BEGIN and END lines. */
static char *event_of(const char *ics, const char *uid) {
        char *u = unfold(ics), key[128], *start, *end, *out;

        snprintf(key, sizeof key, "BEGIN:VEVENT\r\nUID:%s\r\n", uid);
        start = strstr(u, key);
        assert_non_null(start);
        end = strstr(start, "END:VEVENT\r\n");
        assert_non_null(end);
        out = strndup(start + strlen("BEGIN:VEVENT\r\n"), (size_t) (end - start) - 14);
        free(u);
        return out;
}

/* The value of the first unfolded line name:… of the event, or NULL. */
static char *value_of(const char *event, const char *name) {
        char key[64];
        const char *p;
        size_t n;

        snprintf(key, sizeof key, "%s:", name);
        for (p = event; p && *p; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL)
                if (strncmp(p, key, strlen(key)) == 0) {
                        p += strlen(key);
                        n = (size_t) (strstr(p, "\r\n") - p);
                        return strndup(p, n);
                }
        return NULL;
}

static void assert_value(const char *event, const char *name, const char *expected) {
        char *v = value_of(event, name);

        assert_non_null(v);
        assert_string_equal(v, expected);
        free(v);
}

static size_t count(const char *s, const char *needle) {
        size_t n = 0;

        for (; (s = strstr(s, needle)); s += strlen(needle))
                n++;
        return n;
}

/* Length of the valid UTF-8 character at s, 0 if it is not one (a check
 * independent of the code under test). */
static size_t utf8_char(const unsigned char *s, size_t n) {
        size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                   : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

        if (len == 0 || len > n)
                return 0;
        for (size_t i = 1; i < len; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
            (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
                return 0;
        return len;
}

static void assert_line_ok(const char *line, size_t len, bool first) {
        bool blank = true;

        assert_true(len <= 75);
        for (size_t i = 0; i < len;) {
                size_t c = utf8_char((const unsigned char *) line + i, len - i);

                assert_int_not_equal(c, 0);
                assert_false(line[i] == '\r' || line[i] == '\n');
                if (line[i] != ' ' && line[i] != '\t')
                        blank = false;
                i += c;
        }
        assert_false(blank);
        /* a continuation holds one space of folding, then content */
        if (!first && line[0] == ' ')
                assert_true(len > 1 && line[1] != ' ');
}

/* CRLF only; every physical line at most 75 octets, valid UTF-8 on its own,
 * not only whitespace; the file starts and ends the calendar. */
static void assert_wellformed(const char *d, size_t n) {
        size_t start = 0;

        assert_true(n > 0);
        assert_true(n >= 2 && d[n - 2] == '\r' && d[n - 1] == '\n');
        for (size_t i = 0; i < n; i++) {
                if (d[i] == '\r')
                        assert_true(i + 1 < n && d[i + 1] == '\n');
                if (d[i] == '\n') {
                        assert_true(i > 0 && d[i - 1] == '\r');
                        assert_line_ok(d + start, i - 1 - start, start == 0);
                        start = i + 1;
                }
        }
        assert_memory_equal(d, "BEGIN:VCALENDAR\r\n", 17);
        assert_memory_equal(d + n - 15, "END:VCALENDAR\r\n", 15);
}

/* ---- the feed -------------------------------------------------------------------- */

static void test_calendar_head(void **state) {
        char *ics = render_default();
        const char *expected = "BEGIN:VCALENDAR\r\n"
                               "VERSION:2.0\r\n"
                               "PRODID:-//ledgerd//ledgerd//ZH\r\n"
                               "CALSCALE:GREGORIAN\r\n"
                               "X-WR-CALNAME:尉犁县预算绩效\r\n"
                               "NAME:尉犁县预算绩效\r\n"
                               "X-WR-TIMEZONE:Asia/Shanghai\r\n"
                               "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"
                               "X-PUBLISHED-TTL:PT6H\r\n"
                               "BEGIN:VEVENT\r\n";

        (void) state;
        assert_memory_equal(ics, expected, strlen(expected));
        assert_null(strstr(ics, "METHOD"));
        assert_null(strstr(ics, "VTIMEZONE"));
        assert_null(strstr(ics, "TZID"));
        free(ics);
}

/* One event, byte for byte, folding included: the DESCRIPTION's first line
 * would end inside 底 at octet 75, so it ends before it, at 74. */
static void test_event_exact(void **state) {
        char *ics = render_default();
        const char *expected =
                "BEGIN:VEVENT\r\n"
                "UID:1@yuli-2025.ledgerd\r\n"
                "DTSTAMP:20250101T000000Z\r\n"
                "LAST-MODIFIED:20250101T000000Z\r\n"
                "SEQUENCE:0\r\n"
                "DTSTART;VALUE=DATE:20250731\r\n"
                "DTEND;VALUE=DATE:20250801\r\n"
                "TRANSP:TRANSPARENT\r\n"
                "SUMMARY:重点项目建设评价\r\n"
                "DESCRIPTION:短的明细\\n责任主体：县财政局\\n完成时间：7月\r\n"
                " 底之前\\n台账：预算绩效台账 第1项\r\n"
                "CATEGORIES:一、重点工作\r\n"
                "BEGIN:VALARM\r\n"
                "ACTION:DISPLAY\r\n"
                "DESCRIPTION:重点项目建设评价\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250721T010000Z\r\n"
                "END:VALARM\r\n"
                "BEGIN:VALARM\r\n"
                "ACTION:DISPLAY\r\n"
                "DESCRIPTION:重点项目建设评价\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250728T010000Z\r\n"
                "END:VALARM\r\n"
                "BEGIN:VALARM\r\n"
                "ACTION:DISPLAY\r\n"
                "DESCRIPTION:重点项目建设评价\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250731T010000Z\r\n"
                "END:VALARM\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\n"
                "UID:15.1@";
        const char *p = strstr(ics, "BEGIN:VEVENT\r\nUID:1@");

        (void) state;
        assert_non_null(p);
        assert_memory_equal(p, expected, strlen(expected));
        assert_int_equal(strlen("DESCRIPTION:短的明细\\n责任主体：县财政局\\n完成时间：7月"), 74);
        free(ics);
}

static void test_wellformed_and_order(void **state) {
        size_t n;
        struct ics_options o = options();
        char *ics = render(&o, &n), *u;
        const char *uids[] = { "UID:1@yuli-2025.ledgerd\r\n", "UID:15.1@yuli-2025.ledgerd\r\n",
                               "UID:15.2@yuli-2025.ledgerd\r\n", "UID:27@yuli-2025.ledgerd\r\n" };
        const char *p = ics;

        (void) state;
        assert_wellformed(ics, n);
        assert_int_equal(strlen(ics), n);
        /* ledger, task, milestone order; task 6 has no milestone and no event */
        for (size_t i = 0; i < 4; i++) {
                p = strstr(p, uids[i]);
                assert_non_null(p);
        }
        assert_int_equal(count(ics, "BEGIN:VEVENT\r\n"), 4);
        assert_int_equal(count(ics, "END:VEVENT\r\n"), 4);
        assert_int_equal(count(ics, "BEGIN:VALARM\r\n"), 12);
        assert_int_equal(count(ics, "END:VALARM\r\n"), 12);
        u = unfold(ics);
        assert_null(strstr(u, "事前绩效评估管理"));
        free(u);
        free(ics);
}

static void test_dates(void **state) {
        char *ics, *e;

        (void) state;
        ms_15[1].due = date_from_ymd(2025, 12, 31);
        ics = render_default();
        e = event_of(ics, "15.1@yuli-2025.ledgerd");
        assert_value(e, "DTSTART;VALUE=DATE", "20250331");
        assert_value(e, "DTEND;VALUE=DATE", "20250401");
        assert_value(e, "TRANSP", "TRANSPARENT");
        free(e);
        e = event_of(ics, "15.2@yuli-2025.ledgerd");
        assert_value(e, "DTSTART;VALUE=DATE", "20251231");
        assert_value(e, "DTEND;VALUE=DATE", "20260101");
        free(e);
        free(ics);
}

static void test_summary_and_description(void **state) {
        char *ics, *e;

        (void) state;
        tasks[0].item = "";
        tasks[3].item = "";
        tasks[3].category = "";
        tasks[3].detail = "";
        tasks[3].deadline = "";
        ics = render_default();
        e = event_of(ics, "15.1@yuli-2025.ledgerd");
        assert_value(e, "SUMMARY", "项目支出绩效评价（单位自评）");
        assert_value(e, "DESCRIPTION",
                     "形成自评表报县财政部门审核。\\n责任主体：县财政局、各相关部门单位\\n"
                     "完成时间：单位自评3月底之前 部门评价4月底之前\\n台账：预算绩效台账 第15项");
        assert_value(e, "CATEGORIES", "项目支出绩效评价");
        free(e);
        e = event_of(ics, "1@yuli-2025.ledgerd"); /* no item: the category */
        assert_value(e, "SUMMARY", "一、重点工作");
        free(e);
        e = event_of(ics, "27@yuli-2025.ledgerd"); /* nothing but the owner and the ledger */
        assert_value(e, "SUMMARY", "第27项");
        assert_value(e, "DESCRIPTION", "责任主体：州财政局\\n台账：预算绩效台账 第27项");
        assert_null(value_of(e, "CATEGORIES"));
        free(e);
        free(ics);
}

static void test_escaping(void **state) {
        char *ics, *e, *u;

        (void) state;
        config.feed.name = "台账,一;二\\三";
        tasks[2].item = "a,b;c\\d";
        tasks[2].detail = "x\ny, z; w\\";
        tasks[2].category = "财务,预算;x\\y";
        ms_15[0].label = "第1次,上";
        ics = render_default();
        u = unfold(ics);
        assert_non_null(strstr(u, "\r\nX-WR-CALNAME:台账\\,一\\;二\\\\三\r\n"));
        assert_non_null(strstr(u, "\r\nNAME:台账\\,一\\;二\\\\三\r\n"));
        e = event_of(ics, "15.1@yuli-2025.ledgerd");
        assert_value(e, "SUMMARY", "a\\,b\\;c\\\\d（第1次\\,上）");
        assert_value(e, "DESCRIPTION",
                     "x\\ny\\, z\\; w\\\\\\n责任主体：县财政局、各相关部门单位\\n"
                     "完成时间：单位自评3月底之前 部门评价4月底之前\\n台账：预算绩效台账 第15项");
        assert_value(e, "CATEGORIES", "财务\\,预算\\;x\\\\y");
        assert_non_null(strstr(e, "\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                                  "DESCRIPTION:a\\,b\\;c\\\\d（第1次\\,上）\r\n"));
        free(e);
        free(u);
        free(ics);
}

/* Line breaks of every kind become \n; controls go; tabs become spaces;
 * blanks at line ends go; a byte that is not UTF-8 becomes U+FFFD. */
static void test_text_cleaned(void **state) {
        size_t n;
        struct ics_options o = options();
        char *ics, *e;

        (void) state;
        tasks[0].detail = "a\r\nb\rc\x01" "d\te  \nf\xff" "g\x7f\xc2\x85h   ";
        ics = render(&o, &n);
        assert_wellformed(ics, n);
        e = event_of(ics, "1@yuli-2025.ledgerd");
        assert_value(e, "DESCRIPTION",
                     "a\\nb\\ncd e\\nf\xef\xbf\xbdgh\\n责任主体：县财政局\\n"
                     "完成时间：7月底之前\\n台账：预算绩效台账 第1项");
        free(e);
        free(ics);
}

/* ---- folding ----------------------------------------------------------------------- */

static char *repeat(const char *s, size_t times, const char *tail) {
        size_t n = strlen(s);
        char *out = malloc(n * times + strlen(tail) + 1);

        assert_non_null(out);
        for (size_t i = 0; i < times; i++)
                memcpy(out + i * n, s, n);
        strcpy(out + n * times, tail);
        return out;
}

/* The physical lines of the first unfolded line that starts with prefix. */
static size_t physical_lines(const char *ics, const char *prefix, size_t *lens, size_t max) {
        const char *p = strstr(ics, prefix), *eol;
        size_t n = 0;

        assert_non_null(p);
        for (;;) {
                eol = strstr(p, "\r\n");
                assert_true(n < max);
                lens[n++] = (size_t) (eol - p);
                if (eol[2] != ' ')
                        return n;
                p = eol + 2;
        }
}

static void test_fold_chinese(void **state) {
        char *detail = repeat("绩", 100, ""), *ics, *e, *expected;
        size_t lens[16], n, len;
        struct ics_options o = options();

        (void) state;
        tasks[0].detail = detail;
        ics = render(&o, &len);
        assert_wellformed(ics, len);
        /* "DESCRIPTION:" + 21 characters = 75 octets; then " " + 24 characters */
        n = physical_lines(ics, "DESCRIPTION:绩", lens, 16);
        assert_int_equal(lens[0], 75);
        assert_int_equal(lens[1], 73);
        assert_int_equal(lens[2], 73);
        assert_int_equal(lens[3], 73);
        assert_true(n >= 5);
        e = event_of(ics, "1@yuli-2025.ledgerd");
        expected = repeat("绩", 100, "\\n责任主体：县财政局\\n完成时间：7月底之前\\n台账：预算绩效台账 第1项");
        assert_value(e, "DESCRIPTION", expected);
        free(expected);
        free(e);
        free(ics);
        free(detail);
}

/* libical 3.0.16 folds a value of 73 or 74 octets after the last ':' into a
 * bare CR or a line of one space; the feed must not. */
static void check_fold_value(char *item) {
        size_t len;
        struct ics_options o = options();
        char *ics, *e, *v;

        tasks[0].item = item;
        tasks[0].category = item;
        config.feed.name = item;
        ics = render(&o, &len);
        assert_wellformed(ics, len);
        e = event_of(ics, "1@yuli-2025.ledgerd");
        assert_value(e, "SUMMARY", item);
        assert_value(e, "CATEGORIES", item);
        v = strstr(e, "BEGIN:VALARM\r\n");
        assert_non_null(v);
        assert_value(v, "DESCRIPTION", item);
        free(e);
        e = unfold(ics);
        assert_non_null(strstr(e, "\r\nX-WR-CALNAME:"));
        assert_value(strstr(e, "\r\nX-WR-CALNAME:") + 2, "X-WR-CALNAME", item);
        assert_value(strstr(e, "\r\nNAME:") + 2, "NAME", item);
        free(e);
        free(ics);
}

static void test_fold_73_74(void **state) {
        char *a73 = repeat("a", 73, ""), *a74 = repeat("a", 74, "");
        char *c73 = repeat("绩", 24, "a"), *c74 = repeat("绩", 24, "ab");

        (void) state;
        assert_int_equal(strlen(c73), 73);
        assert_int_equal(strlen(c74), 74);
        check_fold_value(a73);
        check_fold_value(a74);
        check_fold_value(c73);
        check_fold_value(c74);
        free(a73);
        free(a74);
        free(c73);
        free(c74);
}

/* A run of spaces across a fold: no continuation line starts with a space
 * or is only spaces, and the spaces survive unfolding. */
static void test_fold_spaces(void **state) {
        char *item = repeat("a", 60, "                    b"), *ics, *e;
        size_t len;
        struct ics_options o = options();

        (void) state;
        tasks[0].item = item;
        ics = render(&o, &len);
        assert_wellformed(ics, len);
        e = event_of(ics, "1@yuli-2025.ledgerd");
        assert_value(e, "SUMMARY", item);
        free(e);
        free(ics);
        free(item);
}

/* ---- uids, owners, revisions ------------------------------------------------------------ */

static void test_uid(void **state) {
        char uid[ICS_UID_MAX];
        char long_id[64];
        struct milestone m = { .task = &tasks[2] };

        (void) state;
        assert_int_equal(ics_milestone_uid(&ms_15[1], uid), 0);
        assert_string_equal(uid, "15.2@yuli-2025.ledgerd");
        /* 42 + strlen("@yuli-2025.ledgerd") = 60 octets fit; 61 do not */
        memset(long_id, '9', 42);
        long_id[42] = '\0';
        m.id = long_id;
        assert_int_equal(ics_milestone_uid(&m, uid), 0);
        assert_int_equal(strlen(uid), 60);
        long_id[42] = '9';
        long_id[43] = '\0';
        assert_int_equal(ics_milestone_uid(&m, uid), -ENAMETOOLONG);
        /* and the renderer refuses it rather than cutting it */
        ms_1[0].id = long_id;
        {
                struct ics_options o = options();
                char *data = NULL;
                size_t n = 0;
                FILE *f = open_memstream(&data, &n);

                assert_int_equal(ics_render(&o, f), -ENAMETOOLONG);
                fclose(f);
                free(data);
        }
}

static void test_owner_feed(void **state) {
        struct ics_options o = options();
        size_t n;
        char *ics, *u;

        (void) state;
        o.owner = &owners[1];
        ics = render(&o, &n);
        assert_wellformed(ics, n);
        u = unfold(ics);
        assert_non_null(strstr(u, "\r\nX-WR-CALNAME:尉犁县预算绩效 · 各相关部门单位\r\n"));
        assert_non_null(strstr(u, "\r\nNAME:尉犁县预算绩效 · 各相关部门单位\r\n"));
        assert_int_equal(count(u, "BEGIN:VEVENT"), 2);
        assert_non_null(strstr(u, "UID:15.1@yuli-2025.ledgerd\r\n"));
        assert_non_null(strstr(u, "UID:15.2@yuli-2025.ledgerd\r\n"));
        free(u);
        free(ics);

        o.owner = &owners[0];
        ics = render(&o, NULL);
        assert_int_equal(count(ics, "BEGIN:VEVENT"), 3);
        assert_null(strstr(ics, "UID:27@"));
        free(ics);

        o.owner = &owners[2];
        ics = render(&o, NULL);
        assert_int_equal(count(ics, "BEGIN:VEVENT"), 1);
        assert_non_null(strstr(ics, "UID:27@yuli-2025.ledgerd\r\n"));
        free(ics);
}

static void test_renders_identical(void **state) {
        size_t n1, n2;
        struct ics_options o = options();
        char *a = render(&o, &n1), *b = render(&o, &n2);

        (void) state;
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
}

#define SEEN_MAX 8

struct seen {
        size_t n;
        char uid[SEEN_MAX][ICS_UID_MAX];
        uint64_t hash[SEEN_MAX];
        struct ics_revision give;
};

static struct ics_revision remember(const char *uid, uint64_t hash, void *userdata) {
        struct seen *s = userdata;

        assert_true(s->n < SEEN_MAX);
        strcpy(s->uid[s->n], uid);
        s->hash[s->n++] = hash;
        return s->give;
}

static uint64_t seen_hash(const struct seen *s, const char *uid) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->uid[i], uid) == 0)
                        return s->hash[i];
        fail_msg("no revision asked for %s", uid);
        return 0;
}

static char *render_seen(struct seen *s) {
        struct ics_options o = options();

        o.revision = remember;
        o.userdata = s;
        return render(&o, NULL);
}

static void test_revision_written(void **state) {
        struct seen s = { .give = { .sequence = 7, .modified = T_MARCH } };
        char *ics = render_seen(&s), *e;
        const char *head = "UID:15.2@yuli-2025.ledgerd\r\n"
                           "DTSTAMP:20250301T083000Z\r\n"
                           "LAST-MODIFIED:20250301T083000Z\r\n"
                           "SEQUENCE:7\r\n"
                           "DTSTART;VALUE=DATE:20250430\r\n";

        (void) state;
        assert_int_equal(s.n, 4);
        assert_string_equal(s.uid[0], "1@yuli-2025.ledgerd");
        assert_string_equal(s.uid[3], "27@yuli-2025.ledgerd");
        e = event_of(ics, "15.2@yuli-2025.ledgerd");
        assert_memory_equal(e, head, strlen(head));
        free(e);
        free(ics);
}

static uint64_t rotl(uint64_t x, int r) {
        return (x << r) | (x >> (64 - r));
}

/* The event hash, written out from its definition: the text's length, then
 * eight octets at a time as a little-endian number (the last ones padded with
 * zeros), each multiplied in; then the bits mixed. */
static uint64_t event_hash(const unsigned char *s, size_t n) {
        const uint64_t p1 = UINT64_C(0x9e3779b185ebca87), p2 = UINT64_C(0xc2b2ae3d27d4eb4f);
        uint64_t h = UINT64_C(14695981039346656037) ^ (n * p1);

        for (size_t i = 0; i < n; i += 8) {
                uint64_t w = 0;

                for (size_t k = 0; k < 8 && i + k < n; k++)
                        w |= (uint64_t) s[i + k] << (8 * k);
                h = rotl(h ^ (w * p2), 31) * p1;
        }
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        return h ^ (h >> 33);
}

/* The hash of the unfolded event from BEGIN to END, CRLFs included, without
 * the DTSTAMP, LAST-MODIFIED and SEQUENCE lines. */
static uint64_t hash_event(const char *ics, const char *uid) {
        char *body = event_of(ics, uid), *text = malloc(strlen(body) + 32);
        uint64_t h;
        const char *p;

        assert_non_null(text);
        strcpy(text, "BEGIN:VEVENT\r\n");
        for (p = body; *p; p = strstr(p, "\r\n") + 2)
                if (strncmp(p, "DTSTAMP:", 8) != 0 && strncmp(p, "LAST-MODIFIED:", 14) != 0 &&
                    strncmp(p, "SEQUENCE:", 9) != 0)
                        strncat(text, p, (size_t) (strstr(p, "\r\n") + 2 - p));
        strcat(text, "END:VEVENT\r\n");
        h = event_hash((const unsigned char *) text, strlen(text));
        free(text);
        free(body);
        return h;
}

/* The piece of a ledger is its events, every one whole, and nothing else:
 * from the first BEGIN:VEVENT to the end of the last END:VEVENT. */
static void test_ledger_piece(void **state) {
        struct ics_piece piece = { 99, 99 };
        struct ics_options o = options();
        size_t n;
        char *ics;
        const char *first, *last;

        (void) state;
        o.pieces = &piece;
        ics = render(&o, &n);
        first = strstr(ics, "BEGIN:VEVENT\r\n");
        last = strstr(ics, "END:VCALENDAR\r\n");
        assert_non_null(first);
        assert_int_equal(piece.start, (size_t) (first - ics));
        assert_int_equal(piece.start + piece.size, (size_t) (last - ics));
        assert_int_equal(count(ics + piece.start, "BEGIN:VEVENT"), 4);
        free(ics);
}

/* A ledger whose bytes are given is those bytes, copied, never rendered:
 * no revision is asked for its events; its piece is where they went. */
static void test_ledger_copied(void **state) {
        static const char given[] = "BEGIN:VEVENT\r\nUID:given@yuli-2025.ledgerd\r\nEND:VEVENT\r\n";
        struct ics_text copy = { given, strlen(given) };
        struct ics_piece piece = { 0, 0 };
        struct seen s = { .give = { .sequence = 1, .modified = T_MARCH } };
        struct ics_options o = options();
        char *plain = render_default(), *ics;
        size_t head = (size_t) (strstr(plain, "BEGIN:VEVENT\r\n") - plain), n;

        (void) state;
        o.revision = remember;
        o.userdata = &s;
        o.reuse = &copy;
        o.pieces = &piece;
        ics = render(&o, &n);
        assert_int_equal(s.n, 0);
        assert_int_equal(n, head + strlen(given) + strlen("END:VCALENDAR\r\n"));
        assert_memory_equal(ics, plain, head);
        assert_int_equal(piece.start, head);
        assert_int_equal(piece.size, strlen(given));
        assert_memory_equal(ics + head, given, strlen(given));
        assert_string_equal(ics + head + strlen(given), "END:VCALENDAR\r\n");
        free(plain);
        free(ics);
}

static void test_revision_hash(void **state) {
        struct seen a = { .give = { 0, T_NEW_YEAR } }, b = { .give = { 3, T_MARCH } },
                    c = { .give = { 0, T_NEW_YEAR } }, d = { .give = { 0, T_NEW_YEAR } };
        char *ics = render_seen(&a), *ics_b;

        (void) state;
        assert_true(seen_hash(&a, "1@yuli-2025.ledgerd") ==
                    hash_event(ics, "1@yuli-2025.ledgerd"));
        assert_true(seen_hash(&a, "15.2@yuli-2025.ledgerd") ==
                    hash_event(ics, "15.2@yuli-2025.ledgerd"));
        assert_true(seen_hash(&a, "15.1@yuli-2025.ledgerd") !=
                    seen_hash(&a, "15.2@yuli-2025.ledgerd"));

        /* the revision written is not part of the hash */
        ics_b = render_seen(&b);
        assert_memory_equal(a.hash, b.hash, sizeof a.hash);
        assert_non_null(strstr(ics_b, "SEQUENCE:3\r\n"));
        free(ics_b);

        /* one milestone moves: only its event changes */
        ms_15[1].due = date_from_ymd(2025, 5, 6);
        free(render_seen(&c));
        assert_true(c.hash[0] == a.hash[0]);
        assert_true(c.hash[1] == a.hash[1]);
        assert_true(c.hash[2] != a.hash[2]);
        assert_true(c.hash[3] == a.hash[3]);

        /* the task's text changes: both of its events, and no other */
        tasks[2].detail = "形成自评表报县财政部门审核；";
        free(render_seen(&d));
        assert_true(d.hash[0] == a.hash[0]);
        assert_true(d.hash[1] != a.hash[1]);
        assert_true(d.hash[2] != c.hash[2]);
        assert_true(d.hash[3] == a.hash[3]);
        free(ics);
}

/* ---- alarms ----------------------------------------------------------------------------- */

/* Due Tuesday 2025-07-22 at 09:00 Asia/Shanghai (01:00Z): 10 days before is
 * Saturday the 12th, moved back to Friday the 11th; 3 working days before is
 * Thursday the 17th; and the day itself. */
static void test_alarms(void **state) {
        char *ics = render_default(), *e;
        const char *expected =
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:整体绩效监控抽审\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250711T010000Z\r\nEND:VALARM\r\n"
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:整体绩效监控抽审\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250717T010000Z\r\nEND:VALARM\r\n"
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:整体绩效监控抽审\r\n"
                "TRIGGER;VALUE=DATE-TIME:20250722T010000Z\r\nEND:VALARM\r\n";

        (void) state;
        e = event_of(ics, "27@yuli-2025.ledgerd");
        assert_non_null(strstr(e, "\r\nBEGIN:VALARM"));
        assert_string_equal(strstr(e, "\r\nBEGIN:VALARM") + 2, expected);
        free(e);
        free(ics);
}

/* A task's own policy gives its own alarms, even with the same due date. */
static void test_alarms_task_policy(void **state) {
        char *ics, *e;

        (void) state;
        ms_27[0].due = ms_1[0].due; /* 2025-07-31, like task 1 */
        tasks[3].policy = &task27_policy;
        task27_policy = (struct policy) { .has_leads = true, .n_leads = 1,
                                            .leads = { { 1, OFFSET_WORKDAYS } },
                                            .has_time = true, .minute_of_day = 14 * 60 + 30 };
        ics = render_default();
        e = event_of(ics, "27@yuli-2025.ledgerd");
        assert_int_equal(count(e, "BEGIN:VALARM"), 1);
        assert_non_null(strstr(e, "\r\nTRIGGER;VALUE=DATE-TIME:20250730T063000Z\r\n"));
        free(e);
        e = event_of(ics, "1@yuli-2025.ledgerd");
        assert_int_equal(count(e, "BEGIN:VALARM"), 3);
        assert_non_null(strstr(e, "\r\nTRIGGER;VALUE=DATE-TIME:20250721T010000Z\r\n"));
        free(e);
        free(ics);

        /* no leads: no alarms */
        task27_policy.n_leads = 0;
        ics = render_default();
        e = event_of(ics, "27@yuli-2025.ledgerd");
        assert_null(strstr(e, "VALARM"));
        free(e);
        free(ics);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_write_error(void **state) {
        struct ics_options o = options();
        char small[200];
        FILE *f;

        (void) state;
        f = fopen("/dev/full", "w");
        assert_non_null(f);
        setvbuf(f, NULL, _IONBF, 0);
        assert_int_equal(ics_render(&o, f), -EIO);
        fclose(f);

        f = fopen("/dev/full", "w"); /* buffered: the error shows at the flush */
        assert_non_null(f);
        assert_int_equal(ics_render(&o, f), -EIO);
        fclose(f);

        f = fmemopen(small, sizeof small, "w");
        assert_non_null(f);
        assert_int_equal(ics_render(&o, f), -EIO);
        fclose(f);
}

static void test_bad_config(void **state) {
        struct ics_options o = options();
        char *data = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&data, &n);

        (void) state;
        assert_non_null(f);
        config.timezone = "Mars/Olympus_Mons";
        assert_int_equal(ics_render(&o, f), -ENOENT);
        config.timezone = "Asia/Shanghai";
        config.feed.refresh = "P6H"; /* hours need the T */
        assert_int_equal(ics_render(&o, f), -EINVAL);
        assert_int_equal(ics_render(NULL, f), -EINVAL);
        fclose(f);
        free(data);
}

static void test_empty_calendar(void **state) {
        size_t n;
        struct ics_options o = options();
        char *ics;

        (void) state;
        config.n_ledgers = 0;
        config.feed.refresh = NULL;
        ics = render(&o, &n);
        assert_string_equal(ics, "BEGIN:VCALENDAR\r\n"
                                 "VERSION:2.0\r\n"
                                 "PRODID:-//ledgerd//ledgerd//ZH\r\n"
                                 "CALSCALE:GREGORIAN\r\n"
                                 "X-WR-CALNAME:尉犁县预算绩效\r\n"
                                 "NAME:尉犁县预算绩效\r\n"
                                 "X-WR-TIMEZONE:Asia/Shanghai\r\n"
                                 "END:VCALENDAR\r\n");
        free(ics);
}

/* ---- the events of a reminder e-mail ------------------------------------------------ */

static char *render_events(const struct milestone *const *ms, size_t n, const char *method,
                           time_t stamp, size_t *len) {
        char *data = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&data, &size);

        assert_non_null(f);
        assert_int_equal(ics_render_events(&config, ms, n, method, stamp, f), 0);
        assert_int_equal(fclose(f), 0);
        if (len)
                *len = size;
        return data;
}

/* The events, in the order given, each the feed's own event byte for byte
 * (its revision at stamp); a head with METHOD and no refresh interval. */
static void test_events_publish(void **state) {
        const struct milestone *ms[] = { &ms_15[1], &ms_1[0] };
        struct ics_options o = options();
        const char *head = "BEGIN:VCALENDAR\r\n"
                           "VERSION:2.0\r\n"
                           "PRODID:-//ledgerd//ledgerd//ZH\r\n"
                           "CALSCALE:GREGORIAN\r\n"
                           "METHOD:PUBLISH\r\n"
                           "X-WR-CALNAME:尉犁县预算绩效\r\n"
                           "NAME:尉犁县预算绩效\r\n"
                           "X-WR-TIMEZONE:Asia/Shanghai\r\n"
                           "BEGIN:VEVENT\r\n"
                           "UID:15.2@yuli-2025.ledgerd\r\n"
                           "DTSTAMP:20250301T083000Z\r\n"
                           "LAST-MODIFIED:20250301T083000Z\r\n"
                           "SEQUENCE:0\r\n";
        const char *uids[] = { "15.2@yuli-2025.ledgerd", "1@yuli-2025.ledgerd" };
        char *detail = repeat("绩", 40, ""), *ics, *feed, *p, *chunk;
        size_t n;

        (void) state;
        tasks[0].detail = detail; /* folded lines too */
        ics = render_events(ms, 2, "PUBLISH", T_MARCH, &n);
        assert_wellformed(ics, n);
        assert_memory_equal(ics, head, strlen(head));
        assert_null(strstr(ics, "REFRESH-INTERVAL"));
        assert_null(strstr(ics, "X-PUBLISHED-TTL"));
        assert_int_equal(count(ics, "BEGIN:VEVENT\r\n"), 2);
        p = strstr(ics, "UID:1@yuli-2025.ledgerd");
        assert_true(p > strstr(ics, "UID:15.2@yuli-2025.ledgerd"));
        assert_int_equal(count(ics, "BEGIN:VALARM\r\n"), 6);

        o.fallback_modified = T_MARCH;
        feed = render(&o, NULL);
        for (size_t i = 0; i < 2; i++) {
                char *mine = event_of(ics, uids[i]), *theirs = event_of(feed, uids[i]);

                assert_string_equal(mine, theirs);
                free(mine);
                free(theirs);
        }
        /* folded the same too: the feed holds the attachment's event as it is */
        p = strstr(ics, "BEGIN:VEVENT\r\nUID:1@");
        assert_non_null(p);
        chunk = strndup(p, (size_t) (strstr(p, "END:VEVENT\r\n") + 12 - p));
        assert_non_null(chunk);
        assert_true(count(chunk, "\r\n ") > 0);
        assert_non_null(strstr(feed, chunk));
        free(chunk);
        free(feed);
        free(ics);
        free(detail);
}

/* The feed's revisions are the feed's: an attachment is always sequence 0. */
static void test_events_sequence_zero(void **state) {
        const struct milestone *ms[] = { &ms_27[0] };
        char *ics, *e;

        (void) state;
        ics = render_events(ms, 1, NULL, T_NEW_YEAR, NULL);
        assert_null(strstr(ics, "METHOD"));
        assert_null(strstr(ics, "REFRESH-INTERVAL"));
        e = event_of(ics, "27@yuli-2025.ledgerd");
        assert_value(e, "SEQUENCE", "0");
        assert_value(e, "DTSTAMP", "20250101T000000Z");
        assert_value(e, "LAST-MODIFIED", "20250101T000000Z");
        assert_value(e, "SUMMARY", "整体绩效监控抽审");
        assert_int_equal(count(e, "BEGIN:VALARM"), 3);
        free(e);
        free(ics);

        ics = render_events(ms, 1, "REQUEST", T_NEW_YEAR, NULL);
        assert_non_null(strstr(ics, "\r\nMETHOD:REQUEST\r\n"));
        free(ics);

        ics = render_events(NULL, 0, "PUBLISH", T_NEW_YEAR, NULL);
        assert_null(strstr(ics, "VEVENT"));
        assert_non_null(strstr(ics, "\r\nMETHOD:PUBLISH\r\n"));
        assert_non_null(strstr(ics, "\r\nEND:VCALENDAR\r\n"));
        free(ics);
}

static void test_events_errors(void **state) {
        const struct milestone *ms[] = { &ms_1[0], NULL };
        char *data = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&data, &n);

        (void) state;
        assert_non_null(f);
        assert_int_equal(ics_render_events(&config, ms, 1, "FOO", 0, f), -EINVAL);
        assert_int_equal(ics_render_events(&config, ms, 1, "X-LEDGERD", 0, f), -EINVAL);
        assert_int_equal(ics_render_events(&config, ms, 2, "PUBLISH", 0, f), -EINVAL);
        assert_int_equal(ics_render_events(&config, NULL, 1, "PUBLISH", 0, f), -EINVAL);
        assert_int_equal(ics_render_events(NULL, ms, 1, "PUBLISH", 0, f), -EINVAL);
        assert_int_equal(ics_render_events(&config, ms, 1, "PUBLISH", 0, NULL), -EINVAL);
        assert_int_equal(fflush(f), 0);
        assert_int_equal(n, 0); /* nothing written before the refusal */
        config.timezone = "Mars/Olympus_Mons";
        assert_int_equal(ics_render_events(&config, ms, 1, "PUBLISH", 0, f), -ENOENT);
        fclose(f);
        free(data);
}

/* ---- a large feed ---------------------------------------------------------------------- */

/* Enough events for many chunks, rendered by as many threads as the machine
 * has: each task a different date, text and policy mix. */
#define BIG_TASKS 1500

struct big {
        struct ledger ledger;
        struct task tasks[BIG_TASKS];
        struct milestone ms[BIG_TASKS][2];
        char ids[BIG_TASKS][16], ms_ids[BIG_TASKS][2][20], items[BIG_TASKS][160];
        char details[BIG_TASKS][400], categories[BIG_TASKS][64];
};

static struct big *big_ledger(void) {
        struct big *b = calloc(1, sizeof *b);

        assert_non_null(b);
        b->ledger = (struct ledger) { .id = "big", .title = "大台账", .year = 2025,
                                      .tasks = b->tasks, .n_tasks = BIG_TASKS };
        for (size_t i = 0; i < BIG_TASKS; i++) {
                struct task *t = &b->tasks[i];
                size_t n = i % 7 == 0 ? 2 : 1;

                snprintf(b->ids[i], sizeof b->ids[i], "%zu", i);
                snprintf(b->items[i], sizeof b->items[i], "%s第%zu项%s", i % 5 ? "绩效监控" : "",
                         i, i % 11 ? "" : "，逗号;分号\\反斜杠");
                snprintf(b->details[i], sizeof b->details[i], "以%zu月底为节点%s完成监控工作。%s",
                         i % 12 + 1, i % 3 ? "，各部门单位" : "\n第二行",
                         i % 13 ? "" : "绩效绩效绩效绩效绩效绩效绩效绩效绩效绩效绩效绩效绩效绩效");
                snprintf(b->categories[i], sizeof b->categories[i], "%s",
                         i % 17 ? (i / 100 % 2 ? "二、预算绩效管理" : "一、重点工作") : "");
                *t = (struct task) { .id = b->ids[i], .category = b->categories[i],
                                     .item = b->items[i], .detail = b->details[i],
                                     .deadline = "7月底之前", .owners = i % 2 ? owners_czj : owners_both,
                                     .n_owners = i % 2 ? 1 : 2, .milestones = b->ms[i],
                                     .n_milestones = n, .ledger = &b->ledger,
                                     .policy = i % 19 ? NULL : &task27_policy };
                for (size_t k = 0; k < n; k++) {
                        snprintf(b->ms_ids[i][k], sizeof b->ms_ids[i][k], n > 1 ? "%zu.%zu" : "%zu",
                                 i, k + 1);
                        b->ms[i][k] = (struct milestone) {
                                .id = b->ms_ids[i][k], .label = k ? "第2次" : "",
                                .due = date_from_ymd(2025, 1, 1) + (day_t) ((i * 7 + k * 30) % 500),
                                .task = t,
                        };
                }
        }
        task27_policy = (struct policy) { .has_leads = true, .n_leads = 1,
                                            .leads = { { 2, OFFSET_WORKDAYS } } };
        config.ledgers = &b->ledger;
        return b;
}

struct order {
        size_t n;
        char (*uids)[ICS_UID_MAX];
};

static struct ics_revision in_order(const char *uid, uint64_t hash, void *userdata) {
        struct order *o = userdata;

        (void) hash;
        assert_true(o->n < 2 * BIG_TASKS);
        strcpy(o->uids[o->n++], uid);
        return (struct ics_revision) { .sequence = 0, .modified = T_MARCH };
}

/* Chunks rendered by several threads come out in ledger order, the revision
 * asked for in that order by the calling thread, and every event is byte
 * for byte the one rendered alone. */
static void test_many_events(void **state) {
        struct big *b = big_ledger();
        struct order seen = { .uids = calloc(2 * BIG_TASKS, ICS_UID_MAX) };
        struct ics_options o = options();
        size_t n, total = 0, k = 0;
        char *ics, *again, *p;

        (void) state;
        assert_non_null(seen.uids);
        o.revision = in_order;
        o.userdata = &seen;
        ics = render(&o, &n);
        assert_wellformed(ics, n);
        for (size_t i = 0; i < BIG_TASKS; i++)
                total += b->tasks[i].n_milestones;
        assert_int_equal(seen.n, total);
        assert_int_equal(count(ics, "BEGIN:VEVENT\r\n"), total);
        p = ics;
        for (size_t i = 0; i < BIG_TASKS; i++)
                for (size_t m = 0; m < b->tasks[i].n_milestones; m++, k++) {
                        const struct milestone *one[] = { &b->ms[i][m] };
                        char uid[ICS_UID_MAX], *alone, *event, *end;

                        assert_int_equal(ics_milestone_uid(&b->ms[i][m], uid), 0);
                        assert_string_equal(seen.uids[k], uid);
                        alone = render_events(one, 1, NULL, T_MARCH, NULL);
                        event = strstr(alone, "BEGIN:VEVENT\r\n");
                        assert_non_null(event);
                        end = strstr(event, "END:VEVENT\r\n") + strlen("END:VEVENT\r\n");
                        *end = '\0';
                        p = strstr(p, event); /* in order, and whole */
                        assert_non_null(p);
                        p += strlen(event);
                        free(alone);
                }
        seen.n = 0;
        again = render(&o, NULL);
        assert_int_equal(seen.n, total);
        assert_string_equal(ics, again);
        free(again);
        free(ics);
        free(seen.uids);
        free(b);
}

/* ---- state: done, snoozed, and owners' own settings ------------------------------- */

struct marked {
        const char *id;
        struct ics_state st;
};

static bool state_of(const struct milestone *m, struct ics_state *out, void *userdata) {
        const struct marked *marks = userdata;

        for (size_t i = 0; marks[i].id; i++)
                if (strcmp(marks[i].id, m->id) == 0) {
                        *out = marks[i].st;
                        return true;
                }
        return false;
}

/* Done: the event stays, says so first and when and by whom, rings no more;
 * its content changed, so its revision moves; reopened, it is as before. */
static void test_done_milestone(void **state) {
        struct marked marks[] = {
                { "15.1", { .done_at = T_MARCH, .done_by = "各相关部门单位", .done_by_link = true } },
                { NULL },
        };
        struct ics_options o = options();
        char *before = render_default(), *after, *event, *summary;
        struct seen s = {};

        (void) state;
        o.state = state_of;
        o.state_userdata = marks;
        after = render(&o, NULL);
        event = event_of(after, "15.1@yuli-2025.ledgerd");
        summary = value_of(event, "SUMMARY");
        assert_string_equal(summary, "【已完成】项目支出绩效评价（单位自评）");
        assert_null(strstr(event, "BEGIN:VALARM"));
        assert_non_null(strstr(event, "已完成：2025-03-01 16:30，各相关部门单位（经提醒中的链接）"));
        free(summary);
        free(event);
        /* The other milestones are as they were, alarms and all. */
        event = event_of(after, "15.2@yuli-2025.ledgerd");
        assert_int_equal(count(event, "BEGIN:VALARM"), 3);
        free(event);
        free(after);

        /* Its revision moves with it, and back again when reopened. */
        o.revision = remember;
        o.userdata = &s;
        o.state = NULL;
        free(render(&o, NULL));
        {
                uint64_t open_hash = seen_hash(&s, "15.1@yuli-2025.ledgerd");

                s.n = 0;
                o.state = state_of;
                free(render(&o, NULL));
                assert_true(seen_hash(&s, "15.1@yuli-2025.ledgerd") != open_hash);
                s.n = 0;
                o.state = NULL;
                free(render(&o, NULL));
                assert_true(seen_hash(&s, "15.1@yuli-2025.ledgerd") == open_hash);
        }
        free(before);
}

/* Snoozed: the alarms before the snooze ends are left out. */
static void test_snoozed_milestone(void **state) {
        /* 15.2 is due 2025-04-30; its alarms: 04-20, 3 working days before, 04-30, at 09:00. */
        struct marked marks[] = {
                { "15.2", { .snoozed_until = 1745884800 /* 2025-04-29 08:00 +08 */ } },
                { NULL },
        };
        struct ics_options o = options();
        char *ics, *event;

        (void) state;
        o.state = state_of;
        o.state_userdata = marks;
        ics = render(&o, NULL);
        event = event_of(ics, "15.2@yuli-2025.ledgerd");
        assert_int_equal(count(event, "BEGIN:VALARM"), 1);
        assert_non_null(strstr(event, "TRIGGER;VALUE=DATE-TIME:20250430T010000Z"));
        assert_null(strstr(event, "已完成"));
        free(event);
        free(ics);
}

/* An owner's own feed rings as that owner's reminders do. */
static void test_owner_feed_uses_owner_settings(void **state) {
        struct ics_options o = options();
        char *ics, *event;

        (void) state;
        owners[1].policy = (struct policy) { .has_leads = true,
                                             .leads = { { 1, OFFSET_DAYS } }, .n_leads = 1 };
        o.owner = &owners[1];
        ics = render(&o, NULL);
        event = event_of(ics, "15.1@yuli-2025.ledgerd");
        assert_int_equal(count(event, "BEGIN:VALARM"), 1);
        /* A day before 03-31 is Sunday 03-30: moved to Friday. */
        assert_non_null(strstr(event, "TRIGGER;VALUE=DATE-TIME:20250328T010000Z"));
        free(event);
        free(ics);
        /* The feed of everyone keeps the task's settings. */
        o.owner = NULL;
        ics = render(&o, NULL);
        event = event_of(ics, "15.1@yuli-2025.ledgerd");
        assert_int_equal(count(event, "BEGIN:VALARM"), 3);
        free(event);
        free(ics);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_calendar_head, setup, teardown),
                cmocka_unit_test_setup_teardown(test_event_exact, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wellformed_and_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
                cmocka_unit_test_setup_teardown(test_summary_and_description, setup, teardown),
                cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_text_cleaned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fold_chinese, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fold_73_74, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fold_spaces, setup, teardown),
                cmocka_unit_test_setup_teardown(test_uid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_feed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_renders_identical, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revision_written, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revision_hash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ledger_piece, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ledger_copied, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alarms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alarms_task_policy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_calendar, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_publish, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_sequence_zero, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_done_milestone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_snoozed_milestone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_feed_uses_owner_settings, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
