/* SPDX-License-Identifier: MIT */
/* The reading methods of the bus object: ListMilestones, Describe, Preview
 * and Why. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-internal.h"
#include "basic/text.h"
#include "busapi/busapi.h"
#include "common/clock.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "manager/manager.h"
#include "marks/marks.h"
#include "marks/status.h"

/* Longest Preview window: a bounded reply even for 100,000 milestones. */
#define PREVIEW_MAX_SECONDS ((uint64_t) 400 * 24 * 3600)

struct filter {
        struct bus *bus;
        const struct owner *owner;
        const struct ledger *ledger;
        const char *status; /* a BUS_STATUS_* name, or NULL */
        bool has_due_within;
        day_t due_by;
};

static const struct config *config_of(const struct bus *b) {
        return manager_config(b->manager);
}

static day_t today_of(const struct bus *b) {
        return clock_today(b->clock, config_of(b)->timezone);
}

/* ---- filter ----------------------------------------------------------------- */

static bool status_known(const char *s) {
        static const char *const names[] = { BUS_STATUS_DONE, BUS_STATUS_OVERDUE,
                                             BUS_STATUS_DUE_SOON, BUS_STATUS_UPCOMING,
                                             BUS_STATUS_UNDATED, BUS_STATUS_UNKNOWN,
                                             BUS_STATUS_ONGOING };

        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                if (strcmp(s, names[i]) == 0)
                        return true;
        return false;
}

static int read_filter_entry(sd_bus_message *msg, const char *key, void *filter,
                             sd_bus_error *error) {
        struct filter *f = filter;
        const struct config *c = config_of(f->bus);
        const char *s;
        uint64_t usec;
        int r;

        if (strcmp(key, "due_within") == 0) {
                r = bus_read_variant(msg, key, "t", &usec, "microseconds (t)", error);
                if (r < 0)
                        return r;
                f->has_due_within = true;
                f->due_by = today_of(f->bus) + (day_t) (usec / 1000000 / 86400);
                return 0;
        }
        if (strcmp(key, "owner") != 0 && strcmp(key, "ledger") != 0 && strcmp(key, "status") != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown filter \"%s\" (owner, ledger, status, due_within)",
                                         key);
        r = bus_read_variant(msg, key, "s", &s, "a string", error);
        if (r < 0)
                return r;
        if (strcmp(key, "owner") == 0 && !(f->owner = config_find_owner(c, s)))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no owner \"%s\"", s);
        if (strcmp(key, "ledger") == 0 && !(f->ledger = config_find_ledger(c, s)))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no ledger \"%s\"", s);
        if (strcmp(key, "status") == 0 && !status_known(s))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown status \"%s\" (done, overdue, due-soon, upcoming, "
                                         "undated, unknown, ongoing)", s);
        if (strcmp(key, "status") == 0)
                f->status = s;
        return 0;
}

/* ---- one entry -------------------------------------------------------------- */

static const char *task_status(const struct task *t) {
        return t->when == WHEN_UNKNOWN   ? BUS_STATUS_UNKNOWN
               : t->when == WHEN_ONGOING ? BUS_STATUS_ONGOING
                                         : BUS_STATUS_UNDATED;
}

/* The owners' names, as an "as". */
static int append_owner_names(sd_bus_message *reply, const struct owner *const *owners,
                              size_t n) {
        int r = sd_bus_message_open_container(reply, 'a', "s");

        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "s", owners[i]->name);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* A dated milestone, or (ms NULL) an undated task, as BUS_MILESTONE. */
static int append_entry(sd_bus_message *reply, struct bus *b, const struct task *t,
                        const struct milestone *ms, const char *status) {
        const char *id = ms ? ms->id : t->id;
        struct state_mark mark;
        const struct state_mark *mk = marks_get(b->marks, t->ledger->id, id, &mark) ? &mark : NULL;
        bool done = mk && mk->status == STATE_DONE;
        char due[DATE_ISO_LEN] = "";
        int r;

        if (ms)
                date_format_iso(ms->due, due);
        r = sd_bus_message_open_container(reply, 'r', "sssssssasxss");
        if (r >= 0)
                r = sd_bus_message_append(reply, "sssssss", t->ledger->id, id, t->id,
                                          ms ? ms->label : "", t->item, due, status);
        if (r >= 0)
                r = append_owner_names(reply, t->owners, t->n_owners);
        if (r >= 0)
                r = sd_bus_message_append(reply, "xss", done ? (int64_t) mk->when * 1000000 : (int64_t) 0,
                                          done ? mk->by.user : "", mk ? mk->note : "");
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

static int append_task(sd_bus_message *reply, struct bus *b, const struct filter *f,
                       const struct task *t, day_t today) {
        int r = 0;

        if (t->n_milestones == 0 && matches(f, t, task_status(t), 0, today))
                return append_entry(reply, b, t, NULL, task_status(t));
        for (size_t k = 0; r >= 0 && k < t->n_milestones; k++) {
                const struct milestone *ms = &t->milestones[k];
                const char *status = milestone_status_name(milestone_status(b->marks, ms, today));

                if (matches(f, t, status, ms->due, today))
                        r = append_entry(reply, b, t, ms, status);
        }
        return r;
}

struct listing {
        struct bus *bus;
        struct filter filter;
        day_t today;
};

static int fill_listing(sd_bus_message *reply, void *userdata) {
        struct listing *x = userdata;
        const struct config *c = config_of(x->bus);
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n_ledgers; i++)
                for (size_t j = 0; r >= 0 && j < c->ledgers[i].n_tasks; j++)
                        r = append_task(reply, x->bus, &x->filter, &c->ledgers[i].tasks[j], x->today);
        return r;
}

int bus_method_list_milestones(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        struct listing x = { .bus = b, .filter = { .bus = b }, .today = today_of(b) };
        int r = bus_read_filter(msg, read_filter_entry, &x.filter, error);

        return r < 0 ? r : bus_reply(msg, BUS_MILESTONE, fill_listing, &x);
}

/* ---- Describe --------------------------------------------------------------- */

static int append_details(sd_bus_message *reply, struct bus *b, const struct task *t,
                          const char *id) {
        struct state_mark mk;
        char snoozed[32] = "";
        int r = sd_bus_message_open_container(reply, 'a', "{ss}");

        if (marks_get(b->marks, t->ledger->id, id, &mk) && mk.snoozed_until > clock_now(b->clock))
                zone_format_local(config_of(b)->timezone, mk.snoozed_until, snoozed, sizeof snoozed);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{ss}{ss}{ss}{ss}{ss}{ss}", "category", t->category,
                                          "detail", t->detail, "deadline", t->deadline, "reading",
                                          t->when_reason ? t->when_reason : when_kind_name(t->when),
                                          "snoozed_until", snoozed, "ledger_title", t->ledger->title);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* The one argument, "s", names a milestone or an undated task: find it. */
static int read_target(sd_bus_message *msg, struct bus *b, const struct ledger **l,
                       const struct task **t, const struct milestone **ms, sd_bus_error *error) {
        const char *name;
        int r = sd_bus_message_read(msg, "s", &name);

        return r < 0 ? r : bus_find(b, name, l, t, ms, error);
}

static void append_history_entry(const struct state_event *e, void *userdata) {
        sd_bus_message_append(userdata, BUS_HISTORY, (uint64_t) e->when * 1000000,
                               state_action_name(e->action), e->by.user, e->note, e->by.via, e->by.address);
}

/* The one argument of Describe and Why, found. */
struct named {
        struct bus *bus;
        const struct ledger *ledger;
        const struct task *task;
        const struct milestone *milestone; /* NULL for an undated task */
};

static int fill_description(sd_bus_message *reply, void *userdata) {
        const struct named *x = userdata;
        struct bus *b = x->bus;
        const struct milestone *ms = x->milestone;
        const char *id = ms ? ms->id : x->task->id;
        int r = append_entry(reply, b, x->task, ms,
                             ms ? milestone_status_name(milestone_status(b->marks, ms, today_of(b)))
                                : task_status(x->task));

        if (r >= 0)
                r = append_details(reply, b, x->task, id);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', BUS_HISTORY);
        if (r >= 0)
                r = marks_history(b->marks, x->ledger->id, id, append_history_entry, reply);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

int bus_method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct named x = { .bus = userdata };
        int r = read_target(msg, x.bus, &x.ledger, &x.task, &x.milestone, error);

        return r < 0 ? r : bus_reply(msg, NULL, fill_description, &x);
}

/* ---- Preview ---------------------------------------------------------------- */

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
                r = append_owner_names(reply, rm->owners, rm->n_owners);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int fill_reminders(sd_bus_message *reply, void *userdata) {
        const struct schedule *s = userdata;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < s->n_reminders; i++)
                r = append_reminder(reply, &s->reminders[i]);
        return r;
}

int bus_method_preview(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        struct schedule_input in = { .config = config_of(b), .is_done = marks_schedule_done,
                                     .quiet_until = marks_schedule_quiet, .userdata = b->marks };
        struct schedule s = {};
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
                r = bus_reply(msg, BUS_REMINDER, fill_reminders, &s);
        schedule_free(&s);
        return r;
}

/* ---- Why -------------------------------------------------------------------- */

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
        va_list ap;
        char *line;
        int r;

        va_start(ap, fmt);
        line = text_vformat(fmt, ap);
        va_end(ap);
        if (!line)
                return -ENOMEM;
        r = sd_bus_message_append(reply, "s", line);
        free(line);
        return r;
}

/* The policy each owner's reminders follow, and where it comes from. */
static int append_policies(sd_bus_message *reply, const struct config *c, const struct task *t) {
        int r = 0;

        for (size_t i = 0; r >= 0 && i < t->n_owners; i++) {
                const struct owner *o = t->owners[i];
                char leads[256], overdue[256];
                struct policy p;

                policy_resolve(c, t, o, &p);
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
static int append_reminders(sd_bus_message *reply, struct bus *b, const struct milestone *ms) {
        const struct config *c = config_of(b);
        struct state_mark mark;
        const struct state_mark *mk = marks_get(b->marks, ms->task->ledger->id, ms->id, &mark) ? &mark
                                                                                             : NULL;
        bool done = mk && mk->status == STATE_DONE;
        time_t now = clock_now(b->clock), due;
        struct schedule_input in = { .config = c };
        struct schedule s = {};
        int r;

        zone_local_to_utc(c->timezone, ms->due, 0, &due);
        in.from = due - (time_t) 400 * 86400;
        in.to = due + (time_t) 60 * 86400;
        r = schedule_build(&in, &s);
        for (size_t i = 0; r >= 0 && i < s.n_reminders; i++) {
                const struct reminder *rm = &s.reminders[i];
                char when[32], offset[16];
                const char *state = done && rm->at > mk->when ? "not sent: done"
                                    : mk && rm->at < mk->snoozed_until && rm->at > now ? "not sent: snoozed"
                                    : rm->at <= now ? "past" : "planned";

                if (rm->milestone != ms)
                        continue;
                zone_format_local(c->timezone, rm->at, when, sizeof when);
                offset_format(&rm->offset, offset, sizeof offset);
                r = append_line(reply, "%s %s %s to %zu owner%s (%s)", when, reminder_kind_name(rm->kind),
                                offset, rm->n_owners, rm->n_owners == 1 ? "" : "s", state);
        }
        schedule_free(&s);
        return r;
}

static int append_why(sd_bus_message *reply, struct bus *b, const struct task *t,
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
                r = append_policies(reply, config_of(b), t);
        return r < 0 ? r : append_reminders(reply, b, ms);
}

static int fill_why(sd_bus_message *reply, void *userdata) {
        const struct named *x = userdata;

        return append_why(reply, x->bus, x->task, x->milestone);
}

int bus_method_why(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct named x = { .bus = userdata };
        int r = read_target(msg, x.bus, &x.ledger, &x.task, &x.milestone, error);

        return r < 0 ? r : bus_reply(msg, "s", fill_why, &x);
}
