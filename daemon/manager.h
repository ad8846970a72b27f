/* SPDX-License-Identifier: MIT */
#pragma once

/* The running service: the configuration in force, the state database, the
 * reminder plan and the one timer armed at its next instant, and the bus
 * connections that expose it all. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "ledger/schedule.h"

struct state;

struct reload_result {
        bool ok;
        time_t when;
        char *message; /* what changed, or why the new configuration was refused */
};

struct manager;
/* Where due reminders go: the n reminders of one instant at once, so that
 * those for one recipient make one message. late: their instant passed while
 * ledgerd was not running (catch-up). */
typedef void (*dispatch_fn)(struct manager *m, const struct reminder *r, size_t n, bool late);

enum bus_choice { BUS_SYSTEM, BUS_USER, BUS_NONE };

struct manager {
        sd_event *event;
        sd_bus *bus;                  /* the system or user bus; NULL for none */
        struct private_server *private_server;
        enum bus_choice bus_choice;
        struct feeds *feeds; /* the calendar feeds and their HTTP server */
        struct courier *courier; /* sends the reminders (courier.h) */
        /* --now in service mode: the service's clock runs this many
         * microseconds from the system's, for rehearsals and tests. 0 normally. */
        int64_t clock_offset_usec;

        char *config_path;
        struct config *config;
        char *state_directory, *runtime_directory; /* in force: options win over the config */
        const char *state_directory_option, *runtime_directory_option;
        struct state *state;
        struct marks *marks;
        gid_t admin_gid; /* the configured admin group; (gid_t) -1 when it does not exist */

        struct schedule plan;  /* reminders from plan_from on, sorted */
        size_t plan_next;      /* the first one not yet handed to dispatch */
        time_t plan_until;     /* the plan covers [plan_from, plan_until) */
        time_t last_dispatched; /* reminders at or before this instant are done with */
        sd_event_source *timer;
        dispatch_fn dispatch;

        struct reload_result last_reload;
};

int manager_new(struct manager **out, const char *config_path);
void manager_free(struct manager *m);

time_t manager_now(const struct manager *m);
/* The system's realtime clock in microseconds. */
int64_t realtime_usec(void);
/* An instant of the service's clock as CLOCK_REALTIME microseconds, for timers. */
uint64_t manager_realtime_usec(const struct manager *m, time_t t);
/* Reminders at or before this instant have been handed to dispatch. */
void manager_set_dispatched(struct manager *m, time_t t);
/* Loads the configuration for the first time; 0 or -errno (messages logged). */
int manager_load(struct manager *m);
/* Loads and validates the whole new configuration; only then replaces the
 * old one. On any error the old one stays in force. The result is kept in
 * m->last_reload and announced on the buses. */
int manager_reload(struct manager *m);

/* Rebuilds the plan from now on (after a reload, a done mark, a snooze, a
 * clock change) and arms the timer at its first instant. The feeds hear of
 * the change here too. */
int manager_replan(struct manager *m);
/* The instant of the next reminder, 0 when there is none. */
time_t manager_next_reminder(const struct manager *m);

/* Finds a milestone by "ID" (unambiguous across ledgers) or "LEDGER/ID"; an
 * undated task by its task id (then *milestone is NULL). 0, -ENOENT, or
 * -EADDRINUSE when the short id is ambiguous. */
int manager_find(const struct manager *m, const char *name, const struct ledger **ledger,
                 const struct task **task, const struct milestone **milestone);

/* sd_notify STATUS= text: "33 milestones, 14 undated, next reminder …". */
void manager_notify_status(struct manager *m);

/* The local date now, in the configured time zone. */
day_t manager_today(const struct manager *m);
enum milestone_status { STATUS_DONE, STATUS_OVERDUE, STATUS_DUE_SOON, STATUS_UPCOMING };

enum milestone_status manager_status(const struct manager *m, const struct milestone *ms,
                                     day_t today);
/* The BUS_STATUS_* name. */
const char *milestone_status_name(enum milestone_status s);
/* The Counts property, in enum bus_counts order. */
void manager_counts(const struct manager *m, unsigned counts[7]);
