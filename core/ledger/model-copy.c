/* SPDX-License-Identifier: MIT */
/* A ledger copied into another configuration read from the same files: a
 * reload takes the ledgers whose files did not change this way, for a
 * fraction of what reading them costs. Pointers into the configuration
 * (owners, the source file) are pointed at the new one's; everything else
 * is copied. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "ledger/model.h"

struct ledger_copy {
        struct arena *a;
        const struct owner *from_owners, *to_owners;
        const char *file;
};

/* The same owner among the new configuration's. */
static const struct owner *same_owner(const struct ledger_copy *x, const struct owner *o) {
        return o ? &x->to_owners[o - x->from_owners] : NULL;
}

static int copy_string(const struct ledger_copy *x, const char *s, char **out) {
        *out = s ? arena_strdup(x->a, s) : NULL;
        return !s || *out ? 0 : -ENOMEM;
}

static int copy_milestones(const struct ledger_copy *x, const struct task *from, struct task *to) {
        to->milestones = arena_alloc(x->a, (from->n_milestones + 1) * sizeof *to->milestones);
        if (!to->milestones)
                return -ENOMEM;
        for (size_t i = 0; i < from->n_milestones; i++) {
                const struct milestone *m = &from->milestones[i];
                struct milestone *c = &to->milestones[i];

                *c = *m;
                c->task = to;
                if (copy_string(x, m->id, &c->id) < 0 || copy_string(x, m->label, &c->label) < 0 ||
                    copy_string(x, m->note, &c->note) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int copy_owners(const struct ledger_copy *x, const struct task *from, struct task *to) {
        to->owners = arena_alloc(x->a, (from->n_owners + 1) * sizeof *to->owners);
        if (!to->owners)
                return -ENOMEM;
        for (size_t i = 0; i < from->n_owners; i++)
                to->owners[i] = same_owner(x, from->owners[i]);
        return 0;
}

static int copy_policy(const struct ledger_copy *x, const struct task *from, struct task *to) {
        if (!from->policy)
                return 0;
        to->policy = malloc(sizeof *to->policy);
        if (!to->policy)
                return -ENOMEM;
        *to->policy = *from->policy;
        to->policy->escalate_to = same_owner(x, from->policy->escalate_to);
        return 0;
}

/* to starts as a copy of from, and each pointer is then pointed at a copy of
 * its own: the policy, the one freed on its own, is cleared first, so that
 * a task left half copied frees nothing of from's. */
static int copy_task(const struct ledger_copy *x, const struct task *from, struct task *to,
                     const struct ledger *ledger) {
        *to = *from;
        to->policy = NULL; /* not yet its own */
        to->ledger = ledger;
        to->source.file = x->file;
        if (copy_string(x, from->id, &to->id) < 0 ||
            copy_string(x, from->category, &to->category) < 0 ||
            copy_string(x, from->item, &to->item) < 0 ||
            copy_string(x, from->detail, &to->detail) < 0 ||
            copy_string(x, from->deadline, &to->deadline) < 0 ||
            copy_string(x, from->when_reason, &to->when_reason) < 0)
                return -ENOMEM;
        if (copy_owners(x, from, to) < 0 || copy_milestones(x, from, to) < 0)
                return -ENOMEM;
        return copy_policy(x, from, to);
}

static int copy_head(const struct ledger *from, struct ledger *to) {
        to->id = strdup(from->id);
        to->title = strdup(from->title);
        to->reply_to = from->reply_to ? strdup(from->reply_to) : NULL;
        if (!to->id || !to->title || (from->reply_to && !to->reply_to))
                return -ENOMEM;
        diag_append(&to->said, &from->said);
        return to->said.n_items == from->said.n_items ? 0 : -ENOMEM;
}

int ledger_copy(const struct ledger *from, const struct owner *from_owners,
                const struct owner *to_owners, const char *file, struct ledger *to) {
        struct ledger_copy x = { .from_owners = from_owners, .to_owners = to_owners, .file = file };

        *to = (struct ledger) {
                .year = from->year, .n_tasks = from->n_tasks, .self_contained = from->self_contained,
                .source = { .file = file, .line = from->source.line },
        };
        to->strings = x.a = arena_new();
        to->tasks = calloc(from->n_tasks + 1, sizeof *to->tasks);
        if (!to->strings || !to->tasks || copy_head(from, to) < 0)
                return -ENOMEM;
        /* A task not reached, or failed, holds no policy of its own: NULL. */
        for (size_t i = 0; i < from->n_tasks; i++)
                if (copy_task(&x, &from->tasks[i], &to->tasks[i], to) < 0)
                        return -ENOMEM;
        return 0;
}
