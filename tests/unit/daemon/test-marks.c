/* SPDX-License-Identifier: MIT */
/* The marks: done, reopen and snooze are recorded with who, when and why;
 * doing what is already done is refused; the history keeps every step; a
 * mark whose milestone left the ledger is kept and counted; and what the
 * store remembers in memory is what it reads back from the file. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "ledger/model.h"
#include "marks/status.h"

static const struct milestone *milestone(const struct fixture *f, const char *id) {
        const struct ledger *l;
        const struct task *t;
        const struct milestone *ms = NULL;

        assert_int_equal(config_find_named(f->config, id, &l, &t, &ms), 0);
        return ms;
}

static const struct state_author officer = { .uid = 1000, .user = "wang" };

static void test_done_and_reopen(void **state) {
        struct fixture *f = *state;
        const struct milestone *ms = milestone(f, "1");
        struct state_mark m;

        assert_false(marks_is_done(f->marks, ms));
        assert_false(marks_get(f->marks, "t-2025", "1", &m));
        assert_int_equal(milestone_status(f->marks, ms, clock_today(&f->clock, FIXTURE_TZ)),
                         STATUS_DUE_SOON);

        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "1", &officer, "已报送", 0), 0);
        assert_true(marks_is_done(f->marks, ms));
        assert_int_equal(milestone_status(f->marks, ms, clock_today(&f->clock, FIXTURE_TZ)),
                         STATUS_DONE);
        assert_true(marks_get(f->marks, "t-2025", "1", &m));
        assert_int_equal(m.status, STATE_DONE);
        assert_string_equal(m.by.user, "wang");
        assert_int_equal(m.by.uid, 1000);
        assert_string_equal(m.note, "已报送");
        assert_int_equal(m.when, f->clock.frozen);
        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "1", &officer, "", 0), -EALREADY);

        f->clock.frozen += 60;
        assert_int_equal(marks_record(f->marks, STATE_REOPENED, "t-2025", "1", &officer, "退回", 0), 0);
        assert_false(marks_is_done(f->marks, ms));
        assert_true(marks_get(f->marks, "t-2025", "1", &m));
        assert_int_equal(m.status, STATE_REOPENED);
        assert_string_equal(m.note, "退回");
        assert_int_equal(m.when, f->clock.frozen);
        assert_int_equal(marks_record(f->marks, STATE_REOPENED, "t-2025", "1", &officer, "", 0), -EALREADY);
}

static void test_snooze(void **state) {
        struct fixture *f = *state;
        const struct milestone *ms = milestone(f, "2");
        time_t until = f->clock.frozen + 3 * 86400;
        struct state_mark m;

        assert_int_equal(marks_snoozed_until(f->marks, ms), 0);
        assert_int_equal(marks_record(f->marks, STATE_SNOOZED, "t-2025", "2", &officer, "出差", until), 0);
        assert_int_equal(marks_snoozed_until(f->marks, ms), until);
        assert_int_equal(marks_schedule_quiet(ms, f->marks), until);
        assert_false(marks_schedule_done(ms, f->marks));
        assert_true(marks_get(f->marks, "t-2025", "2", &m));
        assert_int_equal(m.status, STATE_SNOOZED);
        assert_int_equal(m.snoozed_until, until);
        /* A snooze names the mark's author only while it was never done. */
        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "2", &officer, "完成", 0), 0);
        assert_int_equal(marks_record(f->marks, STATE_SNOOZED, "t-2025", "2",
                                      &(struct state_author) { .uid = 0, .user = "root" }, "再推", until + 1), 0);
        assert_true(marks_get(f->marks, "t-2025", "2", &m));
        assert_int_equal(m.status, STATE_DONE);
        assert_string_equal(m.by.user, "wang");
        assert_string_equal(m.note, "完成");
        assert_int_equal(m.snoozed_until, until + 1);
}

struct history {
        char actions[8][16];
        size_t n;
};

static void collect(const struct state_event *e, void *userdata) {
        struct history *h = userdata;

        assert_true(h->n < 8);
        snprintf(h->actions[h->n++], sizeof h->actions[0], "%s", state_action_name(e->action));
}

static void test_history_and_memory_match_the_file(void **state) {
        struct fixture *f = *state;
        struct history h = {};
        struct state_mark m;

        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "1", &officer, "a", 0), 0);
        assert_int_equal(marks_record(f->marks, STATE_REOPENED, "t-2025", "1", &officer, "b", 0), 0);
        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "1", &officer, "c", 0), 0);
        assert_int_equal(marks_history(f->marks, "t-2025", "1", collect, &h), 0);
        assert_int_equal(h.n, 3);
        assert_string_equal(h.actions[0], "done");
        assert_string_equal(h.actions[1], "reopened");
        assert_string_equal(h.actions[2], "done");

        /* A new handle reads from the file what the first kept in memory. */
        marks_free(f->marks);
        state_close(f->state);
        f->state = fixture_open_state(f);
        assert_int_equal(marks_new(f->state, &f->clock, &f->marks), 0);
        assert_true(marks_get(f->marks, "t-2025", "1", &m));
        assert_int_equal(m.status, STATE_DONE);
        assert_string_equal(m.note, "c");
        assert_string_equal(m.by.user, "wang");
        assert_int_equal(m.when, f->clock.frozen);
}

static void test_orphans_kept_and_counted(void **state) {
        struct fixture *f = *state;

        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "1", &officer, "", 0), 0);
        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "9", &officer, "", 0), 0);
        assert_int_equal(marks_record(f->marks, STATE_DONE, "t-2025", "3", &officer, "", 0), 0);
        assert_int_equal(marks_reconcile(f->marks, f->config), 0);
        assert_int_equal(marks_orphans(f->marks), 1); /* 9; 3 is an undated task */
        assert_true(marks_is_done(f->marks, milestone(f, "1")));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                FIXTURE_TEST(test_done_and_reopen),
                FIXTURE_TEST(test_snooze),
                FIXTURE_TEST(test_history_and_memory_match_the_file),
                FIXTURE_TEST(test_orphans_kept_and_counted),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
