/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ledger/date.h"
#include "ledger/model.h"
#include "ledger/schedule.h"
#include "cn2025.h"
#include "ledger/workdays.h"


/* 01:00Z, which is 09:00 in Asia/Shanghai (+08:00, no DST), of some days. */
#define AT_0917 ((time_t) 1758070800)
#define AT_0924 ((time_t) 1758675600)
#define AT_0926 ((time_t) 1758848400)
#define AT_0928 ((time_t) 1759021200)
#define AT_0929 ((time_t) 1759107600)
#define AT_0930 ((time_t) 1759194000)
#define AT_1009 ((time_t) 1759971600)
#define AT_1010 ((time_t) 1760058000)
#define AT_1011 ((time_t) 1760144400)
#define AT_1016 ((time_t) 1760576400)
#define HOUR ((time_t) 3600)
#define DAY ((time_t) 86400)

enum { CZJ, JYJ, BOSS, N_OWNERS };

/* A hand-built configuration: up to 2 ledgers, 3 tasks of 3 milestones.
 * By default ledger 0 holds task 0 ("15"), owned by czj, with one milestone
 * due 2025-10-10; the defaults are leads 14d,7d,3d,1d,0d at 09:00, no
 * overdue notices, no escalation. */
struct fixture {
        struct config c;
        struct owner owners[N_OWNERS];
        struct ledger ledgers[2];
        struct task tasks[3];
        struct policy task_policies[3]; /* tasks[i].policy points here */
        struct milestone ms[3][3];
        const struct owner *task_owners[3][N_OWNERS];
        struct schedule_input in;
        struct schedule s;
};

/* Fills offs from a NULL-terminated list such as "14d", "3wd". */
static void offsets(struct offset *offs, size_t *n, ...) {
        const char *s;
        va_list ap;

        *n = 0;
        va_start(ap, n);
        while ((s = va_arg(ap, const char *)))
                assert_int_equal(offset_parse(s, &offs[(*n)++]), 0);
        va_end(ap);
}

static struct offset off(const char *s) {
        struct offset o;

        assert_int_equal(offset_parse(s, &o), 0);
        return o;
}

/* Task ti is owned by the owners listed (indices, -1 ends the list). */
static void task_owned_by(struct fixture *f, size_t ti, ...) {
        struct task *t = &f->tasks[ti];
        va_list ap;
        int k;

        t->n_owners = 0;
        va_start(ap, ti);
        while ((k = va_arg(ap, int)) >= 0)
                f->task_owners[ti][t->n_owners++] = &f->owners[k];
        va_end(ap);
}

/* Task ti's milestones fall due on the days listed (0 ends the list). */
static void task_due(struct fixture *f, size_t ti, ...) {
        struct task *t = &f->tasks[ti];
        va_list ap;
        day_t d;

        t->n_milestones = 0;
        va_start(ap, ti);
        while ((d = va_arg(ap, day_t)) != 0)
                f->ms[ti][t->n_milestones++].due = d;
        va_end(ap);
}

static void fixture_tasks(struct fixture *f) {
        static char *const task_ids[] = { "15", "16", "17" };
        static char *const ms_ids[3][3] = {
                { "15.1", "15.2", "15.3" }, { "16.1", "16.2", "16.3" }, { "17.1", "17.2", "17.3" },
        };

        for (size_t i = 0; i < 3; i++) {
                f->tasks[i].id = task_ids[i];
                f->tasks[i].owners = f->task_owners[i];
                f->tasks[i].milestones = f->ms[i];
                f->tasks[i].ledger = &f->ledgers[0];
                f->tasks[i].policy = &f->task_policies[i];
                for (size_t j = 0; j < 3; j++) {
                        f->ms[i][j].id = ms_ids[i][j];
                        f->ms[i][j].label = "";
                        f->ms[i][j].task = &f->tasks[i];
                }
        }
        task_owned_by(f, 0, CZJ, -1);
        task_due(f, 0, D(2025, 10, 10), 0);
}

static void fixture_config(struct fixture *f) {
        static char *const ids[] = { "czj", "jyj", "boss" };
        static char *const names[] = { "县财政局", "县教育局", "分管县领导" };
        struct policy *p = &f->c.defaults;

        for (size_t i = 0; i < N_OWNERS; i++) {
                f->owners[i].id = ids[i];
                f->owners[i].name = names[i];
        }
        f->ledgers[0] = (struct ledger) { .id = "yuli-2025", .year = 2025, .tasks = f->tasks,
                                          .n_tasks = 1 };
        f->c.timezone = "Asia/Shanghai";
        f->c.owners = f->owners;
        f->c.n_owners = N_OWNERS;
        f->c.ledgers = f->ledgers;
        f->c.n_ledgers = 1;
        f->c.calendar = cn2025();
        p->has_leads = p->has_overdue = p->has_time = p->has_escalation = true;
        offsets(p->leads, &p->n_leads, "14d", "7d", "3d", "1d", "0d", NULL);
        p->minute_of_day = 9 * 60;
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof *f);

        if (!f)
                return -1;
        fixture_config(f);
        fixture_tasks(f);
        f->in = (struct schedule_input) {
                .config = &f->c,
                .from = 1735689600, /* 2025-01-01T00:00Z */
                .to = 1767225600,   /* 2026-01-01T00:00Z */
        };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;

        schedule_free(&f->s);
        workdays_free(f->c.calendar);
        free(f);
        return 0;
}

static struct schedule *build(struct fixture *f) {
        schedule_free(&f->s);
        assert_int_equal(schedule_build(&f->in, &f->s), 0);
        return &f->s;
}

/* Checks one reminder; the owners follow, NULL-terminated. */
static void check(const struct reminder *r, time_t at, day_t day, enum reminder_kind kind,
                  const char *offset, const struct milestone *m, ...) {
        struct offset o = off(offset);
        const struct owner *who;
        size_t n = 0;
        va_list ap;

        assert_int_equal(r->at, at);
        assert_int_equal(r->day, day);
        assert_string_equal(reminder_kind_name(r->kind), reminder_kind_name(kind));
        assert_int_equal(r->offset.amount, o.amount);
        assert_int_equal(r->offset.unit, o.unit);
        assert_ptr_equal(r->milestone, m);
        va_start(ap, m);
        while ((who = va_arg(ap, const struct owner *))) {
                assert_true(n < r->n_owners);
                assert_ptr_equal(r->owners[n], who);
                n++;
        }
        va_end(ap);
        assert_int_equal(r->n_owners, n);
}

static void test_kind_names(void **state) {
        (void) state;
        assert_string_equal(reminder_kind_name(REMINDER_UPCOMING), "upcoming");
        assert_string_equal(reminder_kind_name(REMINDER_DUE_TODAY), "due");
        assert_string_equal(reminder_kind_name(REMINDER_OVERDUE), "overdue");
        assert_string_equal(reminder_kind_name(REMINDER_ESCALATION), "escalation");
}

static void test_lead_and_overdue_days(void **state) {
        struct fixture *f = *state;
        const struct workdays *w = f->c.calendar;
        struct offset o;

        o = off("7d");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 9, 30));
        o = off("3d");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 9, 30));
        o = off("14d");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 9, 26));
        o = off("0d");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 1), &o), D(2025, 9, 30));
        o = off("0wd");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 1), &o), D(2025, 9, 30));
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 10, 10));
        o = off("3wd");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 9, 29));
        o = off("5wd");
        assert_int_equal(schedule_lead_day(w, D(2025, 10, 10), &o), D(2025, 9, 26));
        o = off("1d");
        assert_int_equal(schedule_overdue_day(w, D(2025, 9, 30), &o), D(2025, 10, 9));
        o = off("1wd");
        assert_int_equal(schedule_overdue_day(w, D(2025, 9, 30), &o), D(2025, 10, 9));
        o = off("3wd");
        assert_int_equal(schedule_overdue_day(w, D(2025, 9, 30), &o), D(2025, 10, 11));
        o = off("7wd");
        assert_int_equal(schedule_overdue_day(w, D(2025, 9, 30), &o), D(2025, 10, 16));
        o = off("0wd");
        assert_int_equal(schedule_overdue_day(w, D(2025, 10, 3), &o), D(2025, 10, 9));
        o = off("2d");
        assert_int_equal(schedule_overdue_day(w, D(2025, 10, 10), &o), D(2025, 10, 13));
}

/* Due Friday 2025-10-10, just after the National Day week: 7d (10-03) and 3d
 * (10-07) both fall in the week and move back to 09-30, where the nearer lead
 * (3d) wins. */
static void test_default_leads(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct schedule *s = build(f);

        assert_int_equal(s->n_reminders, 4);
        check(&s->reminders[0], AT_0926, D(2025, 9, 26), REMINDER_UPCOMING, "14d", m, czj, NULL);
        check(&s->reminders[1], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "3d", m, czj, NULL);
        check(&s->reminders[2], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", m, czj, NULL);
        check(&s->reminders[3], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m, czj, NULL);
        assert_int_equal(AT_1010, 1760058000); /* 2025-10-10T01:00:00Z */
}

/* A deadline on a holiday: its due-day reminder comes on the working day
 * before, where it beats the 1d lead; 3d lands on the make-up Sunday. */
static void test_deadline_on_holiday(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct schedule *s;

        task_due(f, 0, D(2025, 10, 1), 0);
        s = build(f);
        assert_int_equal(s->n_reminders, 4);
        check(&s->reminders[0], AT_0917, D(2025, 9, 17), REMINDER_UPCOMING, "14d", m, czj, NULL);
        check(&s->reminders[1], AT_0924, D(2025, 9, 24), REMINDER_UPCOMING, "7d", m, czj, NULL);
        check(&s->reminders[2], AT_0928, D(2025, 9, 28), REMINDER_UPCOMING, "3d", m, czj, NULL);
        check(&s->reminders[3], AT_0930, D(2025, 9, 30), REMINDER_DUE_TODAY, "0d", m, czj, NULL);
}

static void test_workday_leads(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct policy *p = f->tasks[0].policy;
        struct schedule *s;

        p->has_leads = true;
        offsets(p->leads, &p->n_leads, "3wd", "5wd", "0wd", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 3);
        check(&s->reminders[0], AT_0926, D(2025, 9, 26), REMINDER_UPCOMING, "5wd", m, czj, NULL);
        check(&s->reminders[1], AT_0929, D(2025, 9, 29), REMINDER_UPCOMING, "3wd", m, czj, NULL);
        check(&s->reminders[2], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0wd", m, czj,
              NULL);
}

static void test_overdue(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct policy *p = f->tasks[0].policy;
        struct schedule *s;

        task_due(f, 0, D(2025, 9, 30), 0);
        p->has_leads = p->has_overdue = true;
        p->n_leads = 0;
        offsets(p->overdue, &p->n_overdue, "1wd", "3wd", "7wd", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 3);
        check(&s->reminders[0], AT_1009, D(2025, 10, 9), REMINDER_OVERDUE, "1wd", m, czj, NULL);
        check(&s->reminders[1], AT_1011, D(2025, 10, 11), REMINDER_OVERDUE, "3wd", m, czj, NULL);
        check(&s->reminders[2], AT_1016, D(2025, 10, 16), REMINDER_OVERDUE, "7wd", m, czj, NULL);

        /* 2d lands on 10-02, moves forward to 10-09 and meets 1wd: one stays. */
        offsets(p->overdue, &p->n_overdue, "2d", "1wd", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 1);
        check(&s->reminders[0], AT_1009, D(2025, 10, 9), REMINDER_OVERDUE, "1wd", m, czj, NULL);
}

/* On the due day itself, the due-day reminder beats a 0d overdue notice. */
static void test_due_beats_overdue(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        struct policy *p = f->tasks[0].policy;
        struct schedule *s;

        p->has_leads = p->has_overdue = true;
        offsets(p->leads, &p->n_leads, "0d", NULL);
        offsets(p->overdue, &p->n_overdue, "0d", "1d", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        check(&s->reminders[0], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m,
              &f->owners[CZJ], NULL);
        /* 1d after Friday 10-10 is the make-up Saturday. */
        check(&s->reminders[1], AT_1011, D(2025, 10, 11), REMINDER_OVERDUE, "1d", m,
              &f->owners[CZJ], NULL);
}

static void test_escalation(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ], *boss = &f->owners[BOSS];
        struct policy *p = &f->c.defaults;
        struct schedule *s;

        task_due(f, 0, D(2025, 9, 30), 0);
        offsets(p->leads, &p->n_leads, "0d", NULL);
        offsets(p->overdue, &p->n_overdue, "1wd", NULL);
        p->escalate_to = boss;
        p->escalate_after = off("3wd");
        s = build(f);
        assert_int_equal(s->n_reminders, 3);
        check(&s->reminders[0], AT_0930, D(2025, 9, 30), REMINDER_DUE_TODAY, "0d", m, czj, NULL);
        check(&s->reminders[1], AT_1009, D(2025, 10, 9), REMINDER_OVERDUE, "1wd", m, czj, NULL);
        check(&s->reminders[2], AT_1011, D(2025, 10, 11), REMINDER_ESCALATION, "3wd", m, boss,
              NULL);

        /* At the same instant as an overdue notice: both, overdue first. */
        p->escalate_after = off("1d");
        s = build(f);
        assert_int_equal(s->n_reminders, 3);
        check(&s->reminders[1], AT_1009, D(2025, 10, 9), REMINDER_OVERDUE, "1wd", m, czj, NULL);
        check(&s->reminders[2], AT_1009, D(2025, 10, 9), REMINDER_ESCALATION, "1d", m, boss,
              NULL);
}

static void test_policy_resolve(void **state) {
        struct fixture *f = *state;
        struct policy *op = &f->owners[CZJ].policy, *tp = f->tasks[0].policy, p;

        offsets(f->c.defaults.overdue, &f->c.defaults.n_overdue, "1wd", NULL);
        op->has_leads = op->has_time = true;
        offsets(op->leads, &op->n_leads, "2d", NULL);
        op->minute_of_day = 8 * 60;
        tp->has_leads = tp->has_escalation = true;
        offsets(tp->leads, &tp->n_leads, "1d", NULL);
        tp->escalate_to = &f->owners[BOSS];
        tp->escalate_after = off("3wd");
        tp->minute_of_day = 17 * 60; /* has_time is false: ignored */

        policy_resolve(&f->c, &f->tasks[0], &f->owners[CZJ], &p);
        assert_true(p.has_leads && p.has_overdue && p.has_time && p.has_escalation);
        assert_int_equal(p.n_leads, 1);
        assert_int_equal(p.leads[0].amount, 1);      /* the task's */
        assert_int_equal(p.minute_of_day, 8 * 60);   /* the owner's */
        assert_int_equal(p.n_overdue, 1);            /* the default */
        assert_int_equal(p.overdue[0].unit, OFFSET_WORKDAYS);
        assert_ptr_equal(p.escalate_to, &f->owners[BOSS]);
        assert_int_equal(p.escalate_after.amount, 3);

        policy_resolve(&f->c, &f->tasks[0], NULL, &p);
        assert_int_equal(p.n_leads, 1);
        assert_int_equal(p.minute_of_day, 9 * 60);

        policy_resolve(&f->c, NULL, &f->owners[CZJ], &p);
        assert_int_equal(p.n_leads, 1);
        assert_int_equal(p.leads[0].amount, 2);
        assert_null(p.escalate_to);

        /* The owner's override escalates; the task's says not to. */
        op->has_escalation = true;
        op->escalate_to = &f->owners[BOSS];
        tp->escalate_to = NULL;
        policy_resolve(&f->c, &f->tasks[0], &f->owners[CZJ], &p);
        assert_null(p.escalate_to);
}

/* Task override beats owner override beats defaults, in the built schedule. */
static void test_precedence(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct policy *op = &f->owners[CZJ].policy, *tp = f->tasks[0].policy;
        struct schedule *s;

        op->has_leads = op->has_time = true;
        offsets(op->leads, &op->n_leads, "2d", NULL);
        op->minute_of_day = 8 * 60;
        s = build(f);
        /* The owner's 2d: 10-08 is off, back to 09-30; at 08:00 = 00:00Z. */
        assert_int_equal(s->n_reminders, 1);
        check(&s->reminders[0], AT_0930 - HOUR, D(2025, 9, 30), REMINDER_UPCOMING, "2d", m, czj,
              NULL);

        tp->has_leads = tp->has_escalation = true;
        offsets(tp->leads, &tp->n_leads, "1d", NULL);
        tp->escalate_to = &f->owners[BOSS];
        tp->escalate_after = off("3wd");
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        check(&s->reminders[0], AT_1009 - HOUR, D(2025, 10, 9), REMINDER_UPCOMING, "1d", m, czj,
              NULL);
        /* 3wd after 10-10: 10-11 (make-up), 10-13, 10-14. */
        check(&s->reminders[1], AT_1011 + 3 * DAY - HOUR, D(2025, 10, 14), REMINDER_ESCALATION,
              "3wd", m, &f->owners[BOSS], NULL);
}

/* Tasks without a policy of their own (most of a ledger's) take their
 * owners', each resolved once for all of them: two tasks of one owner and a
 * task of another, each with its owner's leads, and a task with a policy of
 * its own beside them keeps it. */
static void test_tasks_without_policy(void **state) {
        struct fixture *f = *state;
        const struct owner *czj = &f->owners[CZJ], *jyj = &f->owners[JYJ];
        struct policy *cp = &f->owners[CZJ].policy, *jp = &f->owners[JYJ].policy;
        struct policy *tp = f->tasks[2].policy;
        struct schedule *s;

        f->ledgers[0].n_tasks = 3;
        f->tasks[0].policy = f->tasks[1].policy = NULL;
        task_owned_by(f, 1, JYJ, -1);
        task_due(f, 1, D(2025, 10, 10), 0);
        task_owned_by(f, 2, CZJ, -1);
        task_due(f, 2, D(2025, 10, 10), 0);
        cp->has_leads = jp->has_leads = tp->has_leads = true;
        offsets(cp->leads, &cp->n_leads, "3d", NULL);
        offsets(jp->leads, &jp->n_leads, "1d", NULL);
        offsets(tp->leads, &tp->n_leads, "0d", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 3);
        check(&s->reminders[0], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "3d", &f->ms[0][0], czj,
              NULL);
        check(&s->reminders[1], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", &f->ms[1][0], jyj,
              NULL);
        check(&s->reminders[2], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", &f->ms[2][0],
              czj, NULL);
}

static void test_merge_owners(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ], *jyj = &f->owners[JYJ];
        const struct owner *boss = &f->owners[BOSS];
        struct policy *op = &f->owners[CZJ].policy;
        struct schedule *s;

        /* The task's order (jyj first), not the configuration's. */
        task_owned_by(f, 0, JYJ, CZJ, -1);
        op->has_leads = true;
        offsets(op->leads, &op->n_leads, "3d", "1d", NULL);
        f->c.defaults.escalate_to = boss;
        f->c.defaults.escalate_after = off("1wd");
        s = build(f);
        assert_int_equal(s->n_reminders, 5);
        check(&s->reminders[0], AT_0926, D(2025, 9, 26), REMINDER_UPCOMING, "14d", m, jyj, NULL);
        check(&s->reminders[1], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "3d", m, jyj, czj,
              NULL);
        check(&s->reminders[2], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", m, jyj, czj,
              NULL);
        check(&s->reminders[3], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m, jyj, NULL);
        /* Both owners escalate to the same person: one reminder, one owner. */
        check(&s->reminders[4], AT_1011, D(2025, 10, 11), REMINDER_ESCALATION, "1wd", m, boss,
              NULL);
}

/* Same instant and milestone, different offsets or kinds: not merged. */
static void test_same_instant_not_merged(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ], *jyj = &f->owners[JYJ];
        struct policy *cp = &f->owners[CZJ].policy, *jp = &f->owners[JYJ].policy;
        struct schedule *s;

        task_owned_by(f, 0, CZJ, JYJ, -1);
        cp->has_leads = jp->has_leads = jp->has_overdue = true;
        offsets(cp->leads, &cp->n_leads, "7d", "0d", NULL);
        offsets(jp->leads, &jp->n_leads, "3d", NULL);
        offsets(jp->overdue, &jp->n_overdue, "0d", NULL);
        s = build(f);
        assert_int_equal(s->n_reminders, 4);
        check(&s->reminders[0], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "3d", m, jyj, NULL);
        check(&s->reminders[1], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "7d", m, czj, NULL);
        check(&s->reminders[2], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m, czj, NULL);
        check(&s->reminders[3], AT_1010, D(2025, 10, 10), REMINDER_OVERDUE, "0d", m, jyj, NULL);
}

/* By instant, then ledger, task and milestone order, then kind. Ledger 0
 * holds tasks 1 and 2, ledger 1 holds task 0: the ledgers' order counts, not
 * where the tasks sit in memory. */
static void test_order(void **state) {
        struct fixture *f = *state;
        const struct owner *czj = &f->owners[CZJ];
        struct schedule *s;

        offsets(f->c.defaults.leads, &f->c.defaults.n_leads, "1d", "0d", NULL);
        task_due(f, 0, D(2025, 10, 9), D(2025, 10, 10), 0);
        task_owned_by(f, 1, CZJ, -1);
        task_due(f, 1, D(2025, 10, 10), 0);
        task_owned_by(f, 2, CZJ, -1);
        task_due(f, 2, D(2025, 10, 10), 0);
        f->ledgers[0].tasks = &f->tasks[1];
        f->ledgers[0].n_tasks = 2;
        f->ledgers[1] = (struct ledger) { .id = "yuli-2026", .tasks = &f->tasks[0], .n_tasks = 1 };
        f->tasks[0].ledger = &f->ledgers[1];
        f->c.n_ledgers = 2;
        s = build(f);
        assert_int_equal(s->n_reminders, 8);
        check(&s->reminders[0], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "1d", &f->ms[0][0],
              czj, NULL);
        check(&s->reminders[1], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", &f->ms[1][0],
              czj, NULL);
        check(&s->reminders[2], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", &f->ms[2][0],
              czj, NULL);
        /* Milestone order before kind. */
        check(&s->reminders[3], AT_1009, D(2025, 10, 9), REMINDER_DUE_TODAY, "0d", &f->ms[0][0],
              czj, NULL);
        check(&s->reminders[4], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", &f->ms[0][1],
              czj, NULL);
        check(&s->reminders[5], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", &f->ms[1][0],
              czj, NULL);
        check(&s->reminders[6], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", &f->ms[2][0],
              czj, NULL);
        check(&s->reminders[7], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", &f->ms[0][1],
              czj, NULL);
}

static bool done_first(const struct milestone *m, void *userdata) {
        unsigned *calls = userdata;

        (*calls)++;
        return strcmp(m->id, "15.1") == 0;
}

static void test_done_skipped(void **state) {
        struct fixture *f = *state;
        unsigned calls = 0;
        struct schedule *s;

        offsets(f->c.defaults.leads, &f->c.defaults.n_leads, "0d", NULL);
        task_due(f, 0, D(2025, 10, 9), D(2025, 10, 10), 0);
        f->in.is_done = done_first;
        f->in.userdata = &calls;
        s = build(f);
        assert_int_equal(calls, 2);
        assert_int_equal(s->n_reminders, 1);
        check(&s->reminders[0], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", &f->ms[0][1],
              &f->owners[CZJ], NULL);
}

static time_t snoozed_until_1009(const struct milestone *m, void *userdata) {
        (void) userdata;
        return strcmp(m->id, "15.1") == 0 ? AT_1009 : 0;
}

/* A snoozed milestone keeps only the reminders at or after the snooze's end. */
static void test_snooze(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct schedule *s;

        f->in.quiet_until = snoozed_until_1009;
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        check(&s->reminders[0], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", m, czj, NULL);
        check(&s->reminders[1], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m, czj, NULL);
}

/* from <= at < to. */
static void test_window(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        const struct owner *czj = &f->owners[CZJ];
        struct schedule *s;

        f->in.from = AT_0930;
        f->in.to = AT_1010;
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        check(&s->reminders[0], AT_0930, D(2025, 9, 30), REMINDER_UPCOMING, "3d", m, czj, NULL);
        check(&s->reminders[1], AT_1009, D(2025, 10, 9), REMINDER_UPCOMING, "1d", m, czj, NULL);

        f->in.from = AT_0930 + 1;
        f->in.to = AT_1010 + 1;
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        check(&s->reminders[1], AT_1010, D(2025, 10, 10), REMINDER_DUE_TODAY, "0d", m, czj, NULL);

        f->in.from = f->in.to = AT_1009;
        s = build(f);
        assert_int_equal(s->n_reminders, 0);
        assert_null(s->reminders);
}

static void test_unknown_zone(void **state) {
        struct fixture *f = *state;
        time_t at[4];

        f->c.timezone = "Mars/Olympus_Mons";
        assert_int_equal(schedule_build(&f->in, &f->s), -ENOENT);
        assert_int_equal(f->s.n_reminders, 0);
        assert_null(f->s.reminders);
        assert_int_equal(schedule_milestone_alarms(&f->c, &f->ms[0][0], NULL, at, 4), -ENOENT);
}

/* Another zone, for the conversion: 09:00 in Europe/Berlin, CEST then CET. */
static void test_other_zone(void **state) {
        struct fixture *f = *state;
        struct schedule *s;

        f->c.timezone = "Europe/Berlin";
        offsets(f->c.defaults.leads, &f->c.defaults.n_leads, "0d", NULL);
        task_due(f, 0, D(2025, 10, 24), D(2025, 10, 27), 0);
        s = build(f);
        assert_int_equal(s->n_reminders, 2);
        assert_int_equal(s->reminders[0].at, 1761289200); /* 2025-10-24T07:00Z */
        assert_int_equal(s->reminders[1].at, 1761552000); /* 2025-10-27T08:00Z */
}

static void test_alarms(void **state) {
        struct fixture *f = *state;
        const struct milestone *m = &f->ms[0][0];
        struct policy *op = &f->owners[CZJ].policy, *tp = f->tasks[0].policy;
        time_t at[8];

        /* Owner overrides do not reach the feed's alarms. */
        op->has_leads = true;
        offsets(op->leads, &op->n_leads, "2d", NULL);
        assert_int_equal(schedule_milestone_alarms(&f->c, m, NULL, at, 8), 4);
        assert_int_equal(at[0], AT_0926);
        assert_int_equal(at[1], AT_0930);
        assert_int_equal(at[2], AT_1009);
        assert_int_equal(at[3], AT_1010);
        assert_int_equal(schedule_milestone_alarms(&f->c, m, NULL, at, 2), 2);
        assert_int_equal(at[0], AT_0926);
        assert_int_equal(at[1], AT_0930);
        assert_int_equal(schedule_milestone_alarms(&f->c, m, NULL, at, 0), 0);

        tp->has_leads = tp->has_time = true;
        tp->minute_of_day = 15 * 60 + 30;
        offsets(tp->leads, &tp->n_leads, "0d", "1d", "0wd", NULL);
        assert_int_equal(schedule_milestone_alarms(&f->c, m, NULL, at, 8), 2);
        assert_int_equal(at[0], AT_1009 + 6 * HOUR + 30 * 60);
        assert_int_equal(at[1], AT_1010 + 6 * HOUR + 30 * 60);
}

/* 100 tasks of 1000 milestones, each due on a working day, with five
 * working-day leads: every lead gets a reminder of its own. */
static void test_many(void **state) {
        struct fixture *f = *state;
        const size_t n_tasks = 100, per_task = 1000;
        struct task *tasks = calloc(n_tasks, sizeof *tasks);
        struct milestone *ms = calloc(n_tasks * per_task, sizeof *ms);
        const struct owner *owner = &f->owners[CZJ];
        struct schedule *s;

        assert_non_null(tasks);
        assert_non_null(ms);
        offsets(f->c.defaults.leads, &f->c.defaults.n_leads, "4wd", "3wd", "2wd", "1wd", "0wd",
                NULL);
        for (size_t i = 0; i < n_tasks; i++) {
                tasks[i] = (struct task) { .owners = &owner, .n_owners = 1, .ledger = f->ledgers,
                                           .milestones = &ms[i * per_task],
                                           .n_milestones = per_task };
                for (size_t j = 0; j < per_task; j++) {
                        day_t d = D(2025, 1, 1) + (day_t) ((i * per_task + j) * 7919 % 700);

                        ms[i * per_task + j] = (struct milestone) {
                                .due = workdays_on_or_after(f->c.calendar, d), .task = &tasks[i],
                        };
                }
        }
        f->ledgers[0].tasks = tasks;
        f->ledgers[0].n_tasks = n_tasks;
        f->in.from = 0;
        f->in.to = 1798761600; /* 2027-01-01T00:00Z */
        s = build(f);
        assert_int_equal(s->n_reminders, 5 * n_tasks * per_task);
        for (size_t i = 1; i < s->n_reminders; i++)
                assert_true(s->reminders[i - 1].at <= s->reminders[i].at);
        schedule_free(&f->s);
        free(ms);
        free(tasks);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_kind_names),
                T(test_lead_and_overdue_days),
                T(test_default_leads),
                T(test_deadline_on_holiday),
                T(test_workday_leads),
                T(test_overdue),
                T(test_due_beats_overdue),
                T(test_escalation),
                T(test_policy_resolve),
                T(test_tasks_without_policy),
                T(test_precedence),
                T(test_merge_owners),
                T(test_same_instant_not_merged),
                T(test_order),
                T(test_done_skipped),
                T(test_snooze),
                T(test_window),
                T(test_unknown_zone),
                T(test_other_zone),
                T(test_alarms),
                T(test_many),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
