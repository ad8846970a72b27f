/* SPDX-License-Identifier: MIT */
/* Each milestone is looked up by id in the other configuration (model.h's
 * lookups are indexed): one pass over each, however large the ledgers. */
#include "manager/reload-diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"

struct counts {
        size_t milestones, added, removed, moved;
};

static const struct milestone *find_in(const struct config *c, const struct ledger *l,
                                       const struct milestone *ms) {
        const struct ledger *other = config_find_ledger(c, l->id);

        return other ? ledger_find_milestone(other, ms->id) : NULL;
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
                const struct ledger *l = &from->ledgers[i];

                for (size_t j = 0; j < l->n_tasks; j++)
                        for (size_t k = 0; k < l->tasks[j].n_milestones; k++) {
                                const struct milestone *ms = &l->tasks[j].milestones[k];
                                const struct milestone *other = find_in(to, l, ms);

                                n->milestones += fresh;
                                if (!other) {
                                        log_change(fresh ? "added" : "removed", l, ms);
                                        *(fresh ? &n->added : &n->removed) += 1;
                                } else if (fresh && other->due != ms->due) {
                                        log_move(l, other, ms);
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
