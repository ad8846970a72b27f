/* SPDX-License-Identifier: MIT */
/* Deadline forms as Chinese government work ledgers, notices and plans
 * write them, each with where the form (or its kind) was seen, read for a
 * 2026 ledger with the shipped holiday calendars (2025, 2026): the dates a
 * careful official reads, or a refusal with its reason. Sources:
 *   [gmw]   https://politics.gmw.cn/2025-11/04/content_38391083.htm
 *           (国办发明电〔2025〕7号, the 2026 holidays, weekdays in brackets)
 *   [pj]    http://xyexam.com/html/2509/2021-05-25/content-93597.html
 *           (盘锦: 于…前报送…, 每月28日前)
 *   [czj]   https://yanjianggao.wang/workxuexi/lingdao/201511/112830_5.html
 *           (县财政局: 每月10日, 季末15日内, 根据…统一布置)
 *   [sh]    http://biz.doczj.com/doc/a315649556.html (上海市财政局: 季度终了后N个工作日内)
 *   [tj]    https://360docs.net/doc/0225045960.html (每季后15日内, 节假日不顺延)
 *   [bj]    https://newton.com.tw/wiki/%E9%B9%B9%E9%99%BD%E5%B8%822022%E5%B9%B4%E6%B7%B1%E5%8C%96%E2%80%9C%E6%94%BE%E7%AE%A1%E6%9C%8D%E2%80%9D%E6%94%B9%E9%9D%A9%E6%9C%80%E4%BD%B3%E5%8C%96%E7%87%9F%E5%95%86%E7%92%B0%E5%A2%83%E5%B7%A5%E4%BD%9C%E8%A6%81%E9%BB%9E/61994341
 *           (宝鸡: 2022年10月底前编制并公布)
 *   [wh]    http://pizzabar.cn/news/info/id/6620.html (武汉: 每个季度第1个月20日前)
 *   [gy]    https://gysyjglj.cngy.gov.cn/New/show/20240314102619834.html
 *           (广元: 每季度报送一次, 每半年报送一次)
 *   [zx]    https://shituxiezuo.com/44846.html (周调度、月通报、季推进、年考评; 每周二前)
 *   [sc]    http://scwmfw.com/2020/11/26 (当年四月十日, 次年一月十日)
 *   [xy]    http://echinagov.com/policy/346701.htm (到2023年底)
 *   [ly]    https://gudianfeng.com/new/zs942967.html (节假日顺延)
 *   [nb]    http://nbxinxi.com/a/gedizhengce/zhejiangsheng/hangzhoushi/shangcheng/2021/0629/344957.html
 *           (台账: 随时更新、动态补充)
 *   [plr]   http://www.plnmw.com/CompanyRegistration/hbfcoulbve.html
 *           (15 days after the quarter, 4 months after the year)
 *   [chz]   https://www.renrendoc.com/paper/508203716.html (常态化工作)
 *   [yuli]  tests/data/yuli-2025.tsv, the bureau's own 2025 ledger
 * A form marked "kind" was composed on the pattern the source shows, not
 * copied from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "basic/diag.h"
#include "conf/conf.h"
#include "ledger/when.h"

struct form {
        const char *phrase;
        const char *want; /* "d1;d2…", or "unknown", "undated", "ongoing" */
        const char *note; /* the first date's note, or NULL: not checked */
};

static const struct form forms[] = {
        /* recurring within the year */
        { "每月15日前", "2026-01-15;2026-02-15;2026-03-15;2026-04-15;2026-05-15;2026-06-15;2026-07-15;2026-08-15;2026-09-15;2026-10-15;2026-11-15;2026-12-15", NULL }, /* kind [pj] */
        { "于每月28日前将各项工作任务进展情况报送市政府督考办", "2026-01-28;2026-02-28;2026-03-28;2026-04-28;2026-05-28;2026-06-28;2026-07-28;2026-08-28;2026-09-28;2026-10-28;2026-11-28;2026-12-28", "将各项工作任务进展情况报送市政府督考办" }, /* [pj] */
        { "每月10日", "2026-01-10;2026-02-10;2026-03-10;2026-04-10;2026-05-10;2026-06-10;2026-07-10;2026-08-10;2026-09-10;2026-10-10;2026-11-10;2026-12-10", NULL }, /* [czj] */
        { "每月月底前", "2026-01-31;2026-02-28;2026-03-31;2026-04-30;2026-05-31;2026-06-30;2026-07-31;2026-08-31;2026-09-30;2026-10-31;2026-11-30;2026-12-31", NULL }, /* kind [zx] 月通报 */
        { "每月31日前", "unknown", NULL }, /* kind: not every month has one */
        { "每季度末", "2026-03-31;2026-06-30;2026-09-30;2026-12-31", NULL }, /* [yuli] */
        { "每季度报送一次", "2026-03-31;2026-06-30;2026-09-30;2026-12-31", "报送" }, /* [gy] */
        { "每个季度第1个月20日前", "2026-01-20;2026-04-20;2026-07-20;2026-10-20", NULL }, /* [wh] */
        { "每季度首月10日前", "2026-01-10;2026-04-10;2026-07-10;2026-10-10", NULL }, /* kind [wh] */
        { "每季度最后一个月25日前", "2026-03-25;2026-06-25;2026-09-25;2026-12-25", NULL }, /* kind [wh] */
        { "每半年报送一次", "2026-06-30;2026-12-31", "报送" }, /* [gy] */
        { "上下半年各一次", "2026-06-30;2026-12-31", NULL }, /* kind [gy] */
        { "每年6月底前", "2026-06-30", NULL }, /* kind [zx] 年考评 */
        { "按月报送，次月10日前", "2026-02-10;2026-03-10;2026-04-10;2026-05-10;2026-06-10;2026-07-10;2026-08-10;2026-09-10;2026-10-10;2026-11-10;2026-12-10;2027-01-10", NULL }, /* kind [czj] 上月 */
        { "次月20日前", "unknown", NULL }, /* kind: 次月 of what? */
        /* counted from a period's end */
        { "每季度结束后10日内", "2026-04-10;2026-07-10;2026-10-10;2027-01-10", NULL }, /* kind [plr] */
        { "每季后15日内送统计局", "2026-04-15;2026-07-15;2026-10-15;2027-01-15", "送统计局" }, /* [tj] */
        { "季度终了后15日内", "2026-04-15;2026-07-15;2026-10-15;2027-01-15", NULL }, /* [plr] */
        { "季度终了后5个工作日内", "unknown", NULL }, /* [sh]: the 2027 calendar is not out */
        { "第一季度结束后5个工作日内", "2026-04-08", NULL }, /* kind [sh], 清明 off */
        { "第三季度结束后5个工作日内", "2026-10-13", NULL }, /* kind [sh], 国庆 off */
        { "上半年结束后15日内", "2026-07-15", NULL }, /* kind [plr] */
        { "每半年结束后15日内", "2026-07-15;2027-01-15", NULL }, /* kind [plr] */
        { "年度终了后4个月内", "2027-04-30", NULL }, /* [plr] */
        { "年度结束后20日内", "2027-01-20", NULL }, /* kind [plr] */
        { "季末15日内", "unknown", NULL }, /* [czj]: after the quarter, or its last 15 days? */
        /* a period without a day */
        { "第三季度", "2026-09-30", NULL }, /* kind [yuli] 第三季度末 */
        { "三季度", "2026-09-30", NULL }, /* kind [yuli] */
        { "11月份", "2026-11-30", NULL }, /* kind [yuli] 11月底之前 */
        { "11月", "2026-11-30", NULL }, /* kind [yuli] */
        { "6月、12月", "2026-06-30;2026-12-31", NULL }, /* kind [zx] */
        { "3、6、9、12月底前", "2026-03-31;2026-06-30;2026-09-30;2026-12-31", NULL }, /* kind [yuli] 每季度末 */
        { "7-9月", "2026-09-30", NULL }, /* kind */
        /* trailing text, ranges */
        { "于2024年3月15日前报市安办备案", "2024-03-15", "报市安办备案" }, /* [gy] */
        { "2022年10月底前编制并公布", "2022-10-31", "编制并公布" }, /* [bj] */
        { "7月10日前完成并报送", "2026-07-10", "完成并报送" }, /* kind [pj] */
        { "4月10日前报送州财政局，逾期不予受理", "2026-04-10", "报送州财政局；逾期不予受理" }, /* kind [pj] */
        { "到2023年底", "2023-12-31", NULL }, /* [xy] */
        { "10月1日（周四）至7日（周三）", "2026-10-07", NULL }, /* [gmw] */
        { "2月15日至23日", "2026-02-23", NULL }, /* [gmw] */
        { "7月1日-7月31日", "2026-07-31", NULL }, /* kind [gmw] */
        { "7月31日至7月1日", "unknown", NULL }, /* kind: backwards */
        { "7月底前后", "unknown", NULL }, /* kind: around, not by */
        { "7月10日起", "unknown", NULL }, /* kind: from, not by */
        /* brackets */
        { "7月31日（含）前", "2026-07-31", "含" }, /* kind [pj] */
        { "9月20日（周日）", "2026-09-20", NULL }, /* [gmw] */
        { "6月30日（星期三）", "unknown", NULL }, /* kind [gmw]: it is a 周二 */
        { "10月1日前（遇节假日顺延）", "2026-10-08", "遇节假日顺延" }, /* [ly] */
        { "5月1日前(遇节假日顺延)", "2026-05-06", NULL }, /* [ly] */
        { "10月1日前，节假日不顺延", "2026-10-01", "节假日不顺延" }, /* [tj] */
        { "10月1日前（暂定）", "2026-10-01", "暂定" }, /* kind */
        /* dates as written */
        { "2026.6.30", "2026-06-30", NULL }, /* kind */
        { "6.30前", "2026-06-30", NULL }, /* kind */
        { "2026/6/30", "2026-06-30", NULL }, /* kind */
        { "6月30号", "2026-06-30", NULL }, /* kind */
        { "当年四月十日截至", "2026-04-10", NULL }, /* [sc] */
        { "次年一月十日截至", "2027-01-10", NULL }, /* [sc] */
        { "二〇二六年十二月三十一日前", "2026-12-31", NULL }, /* kind [sc] */
        /* holidays by name */
        { "国庆节前", "2026-09-30", NULL }, /* kind [gmw] */
        { "国庆节后", "2026-10-08", NULL }, /* kind [gmw] */
        { "春节前", "2026-02-14", NULL }, /* kind [gmw]: Saturday 2-14 is worked */
        { "春节前5天", "2026-02-10", NULL }, /* kind */
        { "五一前", "2026-04-30", NULL }, /* kind [gmw] */
        { "元旦后", "2026-01-04", NULL }, /* kind [gmw]: Sunday 1-4 is worked */
        { "元旦前", "unknown", NULL }, /* kind: this year's or the next? */
        { "次年春节前", "unknown", NULL }, /* kind: no 2027 calendar yet */
        { "节前", "unknown", NULL }, /* kind: which holiday? */
        /* standing work */
        { "长期", "ongoing", NULL }, /* kind [chz] */
        { "长期坚持", "ongoing", NULL }, /* kind [chz] */
        { "持续推进", "ongoing", NULL }, /* kind [chz] */
        { "常态化开展", "ongoing", NULL }, /* [chz] */
        { "日常工作", "ongoing", NULL }, /* kind [chz] */
        { "随时更新、动态补充", "ongoing", NULL }, /* [nb] */
        { "每周二前", "ongoing", NULL }, /* [zx] */
        /* refused: vague, impossible, ambiguous; undated */
        { "尽快", "unknown", NULL }, /* kind */
        { "及时报送", "unknown", NULL }, /* kind */
        { "适时开展", "unknown", NULL }, /* kind */
        { "2月30日", "unknown", NULL }, /* kind */
        { "13月底前", "unknown", NULL }, /* kind */
        { "7月初", "unknown", NULL }, /* kind: no day */
        { "年初", "unknown", NULL }, /* kind: no day */
        { "根据县财政局的统一布置", "undated", NULL }, /* [czj] */
        { "收到通知后10日内", "undated", NULL }, /* kind */
        { "时间另行通知", "undated", NULL }, /* kind */
};

static void check_form(const struct form *f, const struct workdays *cal) {
        struct when_result r;
        char got[512] = "";

        when_parse_with(f->phrase, 2026, cal, &r);
        if (r.kind != WHEN_DATED) {
                if (strcmp(when_kind_name(r.kind), f->want) != 0 || !r.reason[0])
                        fail_msg("\"%s\": %s (%s), wanted %s", f->phrase, when_kind_name(r.kind),
                                 r.reason, f->want);
                return;
        }
        for (size_t i = 0; i < r.n_dates; i++) {
                char iso[DATE_ISO_LEN];

                date_format_iso(r.dates[i].day, iso);
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? ";" : "", iso);
        }
        if (strcmp(got, f->want) != 0)
                fail_msg("\"%s\": %s, wanted %s", f->phrase, got, f->want);
        if (f->note && strcmp(r.dates[0].note, f->note) != 0)
                fail_msg("\"%s\": note \"%s\", wanted \"%s\"", f->phrase, r.dates[0].note, f->note);
}

static void test_forms(void **state) {
        struct diagnostics d = { 0 };
        struct config *c = NULL;
        struct conf_holiday_file *files = NULL;
        size_t n_files = 0;

        (void) state;
        assert_int_equal(conf_load_holidays("../conf/ledgerd.conf", &c, &files, &n_files, &d), 0);
        assert_true(sizeof forms / sizeof forms[0] >= 60);
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
                check_form(&forms[i], c->calendar);
        conf_holiday_files_free(files, n_files);
        config_free(c);
        diag_clear(&d);
}

/* Without a calendar, what needs one is refused with the year it needs. */
static void test_no_calendar(void **state) {
        struct when_result r;

        (void) state;
        when_parse("国庆节前", 2026, &r);
        assert_int_equal(r.kind, WHEN_UNKNOWN);
        assert_string_equal(r.reason, "no holiday calendar covers 2026, which \"国庆节前\" needs");
        when_parse("10月1日前(遇节假日顺延)", 2026, &r);
        assert_int_equal(r.kind, WHEN_UNKNOWN);
        assert_string_equal(r.kind == WHEN_UNKNOWN ? "" : "x", "");
}

/* The iCalendar fixture gives the same days as cn-2026.conf; a bad one is
 * refused with file:line. */
static void test_ics_calendar(void **state) {
        struct diagnostics d = { 0 };
        struct config *c = NULL;
        struct conf_holiday_file *files = NULL;
        size_t n_files = 0;
        FILE *f = fopen("/tmp/ledgerd-test-ics.conf", "we");
        struct when_result r;

        (void) state;
        assert_non_null(f);
        fprintf(f, "holidays = [ \"%s/data/cn-2026.ics\" ];\n", getenv("PWD") ? getenv("PWD") : ".");
        fclose(f);
        assert_int_equal(conf_load_holidays("/tmp/ledgerd-test-ics.conf", &c, &files, &n_files, &d), 0);
        when_parse_with("国庆节前", 2026, c->calendar, &r);
        assert_int_equal(r.kind, WHEN_DATED);
        assert_int_equal(r.dates[0].day, date_from_ymd(2026, 9, 30));
        when_parse_with("春节前", 2026, c->calendar, &r);
        assert_int_equal(r.dates[0].day, date_from_ymd(2026, 2, 14));
        when_parse_with("元旦后", 2026, c->calendar, &r);
        assert_int_equal(r.dates[0].day, date_from_ymd(2026, 1, 4));
        conf_holiday_files_free(files, n_files);
        config_free(c);
        f = fopen("/tmp/ledgerd-test-ics.conf", "we");
        assert_non_null(f);
        fprintf(f, "holidays = [ \"%s/data/holidays-bad.ics\" ];\n", getenv("PWD") ? getenv("PWD") : ".");
        fclose(f);
        assert_int_equal(conf_load_holidays("/tmp/ledgerd-test-ics.conf", &c, &files, &n_files, &d),
                         -EINVAL);
        assert_int_equal(d.n_errors, 2);
        diag_clear(&d);
        unlink("/tmp/ledgerd-test-ics.conf");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_no_calendar),
                cmocka_unit_test(test_ics_calendar),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
