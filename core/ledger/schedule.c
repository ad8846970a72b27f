/* SPDX-License-Identifier: MIT */
#include "ledger/schedule.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/names.h"
#include "ledger/workdays.h"
#include "ledger/zone.h"

/* ---- policy -------------------------------------------------------------- */

/* Copies the fields that o sets over out. */
static void policy_overlay(struct policy *out, const struct policy *o) {
        if (o->has_leads) {
                memcpy(out->leads, o->leads, sizeof out->leads);
                out->n_leads = o->n_leads;
        }
        if (o->has_overdue) {
                memcpy(out->overdue, o->overdue, sizeof out->overdue);
                out->n_overdue = o->n_overdue;
        }
        if (o->has_time)
                out->minute_of_day = o->minute_of_day;
        if (o->has_escalation) {
                out->escalate_to = o->escalate_to;
                out->escalate_after = o->escalate_after;
        }
}

void policy_resolve(const struct config *c, const struct task *t, const struct owner *o,
                    struct policy *out) {
        *out = c->defaults;
        out->has_leads = out->has_overdue = out->has_time = out->has_escalation = true;
        if (o)
                policy_overlay(out, &o->policy);
        if (t && t->policy)
                policy_overlay(out, t->policy);
}

bool task_reaches(const struct config *c, const struct task *t, const struct owner *o) {
        struct policy p;

        if (task_has_owner(t, o))
                return true;
        for (size_t i = 0; i < t->n_owners; i++) {
                policy_resolve(c, t, t->owners[i], &p);
                if (p.escalate_to == o)
                        return true;
        }
        return false;
}

/* ---- days ---------------------------------------------------------------- */

day_t schedule_lead_day(const struct workdays *w, day_t due, const struct offset *lead) {
        if (lead->unit == OFFSET_WORKDAYS && lead->amount > 0)
                return workdays_add(w, due, -lead->amount);
        return workdays_on_or_before(w, due - lead->amount);
}

/* Forward, not back: a notice moved earlier could land before the deadline. */
day_t schedule_overdue_day(const struct workdays *w, day_t due, const struct offset *after) {
        if (after->unit == OFFSET_WORKDAYS && after->amount > 0)
                return workdays_add(w, due, after->amount);
        return workdays_on_or_after(w, due + after->amount);
}

/* ---- local time → UTC, cached ---------------------------------------------- */

/* libical walks its zone rules on every conversion; a build asks for the same
 * few (day, minute) pairs again and again, so remember the latest answers in a
 * small direct-mapped table. */
#define ZONE_CACHE_SIZE 1024 /* a power of two */

struct zone_cache_entry {
        bool valid;
        day_t day;
        int minute;
        time_t at;
};

struct zone_cache {
        const char *tzid;
        struct zone_cache_entry entries[ZONE_CACHE_SIZE];
};

static int zone_cache_get(struct zone_cache *zc, day_t day, int minute, time_t *out) {
        uint32_t h = ((uint32_t) day * 2654435761u) ^ (uint32_t) minute;
        struct zone_cache_entry *e = &zc->entries[h & (ZONE_CACHE_SIZE - 1)];
        int r;

        if (!e->valid || e->day != day || e->minute != minute) {
                r = zone_local_to_utc(zc->tzid, day, minute, &e->at);
                if (r < 0)
                        return r;
                *e = (struct zone_cache_entry) { true, day, minute, e->at };
        }
        *out = e->at;
        return 0;
}

/* ---- building ------------------------------------------------------------ */

/* One reminder for one recipient, before recipients are merged. */
struct candidate {
        time_t at;
        day_t day;
        enum reminder_kind kind;
        struct offset offset;
        const struct owner *owner;
        size_t rank; /* position in the task's owners: the order of recipients */
};

/* A finished reminder and the position of its milestone in the ledgers. */
struct entry {
        struct reminder r;
        size_t seq;
};

/* The policy in force for one owner of a task: its owner's, or resolved
 * into own when the task has a policy of its own. */
struct task_policy {
        const struct policy *in_force;
        struct policy own;
};

struct build {
        const struct schedule_input *in;
        const struct workdays *w;
        struct zone_cache *zc;
        /* Each owner's policy, resolved once: most tasks have none of their
         * own, and a copy per task and owner was half of a plan's time. */
        struct policy *owner_policies;
        struct task_policy *policies; /* one per owner of the current task */
        size_t policies_allocated;
        struct candidate *cands; /* of the current milestone */
        size_t n_cands, cands_allocated;
        struct entry *entries;
        size_t n_entries, entries_allocated;
        time_t quiet_until; /* of the current milestone */
        day_t first_day, last_day; /* local days that can hold a reminder of [from, to) */
};

/* Makes room for need elements of size bytes in p; p itself when there is
 * room already, NULL (p untouched) when memory runs out. Allocates on the
 * first call even for need == 0, so that NULL always means failure. */
static void *grow(void *p, size_t *allocated, size_t need, size_t size) {
        size_t a = *allocated ? *allocated : 16;

        if (p && need <= *allocated)
                return p;
        while (a < need)
                a *= 2;
        p = reallocarray(p, a, size);
        if (p)
                *allocated = a;
        return p;
}

/* Adds a candidate for local day at the policy's time, if inside the window. */
static int build_add(struct build *b, const struct policy *p, day_t day,
                     enum reminder_kind kind, const struct offset *off,
                     const struct owner *o, size_t rank) {
        struct candidate *c;
        time_t at;
        int r = zone_cache_get(b->zc, day, p->minute_of_day, &at);

        if (r < 0)
                return r;
        if (at < b->in->from || at >= b->in->to || at < b->quiet_until)
                return 0;
        c = grow(b->cands, &b->cands_allocated, b->n_cands + 1, sizeof *c);
        if (!c)
                return -ENOMEM;
        b->cands = c;
        b->cands[b->n_cands++] = (struct candidate) {
                .at = at, .day = day, .kind = kind, .offset = *off, .owner = o, .rank = rank,
        };
        return 0;
}

/* The closer to the deadline, the smaller: the due-day reminder, then the
 * shortest lead, then an overdue notice (which only ties on the due day). */
static int kind_closeness(enum reminder_kind k) {
        return k == REMINDER_DUE_TODAY ? 0 : k == REMINDER_UPCOMING ? 1 : 2;
}

static int cand_cmp_collapse(const void *x, const void *y) {
        const struct candidate *a = x, *b = y;

        if (a->at != b->at)
                return a->at < b->at ? -1 : 1;
        if (kind_closeness(a->kind) != kind_closeness(b->kind))
                return kind_closeness(a->kind) - kind_closeness(b->kind);
        return offset_cmp(&a->offset, &b->offset);
}

/* One owner gets one reminder per instant: keeps the one nearest the deadline
 * among the candidates from start on. */
static void build_collapse(struct build *b, size_t start) {
        size_t n = start;

        if (b->n_cands - start < 2) /* also keeps a NULL array away from qsort() */
                return;
        qsort(b->cands + start, b->n_cands - start, sizeof *b->cands, cand_cmp_collapse);
        for (size_t i = start; i < b->n_cands; i++)
                if (n == start || b->cands[i].at != b->cands[n - 1].at)
                        b->cands[n++] = b->cands[i];
        b->n_cands = n;
}

/* The reminders of one owner (rank in the task) for milestone m. */
static int build_owner(struct build *b, const struct task *t, const struct milestone *m,
                       const struct policy *p, size_t rank) {
        const struct owner *o = t->owners[rank];
        size_t start = b->n_cands;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < p->n_leads; i++)
                r = build_add(b, p, schedule_lead_day(b->w, m->due, &p->leads[i]),
                              p->leads[i].amount == 0 ? REMINDER_DUE_TODAY : REMINDER_UPCOMING,
                              &p->leads[i], o, rank);
        for (size_t i = 0; r >= 0 && i < p->n_overdue; i++)
                r = build_add(b, p, schedule_overdue_day(b->w, m->due, &p->overdue[i]),
                              REMINDER_OVERDUE, &p->overdue[i], o, rank);
        if (r < 0)
                return r;
        build_collapse(b, start);
        if (!p->escalate_to)
                return 0;
        return build_add(b, p, schedule_overdue_day(b->w, m->due, &p->escalate_after),
                         REMINDER_ESCALATION, &p->escalate_after, p->escalate_to, rank);
}

static int cand_cmp_merge(const void *x, const void *y) {
        const struct candidate *a = x, *b = y;
        int k;

        if (a->at != b->at)
                return a->at < b->at ? -1 : 1;
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        k = offset_cmp(&a->offset, &b->offset);
        if (k != 0)
                return k;
        return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static bool cand_same(const struct candidate *a, const struct candidate *b) {
        return a->at == b->at && a->kind == b->kind && offset_cmp(&a->offset, &b->offset) == 0;
}

/* Turns cands[i..j) (one instant, kind and offset) into one reminder whose
 * owners follow the task's order without repeats. */
static int build_emit(struct build *b, const struct milestone *m, size_t seq, size_t i,
                      size_t j) {
        const struct owner **owners = calloc(j - i, sizeof *owners);
        struct entry *e;
        size_t n = 0;

        if (!owners)
                return -ENOMEM;
        for (size_t k = i; k < j; k++) {
                size_t x = 0;

                while (x < n && owners[x] != b->cands[k].owner)
                        x++;
                if (x == n)
                        owners[n++] = b->cands[k].owner;
        }
        e = grow(b->entries, &b->entries_allocated, b->n_entries + 1, sizeof *e);
        if (!e) {
                free(owners);
                return -ENOMEM;
        }
        b->entries = e;
        e = &b->entries[b->n_entries++];
        *e = (struct entry) { .seq = seq, .r = {
                .at = b->cands[i].at, .day = b->cands[i].day, .kind = b->cands[i].kind,
                .offset = b->cands[i].offset, .milestone = m, .owners = owners, .n_owners = n,
        } };
        return 0;
}

static int build_milestone(struct build *b, const struct task *t, const struct milestone *m,
                           size_t seq) {
        size_t i = 0;
        int r = 0;

        b->n_cands = 0;
        for (size_t k = 0; r >= 0 && k < t->n_owners; k++)
                r = build_owner(b, t, m, b->policies[k].in_force, k);
        if (r < 0)
                return r;
        if (b->n_cands > 1)
                qsort(b->cands, b->n_cands, sizeof *b->cands, cand_cmp_merge);
        while (r >= 0 && i < b->n_cands) {
                size_t j = i + 1;

                while (j < b->n_cands && cand_same(&b->cands[i], &b->cands[j]))
                        j++;
                r = build_emit(b, m, seq, i, j);
                i = j;
        }
        return r;
}

/* How far from its due date an offset can land, in calendar days, at the
 * most: working days are at most 7 in 5, and the longest run of days off
 * (the Spring Festival's) shifts a day by less than 15 more. */
static long reach(const struct offset *o) {
        return 2L * o->amount + 15;
}

/* Whether no reminder of m under policies can fall in the window: then it
 * is not built at all. A plan of the next days, from a ledger of many
 * months, builds only the few milestones near them. */
static bool out_of_window(const struct build *b, const struct milestone *m, size_t n) {
        long before = 0, after = 0;

        for (size_t k = 0; k < n; k++) {
                const struct policy *p = b->policies[k].in_force;

                for (size_t i = 0; i < p->n_leads; i++)
                        before = reach(&p->leads[i]) > before ? reach(&p->leads[i]) : before;
                for (size_t i = 0; i < p->n_overdue; i++)
                        after = reach(&p->overdue[i]) > after ? reach(&p->overdue[i]) : after;
                if (p->escalate_to && reach(&p->escalate_after) > after)
                        after = reach(&p->escalate_after);
        }
        return m->due - before > b->last_day || m->due + after < b->first_day;
}

/* Policies are per (task, owner): an owner's own serves every task that has
 * none, a task's are resolved for it. */
static int task_policies(struct build *b, const struct task *t) {
        const struct config *c = b->in->config;
        struct task_policy *p = grow(b->policies, &b->policies_allocated, t->n_owners, sizeof *p);

        if (!p)
                return -ENOMEM;
        b->policies = p;
        for (size_t k = 0; k < t->n_owners; k++) {
                const struct owner *o = t->owners[k]; /* one of c->owners */

                if (t->policy || !o) {
                        policy_resolve(c, t, o, &p[k].own);
                        p[k].in_force = &p[k].own;
                } else
                        p[k].in_force = &b->owner_policies[o - c->owners];
        }
        return 0;
}

static int build_task(struct build *b, const struct task *t, size_t *seq) {
        int r = task_policies(b, t);

        if (r < 0)
                return r;
        for (size_t i = 0; i < t->n_milestones; i++, (*seq)++) {
                const struct milestone *m = &t->milestones[i];

                if (out_of_window(b, m, t->n_owners) ||
                    (b->in->is_done && b->in->is_done(m, b->in->userdata)))
                        continue;
                b->quiet_until = b->in->quiet_until ? b->in->quiet_until(m, b->in->userdata) : 0;
                r = build_milestone(b, t, m, *seq);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int entry_cmp(const void *x, const void *y) {
        const struct entry *a = x, *b = y;

        if (a->r.at != b->r.at)
                return a->r.at < b->r.at ? -1 : 1;
        if (a->seq != b->seq)
                return a->seq < b->seq ? -1 : 1;
        if (a->r.kind != b->r.kind)
                return a->r.kind < b->r.kind ? -1 : 1;
        return offset_cmp(&a->r.offset, &b->r.offset);
}

/* Sorts the entries and hands their reminders to out. */
static void build_finish(struct build *b, struct schedule *out) {
        struct reminder *rs;

        if (b->n_entries > 1)
                qsort(b->entries, b->n_entries, sizeof *b->entries, entry_cmp);
        /* Pack in place: reminder i never overlaps entry i + 1 or later, as a
         * reminder is smaller than an entry. */
        rs = (struct reminder *) (void *) b->entries;
        for (size_t i = 0; i < b->n_entries; i++)
                memmove(&rs[i], &b->entries[i].r, sizeof *rs);
        out->n_reminders = b->n_entries;
        if (b->n_entries == 0) {
                free(rs);
                rs = NULL;
        } else {
                /* Shrinking can fail; the larger block then serves as well. */
                struct reminder *shrunk = realloc(rs, b->n_entries * sizeof *rs);

                if (shrunk)
                        rs = shrunk;
        }
        out->reminders = rs;
        b->entries = NULL;
        b->n_entries = 0;
}

static void build_done(struct build *b) {
        for (size_t i = 0; i < b->n_entries; i++)
                free(b->entries[i].r.owners);
        free(b->entries);
        free(b->cands);
        free(b->policies);
        free(b->owner_policies);
        free(b->zc);
}

/* The day number of instant t, moved by shift, kept within day_t. */
static day_t day_near(time_t t, int shift) {
        long long d = (long long) (t / 86400) + shift;

        return d < INT32_MIN ? INT32_MIN : d > INT32_MAX ? INT32_MAX : (day_t) d;
}

int schedule_build(const struct schedule_input *in, struct schedule *out) {
        const struct config *c = in->config;
        struct build b = { .in = in, .w = c->calendar };
        size_t seq = 0;
        int r;

        *out = (struct schedule) { 0 };
        if (zone_check(c->timezone) < 0)
                return -ENOENT;
        b.zc = calloc(1, sizeof *b.zc);
        if (!b.zc)
                return -ENOMEM;
        b.zc->tzid = c->timezone;
        b.owner_policies = calloc(c->n_owners + 1, sizeof *b.owner_policies);
        if (!b.owner_policies) {
                build_done(&b);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_owners; i++)
                policy_resolve(c, NULL, &c->owners[i], &b.owner_policies[i]);
        /* A day either side: local days of UTC instants, whatever the zone. */
        b.first_day = day_near(in->from, -1);
        b.last_day = day_near(in->to, +1);
        r = 0;
        for (size_t l = 0; r >= 0 && l < c->n_ledgers; l++)
                for (size_t t = 0; r >= 0 && t < c->ledgers[l].n_tasks; t++)
                        r = build_task(&b, &c->ledgers[l].tasks[t], &seq);
        if (r >= 0)
                build_finish(&b, out);
        build_done(&b);
        return r;
}

void schedule_free(struct schedule *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_reminders; i++)
                free(s->reminders[i].owners);
        free(s->reminders);
        *s = (struct schedule) { 0 };
}

/* ---- alarms -------------------------------------------------------------- */

static int time_cmp(const void *x, const void *y) {
        time_t a = *(const time_t *) x, b = *(const time_t *) y;

        return a < b ? -1 : a > b;
}

int schedule_milestone_alarms(const struct config *c, const struct milestone *m,
                              const struct owner *owner, time_t *out, size_t max) {
        time_t at[POLICY_MAX_OFFSETS];
        struct policy p;
        size_t n = 0, u = 0;
        int r;

        if (zone_check(c->timezone) < 0)
                return -ENOENT;
        policy_resolve(c, m->task, owner, &p);
        for (size_t i = 0; i < p.n_leads && i < POLICY_MAX_OFFSETS; i++) {
                r = zone_local_to_utc(c->timezone,
                                      schedule_lead_day(c->calendar, m->due, &p.leads[i]),
                                      p.minute_of_day, &at[n++]);
                if (r < 0)
                        return r;
        }
        if (n > 1)
                qsort(at, n, sizeof *at, time_cmp);
        for (size_t i = 0; i < n && u < max; i++)
                if (u == 0 || at[i] != out[u - 1])
                        out[u++] = at[i];
        return (int) u;
}

static const char *const reminder_kind_names[] = {
        [REMINDER_UPCOMING] = "upcoming",
        [REMINDER_DUE_TODAY] = "due",
        [REMINDER_OVERDUE] = "overdue",
        [REMINDER_ESCALATION] = "escalation",
};
_Static_assert(NAMES_COUNT(reminder_kind_names) == REMINDER_ESCALATION + 1, "a name per kind");

NAMES_DEFINE_GET(reminder_kind_name, enum reminder_kind, reminder_kind_names, "unknown")
NAMES_DEFINE_FIND(reminder_kind_from_name, enum reminder_kind, reminder_kind_names)
