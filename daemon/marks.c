/* SPDX-License-Identifier: MIT */
#include "marks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "manager.h"
#include "basic/mkdirs.h"
#include "store/state.h"

static void marks_clear(struct marks *mk) {
        for (size_t i = 0; i < mk->n_items; i++) {
                free(mk->items[i].ledger);
                free(mk->items[i].name);
                free(mk->items[i].user);
                free(mk->items[i].note);
        }
        free(mk->items);
        *mk = (struct marks) {};
}

static int copy_mark(const struct state_mark *s, void *userdata) {
        struct marks *mk = userdata;
        struct mark *items = realloc(mk->items, (mk->n_items + 1) * sizeof *items), *x;

        if (!items)
                return -ENOMEM;
        mk->items = items;
        x = &items[mk->n_items];
        *x = (struct mark) {
                .ledger = strdup(s->ledger), .name = strdup(s->milestone),
                .done = s->status == STATE_DONE, .when = s->when, .uid = s->uid,
                .user = strdup(s->user ? s->user : ""), .note = strdup(s->note ? s->note : ""),
                .snoozed_until = s->snoozed_until,
        };
        mk->n_items++;
        return x->ledger && x->name && x->user && x->note ? 0 : -ENOMEM;
}

static int count_orphan(const struct state_mark *s, void *userdata) {
        (void) userdata;
        log_warning("mark of %s/%s is orphaned: no such milestone in the ledger (kept)", s->ledger,
                    s->milestone);
        return 0;
}

/* The listing copy, after every change: state_list_marks is ordered by
 * ledger and milestone, so marks_get can search it. */
static int marks_load(struct manager *m) {
        int r;

        marks_clear(m->marks);
        r = state_list_marks(m->state, copy_mark, m->marks);
        if (r < 0)
                return log_error_errno(r, "cannot read the marks: %s", state_last_error(m->state));
        r = state_find_orphans(m->state, m->config, count_orphan, NULL);
        m->marks->n_orphans = r > 0 ? (unsigned) r : 0;
        return 0;
}

int marks_open(struct manager *m) {
        char *path = NULL, *error = NULL;
        int r;

        r = mkdirs(m->state_directory, 0750);
        if (r < 0)
                return log_error_errno(r, "cannot create the state directory %s: %s",
                                       m->state_directory, strerror(-r));
        if (asprintf(&path, "%s/state.db", m->state_directory) < 0)
                return -ENOMEM;
        r = state_open(path, &m->state, &error);
        if (r < 0)
                log_error_errno(r, "%s", error ? error : path);
        free(error);
        free(path);
        if (r < 0)
                return r;
        m->marks = calloc(1, sizeof *m->marks);
        return m->marks ? marks_load(m) : -ENOMEM;
}

void marks_close(struct manager *m) {
        if (m->marks)
                marks_clear(m->marks);
        free(m->marks);
        m->marks = NULL;
        state_close(m->state);
        m->state = NULL;
}

int marks_reconcile(struct manager *m) {
        return m->state ? marks_load(m) : 0;
}

bool marks_is_done(const struct manager *m, const struct milestone *ms) {
        return m->state && state_is_done(m->state, ms->task->ledger->id, ms->id);
}

time_t marks_snoozed_until(const struct manager *m, const struct milestone *ms) {
        return m->state ? state_snoozed_until(m->state, ms->task->ledger->id, ms->id) : 0;
}

bool marks_schedule_done(const struct milestone *ms, void *manager) {
        return marks_is_done(manager, ms);
}

time_t marks_schedule_quiet(const struct milestone *ms, void *manager) {
        return marks_snoozed_until(manager, ms);
}

static int mark_cmp(const void *key, const void *item) {
        const struct mark *a = key, *b = item;
        int c = strcmp(a->ledger, b->ledger);

        return c ? c : strcmp(a->name, b->name);
}

const struct mark *marks_get(const struct manager *m, const char *ledger, const char *name) {
        struct mark key = { .ledger = (char *) ledger, .name = (char *) name };

        if (!m->marks || m->marks->n_items == 0)
                return NULL;
        return bsearch(&key, m->marks->items, m->marks->n_items, sizeof key, mark_cmp);
}

int marks_record(struct manager *m, enum mark_action action, const char *ledger, const char *name,
                 uid_t uid, const char *user, const char *note, time_t until) {
        time_t now = manager_now(m);
        int r = action == MARK_DONE     ? state_mark_done(m->state, ledger, name, uid, user, now, note)
                : action == MARK_REOPEN ? state_reopen(m->state, ledger, name, uid, user, now, note)
                                        : state_snooze(m->state, ledger, name, until, uid, user, now, note);

        if (r < 0) {
                if (r != -EALREADY)
                        log_error_errno(r, "cannot record %s/%s: %s", ledger, name,
                                        state_last_error(m->state));
                return r;
        }
        log_info("%s/%s %s by %s (uid %u)%s%s", ledger, name,
                 action == MARK_DONE ? "marked done" : action == MARK_REOPEN ? "reopened" : "snoozed",
                 user, (unsigned) uid, note[0] ? ": " : "", note);
        return marks_load(m);
}

struct history_call {
        marks_history_fn fn;
        void *userdata;
};

static int history_one(const struct state_event *e, void *userdata) {
        struct history_call *h = userdata;

        h->fn(e->when, state_action_name(e->action), e->user, e->note, h->userdata);
        return 0;
}

int marks_history(struct manager *m, const char *ledger, const char *name, marks_history_fn fn,
                  void *userdata) {
        struct history_call h = { fn, userdata };

        return state_list_history(m->state, ledger, name, history_one, &h);
}

unsigned marks_orphans(const struct manager *m) {
        return m->marks ? m->marks->n_orphans : 0;
}
