/* SPDX-License-Identifier: MIT */
/* What a reload changes: a milestone is matched with its namesake wherever it
 * now stands, so a reordered ledger changes nothing, a replaced task is one
 * added and one removed, and a new date is a move. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "manager/reload-diff.h"

/* The fixture's ledger rewritten with tasks (the text inside "tasks = ( )"),
 * loaded, and compared with the fixture's own configuration. */
static void assert_diff(struct fixture *f, const char *tasks, const char *expected) {
        char ledger[1024];
        struct config *fresh;
        char *summary;

        snprintf(ledger, sizeof ledger,
                 "ledger = { id = \"t-2025\"; title = \"测试台账\"; year = 2025; tasks = (\n%s\n); };\n",
                 tasks);
        fixture_write(f, "ledger.conf", ledger);
        fresh = fixture_load(f);
        assert_non_null(fresh);
        summary = reload_diff(f->config, fresh);
        assert_string_equal(summary, expected);
        free(summary);
        config_free(fresh);
}

#define TASK_1 "{ id = \"1\"; item = \"绩效自评\"; owners = [ \"县财政局\" ]; deadline = \"10月10日前\"; }"
#define TASK_2 "{ id = \"2\"; item = \"绩效评价\"; owners = [ \"县财政局\" ]; deadline = \"10月20日前\"; }"
#define TASK_2_LATER \
        "{ id = \"2\"; item = \"绩效评价\"; owners = [ \"县财政局\" ]; deadline = \"10月25日前\"; }"
#define TASK_3 \
        "{ id = \"3\"; item = \"监控\"; owners = [ \"县财政局\" ]; deadline = \"根据县财政局具体工作时间安排\"; }"
#define TASK_4 "{ id = \"4\"; item = \"公开\"; owners = [ \"县财政局\" ]; deadline = \"11月底前\"; }"

#define TASK_5 "{ id = \"5\"; item = \"复核\"; owners = [ \"县财政局\" ]; deadline = \"12月10日前\"; }"

/* The fixture's ledger (tasks 1, 2 and 3) rewritten. */
static const struct {
        const char *tasks, *summary;
} rewrites[] = {
        { TASK_1 ", " TASK_2 ", " TASK_3, "2 milestones: 0 added, 0 removed, 0 moved" },
        /* Every milestone at another place: found by id. */
        { TASK_3 ", " TASK_2 ", " TASK_1, "2 milestones: 0 added, 0 removed, 0 moved" },
        { TASK_2_LATER ", " TASK_1 ", " TASK_3, "2 milestones: 0 added, 0 removed, 1 moved" },
        /* Task 4 where task 1 stood: the same place, another milestone. */
        { TASK_4 ", " TASK_2 ", " TASK_3, "2 milestones: 1 added, 1 removed, 0 moved" },
        { TASK_2 ", " TASK_3 ", " TASK_4 ", " TASK_1 ", " TASK_5,
          "4 milestones: 2 added, 0 removed, 0 moved" },
        { TASK_3, "0 milestones: 0 added, 2 removed, 0 moved" },
};

static void test_rewrites(void **state) {
        for (size_t i = 0; i < sizeof rewrites / sizeof *rewrites; i++)
                assert_diff(*state, rewrites[i].tasks, rewrites[i].summary);
}

/* Another ledger in place of the fixture's: each milestone of one removed,
 * each of the other added. */
static void test_other_ledger(void **state) {
        struct fixture *f = *state;
        struct config *other;
        char *summary;

        fixture_write(f, "ledger.conf",
                      "ledger = { id = \"o-2025\"; title = \"另一台账\"; year = 2025; tasks = (\n"
                      TASK_1 ", " TASK_2 ", " TASK_4 "\n); };\n");
        other = fixture_load(f);
        assert_non_null(other);
        summary = reload_diff(f->config, other);
        assert_string_equal(summary, "3 milestones: 3 added, 2 removed, 0 moved");
        free(summary);
        config_free(other);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                FIXTURE_TEST(test_rewrites),
                FIXTURE_TEST(test_other_ledger),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
