/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libconfig.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "basic/readfile.h"
#include "basic/strv.h"
#include "import/import-internal.h"
#include "import/import.h"
#include "import/table.h"

/* ---- helpers ------------------------------------------------------------------------ */

static int import_text(const char *file, const char *text, int year, struct import_ledger *l,
                       struct diagnostics *d) {
        const struct import_options o = { .file = file, .year = year };
        struct table t;
        int r;

        assert_int_equal(table_read(text, strlen(text), file, &t, d), 0);
        r = import_table(&t, &o, l, d);
        table_free(&t);
        return r;
}

static const struct import_task *find(const struct import_ledger *l, const char *id) {
        for (size_t i = 0; i < l->n_tasks; i++)
                if (strcmp(l->tasks[i].id, id) == 0)
                        return &l->tasks[i];
        fail_msg("no task %s", id);
        return NULL;
}

/* owners as "a|b". */
static void check_task(const struct import_ledger *l, const char *id, const char *category,
                       const char *item, const char *detail, const char *owners,
                       const char *deadline) {
        const struct import_task *t = find(l, id);
        char joined[512] = "";

        for (size_t i = 0; i < t->n_owners; i++)
                snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s",
                         i ? "|" : "", t->owners[i]);
        assert_string_equal(t->category, category);
        assert_string_equal(t->item, item);
        if (detail)
                assert_string_equal(t->detail, detail);
        assert_string_equal(joined, owners);
        assert_string_equal(t->deadline, deadline);
}

/* A warning at line whose message is exactly message. */
static void check_warning(const struct diagnostics *d, int line, const char *message) {
        for (size_t i = 0; i < d->n_items; i++)
                if (d->items[i].line == line && strcmp(d->items[i].message, message) == 0) {
                        assert_int_equal(d->items[i].level, DIAG_WARNING);
                        return;
                }
        for (size_t i = 0; i < d->n_items; i++)
                print_message("  %d: %s\n", d->items[i].line, d->items[i].message);
        fail_msg("no warning at line %d: %s", line, message);
}

static char *slurp(const char *path, size_t *size) {
        char *data = NULL;

        assert_int_equal(readfile(path, 1 << 20, &data, size), 0);
        return data;
}

/* ---- the seed ------------------------------------------------------------------------ */

static void test_seed(void **state) {
        static const char *const ids[] = {
                "1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",   "9",  "10",  "11", "12",
                "13", "14", "15", "16", "17", "18", "19", "20",  "21", "22",  "23", "24",
                "25", "26", "27", "28", "29", "30", "31", "32",  "33", "34",  "34b", "35",
                "35b", "36", "36b", "37", "37b", "41",
        };
        const struct import_options o = { .file = "data/yuli-2025.tsv" };
        struct import_ledger l;
        struct diagnostics d = { 0 };
        struct table t;
        size_t size;
        char *data = slurp("data/yuli-2025.tsv", &size);

        (void) state;
        assert_int_equal(table_read(data, size, o.file, &t, &d), 0);
        assert_int_equal(import_table(&t, &o, &l, &d), 0);
        assert_string_equal(l.id, "yuli-2025"); /* from the file name */
        assert_string_equal(l.title, "2025年度尉犁县全面实施预算绩效管理工作台账");
        assert_int_equal(l.year, 2025);
        assert_int_equal(l.n_tasks, sizeof ids / sizeof *ids);
        for (size_t i = 0; i < l.n_tasks; i++)
                assert_string_equal(l.tasks[i].id, ids[i]);

        /* rows 1–5 and 6–12: merged cells whose text stands in the middle */
        check_task(&l, "1", "一、重点工作", "重点项目建设评价", NULL, "县财政局", "7月底之前");
        check_task(&l, "5", "一、重点工作", "全面实施预算绩效管理实地评价", NULL, "县财政局",
                   "6月底之前");
        check_task(&l, "6", "二、预算绩效闭环管理", "事前绩效评估管理", NULL,
                   "县财政局|各相关部门单位", "根据县财政局具体工作时间安排");
        /* an extra column: a sub-item */
        check_task(&l, "10", "二、预算绩效闭环管理", "绩效监控管理：第一轮（5月）绩效监控抽审工作",
                   "以5月底为监控节点，各部门单位完成预算安排的所有项目支出绩效监控工作，对监控发现"
                   "的问题，各部门单位应及时进行整改。监控结果报送县财政部门审核。",
                   "县财政局|各相关部门单位", "6月10日前");
        /* a new page whose 任务大类 cell holds the item of rows 10–12 */
        check_task(&l, "13", "二、预算绩效闭环管理",
                   "绩效监控管理：第二轮（8月）绩效监控抽查、真实性核查", NULL, "县财政局",
                   "10月1日之前");
        check_task(&l, "16", "二、预算绩效管理",
                   "绩效评价管理：单位自评、部门评价抽审工作及真实性核查工作", NULL, "县财政局",
                   "7月3日前");
        /* one column missing: 任务大类 carried down */
        check_task(&l, "18", "项目支出绩效管理", "财政重点绩效评价结果报送及抽审工作", NULL,
                   "县财政局", "9月10日前");
        check_task(&l, "21", "结果应用", "超长期特别国债绩效管理", NULL,
                   "县财政局|各相关部门单位", "7月10日前 10月10日前");
        /* owners written twice, sub-rows */
        check_task(&l, "34", "预算绩效信息公开", "项目支出单位自评、部门评价公开", NULL,
                   "县财政局|各相关部门单位", "随部门决算公开时间进行公开");
        check_task(&l, "34b", "预算绩效信息公开", "重点项目绩效评价公开", NULL,
                   "县财政局|各相关部门单位", "9月10日之前");
        check_task(&l, "35b", "第三方机构管理", "培训与宣传工作", NULL, "县财政局",
                   "11月底之前");
        check_task(&l, "37b", "培训与宣传工作", "总结报送工作",
                   "按照2025年度尉犁县绩效考核工作要求，开展考核工作。", "县财政局",
                   "11月底之前");
        /* the phrase in 明细任务 */
        check_task(&l, "41", "地县绩效考核工作", "“全面实施预算绩效管理”考核工作", "",
                   "县财政局", "根据尉犁县考核办具体工作时间安排");

        assert_int_equal(l.n_owners, 5);
        assert_string_equal(l.owners[0].name, "县财政局");
        assert_int_equal(l.owners[0].n_tasks, 39);
        assert_string_equal(l.owners[1].name, "各相关部门单位");
        assert_int_equal(l.owners[1].n_tasks, 15);
        assert_string_equal(l.owners[4].name, "县财政局企业股");

        assert_int_equal(d.n_errors, 0);
        assert_int_equal(d.n_warnings, 23);
        check_warning(&d, 0, "the ledger's id, yuli-2025, is made from the file name; --id gives "
                      "another (it is part of every calendar UID: keep it)");
        check_warning(&d, 6, "任务大类 blank on line 6: read as the merged cell \"一、重点工作\" "
                      "of line 7 (its text stands in the middle of the cell)");
        check_warning(&d, 11, "任务大类 blank on lines 11–13: read as the merged cell "
                      "\"二、预算绩效闭环管理\" of line 14 (its text stands in the middle of the "
                      "cell)");
        check_warning(&d, 15, "1 cell more than the header before 责任主体 (cells shifted right): "
                      "read as a sub-item of 工作事项");
        check_warning(&d, 27, "1 cell fewer than the header before 责任主体 (cells shifted left): "
                      "任务大类 missing");
        check_warning(&d, 54, "no 序号: read as 35b, a sub-row of 35 (line 53); its blank cells "
                      "are merged with that row's: 任务大类, 完成时间");
        check_warning(&d, 59, "完成时间 is empty and 明细任务 \"根据尉犁县考核办具体工作时间安排\" "
                      "is a deadline phrase: read as the deadline, 明细任务 left empty");
        check_warning(&d, 60, "only a 序号 (43) and nothing else: not a task");
        /* each warning is also a note on its task, or on no task */
        assert_int_equal(find(&l, "35b")->n_notes, 1);
        assert_string_equal(l.trailing_notes[0],
                            "line 60: only a 序号 (43) and nothing else: not a task");

        import_ledger_free(&l);
        table_free(&t);
        diag_clear(&d);
        free(data);
}

/* ---- hand-made tables ------------------------------------------------------------------ */

static void test_column_variants(void **state) {
        static const char csv[] =
                "2024年县财政局重点工作清单\n"
                "序号,工作事项,具体内容,牵头单位,配合单位,完成时限,备注\n"
                "1,预算编制,\"编制部门预算,报县人大\",县财政局预算股,各相关部门单位,10月底前,\n"
                "2,绩效自评,组织自评,县财政局绩效股（牵头）,,3月31日前,需报州局\n"
                "3,国库支付,做好支付,县财政局国库股,县人民银行/各乡镇 县民政局,每季度末,\n";
        static const char tsv[] =
                "2025年度台账\n"
                "编号\t类别\t事项\t明细\t责任单位\t时间节点\n"
                "1\t一、预算\t公开\t预算公开\t县财政局、县审计局\t5月底前\n";
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("v.csv", csv, 0, &l, &d), 0);
        assert_string_equal(l.id, "v-2024");
        assert_int_equal(l.year, 2024);
        assert_int_equal(l.n_tasks, 3);
        check_task(&l, "1", "", "预算编制", "编制部门预算,报县人大",
                   "县财政局预算股|各相关部门单位", "10月底前");
        check_task(&l, "2", "", "绩效自评", "组织自评（备注：需报州局）", "县财政局绩效股",
                   "3月31日前");
        check_task(&l, "3", "", "国库支付", "做好支付",
                   "县财政局国库股|县人民银行|各乡镇|县民政局", "每季度末");
        assert_int_equal(d.n_warnings, 1); /* the id */
        import_ledger_free(&l);
        diag_clear(&d);

        assert_int_equal(import_text("t.tsv", tsv, 0, &l, &d), 0);
        check_task(&l, "1", "一、预算", "公开", "预算公开", "县财政局|县审计局", "5月底前");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* Cells out of place, found by what they hold. */
static void test_shifted_cells(void **state) {
        static const char tsv[] =
                "2025年度台账\n"
                "序号\t任务大类\t工作事项\t明细任务\t责任主体\t完成时间\n"
                "1\t一、甲\t事项\t子项\t明细一\t县财政局\t7月底前\n"    /* one more */
                "2\t事项二\t明细二\t县财政局\t8月底前\n"                /* one fewer */
                "3\t一、甲\t事项三\t明细三\t县财政局\t县财政局\t\t9月底前\n" /* repeated, far */
                "4\t一、甲\t事项四\t明细四\t县财政局\t县财政局\n"      /* owners for deadline */
                "5\t一、甲\t事项五\t事项五\t明细五\t县财政局\t10月底前\n"; /* item repeated */
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("s.tsv", tsv, 0, &l, &d), 0);
        assert_int_equal(l.n_tasks, 5);
        check_task(&l, "1", "一、甲", "事项：子项", "明细一", "县财政局", "7月底前");
        check_task(&l, "2", "一、甲", "事项二", "明细二", "县财政局", "8月底前");
        check_task(&l, "3", "一、甲", "事项三", "明细三", "县财政局", "9月底前");
        check_task(&l, "4", "一、甲", "事项四", "明细四", "县财政局", "");
        check_task(&l, "5", "一、甲", "事项五", "明细五", "县财政局", "10月底前");
        check_warning(&d, 4, "1 cell fewer than the header before 责任主体 (cells shifted left): "
                      "任务大类 missing");
        check_warning(&d, 4, "任务大类 carried down from line 3: \"一、甲\"");
        check_warning(&d, 5, "完成时间 is empty: \"9月底前\", a deadline phrase in another column, "
                      "read as the deadline");
        check_warning(&d, 6, "完成时间 is empty: no date for task 4 (if the cell is merged with "
                      "the row above, give its deadline)");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* Owners that do not look like units stay where the header puts them; a
 * title row may have more than one cell. */
static void test_people_as_owners(void **state) {
        static const char csv[] =
                "2025年度台账,,单位：县财政局\n"
                "序号,工作事项,明细任务,责任人,责任单位,完成时间\n"
                "1,预算,县财政局,张三,,7月底前\n"
                "2,决算,明细,张三、李四,县财政局,8月底前\n";
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("o.csv", csv, 0, &l, &d), 0);
        assert_string_equal(l.title, "2025年度台账");
        /* 责任人 is no column ledgerd keeps; the 县财政局 in 明细任务 is a detail,
         * as the deadline stands where the header says; 责任单位 is blank on the
         * first row, so the merged cell's text stands lower */
        check_task(&l, "1", "", "预算", "县财政局", "县财政局", "7月底前");
        check_task(&l, "2", "", "决算", "明细", "县财政局", "8月底前");
        check_warning(&d, 2, "column 4 (责任人) is not imported: ledgerd keeps no such field");
        check_warning(&d, 3, "责任主体 blank on line 3: read as the merged cell \"县财政局\" of "
                      "line 4 (its text stands in the middle of the cell)");
        import_ledger_free(&l);
        diag_clear(&d);

        static const char people[] =
                "2025年度台账\n序号,工作事项,责任单位,完成时间\n1,预算,张三,7月底前\n"
                "2,决算,张三 李四,8月底前\n";
        assert_int_equal(import_text("o.csv", people, 0, &l, &d), 0);
        check_task(&l, "1", "", "预算", "", "张三", "7月底前");
        check_task(&l, "2", "", "决算", "", "张三|李四", "8月底前");
        assert_int_equal(d.n_warnings, 1); /* the id */
        import_ledger_free(&l);
        diag_clear(&d);
}

static void test_sub_rows(void **state) {
        static const char tsv[] =
                "2025年度台账\n"
                "序号\t工作事项\t明细任务\t责任主体\t完成时间\n"
                "\t前言\t没有序号的第一行\t县财政局\t6月底前\n"
                "7\t事项\t明细\t县财政局\t7月底前\n"
                "\t子项一\t明细b\t\t\n"
                "\t子项二\t明细c\t州财政局\t8月底前\n"
                "7\t又一个7\t明细\t县财政局\t9月底前\n";
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("r.tsv", tsv, 0, &l, &d), 0);
        assert_int_equal(l.n_tasks, 5);
        assert_string_equal(l.tasks[0].id, "L3");
        check_task(&l, "7b", "", "子项一", "明细b", "县财政局", "7月底前");
        check_task(&l, "7c", "", "子项二", "明细c", "州财政局", "8月底前");
        check_task(&l, "7-2", "", "又一个7", "明细", "县财政局", "9月底前");
        check_warning(&d, 5, "no 序号: read as 7b, a sub-row of 7 (line 4); its blank cells are "
                      "merged with that row's: 责任主体, 完成时间");
        check_warning(&d, 6, "no 序号: read as 7c, a sub-row of 7 (line 4)");
        check_warning(&d, 7, "id 7 is already taken: this task's id is 7-2");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* Merged cells: text at the top carries down; text in the middle when the
 * first row is blank. */
static void test_merged_cells(void **state) {
        static const char top[] =
                "2025年度台账\n序号\t任务大类\t工作事项\t责任主体\t完成时间\n"
                "1\t甲\ta\t县财政局\t7月底前\n2\t\tb\t县财政局\t7月底前\n"
                "3\t乙\tc\t县财政局\t7月底前\n4\t\td\t\t7月底前\n5\t\te\t县财政局\t7月底前\n";
        static const char middle[] =
                "2025年度台账\n序号\t任务大类\t工作事项\t责任主体\t完成时间\n"
                "1\t\ta\t县财政局\t7月底前\n2\t甲\tb\t县财政局\t7月底前\n"
                "3\t\tc\t县财政局\t7月底前\n4\t\td\t县财政局\t7月底前\n"
                "5\t\te\t县财政局\t7月底前\n6\t乙\tf\t县财政局\t7月底前\n"
                "7\t\tg\t县财政局\t7月底前\n8\t\th\t县财政局\t7月底前\n";
        static const char *const top_want[] = { "甲", "甲", "乙", "乙", "乙" };
        /* 甲 has one blank above it, 乙 two below: 乙 takes two above too */
        static const char *const middle_want[] = { "甲", "甲", "甲", "乙", "乙", "乙", "乙", "乙" };
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("m.tsv", top, 0, &l, &d), 0);
        for (size_t i = 0; i < 5; i++)
                assert_string_equal(l.tasks[i].category, top_want[i]);
        check_task(&l, "4", "乙", "d", "", "县财政局", "7月底前");
        check_warning(&d, 6, "责任主体 blank on line 6: read as the merged cell \"县财政局\" of "
                      "line 5");
        import_ledger_free(&l);
        diag_clear(&d);

        assert_int_equal(import_text("m.tsv", middle, 0, &l, &d), 0);
        for (size_t i = 0; i < 8; i++)
                assert_string_equal(l.tasks[i].category, middle_want[i]);
        check_warning(&d, 3, "任务大类 blank on line 3: read as the merged cell \"甲\" of line 4 "
                      "(its text stands in the middle of the cell)");
        check_warning(&d, 5, "任务大类 blank on line 5: read as the merged cell \"甲\" of line 4");
        check_warning(&d, 6, "任务大类 blank on lines 6–7: read as the merged cell \"乙\" of "
                      "line 8 (its text stands in the middle of the cell)");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* Pages: title and header again, a heading row, a table without 序号. */
static void test_pages_and_headings(void **state) {
        static const char tsv[] =
                "  2025年度工作台账  \n说明：单位（盖章）\n\n"
                "工作事项\t责任单位\t完成时间\t完成情况\n"
                "一、预算\n预算公开\t县财政局\t5月底前\t已完成\n"
                "2025年度工作台账\n说明：单位（盖章）\n工作事项\t责任单位\t完成时间\t完成情况\n"
                "决算公开\t县财政局\t尽快\t\n";
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("p.tsv", tsv, 0, &l, &d), 0);
        assert_string_equal(l.title, "2025年度工作台账");
        assert_int_equal(l.n_tasks, 2);
        check_task(&l, "1", "一、预算", "预算公开", "", "县财政局", "5月底前");
        check_task(&l, "2", "一、预算", "决算公开", "", "县财政局", "尽快");
        check_warning(&d, 4, "1 row between the title and the header row is not imported");
        check_warning(&d, 4, "column 4 (完成情况) is not imported: ledgerd keeps no such field");
        check_warning(&d, 5, "\"一、预算\" alone on its row: read as a heading, the 任务大类 of "
                      "the rows below it");
        check_warning(&d, 10, "deadline \"尽快\" of task 2 is not understood: vague, names no "
                      "date: \"尽快\"; ledgerd gives it no reminder until it is fixed or dates are "
                      "given");
        assert_int_equal(d.n_warnings, 7);
        import_ledger_free(&l);
        diag_clear(&d);
}

static void check_error(const char *text, int year, int line, const char *message) {
        struct import_ledger l = { .n_tasks = 7 };
        struct diagnostics d = { 0 };

        assert_int_equal(import_text("e.csv", text, year, &l, &d), -EINVAL);
        assert_int_equal(l.n_tasks, 0);
        assert_null(l.tasks);
        assert_int_equal(d.n_errors, 1);
        for (size_t i = 0; i < d.n_items; i++)
                if (d.items[i].level == DIAG_ERROR) {
                        assert_string_equal(d.items[i].file, "e.csv");
                        assert_int_equal(d.items[i].line, line);
                        assert_string_equal(d.items[i].message, message);
                }
        diag_clear(&d);
}

static void test_not_a_ledger(void **state) {
        (void) state;
        check_error("", 0, 0, "not a ledger table: no header row names its columns (序号, "
                    "工作事项, 明细任务, 责任主体, 完成时间 or the like)");
        check_error("hello, world\nname = \"x\";\n", 0, 0, "not a ledger table: no header row "
                    "names its columns (序号, 工作事项, 明细任务, 责任主体, 完成时间 or the like)");
        check_error("台账\n序号,工作事项,完成时间\n1,a,7月底前\n", 0, 2, "no year: the title names "
                    "none (such as \"2025年度\"); give the ledger's year with --year");
        check_error("2025年度台账\n序号,工作事项,完成时间\n,,\n", 0, 2, "no task under the header "
                    "row");
        check_error("2025年度台账\n序号,工作事项,完成时间\n43,,\n", 0, 2,
                    "no task under the header row");
}

static void test_year_option(void **state) {
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("y.csv", "2024年台账\n事项,时限\na,2月29日前\n", 2025, &l,
                                     &d), 0);
        assert_int_equal(l.year, 2025);
        check_warning(&d, 2, "the title says 2024; --year 2025 is used");
        check_warning(&d, 3, "deadline \"2月29日前\" of task 1 is not understood: date does not "
                      "exist: \"2月29日前\"; ledgerd gives it no reminder until it is fixed or "
                      "dates are given");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* A cell that is read nowhere is said so, in the row's words. */
static void test_cells_not_imported(void **state) {
        struct import_ledger l;
        struct diagnostics d = { 0 };

        (void) state;
        assert_int_equal(import_text("n.csv", "2025年台账\n事项,完成时间,完成时间,\n"
                                     "a,7月底前,8月底前,杂项\n", 0, &l, &d), 0);
        check_task(&l, "1", "", "a", NULL, "", "7月底前");
        check_warning(&d, 3, "a second 完成时间 \"8月底前\" in column 3 is not imported");
        check_warning(&d, 3, "\"杂项\" in column 4, which has no name, is not imported");
        import_ledger_free(&l);
        diag_clear(&d);
}

/* ---- writing -------------------------------------------------------------------------- */

static void test_quote(void **state) {
        char *q;

        (void) state;
        q = import_quote("a\"b\\c\nd\te\x01 台账");
        assert_string_equal(q, "\"a\\\"b\\\\c\\nd\\te\\x01 台账\"");
        free(q);
        q = import_quote("");
        assert_string_equal(q, "\"\"");
        free(q);
}

static const char small_ledger[] =
        "# 标题: imported by ledgerctl import from x.tsv (GB18030, tab-separated), 1 task.\n"
        "#\n"
        "# Texts are verbatim. Every reading ledgerctl had to infer was a warning and is a\n"
        "# comment above its task: check those against the table.\n"
        "#\n"
        "# The owners (责任主体) the table names. ledgerd loads this ledger only when\n"
        "# each is defined in the owners of ledgerd.conf, with the name exactly as here\n"
        "# and an ASCII id of your choice:\n"
        "#\n"
        "#   { id = \"unit1\"; name = \"县\\\"财政\\\"局\"; },   # 1 task\n"
        "\n"
        "ledger = {\n"
        "  id = \"x-2025\";\n"
        "  title = \"标题\";\n"
        "  year = 2025;\n"
        "  tasks = (\n"
        "\n"
        "    # line 3: a note with a line break\n"
        "    {\n"
        "      id = \"1\";\n"
        "      category = \"\";\n"
        "      item = \"a\\\\b\";\n"
        "      detail = \"一二三四五六七八九十一二三四五六七八九十"
        "一二三四五六七八九十一二三四五，\"\n"
        "               \"六七八九十\\n\"\n"
        "               \"x\";\n"
        "      owners = [ \"县\\\"财政\\\"局\" ];\n"
        "      deadline = \"7月底前\";\n"
        "    }\n"
        "\n"
        "    # line 9: only a 序号\n"
        "  );\n"
        "};\n";

static void test_write(void **state) {
        char *owners[] = { "县\"财政\"局", NULL }, *notes[] = { "line 3: a note with a\nline break",
                                                               NULL };
        char *trailing[] = { "line 9: only a 序号", NULL };
        struct import_task task = {
                .id = "1", .category = "", .item = "a\\b",
                .detail = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五，"
                          "六七八九十\nx",
                .deadline = "7月底前", .owners = owners, .n_owners = 1, .notes = notes,
                .n_notes = 1, .line = 3,
        };
        struct import_owner owner = { "县\"财政\"局", 1 };
        struct import_ledger l = {
                .id = "x-2025", .title = "标题", .year = 2025, .file = "x.tsv",
                .encoding = "GB18030", .delimiter = '\t', .tasks = &task, .n_tasks = 1,
                .owners = &owner, .n_owners = 1, .trailing_notes = trailing,
                .n_trailing_notes = 1,
        };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        config_t cfg;
        const char *s;

        (void) state;
        assert_int_equal(import_write(&l, f), 0);
        fclose(f);
        assert_string_equal(buf, small_ledger);
        /* and libconfig reads back exactly the texts */
        config_init(&cfg);
        assert_true(config_read_string(&cfg, buf));
        assert_true(config_lookup_string(&cfg, "ledger.tasks.[0].detail", &s));
        assert_string_equal(s, task.detail);
        assert_true(config_lookup_string(&cfg, "ledger.tasks.[0].item", &s));
        assert_string_equal(s, "a\\b");
        assert_true(config_lookup_string(&cfg, "ledger.tasks.[0].owners.[0]", &s));
        assert_string_equal(s, owners[0]);
        config_destroy(&cfg);
        free(buf);
}

/* Every control character, escaped, reads back from libconfig as itself. */
static void test_escapes_round_trip(void **state) {
        char text[160], *q, *conf = NULL;
        const char *s;
        config_t cfg;
        size_t n = 0;

        (void) state;
        for (int c = 1; c < 0x80; c++)
                text[n++] = (char) c;
        text[n] = '\0';
        q = import_quote(text);
        assert_true(asprintf(&conf, "v = %s;\n", q) > 0);
        config_init(&cfg);
        assert_true(config_read_string(&cfg, conf));
        assert_true(config_lookup_string(&cfg, "v", &s));
        assert_string_equal(s, text);
        config_destroy(&cfg);
        free(conf);
        free(q);
}

/* ---- cells -------------------------------------------------------------------------- */

static void test_cells(void **state) {
        char **names = NULL, *s;
        size_t n = 0;
        bool known;

        (void) state;
        assert_true(cell_owner_like("县财政局"));
        assert_true(cell_owner_like("县财政局，各相关部门单位"));
        assert_true(cell_owner_like("县财政局社会保障股"));
        assert_true(cell_owner_like("县财政局（牵头）、各乡镇"));
        assert_false(cell_owner_like("召开座谈会"));
        assert_false(cell_owner_like("绩效目标管理"));
        assert_false(cell_owner_like("县财政局。"));
        assert_false(cell_owner_like("7月底前"));
        assert_false(cell_owner_like(""));

        assert_true(cell_phrase("年度内报送2次，分别为4月10日前，10月10日前", 2025));
        assert_true(cell_phrase("根据尉犁县考核办具体工作时间安排", 2025));
        assert_false(cell_phrase("根据自治区财政厅安排，由县级部门负责。", 2025));
        assert_false(cell_phrase("尽快", 2025));
        assert_false(cell_phrase("", 2025));

        s = cell_serial("１２、");
        assert_string_equal(s, "12");
        free(s);
        s = cell_serial("12.0");
        assert_string_equal(s, "12");
        free(s);
        s = cell_serial("34b");
        assert_string_equal(s, "34b");
        free(s);
        assert_null(cell_serial("一"));
        assert_null(cell_serial("序号"));

        assert_int_equal(cell_year("2025年度尉犁县"), 2025);
        assert_int_equal(cell_year("台账（２０２４年）"), 2024);
        assert_int_equal(cell_year("12025年"), 0);
        assert_int_equal(cell_year("台账"), 0);

        assert_int_equal(cell_header_role("完成\n时间", &known), ROLE_DEADLINE);
        assert_true(known);
        assert_int_equal(cell_header_role("配合单位", &known), ROLE_COOWNERS);
        assert_int_equal(cell_header_role("牵头单位", &known), ROLE_OWNERS);
        assert_int_equal(cell_header_role("主要责任单位", &known), ROLE_OWNERS);
        assert_true(known);
        assert_int_equal(cell_header_role("责任人", &known), ROLE_OTHER);
        assert_false(known);
        assert_int_equal(cell_header_role("完成情况", &known), ROLE_OTHER);
        assert_int_equal(cell_header_role("", &known), ROLE_NONE);

        assert_int_equal(cell_split_owners("县财政局，各乡镇/县民政局、县财政局 县审计局（配合）",
                                           &names, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(names[0], "县财政局");
        assert_string_equal(names[1], "各乡镇");
        assert_string_equal(names[2], "县民政局");
        assert_string_equal(names[3], "县审计局");
        strv_free_n(names, n);

        s = cell_trim("\u3000 县财政局\u00A0\t");
        assert_string_equal(s, "县财政局");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seed),           cmocka_unit_test(test_column_variants),
                cmocka_unit_test(test_shifted_cells),  cmocka_unit_test(test_people_as_owners),
                cmocka_unit_test(test_sub_rows),
                cmocka_unit_test(test_merged_cells),   cmocka_unit_test(test_pages_and_headings),
                cmocka_unit_test(test_not_a_ledger),   cmocka_unit_test(test_year_option),
                cmocka_unit_test(test_cells_not_imported),
                cmocka_unit_test(test_quote),          cmocka_unit_test(test_write),
                cmocka_unit_test(test_escapes_round_trip), cmocka_unit_test(test_cells),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
