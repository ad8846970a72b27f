/* SPDX-License-Identifier: MIT */
#pragma once

/* Done marks and snoozes, kept in the state database and mirrored in memory
 * so that planning 100,000 milestones asks no query per milestone. A mark
 * names a milestone, or an undated task by its task id. */

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct manager;
struct milestone;

struct mark {
        char *ledger, *name;
        bool done;
        time_t when;   /* of the last done or reopen */
        uid_t uid;
        char *user;    /* may be "" */
        char *note;
        time_t snoozed_until; /* 0: not snoozed */
};

/* Every mark, sorted by ledger and name, for the listings. */
struct marks {
        struct mark *items;
        size_t n_items;
        unsigned n_orphans;
};

enum mark_action { MARK_DONE, MARK_REOPEN, MARK_SNOOZE };

/* Opens state.db in the state directory and loads the marks. */
int marks_open(struct manager *m);
void marks_close(struct manager *m);

bool marks_is_done(const struct manager *m, const struct milestone *ms);
time_t marks_snoozed_until(const struct manager *m, const struct milestone *ms);
/* The same as a schedule_done_fn and a schedule_quiet_fn (schedule.h), for
 * a struct schedule_input whose userdata is the manager. */
bool marks_schedule_done(const struct milestone *ms, void *manager);
time_t marks_schedule_quiet(const struct milestone *ms, void *manager);
/* The mark of ledger/name, or NULL; owned by the manager. */
const struct mark *marks_get(const struct manager *m, const char *ledger, const char *name);

/* Records an action, durably, then updates memory. until: for MARK_SNOOZE. */
int marks_record(struct manager *m, enum mark_action action, const char *ledger, const char *name,
                 uid_t uid, const char *user, const char *note, time_t until);

typedef void (*marks_history_fn)(time_t when, const char *action, const char *user,
                                 const char *note, void *userdata);
int marks_history(struct manager *m, const char *ledger, const char *name, marks_history_fn fn,
                  void *userdata);
/* Marks whose milestone is no longer in the ledger: kept, and counted here. */
unsigned marks_orphans(const struct manager *m);
/* After a reload: which marks are orphaned now (each is logged). */
int marks_reconcile(struct manager *m);
