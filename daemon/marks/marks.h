/* SPDX-License-Identifier: MIT */
#pragma once

/* Done marks and snoozes: what people said of a milestone, recorded in the
 * state database (store/state.h), whose in-memory index answers every
 * question here without a query. A mark names a milestone, or an undated
 * task by its task id. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "store/state.h"

struct config;
struct ics_state;
struct milestone;
struct service_clock;
struct marks;

/* The marks of state, stamped with the time of clock. Both must outlive the
 * handle. 0 or -ENOMEM. */
int marks_new(struct state *state, const struct service_clock *clock, struct marks **out);
void marks_free(struct marks *mk);

bool marks_is_done(const struct marks *mk, const struct milestone *ms);
/* 0 when not snoozed; a past time is returned as is. */
time_t marks_snoozed_until(const struct marks *mk, const struct milestone *ms);
/* The same as a schedule_done_fn and a schedule_quiet_fn (schedule.h), for
 * a struct schedule_input whose userdata is the struct marks. */
bool marks_schedule_done(const struct milestone *ms, void *marks);
time_t marks_schedule_quiet(const struct milestone *ms, void *marks);
/* The mark of ledger/name; false when there is none. Its strings are valid
 * until the next mark is recorded. */
bool marks_get(const struct marks *mk, const char *ledger, const char *name, struct state_mark *out);

/* Records an action (store/state.h's enum state_action), durably; until is
 * for STATE_SNOOZED. -EALREADY when the milestone is done already (done) or
 * not done (reopen); other errors are logged with the store's reason. */
int marks_record(struct marks *mk, enum state_action action, const char *ledger, const char *name,
                 const struct state_author *who, const char *note, time_t until);
/* "marked done", "reopened", "snoozed". */
const char *mark_action_past(enum state_action action);

typedef void (*marks_history_fn)(const struct state_event *e, void *userdata);
int marks_history(struct marks *mk, const char *ledger, const char *name, marks_history_fn fn,
                  void *userdata);

/* The marks as they are now, frozen, for a reader on another thread (a
 * render of the feeds) while the loop goes on recording new ones. 0 and
 * *out, or -errno with the reason logged. */
struct marks_frozen;
int marks_freeze(struct marks *mk, struct marks_frozen **out);
bool marks_frozen_get(const struct marks_frozen *f, const char *ledger, const char *name,
                      struct state_mark *out);
void marks_frozen_free(struct marks_frozen *f);
/* A SHA-256 of everything f holds (NULL: no marks), for telling whether the
 * marks changed between two renders of the feeds: 0, or -ENOMEM. */
int marks_frozen_digest(const struct marks_frozen *f, uint8_t digest[32]);
/* An ics_state_fn (ics/ics.h) over frozen marks (userdata): what a feed
 * shows of a milestone people marked. */
bool marks_ics_state(const struct milestone *m, struct ics_state *out, void *frozen);

/* Marks whose milestone is not in the configuration: kept, counted and
 * logged by marks_reconcile(), at start and after every reload. */
unsigned marks_orphans(const struct marks *mk);
int marks_reconcile(struct marks *mk, const struct config *c);
