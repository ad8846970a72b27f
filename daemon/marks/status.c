/* SPDX-License-Identifier: MIT */
#include "marks/status.h"

#include <string.h>

#include "ledger/model.h"
#include "marks/marks.h"

enum milestone_status milestone_status(const struct marks *mk, const struct milestone *ms,
                                       day_t today) {
        if (marks_is_done(mk, ms))
                return STATUS_DONE;
        if (ms->due < today)
                return STATUS_OVERDUE;
        if (ms->due <= today + BUS_DUE_SOON_DAYS)
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

/* A task without milestones: not understood, standing work, or undated. */
static enum bus_counts undated_field(enum when_kind kind) {
        return kind == WHEN_UNKNOWN   ? BUS_COUNTS_UNKNOWN
               : kind == WHEN_ONGOING ? BUS_COUNTS_ONGOING
                                      : BUS_COUNTS_UNDATED;
}

void status_count(const struct config *c, const struct marks *mk, day_t today,
                  unsigned counts[BUS_COUNTS_MAX]) {
        static const enum bus_counts field[] = {
                [STATUS_DONE] = BUS_COUNTS_DONE, [STATUS_OVERDUE] = BUS_COUNTS_OVERDUE,
                [STATUS_DUE_SOON] = BUS_COUNTS_DUE_SOON, [STATUS_UPCOMING] = BUS_COUNTS_UPCOMING,
        };

        memset(counts, 0, BUS_COUNTS_MAX * sizeof *counts);
        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++) {
                        const struct task *t = &c->ledgers[i].tasks[j];

                        if (t->n_milestones == 0)
                                counts[undated_field(t->when)]++;
                        for (size_t k = 0; k < t->n_milestones; k++) {
                                counts[BUS_COUNTS_MILESTONES]++;
                                counts[field[milestone_status(mk, &t->milestones[k], today)]]++;
                        }
                }
}
