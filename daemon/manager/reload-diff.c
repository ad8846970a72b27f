/* SPDX-License-Identifier: MIT */
#include "manager/reload-diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct entry {
        const char *ledger, *id;
        day_t due;
};

static int entry_cmp(const void *a, const void *b) {
        const struct entry *x = a, *y = b;
        int c = strcmp(x->ledger, y->ledger);

        return c ? c : strcmp(x->id, y->id);
}

/* Every milestone of c, sorted by ledger and id, so two can be merged. */
static struct entry *entries(const struct config *c, size_t *n) {
        struct entry *e = calloc(config_count_milestones(c) + 1, sizeof *e);

        if (!e)
                return NULL;
        *n = 0;
        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < c->ledgers[i].n_tasks; j++)
                        for (size_t k = 0; k < c->ledgers[i].tasks[j].n_milestones; k++) {
                                const struct milestone *ms = &c->ledgers[i].tasks[j].milestones[k];

                                e[(*n)++] = (struct entry) { c->ledgers[i].id, ms->id, ms->due };
                        }
        qsort(e, *n, sizeof *e, entry_cmp);
        return e;
}

static void log_change(const char *what, const struct entry *e) {
        char due[DATE_ISO_LEN];

        date_format_iso(e->due, due);
        log_info("milestone %s/%s %s (due %s)", e->ledger, e->id, what, due);
}

static void log_move(const struct entry *from, const struct entry *to) {
        char before[DATE_ISO_LEN], after[DATE_ISO_LEN];

        date_format_iso(from->due, before);
        date_format_iso(to->due, after);
        log_info("milestone %s/%s moved: %s -> %s", to->ledger, to->id, before, after);
}

char *reload_diff(const struct config *old, const struct config *fresh) {
        size_t n_old = 0, n_new = 0, i = 0, j = 0, added = 0, removed = 0, moved = 0;
        struct entry *a = entries(old, &n_old), *b = entries(fresh, &n_new);
        char *summary = NULL;

        while (a && b && (i < n_old || j < n_new)) {
                int c = i == n_old ? 1 : j == n_new ? -1 : entry_cmp(&a[i], &b[j]);

                if (c < 0) {
                        log_change("removed", &a[i++]);
                        removed++;
                } else if (c > 0) {
                        log_change("added", &b[j++]);
                        added++;
                } else {
                        if (a[i].due != b[j].due) {
                                log_move(&a[i], &b[j]);
                                moved++;
                        }
                        i++, j++;
                }
        }
        if (a && b && asprintf(&summary, "%zu milestones: %zu added, %zu removed, %zu moved", n_new,
                               added, removed, moved) < 0)
                summary = NULL;
        free(a);
        free(b);
        return summary;
}
