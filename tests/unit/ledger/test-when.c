/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ledger/date.h"
#include "ledger/when.h"

struct want {
        const char *iso;
        const char *label;
};

/* Exactly these dates and labels, in this order. */
static void check_dated(const char *phrase, int year, const struct want *w, size_t n) {
        struct when_result r;

        when_parse(phrase, year, &r);
        if (r.kind != WHEN_DATED)
                fail_msg("\"%s\": %s (%s)", phrase, when_kind_name(r.kind), r.reason);
        assert_string_equal(r.reason, "");
        assert_int_equal(r.n_dates, n);
        for (size_t i = 0; i < n; i++) {
                char iso[DATE_ISO_LEN];

                date_format_iso(r.dates[i].day, iso);
                assert_string_equal(iso, w[i].iso);
                assert_string_equal(r.dates[i].label, w[i].label);
        }
}

static void check_not_dated(const char *phrase, enum when_kind kind, const char *reason) {
        struct when_result r;

        when_parse(phrase, 2025, &r);
        if (r.kind != kind)
                fail_msg("\"%s\": %s (%s)", phrase, when_kind_name(r.kind), r.reason);
        assert_int_equal(r.n_dates, 0);
        assert_string_equal(r.reason, reason);
}

#define DATED_IN(year, phrase, ...)                                                    \
        do {                                                                           \
                const struct want w_[] = { __VA_ARGS__ };                              \
                check_dated(phrase, year, w_, sizeof w_ / sizeof w_[0]);               \
        } while (0)
#define DATED(phrase, ...) DATED_IN(2025, phrase, __VA_ARGS__)
#define UNDATED(phrase, reason) check_not_dated(phrase, WHEN_UNDATED, reason)
#define UNKNOWN(phrase, reason) check_not_dated(phrase, WHEN_UNKNOWN, reason)

static bool utf8_valid(const char *s) {
        const unsigned char *u = (const unsigned char *) s;

        while (*u) {
                int n = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2
                                                        : (*u & 0xF8) == 0xF0 ? 3 : -1;
                if (n < 0)
                        return false;
                for (u++; n > 0; n--, u++)
                        if ((*u & 0xC0) != 0x80)
                                return false;
        }
        return true;
}

/* Every 完成时间 of yuli-2025-budget-performance-ledger.txt. */
static void test_seed_dated(void **state) {
        (void) state;
        DATED("7月底之前", { "2025-07-31", "" });
        DATED("6月底之前", { "2025-06-30", "" });
        DATED("9月底之前", { "2025-09-30", "" });
        DATED("4月底之前", { "2025-04-30", "" });
        DATED("11月底之前", { "2025-11-30", "" });
        DATED("6月10日前", { "2025-06-10", "" });
        DATED("7月10日前", { "2025-07-10", "" });
        DATED("9月10日前", { "2025-09-10", "" });
        DATED("4月10日前", { "2025-04-10", "" });
        DATED("11月10日前", { "2025-11-10", "" });
        DATED("7月3日前", { "2025-07-03", "" });
        DATED("10月1日前", { "2025-10-01", "" });
        DATED("10月1日之前", { "2025-10-01", "" });
        DATED("10月10日之前", { "2025-10-10", "" });
        DATED("9月10日之前", { "2025-09-10", "" });
        DATED("7月10日前 10月10日前", { "2025-07-10", "" }, { "2025-10-10", "" });
        DATED("单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前",
              { "2025-03-31", "单位自评" }, { "2025-04-30", "部门评价" },
              { "2025-06-20", "真实性核查" });
        DATED("年度内报送2次，分别为4月10日前，10月10日前",
              { "2025-04-10", "第1次" }, { "2025-10-10", "第2次" });
        DATED("年度内报送2次，年初预算项目4月10日前，年中追加项目10月10日前",
              { "2025-04-10", "年初预算项目" }, { "2025-10-10", "年中追加项目" });
}

static void test_seed_undated(void **state) {
        (void) state;
        UNDATED("根据县财政局具体工作时间安排",
                "set by another timetable: \"根据县财政局具体工作时间安排\"");
        UNDATED("根据州财政局具体工作时间安排",
                "set by another timetable: \"根据州财政局具体工作时间安排\"");
        UNDATED("根据尉犁县考核办具体工作时间安排", /* row 41, in another column */
                "set by another timetable: \"根据尉犁县考核办具体工作时间安排\"");
        UNDATED("根据2026年部门预算编制时间",
                "set by another timetable: \"根据2026年部门预算编制时间\"");
        UNDATED("根据2026年部门预算编制时间安排为准",
                "set by another timetable: \"根据2026年部门预算编制时间安排为准\"");
        UNDATED("随部门预算时间同步进行公开",
                "follows another event: \"随部门预算时间同步进行公开\"");
        UNDATED("随部门决算公开时间进行公开",
                "follows another event: \"随部门决算公开时间进行公开\"");
        UNDATED("详见各流程节点完成时间", "given elsewhere: \"详见各流程节点完成时间\"");
        UNDATED(" 按照上级要求 ", "set by another timetable: \"按照上级要求\"");
}

static void test_no_phrase(void **state) {
        (void) state;
        UNDATED("", "no deadline given");
        UNDATED("   ", "no deadline given");
        UNDATED("\u3000 \t\n", "no deadline given");
        UNDATED(NULL, "no deadline given");
}

static void test_suffixes(void **state) {
        (void) state;
        DATED("7月31日以前", { "2025-07-31", "" });
        DATED("7月31日止", { "2025-07-31", "" });
        DATED("7月31号", { "2025-07-31", "" });
        DATED("7月31号前", { "2025-07-31", "" });
        DATED("7月底", { "2025-07-31", "" });
        DATED("7月末前", { "2025-07-31", "" });
        DATED("7月底前完成", { "2025-07-31", "" });
        DATED("截止7月底", { "2025-07-31", "" });
        UNKNOWN("7月底前后", "could not read \"7月底前后\"");
        DATED("7月", { "2025-07-31", "" }); /* a month without a day: its end */
}

static void test_separators(void **state) {
        (void) state;
        DATED("4月1日前,5月1日前，6月1日前、7月1日前;8月1日前；9月1日前\u300010月1日前。",
              { "2025-04-01", "" }, { "2025-05-01", "" }, { "2025-06-01", "" },
              { "2025-07-01", "" }, { "2025-08-01", "" }, { "2025-09-01", "" },
              { "2025-10-01", "" });
        DATED("  一审：4月1日前， 二审:5月1日前 ", { "2025-04-01", "一审" },
              { "2025-05-01", "二审" });
}

static void test_ten_day_periods(void **state) {
        (void) state;
        DATED("8月上旬", { "2025-08-10", "" });
        DATED("8月中旬前", { "2025-08-20", "" });
        DATED("8月下旬之前", { "2025-08-31", "" });
        DATED("9月下旬", { "2025-09-30", "" });
        DATED("2月下旬", { "2025-02-28", "" });
}

static void test_quarters(void **state) {
        (void) state;
        DATED("第1季度末", { "2025-03-31", "" });
        DATED("第二季度末前", { "2025-06-30", "" });
        DATED("第3季度末之前", { "2025-09-30", "" });
        DATED("第四季度末", { "2025-12-31", "" });
        DATED("一季度末", { "2025-03-31", "" });
        DATED("每季度末", { "2025-03-31", "第1季度" }, { "2025-06-30", "第2季度" },
              { "2025-09-30", "第3季度" }, { "2025-12-31", "第4季度" });
        DATED("监控每季度末前", { "2025-03-31", "监控第1季度" },
              { "2025-06-30", "监控第2季度" }, { "2025-09-30", "监控第3季度" },
              { "2025-12-31", "监控第4季度" });
        UNKNOWN("第5季度末", "date does not exist: \"第5季度末\"");
        DATED("第2季度", { "2025-06-30", "" });
}

static void test_year_words(void **state) {
        (void) state;
        DATED("上半年", { "2025-06-30", "" });
        DATED("下半年", { "2025-12-31", "" });
        DATED("年底前", { "2025-12-31", "" });
        DATED("年末前", { "2025-12-31", "" });
        DATED("年内", { "2025-12-31", "" });
        DATED("年度内", { "2025-12-31", "" });
        DATED("年中3月底前", { "2025-03-31", "年中" });
        UNKNOWN("年度内7月底前", "could not read \"年度内7月底前\"");
}

static void test_next_year(void **state) {
        (void) state;
        DATED("次年3月底前", { "2026-03-31", "" });
        DATED("翌年1月10日", { "2026-01-10", "" });
        DATED("下一年度4月底之前", { "2026-04-30", "" });
        DATED("次年底前", { "2026-12-31", "" });
        DATED("10月底前，次年3月底前", { "2025-10-31", "" }, { "2026-03-31", "" });
        DATED_IN(2023, "次年2月底", { "2024-02-29", "" });
}

static void test_explicit_year(void **state) {
        (void) state;
        DATED("2025-07-31", { "2025-07-31", "" });
        DATED("2026-7-1前", { "2026-07-01", "" });
        DATED("2026/07/01", { "2026-07-01", "" });
        DATED_IN(2024, "2025年7月31日", { "2025-07-31", "" });
        DATED_IN(2024, "2025年7月31日前", { "2025-07-31", "" });
        DATED("2024年度内", { "2024-12-31", "" });
        DATED("2024年度项目7月底前", { "2025-07-31", "2024年度项目" });
        UNKNOWN("2025-02-29", "date does not exist: \"2025-02-29\"");
        UNKNOWN("2025-07", "could not read \"2025-07\"");
        UNKNOWN("25年7月1日", "could not read \"25年7月1日\"");
        UNKNOWN("2026年：7月底前", "could not read \"2026年:7月底前\"");
        UNKNOWN("下一年度:4月底前", "could not read \"下一年度:4月底前\"");
        UNKNOWN("次年项目7月底前", "could not read \"次年项目7月底前\"");
        DATED("每年7月底前", { "2025-07-31", "" });
        DATED_IN(2024, "二〇二五年7月1日", { "2025-07-01", "" });
}

static void test_full_width(void **state) {
        (void) state;
        DATED("７月底之前", { "2025-07-31", "" });
        DATED("年度内报送２次，分别为４月１０日前，１０月１０日前",
              { "2025-04-10", "第1次" }, { "2025-10-10", "第2次" });
        DATED("２０２５－０７－３１", { "2025-07-31", "" });
        DATED("第２季度末；第３季度末", { "2025-06-30", "" }, { "2025-09-30", "" });
}

static void test_chinese_numerals(void **state) {
        (void) state;
        DATED("十月底前", { "2025-10-31", "" });
        DATED("十二月十五日前", { "2025-12-15", "" });
        DATED("三月二十日", { "2025-03-20", "" });
        DATED("十二月三十一日", { "2025-12-31", "" });
        DATED("一月一日", { "2025-01-01", "" });
        DATED("五月十日", { "2025-05-10", "" });
        DATED("7月二十一日前", { "2025-07-21", "" });
        UNKNOWN("三十二月一日", "date does not exist: \"三十二月一日\"");
        UNKNOWN("一二月一日", "could not read \"一二月一日\"");
}

static void test_counts(void **state) {
        (void) state;
        DATED("报送两次，4月1日前，10月1日前", { "2025-04-01", "第1次" },
              { "2025-10-01", "第2次" });
        DATED("年度内报送3次，分别为4月10日前，7月10日前，10月10日前",
              { "2025-04-10", "第1次" }, { "2025-07-10", "第2次" }, { "2025-10-10", "第3次" });
        DATED("共4次，每季度末", { "2025-03-31", "第1季度" }, { "2025-06-30", "第2季度" },
              { "2025-09-30", "第3季度" }, { "2025-12-31", "第4季度" });
        UNKNOWN("年度内报送2次，分别为4月10日前",
                "the phrase says 2 times (2次) but names 1 date");
        UNKNOWN("年度内报送2次，分别为4月10日前，7月10日前，10月10日前",
                "the phrase says 2 times (2次) but names 3 dates");
        UNKNOWN("年度内报送2次", "the phrase says 2 times (2次) but names 0 dates");
        UNKNOWN("年度内报送0次", "the phrase says 0 times (0次) but names 0 dates");
        UNKNOWN("报送两次，年初预算项目4月10日前",
                "the phrase says 2 times (2次) but names 1 date");
}

static void test_impossible_dates(void **state) {
        (void) state;
        UNKNOWN("2月30日前", "date does not exist: \"2月30日前\"");
        UNKNOWN("13月底前", "date does not exist: \"13月底前\"");
        UNKNOWN("4月31日", "date does not exist: \"4月31日\"");
        UNKNOWN("0月1日", "date does not exist: \"0月1日\"");
        UNKNOWN("7月0日", "date does not exist: \"7月0日\"");
        UNKNOWN("单位自评3月底之前 部门评价2月29日之前",
                "date does not exist: \"2月29日之前\"");
        UNKNOWN("99999999999月1日", "date does not exist: \"99999999999月1日\"");
}

static void test_leap_year(void **state) {
        (void) state;
        DATED_IN(2024, "2月底前", { "2024-02-29", "" });
        DATED_IN(2024, "2月29日前", { "2024-02-29", "" });
        DATED_IN(2025, "2月底前", { "2025-02-28", "" });
        DATED_IN(2000, "2月下旬", { "2000-02-29", "" });
        DATED_IN(1900, "2月底", { "1900-02-28", "" });
}

static void test_garbage(void **state) {
        (void) state;
        UNKNOWN("尽快", "vague, names no date: \"尽快\"");
        UNKNOWN("7月底之前，尽快", "vague, names no date: \"尽快\"");
        UNKNOWN("abc", "could not read \"abc\"");
        UNKNOWN("4月10日前和10月10日前", "could not read \"4月10日前和10月10日前\"");
        DATED("第一季度", { "2025-03-31", "" });
        UNKNOWN("根据安排，7月底前",
                "defers elsewhere but names a date: \"根据安排 7月底前\"");
        UNKNOWN("上半年监控6月10日前", "could not read \"上半年监控6月10日前\"");
        UNKNOWN("7月底\x01", "contains a control character");
}

static void test_invalid_utf8(void **state) {
        (void) state;
        UNKNOWN("7月底\xff", "not valid UTF-8");
        UNKNOWN("7\xe6\x9c", "not valid UTF-8");          /* 月 cut short */
        UNKNOWN("\xc0\xb7月底", "not valid UTF-8");       /* overlong '7' */
        UNKNOWN("\xed\xa0\x80", "not valid UTF-8");       /* a surrogate */
        UNKNOWN("\xf4\x90\x80\x80", "not valid UTF-8");   /* past U+10FFFF */
        UNKNOWN("\xe6\x9c\x88\x80", "not valid UTF-8");   /* stray continuation */
}

static void test_labels(void **state) {
        char phrase[256], reason[WHEN_REASON_MAX];
        struct when_result r;

        (void) state;
        DATED("第二轮(8月)监控7月10日前", { "2025-07-10", "第二轮(8月)监控" });
        DATED("分别为:7月底前", { "2025-07-31", "" });
        /* 31 three-byte characters fit WHEN_LABEL_MAX - 1 = 95 bytes; 32 do not. */
        strcpy(phrase, "");
        for (int i = 0; i < 31; i++)
                strcat(phrase, "审");
        strcat(phrase, "7月底前");
        when_parse(phrase, 2025, &r);
        assert_int_equal(r.kind, WHEN_DATED);
        assert_int_equal(strlen(r.dates[0].label), 93);
        memmove(phrase + 3, phrase, strlen(phrase) + 1);
        memcpy(phrase, "审", 3);
        when_parse(phrase, 2025, &r);
        assert_int_equal(r.kind, WHEN_UNKNOWN);
        snprintf(reason, sizeof reason, "label too long: \"%.*s\"", 96, phrase);
        assert_string_equal(r.reason, reason);
}

static void test_too_many_dates(void **state) {
        char phrase[512] = "";
        struct when_result r;

        (void) state;
        for (int i = 1; i <= WHEN_MAX_DATES; i++)
                sprintf(phrase + strlen(phrase), "%d月%d日 ", i % 12 + 1, i);
        when_parse(phrase, 2025, &r);
        assert_int_equal(r.kind, WHEN_DATED);
        assert_int_equal(r.n_dates, WHEN_MAX_DATES);
        assert_int_equal(r.dates[15].day, date_from_ymd(2025, 5, 16));
        strcat(phrase, "12月31日");
        UNKNOWN(phrase, "names more than 16 dates");
        UNKNOWN("每季度末 每季度末 每季度末 每季度末 年底", "names more than 16 dates");
}

/* Long text is quoted, cut on a character boundary, and still fits. */
static void test_long_reason(void **state) {
        char phrase[1100] = "", big[1100];
        struct when_result r;

        (void) state;
        for (int i = 0; i < 200; i++)
                strcat(phrase, "尽");
        when_parse(phrase, 2025, &r);
        assert_int_equal(r.kind, WHEN_UNKNOWN);
        assert_true(utf8_valid(r.reason));
        assert_true(strlen(r.reason) < WHEN_REASON_MAX);
        assert_int_equal(strncmp(r.reason, "could not read \"尽尽", 22), 0);
        assert_string_equal(r.reason + strlen(r.reason) - 4, "…\"");
        memset(big, 'x', 1024);
        big[1024] = '\0';
        UNKNOWN(big, "phrase longer than 1023 bytes");
        big[1023] = '\0'; /* the longest accepted: read, and quoted in 235 bytes */
        when_parse(big, 2025, &r);
        snprintf(phrase, sizeof phrase, "could not read \"%.235s…\"", big);
        assert_int_equal(strlen(phrase), WHEN_REASON_MAX - 1);
        assert_string_equal(r.reason, phrase);
}

static void test_kind_name(void **state) {
        (void) state;
        assert_string_equal(when_kind_name(WHEN_DATED), "dated");
        assert_string_equal(when_kind_name(WHEN_UNDATED), "undated");
        assert_string_equal(when_kind_name(WHEN_UNKNOWN), "unknown");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seed_dated),
                cmocka_unit_test(test_seed_undated),
                cmocka_unit_test(test_no_phrase),
                cmocka_unit_test(test_suffixes),
                cmocka_unit_test(test_separators),
                cmocka_unit_test(test_ten_day_periods),
                cmocka_unit_test(test_quarters),
                cmocka_unit_test(test_year_words),
                cmocka_unit_test(test_next_year),
                cmocka_unit_test(test_explicit_year),
                cmocka_unit_test(test_full_width),
                cmocka_unit_test(test_chinese_numerals),
                cmocka_unit_test(test_counts),
                cmocka_unit_test(test_impossible_dates),
                cmocka_unit_test(test_leap_year),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_invalid_utf8),
                cmocka_unit_test(test_labels),
                cmocka_unit_test(test_too_many_dates),
                cmocka_unit_test(test_long_reason),
                cmocka_unit_test(test_kind_name),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
