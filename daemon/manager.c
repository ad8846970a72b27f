/* SPDX-License-Identifier: MIT */
#include "manager.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "bus/bus.h"
#include "courier/courier.h"
#include "feeds/feeds.h"
#include "log.h"
#include "marks.h"
#include "reload-diff.h"
#include "busapi/busapi.h"
#include "ledger/zone.h"

/* A plan covers a little over a year ahead and is extended when reached, so
 * a ledger of 100,000 milestones never plans more than it must. */
#define PLAN_HORIZON ((time_t) 400 * 24 * 3600)

int manager_new(struct manager **out, const char *config_path) {
        struct manager *m = calloc(1, sizeof *m);
        int r;

        if (!m)
                return -ENOMEM;
        m->admin_gid = (gid_t) -1;
        m->config_path = strdup(config_path);
        if (!m->config_path) {
                free(m);
                return -ENOMEM;
        }
        r = sd_event_default(&m->event);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        *out = m;
        return 0;
}

void manager_free(struct manager *m) {
        if (!m)
                return;
        courier_stop(m);
        feeds_stop(m);
        bus_done(m);
        sd_event_source_unref(m->timer);
        schedule_free(&m->plan);
        marks_close(m);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m->config_path);
        free(m->state_directory);
        free(m->runtime_directory);
        free(m->last_reload.message);
        free(m);
}

/* One place that reads the clock, so that every answer of one call agrees. */
int64_t realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

time_t manager_now(const struct manager *m) {
        if (m->clock_offset_usec == 0)
                return time(NULL);
        return (time_t) ((realtime_usec() + m->clock_offset_usec) / 1000000);
}

/* Kept to the microsecond, so that a shifted clock reaches an instant
 * exactly when its second begins, as the real one does. */
uint64_t manager_realtime_usec(const struct manager *m, time_t t) {
        int64_t usec = (int64_t) t * 1000000 - m->clock_offset_usec;

        return usec > 0 ? (uint64_t) usec : 1;
}

void manager_set_dispatched(struct manager *m, time_t t) {
        if (t > m->last_dispatched)
                m->last_dispatched = t;
}

/* Loads path; every message is logged. On failure, *summary says why in one
 * line, for the bus and the status (free it). */
static int load_config(const char *path, struct config **out, char **summary) {
        struct diagnostics d = {};
        int r = conf_load(path, out, &d);

        for (size_t i = 0; i < d.n_items; i++) {
                const struct diag *x = &d.items[i];

                log_full(x->level == DIAG_ERROR ? LOG_ERR : LOG_WARNING, 0, "%s:%d: %s",
                         x->file ? x->file : path, x->line, x->message);
        }
        *summary = NULL;
        if (r < 0) {
                const struct diag *first = d.n_items ? &d.items[0] : NULL;

                if (asprintf(summary, "%s:%d: %s (%zu error%s)", first && first->file ? first->file : path,
                             first ? first->line : 0, first ? first->message : strerror(-r),
                             d.n_errors, d.n_errors == 1 ? "" : "s") < 0)
                        *summary = NULL;
        }
        diag_clear(&d);
        return r;
}

/* Options win over the configuration: a trial run keeps its state locally. */
static int set_directories(struct manager *m) {
        const char *state = m->state_directory_option ? m->state_directory_option
                                                      : m->config->state_directory;
        const char *runtime = m->runtime_directory_option ? m->runtime_directory_option
                                                          : m->config->runtime_directory;

        free(m->state_directory);
        free(m->runtime_directory);
        m->state_directory = strdup(state);
        m->runtime_directory = strdup(runtime);
        return m->state_directory && m->runtime_directory ? 0 : -ENOMEM;
}

static void resolve_admin_group(struct manager *m) {
        struct group *g = getgrnam(m->config->admin_group);

        m->admin_gid = g ? g->gr_gid : (gid_t) -1;
        if (!g)
                log_notice("admin group \"%s\" does not exist: only root may change state",
                           m->config->admin_group);
}

int manager_load(struct manager *m) {
        char *summary = NULL;
        int r = load_config(m->config_path, &m->config, &summary);

        if (r < 0) {
                log_error_errno(r, "%s: configuration not loaded: %s", m->config_path,
                                summary ? summary : strerror(-r));
                free(summary);
                return r;
        }
        r = set_directories(m);
        if (r < 0)
                return r;
        resolve_admin_group(m);
        m->last_reload = (struct reload_result) { .ok = true, .when = manager_now(m) };
        m->last_reload.message = strdup("loaded at start");
        return 0;
}

static void record_reload(struct manager *m, bool ok, char *message) {
        free(m->last_reload.message);
        m->last_reload = (struct reload_result) { .ok = ok, .when = manager_now(m), .message = message };
        bus_emit_reloaded(m);
}

int manager_reload(struct manager *m) {
        struct config *fresh = NULL;
        char *summary = NULL, *changes = NULL;
        int r;

        uint64_t now_usec = 0;

        sd_event_now(m->event, CLOCK_MONOTONIC, &now_usec);
        sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading %s",
                   (unsigned long long) now_usec, m->config_path);
        r = load_config(m->config_path, &fresh, &summary);
        if (r < 0) {
                log_error_errno(r, "reload refused, the previous configuration stays in force: %s",
                                summary ? summary : strerror(-r));
                record_reload(m, false, summary);
        } else {
                changes = reload_diff(m->config, fresh);
                log_info("reloaded %s: %s", m->config_path, changes ? changes : "");
                config_free(m->config);
                m->config = fresh;
                courier_reload(m);
                resolve_admin_group(m);
                marks_reconcile(m);
                record_reload(m, true, changes);
                manager_replan(m);
        }
        sd_notify(false, "READY=1");
        manager_notify_status(m);
        return r;
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

/* Hands the reminders whose instant has come to dispatch, one instant at a
 * time, then re-arms. */
static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct manager *m = userdata;
        time_t now = manager_now(m);

        (void) s;
        (void) usec;
        while (m->plan_next < m->plan.n_reminders && m->plan.reminders[m->plan_next].at <= now) {
                const struct reminder *first = &m->plan.reminders[m->plan_next];
                size_t n = 0;

                while (m->plan_next + n < m->plan.n_reminders && first[n].at == first->at)
                        log_reminder(&first[n++]);
                m->plan_next += n;
                if (m->dispatch)
                        m->dispatch(m, first, n, false);
                m->last_dispatched = first->at;
        }
        if (m->plan_next >= m->plan.n_reminders && now >= m->plan_until)
                return manager_replan(m); /* the plan ran out: the next one */
        return arm_timer(m);
}

/* One realtime timer at the next instant; disabled when nothing is planned,
 * so an idle daemon does not wake up at all. */
static int arm_timer(struct manager *m) {
        time_t next = manager_next_reminder(m);
        int r;

        if (next == 0)
                next = m->plan_until; /* nothing planned: look again when the plan ends */
        if (!m->timer) {
                r = sd_event_add_time(m->event, &m->timer, CLOCK_REALTIME,
                                      manager_realtime_usec(m, next), 1000, on_timer, m);
                if (r < 0)
                        return log_error_errno(r, "cannot create the reminder timer");
                return sd_event_source_set_description(m->timer, "reminder-timer");
        }
        r = sd_event_source_set_time(m->timer, manager_realtime_usec(m, next));
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        return r < 0 ? log_error_errno(r, "cannot arm the reminder timer") : 0;
}

int manager_replan(struct manager *m) {
        time_t now = manager_now(m);
        struct schedule_input in = {
                .config = m->config,
                .is_done = marks_schedule_done,
                .quiet_until = marks_schedule_quiet,
                .userdata = m,
                /* Reminders at or before the last one dispatched are done with. */
                .from = now > m->last_dispatched ? now : m->last_dispatched + 1,
        };
        int r;

        feeds_changed(m); /* the feeds render anew later, when what they show changed */
        in.to = in.from + PLAN_HORIZON;
        schedule_free(&m->plan);
        m->plan_next = 0;
        r = schedule_build(&in, &m->plan);
        if (r < 0)
                return log_error_errno(r, "cannot plan the reminders");
        m->plan_until = in.to;
        r = arm_timer(m);
        manager_notify_status(m);
        return r;
}

/* ---- lookups and status ----------------------------------------------------- */

static int find_in_ledger(const struct ledger *l, const char *id, const struct task **task,
                          const struct milestone **milestone) {
        const struct milestone *ms = ledger_find_milestone(l, id);
        const struct task *t = ms ? ms->task : ledger_find_task(l, id);

        if (!t || (!ms && t->n_milestones > 0))
                return -ENOENT; /* a dated task is named by its milestones */
        *task = t;
        *milestone = ms;
        return 0;
}

int manager_find(const struct manager *m, const char *name, const struct ledger **ledger,
                 const struct task **task, const struct milestone **milestone) {
        const char *slash = strchr(name, '/');
        int found = 0;

        if (slash) {
                char id[64];

                if ((size_t) (slash - name) >= sizeof id)
                        return -ENOENT;
                memcpy(id, name, (size_t) (slash - name));
                id[slash - name] = '\0';
                *ledger = config_find_ledger(m->config, id);
                return *ledger ? find_in_ledger(*ledger, slash + 1, task, milestone) : -ENOENT;
        }
        for (size_t i = 0; i < m->config->n_ledgers; i++) {
                const struct task *t;
                const struct milestone *ms;

                if (find_in_ledger(&m->config->ledgers[i], name, &t, &ms) < 0)
                        continue;
                if (found++)
                        return -EADDRINUSE;
                *ledger = &m->config->ledgers[i];
                *task = t;
                *milestone = ms;
        }
        return found ? 0 : -ENOENT;
}

void manager_notify_status(struct manager *m) {
        unsigned counts[7];
        time_t next = manager_next_reminder(m);
        char when[64] = "none";

        manager_counts(m, counts);
        if (next) {
                struct tm tm;

                localtime_r(&next, &tm);
                strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
        }
        sd_notifyf(false, "STATUS=%u milestones (%u done, %u overdue), %u undated, next reminder %s",
                   counts[BUS_COUNTS_MILESTONES], counts[BUS_COUNTS_DONE], counts[BUS_COUNTS_OVERDUE],
                   counts[BUS_COUNTS_UNDATED], when);
}

enum milestone_status manager_status(const struct manager *m, const struct milestone *ms,
                                     day_t today) {
        if (marks_is_done(m, ms))
                return STATUS_DONE;
        if (ms->due < today)
                return STATUS_OVERDUE;
        if (ms->due <= today + 7)
                return STATUS_DUE_SOON;
        return STATUS_UPCOMING;
}

const char *milestone_status_name(enum milestone_status s) {
        static const char *const names[] = {
                [STATUS_DONE] = BUS_STATUS_DONE, [STATUS_OVERDUE] = BUS_STATUS_OVERDUE,
                [STATUS_DUE_SOON] = BUS_STATUS_DUE_SOON, [STATUS_UPCOMING] = BUS_STATUS_UPCOMING,
        };

        return names[s];
}

day_t manager_today(const struct manager *m) {
        day_t today = 0;

        zone_utc_to_local(m->config->timezone, manager_now(m), &today, NULL);
        return today;
}

void manager_counts(const struct manager *m, unsigned counts[7]) {
        static const enum bus_counts field[] = {
                [STATUS_DONE] = BUS_COUNTS_DONE, [STATUS_OVERDUE] = BUS_COUNTS_OVERDUE,
                [STATUS_DUE_SOON] = BUS_COUNTS_DUE_SOON, [STATUS_UPCOMING] = BUS_COUNTS_UPCOMING,
        };
        day_t today = manager_today(m);

        memset(counts, 0, 7 * sizeof *counts);
        for (size_t i = 0; i < m->config->n_ledgers; i++)
                for (size_t j = 0; j < m->config->ledgers[i].n_tasks; j++) {
                        const struct task *t = &m->config->ledgers[i].tasks[j];

                        if (t->n_milestones == 0)
                                counts[t->when == WHEN_UNKNOWN ? BUS_COUNTS_UNKNOWN : BUS_COUNTS_UNDATED]++;
                        for (size_t k = 0; k < t->n_milestones; k++) {
                                counts[BUS_COUNTS_MILESTONES]++;
                                counts[field[manager_status(m, &t->milestones[k], today)]]++;
                        }
                }
}
