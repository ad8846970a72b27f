/* SPDX-License-Identifier: MIT */
#pragma once

/* The daemon's persistent state, in the state database (SQLite, WAL) at
 * <state_directory>/state.db, beside the event_revisions table of
 * revisions.h: done marks, reopenings and snoozes per (ledger id, milestone
 * id), with the whole history of who did what, when and why. A milestone is
 * named by its id ("15.2"); an undated task, which has none, by its task id.
 *
 * The current mark of every marked milestone is also kept in memory:
 * loaded once by state_open() and updated by every write, so that
 * state_is_done(), state_snoozed_until() and state_get_mark() cost a binary
 * search, not a query (the scheduler and the feeds ask for each of up to
 * 100,000 milestones).
 *
 * One process writes: the daemon. Another handle on the same file sees the
 * first one's writes in its queries at once, in its memory after
 * state_refresh().
 *
 * Functions return 0 or -errno; state_last_error() then says what failed,
 * with SQLite's message when SQLite failed. Nothing is ever deleted: marks of
 * milestones that left the ledger stay, and state_find_orphans() reports
 * them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct config; /* ledger/model.h: only pointed to */
struct milestone;

/* The schema this code writes, kept in PRAGMA user_version. 0 is a database
 * without it (new, or written by a ledgerd that only kept revisions); 1 has
 * the marks; 2 adds the delivery log (deliveries.h); 3 says how and from
 * where each mark was made; 4 numbers the parts of a split digest and
 * counts the requests of a message already accepted. */
#define STATE_SCHEMA_VERSION 5

struct state;

enum state_action {
        STATE_DONE,
        STATE_REOPENED,
        STATE_SNOOZED,
};

/* Who made a mark, how and from where. */
struct state_author {
        uid_t uid;           /* from the bus credentials; (uid_t) -1 for a link */
        const char *user;    /* the bus client's name, or the link's owner; may be "" */
        const char *via;     /* how: "bus" (ledgerctl; NULL means it), "link" (a reminder's button) */
        const char *address; /* from where: a link's client address; "" (NULL) when none */
};

/* One entry of a milestone's history. In callbacks, the strings are valid
 * until the callback returns. */
struct state_event {
        const char *ledger, *milestone;
        enum state_action action;
        struct state_author by;
        time_t when;
        time_t until; /* STATE_SNOOZED: no reminders before; 0 ends a snooze */
        const char *note; /* "" when none */
};

/* What is known of a milestone that has a history. */
struct state_mark {
        const char *ledger, *milestone;
        /* STATE_DONE, STATE_REOPENED, or STATE_SNOOZED when it was only ever
         * snoozed, never marked done. */
        enum state_action status;
        /* Who set that status, when and why: the last done or reopened
         * event; for STATE_SNOOZED, the last snooze. */
        struct state_author by;
        time_t when;
        const char *note;
        time_t snoozed_until; /* 0 when not snoozed; may be in the past */
        int64_t event; /* that event's number: each later one has a greater */
};

/* Return 0 to go on; a negative errno stops the walk and is returned. The
 * callback must not call back into the same struct state. */
typedef int (*state_mark_fn)(const struct state_mark *m, void *userdata);
typedef int (*state_event_fn)(const struct state_event *e, void *userdata);

/* Opens the database at path, creating it when missing (never its
 * directory), brings its schema up to STATE_SCHEMA_VERSION and loads the
 * marks into memory. An existing file is never deleted or recreated: a file
 * that is not a database or is damaged gives -EIO, one that cannot be
 * written -EACCES or -EROFS (-EISDIR, -ENOENT … when it cannot be opened at
 * all), a schema newer than this code -EPROTONOSUPPORT without touching
 * the file. On error, *error_message (when not NULL) gets a message naming
 * the path, to free; on success it is set to NULL. */
int state_open(const char *path, struct state **out, char **error_message);
void state_close(struct state *st);
/* How long a write waits for another connection's before failing with
 * -EBUSY (STATE_BUSY_TIMEOUT_MS until set). An event loop sets it short:
 * it must answer others while a lock is held, and tries again itself. */
void state_set_busy_timeout(struct state *st, int ms);

/* What the last failing call of st failed on; "" when none has failed. */
const char *state_last_error(const struct state *st);

/* Reloads the in-memory marks from the file (after another process wrote). */
int state_refresh(struct state *st);

/* Marks a milestone done, or reopens it, recording who (uid and user name,
 * from the bus credentials), when and why (note may be NULL). -EALREADY,
 * with nothing written, when it is already done (done) or is not done
 * (reopen). -EINVAL for an empty ledger or milestone id or a NULL user. */
int state_mark_done(struct state *st, const char *ledger, const char *milestone, uid_t uid,
                    const char *user, time_t when, const char *note);
int state_reopen(struct state *st, const char *ledger, const char *milestone, uid_t uid,
                 const char *user, time_t when, const char *note);
/* No reminders for the milestone before until; until = 0 ends a snooze.
 * Independent of done and reopen: a snooze still holds after a reopen. */
int state_snooze(struct state *st, const char *ledger, const char *milestone, time_t until,
                 uid_t uid, const char *user, time_t when, const char *note);
/* Any of the three, with how and from where it was made: e->action says
 * which, with the same refusals. */
int state_record(struct state *st, const struct state_event *e);

/* From memory: no query, no failure. */
bool state_is_done(const struct state *st, const char *ledger, const char *milestone);
/* 0 when not snoozed. A time in the past is returned as is. */
time_t state_snoozed_until(const struct state *st, const char *ledger, const char *milestone);
/* From memory: the mark of a milestone, as state_list_marks() would give
 * it; false when it has none. The strings are valid until the next write
 * or refresh of st. */
bool state_get_mark(const struct state *st, const char *ledger, const char *milestone,
                    struct state_mark *out);
/* A schedule_done_fn (schedule.h): pass the struct state as userdata. */
bool state_milestone_done(const struct milestone *m, void *userdata);

/* Every mark, ordered by ledger id then milestone id (bytewise). */
int state_list_marks(struct state *st, state_mark_fn fn, void *userdata);
/* The history of one milestone, oldest first. */
int state_list_history(struct state *st, const char *ledger, const char *milestone,
                       state_event_fn fn, void *userdata);
/* Calls fn for every mark whose ledger is not in c, or whose milestone is
 * neither a milestone of that ledger nor a task of it without milestones.
 * Returns how many there are, or a negative errno. Deletes nothing. */
int state_find_orphans(struct state *st, const struct config *c, state_mark_fn fn,
                       void *userdata);

/* "done", "reopened", "snoozed": the words of the history. */
const char *state_action_name(enum state_action a);
