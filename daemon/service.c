/* SPDX-License-Identifier: MIT */
/* ledgerd as a service: load, open the state, make the parts, connect the
 * buses, announce READY, and wait in one sd-event loop for the next
 * reminder, a signal, a bus call or a feed request.
 *
 * The service owns every part and wires them: the manager drives the plan
 * and tells the bus what happened (hooks), the courier tells the bus what
 * it delivered. No part holds another's internals. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "basic/mkdirs.h"
#include "bus/bus.h"
#include "common/clock-watch.h"
#include "common/clock.h"
#include "courier/courier.h"
#include "feeds/feeds.h"
#include "common/health.h"
#include "ledger/zone.h"
#include "ledgerd.h"
#include "common/log.h"
#include "manager/manager.h"
#include "marks/marks.h"
#include "state-dir.h"
#include "store/deliveries.h"
#include "store/state.h"
#include "web/web.h"

/* How long the loop's writes wait for a lock another process holds (the
 * sqlite3 shell, a backup): short, so that the bus and the feeds go on
 * answering; what could not be written is tried again from a timer. */
#define SERVICE_STATE_BUSY_MS 200

struct service {
        sd_event *event;
        int lock_fd;
        struct service_clock clock;
        struct health health;
        struct manager *manager;
        struct state *state;
        struct marks *marks;
        struct web *web;
        struct feeds *feeds;
        struct courier *courier;
        struct bus *bus;
};

/* ---- events ------------------------------------------------------------------ */

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct service *sv = userdata;

        (void) s;
        log_info("received %s, exiting", strsignal((int) si->ssi_signo));
        sd_notify(false, "STOPPING=1\nSTATUS=Exiting");
        return sd_event_exit(sv->event, 0);
}

static int on_hangup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct service *sv = userdata;

        (void) s;
        (void) si;
        manager_reload(sv->manager, NULL, NULL); /* a refused reload keeps the old configuration */
        return 0;
}

/* The wall clock was set, or the machine resumed: the plan's instants still
 * stand, but the timer must be armed anew against the new time, and what
 * the feeds count by day (overdue, due soon) may have changed. */
static int on_time_change(void *userdata) {
        struct service *sv = userdata;

        log_info("the system clock changed: re-planning");
        if (sv->feeds)
                feeds_changed(sv->feeds);
        (void) manager_replan(sv->manager); /* a failure is logged, and tried again */
        return 0; /* an error would stop the watch of the clock */
}

static int setup_events(struct service *sv) {
        static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
        sigset_t mask;
        int r = 0;

        sigemptyset(&mask);
        for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
                sigaddset(&mask, signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "cannot block the signals: %m");
        for (size_t i = 0; r >= 0 && i < sizeof signals / sizeof *signals; i++)
                r = sd_event_add_signal(sv->event, NULL, signals[i],
                                        signals[i] == SIGHUP ? on_hangup : on_terminate, sv);
        if (r >= 0)
                r = clock_watch_start(sv->event, on_time_change, sv);
        if (r >= 0)
                r = sd_event_set_watchdog(sv->event, true); /* pings only when WatchdogSec= is set */
        return r < 0 ? log_error_errno(r, "cannot set up the event loop: %m") : 0;
}

/* ---- hooks: what the parts tell the bus -------------------------------------- */

static void on_reloaded(const struct reload_result *r, void *userdata) {
        struct service *sv = userdata;

        if (!sv->bus)
                return;
        bus_config_changed(sv->bus);
        bus_emit_reloaded(sv->bus, r);
}

static void on_marked(enum state_action action, const char *ledger, const char *id, const char *user,
                      const char *note, void *userdata) {
        struct service *sv = userdata;

        if (sv->bus)
                bus_emit_mark(sv->bus, action, ledger, id, user, note);
}

static void on_outcome(const char *ledger, const char *id, const char *kind, const char *target,
                       const char *reason, void *userdata) {
        struct service *sv = userdata;

        if (sv->bus)
                bus_emit_reminder(sv->bus, ledger, id, kind, target, reason);
}

/* A button pressed on a page of links: the manager records it, as it does
 * a mark over the bus. */
static int on_link_mark(enum state_action action, const char *ledger, const char *id,
                        const struct state_author *who, time_t until, void *userdata) {
        struct service *sv = userdata;

        return manager_mark(sv->manager, action, ledger, id, who, "", until);
}

static void on_health_changed(void *userdata) {
        struct service *sv = userdata;

        if (sv->bus)
                bus_emit_problems(sv->bus);
        if (sv->feeds) /* the parts are made: the status can be counted */
                manager_notify_status(sv->manager);
}

/* ---- start-up, step by step --------------------------------------------------- */

/* --now: the service's clock starts at that instant and runs on. */
static int set_clock(struct service *sv, const char *now_arg) {
        time_t t;

        if (!now_arg)
                return 0;
        if (zone_parse_time(manager_config(sv->manager)->timezone, now_arg, &t) < 0)
                return log_error_errno(EINVAL, "--now: \"%s\" is not YYYY-MM-DD, YYYY-MM-DDTHH:MM or @EPOCH",
                                       now_arg);
        clock_start_at(&sv->clock, t);
        log_notice("rehearsal: the service's clock runs %+.3f s from the system's",
                   (double) sv->clock.offset_usec / 1e6);
        return 0;
}

static int refuse_vanished(const char *dir, const char *what) {
        return log_error_errno(ENOENT, "the state directory %s was in use before (its state.id says "
                               "since when), but %s: the done marks and the delivery log are gone. "
                               "Restore state.db from a backup; or, to start afresh on purpose, start "
                               "ledgerd once with --accept-new-state", dir, what);
}

/* A state that vanished is refused unless accepted; a first start is said. */
static int check_history(enum state_history h, const char *dir, const char *what,
                         const struct options *o) {
        if (h == STATE_HISTORY_VANISHED && !o->accept_new_state)
                return refuse_vanished(dir, what);
        if (h == STATE_HISTORY_VANISHED)
                log_warning("%s, and --accept-new-state was given: starting afresh in %s", what, dir);
        return 0;
}

/* Locked for our life, examined, then opened: a vanished state is refused
 * before anything is written. */
static int open_state(struct service *sv, const struct options *o) {
        const char *dir = manager_state_directory(sv->manager);
        char *path = NULL, *error = NULL;
        time_t handled = 0;
        int r = mkdirs(dir, 0750);

        if (r < 0)
                return log_error_errno(r, "cannot create the state directory %s: %m", dir);
        r = state_dir_lock(dir, &sv->lock_fd);
        if (r >= 0)
                r = check_history(state_dir_examine(dir), dir, "state.db is missing or empty", o);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/state.db", dir) < 0)
                return log_oom();
        r = state_open(path, &sv->state, &error);
        if (r < 0)
                log_error_errno(r, "%s", error ? error : path);
        else
                state_set_busy_timeout(sv->state, SERVICE_STATE_BUSY_MS);
        free(error);
        free(path);
        if (r >= 0 && (r = deliveries_handled_until(sv->state, &handled)) < 0)
                log_error_errno(r, "cannot read the delivery log: %s", state_last_error(sv->state));
        if (r >= 0)
                r = check_history(state_dir_examine_database(dir, handled), dir,
                                  "state.db has no history", o);
        if (r >= 0)
                r = marks_new(sv->state, &sv->clock, &sv->marks);
        if (r >= 0)
                r = marks_reconcile(sv->marks, manager_config(sv->manager));
        return r;
}

static int make_parts(struct service *sv) {
        const struct config *c = manager_config(sv->manager);
        const char *state_directory = manager_state_directory(sv->manager);
        int r = web_new(&(struct web_setup) { .clock = &sv->clock, .config = c, .marks = sv->marks,
                                              .state_directory = state_directory,
                                              .mark = on_link_mark, .userdata = sv },
                        &sv->web);

        if (r >= 0)
                r = feeds_new(&(struct feeds_setup) { .event = sv->event, .clock = &sv->clock,
                                                      .state_directory = state_directory, .config = c,
                                                      .marks = sv->marks, .health = &sv->health,
                                                      .web = sv->web },
                              &sv->feeds);

        if (r >= 0)
                r = courier_new(&(struct courier_setup) {
                                        .event = sv->event, .clock = &sv->clock, .state = sv->state,
                                        .marks = sv->marks, .feeds = sv->feeds, .web = sv->web,
                                        .health = &sv->health,
                                        .state_directory = state_directory, .config = c,
                                        .on_outcome = on_outcome, .userdata = sv,
                                },
                                &sv->courier);
        if (r >= 0)
                manager_attach(sv->manager, &(struct manager_parts) {
                        .marks = sv->marks, .courier = sv->courier, .feeds = sv->feeds,
                        .web = sv->web, .health = &sv->health,
                        .hooks = { .reloaded = on_reloaded, .marked = on_marked, .userdata = sv },
                });
        return r < 0 ? log_error_errno(r, "cannot start: %m") : 0;
}

static int connect_bus(struct service *sv, enum bus_choice choice) {
        return bus_new(&(struct bus_setup) {
                               .event = sv->event, .clock = &sv->clock, .manager = sv->manager,
                               .marks = sv->marks, .courier = sv->courier, .feeds = sv->feeds,
                               .state = sv->state, .health = &sv->health, .web = sv->web,
                               .choice = choice,
                       },
                       &sv->bus);
}

/* Sends what is pending and catches up first; then the plan takes over. */
static int start_courier(struct service *sv) {
        const char *dir = manager_state_directory(sv->manager);
        time_t handled = 0;
        int r = courier_start(sv->courier, &handled);

        if (r < 0)
                return r;
        manager_set_handled(sv->manager, handled);
        r = state_dir_mark_used(dir, handled);
        return r < 0 ? log_error_errno(r, "%s: cannot write state.id: %m", dir) : 0;
}

static int start(struct service *sv, const struct options *o) {
        int r = manager_load(sv->manager, o->state_directory, o->runtime_directory);

        if (r >= 0)
                r = set_clock(sv, o->now_arg);
        if (r >= 0)
                r = open_state(sv, o);
        if (r >= 0)
                r = setup_events(sv);
        if (r >= 0)
                r = make_parts(sv);
        if (r >= 0)
                r = connect_bus(sv, o->bus);
        if (r >= 0)
                r = feeds_start(sv->feeds);
        if (r >= 0)
                r = start_courier(sv);
        if (r >= 0)
                r = manager_replan(sv->manager);
        return r;
}

/* In the reverse order of start(): nobody is left holding a freed part. */
static void stop(struct service *sv) {
        bus_free(sv->bus);
        courier_free(sv->courier);
        feeds_free(sv->feeds);
        web_free(sv->web);
        manager_free(sv->manager);
        marks_free(sv->marks);
        state_close(sv->state);
        health_clear(&sv->health);
        sd_event_unref(sv->event);
        if (sv->lock_fd >= 0)
                close(sv->lock_fd); /* the lock goes last: nothing of ours is left open */
}

int service_run(const struct options *o) {
        struct service sv = { .lock_fd = -1 };
        int r = sd_event_default(&sv.event);

        sv.health = (struct health) { .clock = &sv.clock, .changed = on_health_changed, .userdata = &sv };

        if (r >= 0)
                r = manager_new(o->config_path, sv.event, &sv.clock, &sv.manager);
        if (r < 0) {
                log_error_errno(r, "cannot start: %m");
                sd_event_unref(sv.event);
                return EXIT_FAILURE;
        }
        r = start(&sv, o);
        if (r >= 0) {
                sd_notify(false, "READY=1");
                manager_notify_status(sv.manager);
                log_info("ledgerd running: %s", manager_config_path(sv.manager));
                r = sd_event_loop(sv.event);
        } else
                sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
        stop(&sv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
