/* SPDX-License-Identifier: MIT */
#pragma once

/* The reminder plan: a pure function of (configuration, holiday calendar,
 * done marks, time window). For each dated milestone not done: reminders at
 * the lead times before the due date, moved back to the previous working day
 * when they fall on a day off (the due date never moves), then overdue
 * notices after it, moved forward to the next working day, and an optional
 * escalation. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ledger/model.h"

enum reminder_kind {
        REMINDER_UPCOMING,
        REMINDER_DUE_TODAY,
        REMINDER_OVERDUE,
        REMINDER_ESCALATION,
};

struct reminder {
        time_t at;               /* UTC instant */
        day_t day;               /* the local date of at */
        enum reminder_kind kind;
        struct offset offset;    /* the lead, overdue or escalation offset */
        const struct milestone *milestone;
        const struct owner **owners; /* who gets it; owned by the schedule */
        size_t n_owners;
};

typedef bool (*schedule_done_fn)(const struct milestone *m, void *userdata);
/* Reminders of m before the instant returned are left out (a snooze); 0: none. */
typedef time_t (*schedule_quiet_fn)(const struct milestone *m, void *userdata);

struct schedule_input {
        const struct config *config;
        schedule_done_fn is_done; /* NULL: nothing is done */
        schedule_quiet_fn quiet_until; /* NULL: nothing is snoozed */
        void *userdata;
        time_t from, to; /* reminders with from <= at < to */
};

struct schedule {
        struct reminder *reminders; /* sorted by at, then ledger, milestone, kind */
        size_t n_reminders;
};

/* 0 or -ENOMEM / -ENOENT (unknown time zone). */
int schedule_build(const struct schedule_input *in, struct schedule *out);
void schedule_free(struct schedule *s);

/* The policy in force for a task and one of its owners (owner may be NULL):
 * the task's override, then the owner's, then the defaults. */
void policy_resolve(const struct config *c, const struct task *t, const struct owner *o,
                    struct policy *out);

/* Whether o is reminded of t's milestones, and so may answer for them: one
 * of t's owners, or whom the policy of one of them escalates a missed one
 * to. */
bool task_reaches(const struct config *c, const struct task *t, const struct owner *o);

/* The day a lead or overdue offset lands on for a due date, after moving off
 * days off as described above. */
day_t schedule_lead_day(const struct workdays *w, day_t due, const struct offset *lead);
day_t schedule_overdue_day(const struct workdays *w, day_t due, const struct offset *after);

/* The instants of the reminders before and on the due date of m under the
 * policy in force for owner (NULL: the task's and the defaults, as for a
 * feed of everyone), for VALARMs. Returns how many were written (at most
 * max), sorted, without duplicates; -ENOENT for an unknown zone. */
int schedule_milestone_alarms(const struct config *c, const struct milestone *m,
                              const struct owner *owner, time_t *out, size_t max);

const char *reminder_kind_name(enum reminder_kind k); /* "upcoming", "due", "overdue", "escalation" */
int reminder_kind_from_name(const char *name, enum reminder_kind *out); /* 0 or -EINVAL */
