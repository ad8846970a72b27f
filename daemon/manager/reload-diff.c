/* SPDX-License-Identifier: MIT */
/* Each milestone is found in the other configuration at the same place, or
 * else by id (model.h's lookups are indexed): one pass over each, however
 * large the ledgers. */
#include "manager/reload-diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct counts {
        size_t milestones, added, removed, moved;
};

/* The ledger of id in c; at index i in most reloads, which change a few
 * tasks of a few ledgers and keep the order of the rest. */
static const struct ledger *ledger_in(const struct config *c, size_t i, const char *id) {
        if (i < c->n_ledgers && strcmp(c->ledgers[i].id, id) == 0)
                return &c->ledgers[i];
        return config_find_ledger(c, id);
}

/* ms, milestone k of task j in its ledger, in other; looked up by id only
 * when the same place in other holds another milestone. */
static const struct milestone *milestone_in(const struct ledger *other, size_t j, size_t k,
                                            const struct milestone *ms) {
        if (j < other->n_tasks && k < other->tasks[j].n_milestones &&
            strcmp(other->tasks[j].milestones[k].id, ms->id) == 0)
                return &other->tasks[j].milestones[k];
        return ledger_find_milestone(other, ms->id);
}

static void log_change(const char *what, const struct ledger *l, const struct milestone *ms) {
        char due[DATE_ISO_LEN];

        date_format_iso(ms->due, due);
        log_info("milestone %s/%s %s (due %s)", l->id, ms->id, what, due);
}

static void log_move(const struct ledger *l, const struct milestone *from,
                     const struct milestone *to) {
        char before[DATE_ISO_LEN], after[DATE_ISO_LEN];

        date_format_iso(from->due, before);
        date_format_iso(to->due, after);
        log_info("milestone %s/%s moved: %s -> %s", l->id, to->id, before, after);
}

/* The milestones of from that to lacks (removed, or added when fresh), and
 * with fresh those whose due date moved. */
static void walk(const struct config *from, const struct config *to, bool fresh,
                 struct counts *n) {
        for (size_t i = 0; i < from->n_ledgers; i++) {
                const struct ledger *l = &from->ledgers[i], *other = ledger_in(to, i, l->id);

                for (size_t j = 0; j < l->n_tasks; j++)
                        for (size_t k = 0; k < l->tasks[j].n_milestones; k++) {
                                const struct milestone *ms = &l->tasks[j].milestones[k];
                                const struct milestone *mate =
                                        other ? milestone_in(other, j, k, ms) : NULL;

                                n->milestones += fresh;
                                if (!mate) {
                                        log_change(fresh ? "added" : "removed", l, ms);
                                        *(fresh ? &n->added : &n->removed) += 1;
                                } else if (fresh && mate->due != ms->due) {
                                        log_move(l, mate, ms);
                                        n->moved++;
                                }
                        }
        }
}

char *reload_diff(const struct config *old, const struct config *fresh) {
        struct counts n = { 0 };
        char *summary = NULL;

        walk(old, fresh, false, &n);
        walk(fresh, old, true, &n);
        if (asprintf(&summary, "%zu milestones: %zu added, %zu removed, %zu moved", n.milestones,
                     n.added, n.removed, n.moved) < 0)
                summary = NULL;
        return summary;
}
