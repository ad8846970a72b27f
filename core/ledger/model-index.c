/* SPDX-License-Identifier: MIT */
#include "ledger/model-index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One sorted array: the entries' addresses, by the string at key_offset. */
struct sorted {
        const void **v;
        size_t n;
        size_t key_offset;
};

struct config_index {
        struct sorted channels, owner_ids, owner_names, ledgers;
};

struct ledger_index {
        struct sorted tasks, milestones;
};

static const char *key_of(const struct sorted *s, const void *entry) {
        return *(const char *const *) ((const char *) entry + s->key_offset);
}

/* For qsort_r: entries by the string at the offset *arg. */
static int by_key(const void *a, const void *b, void *arg) {
        size_t offset = *(const size_t *) arg;
        const char *x = *(const char *const *) ((const char *) *(const void *const *) a + offset);
        const char *y = *(const char *const *) ((const char *) *(const void *const *) b + offset);

        return strcmp(x ? x : "", y ? y : "");
}

static void sorted_sort(struct sorted *s) {
        qsort_r(s->v, s->n, sizeof *s->v, by_key, &s->key_offset);
}

/* n entries of size bytes from base, sorted by the string at offset. */
static int sorted_make(struct sorted *s, const void *base, size_t n, size_t size, size_t offset) {
        *s = (struct sorted) { .v = calloc(n ? n : 1, sizeof *s->v), .n = n, .key_offset = offset };
        if (!s->v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                s->v[i] = (const char *) base + i * size;
        sorted_sort(s);
        return 0;
}

static const void *sorted_find(const struct sorted *s, const char *key) {
        size_t lo = 0, hi = s->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const char *k = key_of(s, s->v[mid]);
                int c = strcmp(key, k ? k : "");

                if (c == 0) /* ids are unique: conf_load refuses repeats */
                        return s->v[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

static int ledger_index_build(struct ledger *l) {
        struct ledger_index *x = calloc(1, sizeof *x);
        size_t n = 0, k = 0;
        int r;

        if (!x)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_tasks; i++)
                n += l->tasks[i].n_milestones;
        r = sorted_make(&x->tasks, l->tasks, l->n_tasks, sizeof *l->tasks,
                        offsetof(struct task, id));
        x->milestones = (struct sorted) { .v = calloc(n ? n : 1, sizeof *x->milestones.v), .n = n,
                                          .key_offset = offsetof(struct milestone, id) };
        if (r < 0 || !x->milestones.v) {
                free(x->tasks.v), free(x->milestones.v), free(x);
                return -ENOMEM;
        }
        for (size_t i = 0; i < l->n_tasks; i++)
                for (size_t j = 0; j < l->tasks[i].n_milestones; j++)
                        x->milestones.v[k++] = &l->tasks[i].milestones[j];
        sorted_sort(&x->milestones);
        l->index = x;
        return 0;
}

static void ledger_index_free(struct ledger *l) {
        if (!l->index)
                return;
        free(l->index->tasks.v);
        free(l->index->milestones.v);
        free(l->index);
        l->index = NULL;
}

int config_index_build(struct config *c) {
        struct config_index *x = calloc(1, sizeof *x);
        int r = x ? 0 : -ENOMEM;

        if (r == 0)
                r = sorted_make(&x->channels, c->channels, c->n_channels, sizeof *c->channels,
                                offsetof(struct channel, id));
        if (r == 0)
                r = sorted_make(&x->owner_ids, c->owners, c->n_owners, sizeof *c->owners,
                                offsetof(struct owner, id));
        if (r == 0)
                r = sorted_make(&x->owner_names, c->owners, c->n_owners, sizeof *c->owners,
                                offsetof(struct owner, name));
        if (r == 0)
                r = sorted_make(&x->ledgers, c->ledgers, c->n_ledgers, sizeof *c->ledgers,
                                offsetof(struct ledger, id));
        c->index = x;
        for (size_t i = 0; r == 0 && i < c->n_ledgers; i++)
                r = ledger_index_build(&c->ledgers[i]);
        if (r < 0)
                config_index_free(c);
        return r;
}

void config_index_free(struct config *c) {
        struct config_index *x = c->index;

        for (size_t i = 0; i < c->n_ledgers; i++)
                ledger_index_free(&c->ledgers[i]);
        if (x) {
                free(x->channels.v);
                free(x->owner_ids.v);
                free(x->owner_names.v);
                free(x->ledgers.v);
                free(x);
        }
        c->index = NULL;
}

const struct channel *index_find_channel(const struct config *c, const char *id, bool *indexed) {
        *indexed = c->index != NULL;
        return *indexed ? sorted_find(&c->index->channels, id) : NULL;
}

/* By id first, then by name: as the walk of config_find_owner() finds it
 * when an id is another owner's name (conf_load refuses that). */
const struct owner *index_find_owner(const struct config *c, const char *id_or_name, bool *indexed) {
        const struct owner *o;

        *indexed = c->index != NULL;
        if (!*indexed)
                return NULL;
        o = sorted_find(&c->index->owner_ids, id_or_name);
        return o ? o : sorted_find(&c->index->owner_names, id_or_name);
}

const struct ledger *index_find_ledger(const struct config *c, const char *id, bool *indexed) {
        *indexed = c->index != NULL;
        return *indexed ? sorted_find(&c->index->ledgers, id) : NULL;
}

const struct milestone *index_find_milestone(const struct ledger *l, const char *id, bool *indexed) {
        *indexed = l->index != NULL;
        return *indexed ? sorted_find(&l->index->milestones, id) : NULL;
}

const struct task *index_find_task(const struct ledger *l, const char *id, bool *indexed) {
        *indexed = l->index != NULL;
        return *indexed ? sorted_find(&l->index->tasks, id) : NULL;
}
