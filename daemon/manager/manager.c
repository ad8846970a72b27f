/* SPDX-License-Identifier: MIT */
#include "manager/manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "basic/cleanup.h"
#include "common/background.h"
#include "common/clock.h"
#include "conf/conf.h"
#include "courier/courier.h"
#include "feeds/feeds.h"
#include "web/web.h"
#include "common/health.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "common/log.h"
#include "manager/reload-diff.h"
#include "marks/status.h"

/* A plan covers the next two months and is made anew when reached (and on
 * every change: a reload, a mark): a ledger of 100,000 milestones plans the
 * few near now, and schedule_build() does not even build the others. When
 * nothing falls in two months, the plan looks a little over a year ahead,
 * so that the next reminder (NextReminder) is still known. */
#define PLAN_HORIZON ((time_t) 60 * 24 * 3600)
#define PLAN_HORIZON_SPARSE ((time_t) 400 * 24 * 3600)
/* An instant whose reminders could not be recorded is tried again after 1,
 * 2, 4, then every 8 seconds: soon after the fault ends, without spinning
 * while it lasts. */
#define RECORD_RETRY_MAX_SECONDS 8
/* A plan that could not be made (out of memory) is made again after this. */
#define PLAN_RETRY_SECONDS 8

struct manager {
        sd_event *event;
        const struct service_clock *clock;
        char *config_path;
        struct config *config;
        char *state_directory, *runtime_directory; /* in force: options win over the config */
        struct reload_result last_reload;

        struct manager_parts parts;

        struct schedule plan;  /* reminders from handled + 1 on, sorted */
        size_t plan_next;      /* the first one not yet recorded */
        time_t plan_until;     /* the plan covers [handled + 1, plan_until) */
        time_t handled;        /* every reminder at or before this instant is recorded */
        unsigned record_fails; /* in a row, for the instant at plan_next */
        sd_event_source *timer;

        struct reload *reload; /* a configuration being read, off the loop */
        /* Asked for while one was read: they wait for the next read, which may
         * see what they changed since the first began. */
        struct reload_waiter *queued;
        bool reload_queued;
};

/* Who waits for a reload's outcome (a bus caller). */
struct reload_waiter {
        struct reload_waiter *next;
        manager_reload_fn done;
        void *userdata;
};

/* A configuration read on a thread, and who waits for the outcome. */
struct reload {
        struct manager *m;
        struct background *thread;
        const struct config *current; /* a reference: what the thread compares with */
        struct config *fresh;
        char *changes; /* reload_diff()'s summary, made on the thread */
        struct diagnostics diags;
        int r;
        struct reload_waiter *waiting;
};

static void reload_free(struct reload *rl);
static void waiters_free(struct reload_waiter *w);

DEFINE_CLEANUP_FUNC(struct manager, manager_free)

int manager_new(const char *config_path, sd_event *event, const struct service_clock *clock,
                struct manager **out) {
        _cleanup_(manager_freep) struct manager *m = calloc(1, sizeof *m);

        if (!m)
                return -ENOMEM;
        *m = (struct manager) { .event = sd_event_ref(event), .clock = clock };
        m->config_path = strdup(config_path);
        if (!m->config_path)
                return -ENOMEM;
        *out = TAKE_PTR(m);
        return 0;
}

void manager_free(struct manager *m) {
        if (!m)
                return;
        reload_free(m->reload); /* waits for a read under way */
        waiters_free(m->queued);
        sd_event_source_disable_unref(m->timer);
        schedule_free(&m->plan);
        config_unref(m->config);
        sd_event_unref(m->event);
        free(m->config_path);
        free(m->state_directory);
        free(m->runtime_directory);
        free(m->last_reload.message);
        free(m);
}

const struct config *manager_config(const struct manager *m) {
        return m->config;
}

const char *manager_config_path(const struct manager *m) {
        return m->config_path;
}

const char *manager_state_directory(const struct manager *m) {
        return m->state_directory;
}

const char *manager_runtime_directory(const struct manager *m) {
        return m->runtime_directory;
}

const struct reload_result *manager_last_reload(const struct manager *m) {
        return &m->last_reload;
}

void manager_attach(struct manager *m, const struct manager_parts *parts) {
        m->parts = *parts;
}

void manager_set_handled(struct manager *m, time_t t) {
        if (t > m->handled)
                m->handled = t;
}

/* ---- loading ---------------------------------------------------------------- */

/* Logs every message of a load of path; on failure, *summary says why in
 * one line, for the bus and the status (free it). */
static void log_diagnostics(const char *path, struct diagnostics *d, int r, char **summary) {
        for (size_t i = 0; i < d->n_items; i++) {
                const struct diag *x = &d->items[i];

                log_full(x->level == DIAG_ERROR ? LOG_ERR : LOG_WARNING, 0, "%s:%d: %s",
                         x->file ? x->file : path, x->line, x->message);
        }
        *summary = NULL;
        if (r < 0) {
                const struct diag *first = d->n_items ? &d->items[0] : NULL;

                if (asprintf(summary, "%s:%d: %s (%zu error%s)", first && first->file ? first->file : path,
                             first ? first->line : 0, first ? first->message : strerror(-r),
                             d->n_errors, d->n_errors == 1 ? "" : "s") < 0)
                        *summary = NULL;
        }
        diag_clear(d);
}

static int load_config(const char *path, struct config **out, char **summary) {
        struct diagnostics d = {};
        int r = conf_load(path, out, &d);

        log_diagnostics(path, &d, r, summary);
        return r;
}

int manager_load(struct manager *m, const char *state_directory, const char *runtime_directory) {
        char *summary = NULL;
        int r = load_config(m->config_path, &m->config, &summary);

        if (r < 0) {
                log_error_errno(r, "%s: configuration not loaded: %s", m->config_path,
                                summary ? summary : strerror(-r));
                free(summary);
                return r;
        }
        m->state_directory = strdup(state_directory ? state_directory : m->config->state_directory);
        m->runtime_directory = strdup(runtime_directory ? runtime_directory
                                                        : m->config->runtime_directory);
        m->last_reload = (struct reload_result) { .ok = true, .when = clock_now(m->clock),
                                                  .message = strdup("loaded at start") };
        return m->state_directory && m->runtime_directory && m->last_reload.message ? 0 : -ENOMEM;
}

static void record_reload(struct manager *m, bool ok, char *message) {
        free(m->last_reload.message);
        m->last_reload = (struct reload_result) { .ok = ok, .when = clock_now(m->clock), .message = message };
        if (m->parts.hooks.reloaded)
                m->parts.hooks.reloaded(&m->last_reload, m->parts.hooks.userdata);
}

/* Every part takes the new configuration before the old one is freed. */
static void install_config(struct manager *m, struct config *fresh) {
        struct config *old = m->config;

        m->config = fresh;
        if (m->parts.courier)
                courier_set_config(m->parts.courier, fresh);
        if (m->parts.feeds)
                feeds_set_config(m->parts.feeds, fresh);
        if (m->parts.web)
                web_set_config(m->parts.web, fresh);
        if (m->parts.marks)
                marks_reconcile(m->parts.marks, fresh);
        config_unref(old);
}

/* On its thread: the file read (the ledgers whose files did not change
 * copied from the configuration in force), and what it changes found,
 * which walks every milestone of both. The configuration in force is only
 * read; the loop keeps it while this runs (rl->current). */
static void reload_read(void *userdata) {
        struct reload *rl = userdata;

        rl->r = conf_reload(rl->m->config_path, rl->current, &rl->fresh, &rl->diags);
        if (rl->r >= 0)
                rl->changes = reload_diff(rl->current, rl->fresh);
}

static void waiters_free(struct reload_waiter *w) {
        while (w) {
                struct reload_waiter *next = w->next;

                free(w);
                w = next;
        }
}

static void reload_free(struct reload *rl) {
        if (!rl)
                return;
        background_free(rl->thread);
        config_unref(rl->fresh);
        config_unref(rl->current);
        free(rl->changes);
        diag_clear(&rl->diags);
        waiters_free(rl->waiting);
        free(rl);
}

/* The configuration read: installed, or refused with the old one kept. */
static void reload_apply(struct manager *m, struct reload *rl) {
        char *summary = NULL, *changes;

        log_diagnostics(m->config_path, &rl->diags, rl->r, &summary);
        if (rl->r < 0) {
                log_error_errno(rl->r, "reload refused, the previous configuration stays in force: %s",
                                summary ? summary : strerror(-rl->r));
                record_reload(m, false, summary);
                return;
        }
        changes = rl->changes;
        rl->changes = NULL;
        log_info("reloaded %s: %s (%zu of %zu ledgers unchanged, copied unread)", m->config_path,
                 changes ? changes : "", rl->fresh->n_ledgers_copied, rl->fresh->n_ledgers);
        install_config(m, rl->fresh);
        rl->fresh = NULL;
        record_reload(m, true, changes);
        manager_replan(m);
}

static int reload_begin(struct manager *m, struct reload_waiter *waiting);

static void reload_over(void *userdata) {
        struct reload *rl = userdata;
        struct manager *m = rl->m;

        reload_apply(m, rl);
        for (struct reload_waiter *w = rl->waiting; w; w = w->next)
                w->done(&m->last_reload, w->userdata);
        m->reload = NULL;
        reload_free(rl);
        if (m->reload_queued) {
                struct reload_waiter *queued = m->queued;

                m->queued = NULL;
                m->reload_queued = false;
                if (reload_begin(m, queued) >= 0)
                        return;
        }
        sd_notify(false, "READY=1");
        manager_notify_status(m);
}

static struct reload_waiter *waiter_new(manager_reload_fn done, void *userdata,
                                        struct reload_waiter *next) {
        struct reload_waiter *w = calloc(1, sizeof *w);

        if (w)
                *w = (struct reload_waiter) { .next = next, .done = done, .userdata = userdata };
        return w;
}

/* Starts a read for the waiters given (theirs from now on). */
static int reload_begin(struct manager *m, struct reload_waiter *waiting) {
        struct reload *rl = calloc(1, sizeof *rl);
        uint64_t now_usec = 0;
        int r = rl ? 0 : -ENOMEM;

        if (rl) {
                rl->m = m;
                rl->waiting = waiting;
                rl->current = config_ref(m->config);
        }
        sd_event_now(m->event, CLOCK_MONOTONIC, &now_usec);
        sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading %s",
                   (unsigned long long) now_usec, m->config_path);
        if (r >= 0)
                r = background_start(m->event, "config-reload", reload_read, reload_over, rl, &rl->thread);
        if (r < 0) {
                if (rl)
                        reload_free(rl);
                else
                        waiters_free(waiting);
                sd_notify(false, "READY=1");
                return log_error_errno(r, "cannot reload: %m");
        }
        m->reload = rl;
        return 0;
}

int manager_reload(struct manager *m, manager_reload_fn done, void *userdata) {
        struct reload_waiter *w = NULL;

        if (done && !(w = waiter_new(done, userdata, NULL)))
                return -ENOMEM;
        if (m->reload) { /* reading already: once more after it */
                if (w) {
                        w->next = m->queued;
                        m->queued = w;
                }
                m->reload_queued = true;
                return 0;
        }
        return reload_begin(m, w);
}

/* ---- the plan and its timer ------------------------------------------------ */

time_t manager_next_reminder(const struct manager *m) {
        return m->plan_next < m->plan.n_reminders ? m->plan.reminders[m->plan_next].at : 0;
}

static int arm_timer(struct manager *m);

static void log_reminder(const struct reminder *r) {
        char due[DATE_ISO_LEN], offset[16];

        date_format_iso(r->milestone->due, due);
        offset_format(&r->offset, offset, sizeof offset);
        log_info("reminder due: %s %s/%s (due %s, %s) for %zu owner%s",
                 reminder_kind_name(r->kind), r->milestone->task->ledger->id, r->milestone->id,
                 due, offset, r->n_owners, r->n_owners == 1 ? "" : "s");
}

/* The reminders of one instant, recorded by the courier: 0, or -errno with
 * the service degraded until a later try succeeds. */
static int record_instant(struct manager *m, const struct reminder *first, size_t n) {
        char when[32];
        int r;

        if (!m->parts.courier)
                return 0;
        r = courier_dispatch(m->parts.courier, first, n);
        if (r >= 0) {
                m->record_fails = 0;
                if (m->parts.health)
                        health_ok(m->parts.health, HEALTH_REMINDERS);
                return 0;
        }
        m->record_fails++;
        zone_format_local(m->config->timezone, first->at, when, sizeof when);
        if (m->parts.health)
                health_fail(m->parts.health, HEALTH_REMINDERS,
                            "cannot record the %zu reminder%s of %s (%s): %s", n, n == 1 ? "" : "s",
                            when, strerror(-r), courier_last_error(m->parts.courier));
        return r;
}

static time_t retry_delay(unsigned fails) {
        time_t delay = (time_t) 1 << (fails > 3 ? 3 : fails - 1);

        return delay < RECORD_RETRY_MAX_SECONDS ? delay : RECORD_RETRY_MAX_SECONDS;
}

static int arm_timer_at(struct manager *m, time_t when);

/* Records the reminders whose instant has come, one instant at a time and
 * in order: the mark of what is handled moves only past what is recorded,
 * so an instant that cannot be recorded (the database locked or full) is
 * tried again, and no later one overtakes it. Then re-arms. */
static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct manager *m = userdata;
        time_t now = clock_now(m->clock);

        (void) s;
        (void) usec;
        while (m->plan_next < m->plan.n_reminders && m->plan.reminders[m->plan_next].at <= now) {
                const struct reminder *first = &m->plan.reminders[m->plan_next];
                size_t n = 0;

                while (m->plan_next + n < m->plan.n_reminders && first[n].at == first->at)
                        n++;
                if (record_instant(m, first, n) < 0) /* the try took time: from its end */
                        return arm_timer_at(m, clock_now(m->clock) + retry_delay(m->record_fails));
                /* Once recorded, and after the first messages are on their
                 * way: a province's 09:30 is 2,500 lines. */
                for (size_t i = 0; i < n; i++)
                        log_reminder(&first[i]);
                m->plan_next += n;
                m->handled = first->at;
        }
        if (m->plan_next >= m->plan.n_reminders && now >= m->plan_until) {
                /* The plan ran out: the next one. A failure has set the timer
                 * to try again; an error returned would turn it off. */
                (void) manager_replan(m);
                return 0;
        }
        return arm_timer(m);
}

/* One realtime timer at the next instant; disabled when nothing is planned,
 * so an idle daemon does not wake up at all. */
static int arm_timer(struct manager *m) {
        time_t next = manager_next_reminder(m);

        /* Nothing planned: look again when the plan ends. */
        return arm_timer_at(m, next ? next : m->plan_until);
}

static int arm_timer_at(struct manager *m, time_t next) {
        int r;

        if (!m->timer) {
                r = sd_event_add_time(m->event, &m->timer, CLOCK_REALTIME,
                                      clock_timer_usec(m->clock, next), 1000, on_timer, m);
                if (r < 0)
                        return log_error_errno(r, "cannot create the reminder timer: %m");
                return sd_event_source_set_description(m->timer, "reminder-timer");
        }
        r = sd_event_source_set_time(m->timer, clock_timer_usec(m->clock, next));
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        return r < 0 ? log_error_errno(r, "cannot arm the reminder timer: %m") : 0;
}

int manager_replan(struct manager *m) {
        time_t now = clock_now(m->clock);
        struct schedule_input in = {
                .config = m->config,
                .is_done = marks_schedule_done,
                .quiet_until = marks_schedule_quiet,
                .userdata = m->parts.marks,
                /* Everything after what is handled: what the clock jumped
                 * over too (sent late, or recorded as missed). */
                .from = m->handled > 0 ? m->handled + 1 : now,
        };
        int r;

        m->record_fails = 0;
        in.to = in.from + PLAN_HORIZON;
        schedule_free(&m->plan);
        m->plan_next = 0;
        r = schedule_build(&in, &m->plan);
        if (r >= 0 && m->plan.n_reminders == 0) {
                schedule_free(&m->plan);
                in.to = in.from + PLAN_HORIZON_SPARSE;
                r = schedule_build(&in, &m->plan);
        }
        if (r < 0) {
                /* Nothing is lost meanwhile: the handled mark has not moved,
                 * and the timer plans again from it (plan_until is over). */
                log_error_errno(r, "cannot plan the reminders, trying again in %d s: %m",
                                PLAN_RETRY_SECONDS);
                m->plan_until = 0;
                (void) arm_timer_at(m, now + PLAN_RETRY_SECONDS);
                return r;
        }
        m->plan_until = in.to;
        r = arm_timer(m);
        manager_notify_status(m);
        return r;
}

/* ---- marks ------------------------------------------------------------------ */

int manager_mark(struct manager *m, enum state_action action, const char *ledger, const char *id,
                 const struct state_author *who, const char *note, time_t until) {
        int r = marks_record(m->parts.marks, action, ledger, id, who, note, until);

        if (r < 0)
                return r;
        if (m->parts.hooks.marked)
                m->parts.hooks.marked(action, ledger, id, who->user, note, m->parts.hooks.userdata);
        if (action == STATE_DONE && m->parts.courier)
                courier_milestone_done(m->parts.courier, ledger, id);
        if (m->parts.feeds)
                feeds_changed(m->parts.feeds); /* they show the mark: rendered anew */
        /* The mark is recorded, whatever the plan does: one that cannot be
         * made now is made again by the timer. */
        (void) manager_replan(m);
        return 0;
}

/* ---- status ------------------------------------------------------------------ */

void manager_notify_status(const struct manager *m) {
        unsigned counts[BUS_COUNTS_MAX];
        time_t next = manager_next_reminder(m);
        char when[64] = "none";

        status_count(m->config, m->parts.marks, clock_today(m->clock, m->config->timezone), counts);
        if (next) {
                struct tm tm;

                localtime_r(&next, &tm);
                strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
        }
        sd_notifyf(false, "STATUS=%s%u milestones (%u done, %u overdue), %u undated, next reminder %s",
                   m->parts.health && health_degraded(m->parts.health) ? "Degraded: " : "",
                   counts[BUS_COUNTS_MILESTONES], counts[BUS_COUNTS_DONE], counts[BUS_COUNTS_OVERDUE],
                   counts[BUS_COUNTS_UNDATED], when);
}
