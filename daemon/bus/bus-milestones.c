/* SPDX-License-Identifier: MIT */
#include "bus/bus-milestones.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "busapi/busapi.h"
#include "manager.h"
#include "marks.h"
#include "ledger/zone.h"

/* Longest Preview window: a bounded reply even for 100,000 milestones. */
#define PREVIEW_MAX_SECONDS ((uint64_t) 400 * 24 * 3600)

struct filter {
        const struct owner *owner;
        const struct ledger *ledger;
        const char *status; /* a BUS_STATUS_* name, or NULL */
        bool has_due_within;
        day_t due_by;
};

/* ---- filter ----------------------------------------------------------------- */

static int read_string_variant(sd_bus_message *msg, const char *key, const char **out,
                               sd_bus_error *error) {
        int r = sd_bus_message_enter_container(msg, 'v', "s");

        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "filter \"%s\" takes a string", key);
        r = sd_bus_message_read(msg, "s", out);
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

static bool status_known(const char *s) {
        static const char *const names[] = { BUS_STATUS_DONE, BUS_STATUS_OVERDUE,
                                             BUS_STATUS_DUE_SOON, BUS_STATUS_UPCOMING,
                                             BUS_STATUS_UNDATED, BUS_STATUS_UNKNOWN };

        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                if (strcmp(s, names[i]) == 0)
                        return true;
        return false;
}

static int read_filter_entry(sd_bus_message *msg, struct manager *m, struct filter *f,
                             sd_bus_error *error) {
        const char *key, *s;
        uint64_t usec;
        int r = sd_bus_message_read(msg, "s", &key);

        if (r < 0)
                return r;
        if (strcmp(key, "due_within") == 0) {
                if (sd_bus_message_read(msg, "v", "t", &usec) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "filter \"due_within\" takes microseconds (t)");
                f->has_due_within = true;
                f->due_by = manager_today(m) + (day_t) (usec / 1000000 / 86400);
                return 0;
        }
        if (strcmp(key, "owner") != 0 && strcmp(key, "ledger") != 0 && strcmp(key, "status") != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown filter \"%s\" (owner, ledger, status, due_within)",
                                         key);
        r = read_string_variant(msg, key, &s, error);
        if (r < 0)
                return r;
        if (strcmp(key, "owner") == 0 && !(f->owner = config_find_owner(m->config, s)))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no owner \"%s\"", s);
        if (strcmp(key, "ledger") == 0 && !(f->ledger = config_find_ledger(m->config, s)))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no ledger \"%s\"", s);
        if (strcmp(key, "status") == 0 && !status_known(s))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown status \"%s\" (done, overdue, due-soon, upcoming, "
                                         "undated, unknown)", s);
        if (strcmp(key, "status") == 0)
                f->status = s;
        return 0;
}

static int read_filter(sd_bus_message *msg, struct manager *m, struct filter *f,
                       sd_bus_error *error) {
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");

        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                r = read_filter_entry(msg, m, f, error);
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

/* ---- one entry -------------------------------------------------------------- */

static const char *task_status(const struct task *t) {
        return t->when == WHEN_UNKNOWN ? BUS_STATUS_UNKNOWN : BUS_STATUS_UNDATED;
}

/* A dated milestone, or (ms NULL) an undated task, as BUS_MILESTONE. */
static int append_entry(sd_bus_message *reply, struct manager *m, const struct task *t,
                        const struct milestone *ms, const char *status) {
        const char *id = ms ? ms->id : t->id;
        const struct mark *mk = marks_get(m, t->ledger->id, id);
        char due[DATE_ISO_LEN] = "";
        int r;

        if (ms)
                date_format_iso(ms->due, due);
        r = sd_bus_message_open_container(reply, 'r', "sssssssasxss");
        if (r >= 0)
                r = sd_bus_message_append(reply, "sssssss", t->ledger->id, id, t->id,
                                          ms ? ms->label : "", t->item, due, status);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < t->n_owners; i++)
                r = sd_bus_message_append(reply, "s", t->owners[i]->name);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "xss",
                                          mk && mk->done ? (int64_t) mk->when * 1000000 : (int64_t) 0,
                                          mk && mk->done ? mk->user : "", mk ? mk->note : "");
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static bool matches(const struct filter *f, const struct task *t, const char *status, day_t due,
                    day_t today) {
        if (f->owner && !task_has_owner(t, f->owner))
                return false;
        if (f->ledger && t->ledger != f->ledger)
                return false;
        if (f->status && strcmp(f->status, status) != 0)
                return false;
        if (f->has_due_within)
                return strcmp(status, BUS_STATUS_DUE_SOON) == 0 ||
                       (strcmp(status, BUS_STATUS_UPCOMING) == 0 && due <= f->due_by && due >= today);
        return true;
}

static int append_task(sd_bus_message *reply, struct manager *m, const struct filter *f,
                       const struct task *t, day_t today) {
        int r = 0;

        if (t->n_milestones == 0 && matches(f, t, task_status(t), 0, today))
                return append_entry(reply, m, t, NULL, task_status(t));
        for (size_t k = 0; r >= 0 && k < t->n_milestones; k++) {
                const struct milestone *ms = &t->milestones[k];
                const char *status = milestone_status_name(manager_status(m, ms, today));

                if (matches(f, t, status, ms->due, today))
                        r = append_entry(reply, m, t, ms, status);
        }
        return r;
}

int bus_method_list_milestones(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        struct filter f = {};
        sd_bus_message *reply = NULL;
        day_t today = manager_today(m);
        int r = read_filter(msg, m, &f, error);

        if (r >= 0)
                r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', BUS_MILESTONE);
        for (size_t i = 0; r >= 0 && i < m->config->n_ledgers; i++)
                for (size_t j = 0; r >= 0 && j < m->config->ledgers[i].n_tasks; j++)
                        r = append_task(reply, m, &f, &m->config->ledgers[i].tasks[j], today);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* ---- Describe --------------------------------------------------------------- */

static int append_details(sd_bus_message *reply, struct manager *m, const struct task *t,
                          const struct mark *mk) {
        char snoozed[32] = "";
        int r = sd_bus_message_open_container(reply, 'a', "{ss}");

        if (mk && mk->snoozed_until > manager_now(m))
                zone_format_local(m->config->timezone, mk->snoozed_until, snoozed, sizeof snoozed);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{ss}{ss}{ss}{ss}{ss}{ss}", "category", t->category,
                                          "detail", t->detail, "deadline", t->deadline, "reading",
                                          t->when_reason ? t->when_reason : when_kind_name(t->when),
                                          "snoozed_until", snoozed, "ledger_title", t->ledger->title);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* The one argument, "s", names a milestone or an undated task: find it. */
static int read_target(sd_bus_message *msg, struct manager *m, const struct ledger **l,
                       const struct task **t, const struct milestone **ms, sd_bus_error *error) {
        const char *name;
        int r = sd_bus_message_read(msg, "s", &name);

        return r < 0 ? r : bus_find(m, name, l, t, ms, error);
}

static void append_history_entry(time_t when, const char *action, const char *user,
                                 const char *note, void *userdata) {
        sd_bus_message_append(userdata, "(tsss)", (uint64_t) when * 1000000, action, user, note);
}

int bus_method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        const struct ledger *l;
        const struct task *t;
        const struct milestone *ms;
        sd_bus_message *reply = NULL;
        int r = read_target(msg, m, &l, &t, &ms, error);

        if (r >= 0)
                r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = append_entry(reply, m, t, ms,
                                 ms ? milestone_status_name(manager_status(m, ms, manager_today(m)))
                                    : task_status(t));
        if (r >= 0)
                r = append_details(reply, m, t, marks_get(m, l->id, ms ? ms->id : t->id));
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(tsss)");
        if (r >= 0)
                r = marks_history(m, l->id, ms ? ms->id : t->id, append_history_entry, reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* ---- Preview ---------------------------------------------------------------- */

static bool preview_done(const struct milestone *ms, void *userdata) {
        return marks_is_done(userdata, ms);
}

static time_t preview_quiet(const struct milestone *ms, void *userdata) {
        return marks_snoozed_until(userdata, ms);
}

static int append_reminder(sd_bus_message *reply, const struct reminder *rm) {
        char offset[16];
        int r;

        offset_format(&rm->offset, offset, sizeof offset);
        r = sd_bus_message_open_container(reply, 'r', "tssssas");
        if (r >= 0)
                r = sd_bus_message_append(reply, "tssss", (uint64_t) rm->at * 1000000,
                                          reminder_kind_name(rm->kind), offset,
                                          rm->milestone->task->ledger->id, rm->milestone->id);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < rm->n_owners; i++)
                r = sd_bus_message_append(reply, "s", rm->owners[i]->name);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

int bus_method_preview(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        struct schedule_input in = { .config = m->config, .is_done = preview_done,
                                     .quiet_until = preview_quiet, .userdata = m };
        struct schedule s = {};
        sd_bus_message *reply = NULL;
        uint64_t from, to;
        int r = sd_bus_message_read(msg, "tt", &from, &to);

        if (r < 0)
                return r;
        if (to <= from || to - from > PREVIEW_MAX_SECONDS * 1000000)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "the window must end after it starts, and span at most 400 days");
        in.from = (time_t) (from / 1000000);
        in.to = (time_t) (to / 1000000);
        r = schedule_build(&in, &s);
        if (r >= 0)
                r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', BUS_REMINDER);
        for (size_t i = 0; r >= 0 && i < s.n_reminders; i++)
                r = append_reminder(reply, &s.reminders[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        schedule_free(&s);
        return r;
}

/* ---- Why -------------------------------------------------------------------- */

int bus_find(struct manager *m, const char *name, const struct ledger **l, const struct task **t,
             const struct milestone **ms, sd_bus_error *error) {
        int r = manager_find(m, name, l, t, ms);

        if (r == -EADDRINUSE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "\"%s\" is in more than one ledger: write LEDGER/%s", name, name);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no milestone or undated task \"%s\"",
                                         name);
        return 0;
}

static void format_offsets(const struct offset *o, size_t n, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && len < size; i++) {
                char one[16];

                offset_format(&o[i], one, sizeof one);
                len += (size_t) snprintf(buf + len, size - len, "%s%s", i ? " " : "", one);
        }
        if (n == 0)
                snprintf(buf, size, "none");
}

static int append_line(sd_bus_message *reply, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int append_line(sd_bus_message *reply, const char *fmt, ...) {
        char *line = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = sd_bus_message_append(reply, "s", line);
        free(line);
        return r;
}

/* The policy each owner's reminders follow, and where it comes from. */
static int append_policies(sd_bus_message *reply, struct manager *m, const struct task *t) {
        int r = 0;

        for (size_t i = 0; r >= 0 && i < t->n_owners; i++) {
                const struct owner *o = t->owners[i];
                char leads[256], overdue[256];
                struct policy p;

                policy_resolve(m->config, t, o, &p);
                format_offsets(p.leads, p.n_leads, leads, sizeof leads);
                format_offsets(p.overdue, p.n_overdue, overdue, sizeof overdue);
                r = append_line(reply, "%s: at %02d:%02d, before: %s; after a miss: %s%s%s (%s)", o->name,
                                p.minute_of_day / 60, p.minute_of_day % 60, leads, overdue,
                                p.escalate_to ? "; escalate to " : "",
                                p.escalate_to ? p.escalate_to->name : "",
                                t->policy ? "the task's own settings" :
                                o->policy.has_leads || o->policy.has_overdue || o->policy.has_time ?
                                            "the owner's settings" : "the defaults");
        }
        return r;
}

/* Every reminder of the milestone, past and future, done or not. */
static int append_reminders(sd_bus_message *reply, struct manager *m, const struct milestone *ms) {
        const struct mark *mk = marks_get(m, ms->task->ledger->id, ms->id);
        time_t now = manager_now(m), due;
        struct schedule_input in = { .config = m->config };
        struct schedule s = {};
        int r;

        zone_local_to_utc(m->config->timezone, ms->due, 0, &due);
        in.from = due - (time_t) 400 * 86400;
        in.to = due + (time_t) 60 * 86400;
        r = schedule_build(&in, &s);
        for (size_t i = 0; r >= 0 && i < s.n_reminders; i++) {
                const struct reminder *rm = &s.reminders[i];
                char when[32], offset[16];
                const char *state = mk && mk->done && rm->at > mk->when ? "not sent: done"
                                    : mk && rm->at < mk->snoozed_until && rm->at > now ? "not sent: snoozed"
                                    : rm->at <= now ? "past" : "planned";

                if (rm->milestone != ms)
                        continue;
                zone_format_local(m->config->timezone, rm->at, when, sizeof when);
                offset_format(&rm->offset, offset, sizeof offset);
                r = append_line(reply, "%s %s %s to %zu owner%s (%s)", when, reminder_kind_name(rm->kind),
                                offset, rm->n_owners, rm->n_owners == 1 ? "" : "s", state);
        }
        schedule_free(&s);
        return r;
}

static int append_why(sd_bus_message *reply, struct manager *m, const struct task *t,
                      const struct milestone *ms) {
        char due[DATE_ISO_LEN];
        int r;

        if (!ms)
                return append_line(reply, "task %s has no date, so no reminders: %s", t->id,
                                   t->when_reason ? t->when_reason : "");
        date_format_iso(ms->due, due);
        r = append_line(reply, "%s is due %s %s, %s", ms->id, due, date_weekday_zh(ms->due),
                        ms->origin == MILESTONE_EXPLICIT ? "a date from the ledger's dates list"
                                                         : "read from the phrase");
        if (r >= 0)
                r = append_line(reply, "phrase: %s", t->deadline);
        if (r >= 0)
                r = append_policies(reply, m, t);
        return r < 0 ? r : append_reminders(reply, m, ms);
}

int bus_method_why(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        const struct ledger *l;
        const struct task *t;
        const struct milestone *ms;
        sd_bus_message *reply = NULL;
        int r = read_target(msg, m, &l, &t, &ms, error);

        if (r >= 0)
                r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        if (r >= 0)
                r = append_why(reply, m, t, ms);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}
