/* SPDX-License-Identifier: MIT */
#include "marks/marks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/greedy.h"
#include "basic/sha256.h"
#include "common/clock.h"
#include "ics/ics.h"
#include "ledger/model.h"
#include "common/log.h"

struct marks {
        struct state *state;
        const struct service_clock *clock;
        unsigned n_orphans;
};

int marks_new(struct state *state, const struct service_clock *clock, struct marks **out) {
        struct marks *mk = calloc(1, sizeof *mk);

        if (!mk)
                return -ENOMEM;
        *mk = (struct marks) { .state = state, .clock = clock };
        *out = mk;
        return 0;
}

void marks_free(struct marks *mk) {
        free(mk);
}

bool marks_is_done(const struct marks *mk, const struct milestone *ms) {
        return state_is_done(mk->state, ms->task->ledger->id, ms->id);
}

time_t marks_snoozed_until(const struct marks *mk, const struct milestone *ms) {
        return state_snoozed_until(mk->state, ms->task->ledger->id, ms->id);
}

bool marks_schedule_done(const struct milestone *ms, void *marks) {
        return marks_is_done(marks, ms);
}

time_t marks_schedule_quiet(const struct milestone *ms, void *marks) {
        return marks_snoozed_until(marks, ms);
}

bool marks_get(const struct marks *mk, const char *ledger, const char *name, struct state_mark *out) {
        return state_get_mark(mk->state, ledger, name, out);
}

const char *mark_action_past(enum state_action action) {
        static const char *const words[] = {
                [STATE_DONE] = "marked done", [STATE_REOPENED] = "reopened", [STATE_SNOOZED] = "snoozed",
        };

        return words[action];
}

int marks_record(struct marks *mk, enum state_action action, const char *ledger, const char *name,
                 const struct state_author *who, const char *note, time_t until) {
        const struct state_event e = {
                .ledger = ledger, .milestone = name, .action = action, .by = *who,
                .when = clock_now(mk->clock), .until = until, .note = note,
        };
        int r = state_record(mk->state, &e);

        if (r == -EALREADY)
                return r;
        if (r < 0)
                return log_error_errno(r, "cannot record %s/%s as %s: %s", ledger, name,
                                       mark_action_past(action), state_last_error(mk->state));
        if (who->via && strcmp(who->via, "link") == 0)
                log_info("%s/%s %s by %s via a reminder's link from %s%s%s", ledger, name,
                         mark_action_past(action), who->user, who->address ? who->address : "?",
                         note[0] ? ": " : "", note);
        else
                log_info("%s/%s %s by %s (uid %u)%s%s", ledger, name, mark_action_past(action),
                         who->user, (unsigned) who->uid, note[0] ? ": " : "", note);
        return 0;
}

struct history_call {
        marks_history_fn fn;
        void *userdata;
};

static int history_one(const struct state_event *e, void *userdata) {
        struct history_call *h = userdata;

        h->fn(e, h->userdata);
        return 0;
}

int marks_history(struct marks *mk, const char *ledger, const char *name, marks_history_fn fn,
                  void *userdata) {
        struct history_call h = { fn, userdata };

        return state_list_history(mk->state, ledger, name, history_one, &h);
}

static int log_orphan(const struct state_mark *s, void *userdata) {
        (void) userdata;
        log_warning("mark of %s/%s is orphaned: no such milestone in the ledger (kept)", s->ledger,
                    s->milestone);
        return 0;
}

int marks_reconcile(struct marks *mk, const struct config *c) {
        int r = state_find_orphans(mk->state, c, log_orphan, NULL);

        if (r < 0)
                return log_error_errno(r, "cannot read the marks: %s", state_last_error(mk->state));
        mk->n_orphans = (unsigned) r;
        return 0;
}

unsigned marks_orphans(const struct marks *mk) {
        return mk->n_orphans;
}

/* ---- frozen ------------------------------------------------------------------------ */

struct marks_frozen {
        struct arena *strings;
        struct state_mark *items; /* by ledger, then milestone, bytewise */
        size_t n, allocated;
};

static int frozen_cmp(const void *key, const void *item) {
        const struct state_mark *a = key, *b = item;
        int c = strcmp(a->ledger, b->ledger);

        return c ? c : strcmp(a->milestone, b->milestone);
}

static int freeze_one(const struct state_mark *m, void *userdata) {
        struct marks_frozen *f = userdata;
        struct state_mark *x;

        if (GREEDY_REALLOC(f->items, f->allocated, f->n + 1) < 0)
                return -ENOMEM;
        x = &f->items[f->n];
        *x = *m;
        x->ledger = arena_strdup(f->strings, m->ledger);
        x->milestone = arena_strdup(f->strings, m->milestone);
        x->by.user = arena_strdup(f->strings, m->by.user);
        x->note = arena_strdup(f->strings, m->note);
        x->by.via = arena_strdup(f->strings, m->by.via);
        x->by.address = arena_strdup(f->strings, m->by.address);
        if (!x->ledger || !x->milestone || !x->by.user || !x->note || !x->by.via || !x->by.address)
                return -ENOMEM;
        f->n++;
        return 0;
}

int marks_freeze(struct marks *mk, struct marks_frozen **out) {
        struct marks_frozen *f = calloc(1, sizeof *f);
        int r = f && (f->strings = arena_new()) ? 0 : -ENOMEM;

        if (r >= 0)
                r = state_list_marks(mk->state, freeze_one, f);
        if (r < 0) {
                marks_frozen_free(f);
                return log_error_errno(r, "cannot read the marks: %s", state_last_error(mk->state));
        }
        /* Sorted here, in the order the search uses, whatever the table's collation. */
        if (f->n > 1)
                qsort(f->items, f->n, sizeof *f->items, frozen_cmp);
        *out = f;
        return 0;
}

bool marks_frozen_get(const struct marks_frozen *f, const char *ledger, const char *name,
                      struct state_mark *out) {
        const struct state_mark key = { .ledger = ledger, .milestone = name }, *found;

        found = f && f->n ? bsearch(&key, f->items, f->n, sizeof *f->items, frozen_cmp) : NULL;
        if (found)
                *out = *found;
        return found != NULL;
}

bool marks_ics_state(const struct milestone *m, struct ics_state *out, void *frozen) {
        struct state_mark mark;

        if (!marks_frozen_get(frozen, m->task->ledger->id, m->id, &mark))
                return false;
        *out = (struct ics_state) {
                .done_at = mark.status == STATE_DONE ? mark.when : 0,
                .done_by = mark.by.user,
                .done_by_link = strcmp(mark.by.via, "link") == 0,
                .snoozed_until = mark.snoozed_until,
        };
        return true;
}

static void digest_string(struct sha256 *h, const char *s) {
        sha256_update(h, s, strlen(s) + 1); /* with its NUL: "ab","c" is not "a","bc" */
}

static void digest_mark(struct sha256 *h, const struct state_mark *m) {
        const int64_t numbers[] = { m->status, m->by.uid, m->when, m->snoozed_until, m->event };

        digest_string(h, m->ledger);
        digest_string(h, m->milestone);
        digest_string(h, m->by.user);
        digest_string(h, m->note);
        digest_string(h, m->by.via);
        digest_string(h, m->by.address);
        sha256_update(h, numbers, sizeof numbers);
}

int marks_frozen_digest(const struct marks_frozen *f, uint8_t digest[SHA256_DIGEST_SIZE]) {
        struct sha256 h;
        int r = sha256_init(&h);

        for (size_t i = 0; r >= 0 && f && i < f->n; i++)
                digest_mark(&h, &f->items[i]);
        return r < 0 ? r : sha256_final(&h, digest);
}

void marks_frozen_free(struct marks_frozen *f) {
        if (!f)
                return;
        arena_free(f->strings);
        free(f->items);
        free(f);
}
