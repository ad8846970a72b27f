/* SPDX-License-Identifier: MIT */
/* ledgerd as a service: load, open the state, connect the buses, announce
 * READY, and wait in one sd-event loop for the next reminder, a signal or a
 * bus call. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "bus/bus.h"
#include "clock-watch.h"
#include "courier/courier.h"
#include "feeds/feeds.h"
#include "ledgerd.h"
#include "log.h"
#include "manager.h"
#include "marks.h"
#include "ledger/zone.h"

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct manager *m = userdata;

        (void) s;
        log_info("received %s, exiting", strsignal((int) si->ssi_signo));
        sd_notify(false, "STOPPING=1\nSTATUS=Exiting");
        return sd_event_exit(m->event, 0);
}

static int on_hangup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        (void) s;
        (void) si;
        manager_reload(userdata); /* a refused reload keeps the old configuration */
        return 0;
}

/* The wall clock was set, or the machine resumed: the plan's instants still
 * stand, but the timer must be armed anew against the new time. */
static int on_time_change(void *userdata) {
        log_info("the system clock changed: re-planning");
        return manager_replan(userdata);
}

static int setup_events(struct manager *m) {
        static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
        sigset_t mask;
        int r = 0;

        sigemptyset(&mask);
        for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
                sigaddset(&mask, signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        for (size_t i = 0; r >= 0 && i < sizeof signals / sizeof *signals; i++)
                r = sd_event_add_signal(m->event, NULL, signals[i],
                                        signals[i] == SIGHUP ? on_hangup : on_terminate, m);
        if (r >= 0)
                r = clock_watch_start(m->event, on_time_change, m);
        if (r >= 0)
                r = sd_event_set_watchdog(m->event, true); /* pings only when WatchdogSec= is set */
        return r < 0 ? log_error_errno(r, "cannot set up the event loop: %s", strerror(-r)) : 0;
}

/* --now: the service's clock starts at that instant and runs on. */
static int set_clock(struct manager *m, const char *now_arg) {
        time_t t;

        if (!now_arg)
                return 0;
        if (zone_parse_time(m->config->timezone, now_arg, &t) < 0) {
                log_error("--now: \"%s\" is not YYYY-MM-DD, YYYY-MM-DDTHH:MM or @EPOCH", now_arg);
                return -EINVAL;
        }
        m->clock_offset_usec = (int64_t) t * 1000000 - realtime_usec();
        if (m->clock_offset_usec == 0)
                m->clock_offset_usec = 1; /* 0 means "not shifted" */
        log_notice("rehearsal: the service's clock runs %+.3f s from the system's",
                   (double) m->clock_offset_usec / 1e6);
        return 0;
}

static int start(struct manager *m, const struct options *o) {
        int r = manager_load(m);

        if (r >= 0)
                r = set_clock(m, o->now_arg);
        if (r >= 0)
                r = marks_open(m);
        if (r >= 0)
                r = setup_events(m);
        if (r >= 0)
                r = bus_setup(m);
        if (r >= 0)
                r = feeds_start(m);
        if (r >= 0)
                r = courier_start(m); /* sends what is pending and catches up first */
        if (r >= 0)
                r = manager_replan(m);
        return r;
}

int service_run(const struct options *o) {
        struct manager *m = NULL;
        int r = manager_new(&m, o->config_path);

        if (r < 0)
                return log_error_errno(r, "cannot start: %s", strerror(-r)) ? EXIT_FAILURE : 0;
        m->bus_choice = o->bus;
        m->state_directory_option = o->state_directory;
        m->runtime_directory_option = o->runtime_directory;
        r = start(m, o);
        if (r >= 0) {
                sd_notify(false, "READY=1");
                manager_notify_status(m);
                log_info("ledgerd running: %s", m->config_path);
                r = sd_event_loop(m->event);
        } else
                sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
        manager_free(m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
