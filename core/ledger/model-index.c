/* SPDX-License-Identifier: MIT */
#include "ledger/model-index.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/prefault.h"

/* One table: the entries' addresses by the string at key_offset, open
 * addressing with linear probing, at most half full. Made in one pass, no
 * sorting: a 100,000-milestone ledger is indexed in a few milliseconds. */
struct table {
        const void **slots;
        size_t mask;       /* slots - 1, a power of two less one */
        size_t key_offset;
};

struct owner_index {
        struct table ids, names;
};

struct config_index {
        struct table channels, ledgers;
        struct owner_index owners;
};

struct ledger_index {
        struct table tasks, milestones;
};

static const char *key_of(const struct table *t, const void *entry) {
        const char *k = *(const char *const *) ((const char *) entry + t->key_offset);

        return k ? k : "";
}

/* FNV-1a: short ASCII ids, few collisions, no state. */
static size_t hash(const char *s) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(1099511628211);
        return (size_t) h;
}

static int table_new(struct table *t, size_t n, size_t key_offset) {
        size_t size = 8;

        while (size < 2 * n)
                size *= 2;
        *t = (struct table) { .slots = prefault_calloc(size, sizeof *t->slots), .mask = size - 1,
                              .key_offset = key_offset };
        return t->slots ? 0 : -ENOMEM;
}

/* The first entry added with a key wins, as a walk of the array finds it. */
static void table_add(struct table *t, const void *entry) {
        const char *key = key_of(t, entry);

        for (size_t i = hash(key) & t->mask;; i = (i + 1) & t->mask) {
                if (!t->slots[i]) {
                        t->slots[i] = entry;
                        return;
                }
                if (strcmp(key_of(t, t->slots[i]), key) == 0)
                        return;
        }
}

/* n entries of size bytes from base. */
static int table_make(struct table *t, const void *base, size_t n, size_t size, size_t offset) {
        int r = table_new(t, n, offset);

        for (size_t i = 0; r == 0 && i < n; i++)
                table_add(t, (const char *) base + i * size);
        return r;
}

static const void *table_find(const struct table *t, const char *key) {
        for (size_t i = hash(key) & t->mask; t->slots[i]; i = (i + 1) & t->mask)
                if (strcmp(key_of(t, t->slots[i]), key) == 0)
                        return t->slots[i];
        return NULL;
}

static int owner_tables_make(struct owner_index *x, const struct config *c) {
        int r = table_make(&x->ids, c->owners, c->n_owners, sizeof *c->owners,
                           offsetof(struct owner, id));

        return r < 0 ? r : table_make(&x->names, c->owners, c->n_owners, sizeof *c->owners,
                                      offsetof(struct owner, name));
}

static void owner_tables_free(struct owner_index *x) {
        free(x->ids.slots);
        free(x->names.slots);
}

int owner_index_build(const struct config *c, struct owner_index **out) {
        struct owner_index *x = calloc(1, sizeof *x);
        int r = x ? owner_tables_make(x, c) : -ENOMEM;

        if (r < 0) {
                owner_index_free(x);
                return r;
        }
        *out = x;
        return 0;
}

void owner_index_free(struct owner_index *x) {
        if (!x)
                return;
        owner_tables_free(x);
        free(x);
}

/* By id first, then by name, as config_find_owner() says. */
const struct owner *owner_index_find(const struct owner_index *x, const char *id_or_name) {
        const struct owner *o = table_find(&x->ids, id_or_name);

        return o ? o : table_find(&x->names, id_or_name);
}

static int ledger_index_build(struct ledger *l) {
        struct ledger_index *x = calloc(1, sizeof *x);
        size_t n = 0;
        int r;

        if (!x)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_tasks; i++)
                n += l->tasks[i].n_milestones;
        r = table_make(&x->tasks, l->tasks, l->n_tasks, sizeof *l->tasks,
                       offsetof(struct task, id));
        if (r == 0)
                r = table_new(&x->milestones, n, offsetof(struct milestone, id));
        for (size_t i = 0; r == 0 && i < l->n_tasks; i++)
                for (size_t j = 0; j < l->tasks[i].n_milestones; j++)
                        table_add(&x->milestones, &l->tasks[i].milestones[j]);
        l->index = x;
        return r;
}

static void ledger_index_free(struct ledger *l) {
        if (!l->index)
                return;
        free(l->index->tasks.slots);
        free(l->index->milestones.slots);
        free(l->index);
        l->index = NULL;
}

int config_index_build(struct config *c) {
        struct config_index *x = calloc(1, sizeof *x);
        int r = x ? 0 : -ENOMEM;

        if (r == 0)
                r = table_make(&x->channels, c->channels, c->n_channels, sizeof *c->channels,
                               offsetof(struct channel, id));
        if (r == 0)
                r = owner_tables_make(&x->owners, c);
        if (r == 0)
                r = table_make(&x->ledgers, c->ledgers, c->n_ledgers, sizeof *c->ledgers,
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
                free(x->channels.slots);
                owner_tables_free(&x->owners);
                free(x->ledgers.slots);
                free(x);
        }
        c->index = NULL;
}

const struct channel *index_find_channel(const struct config *c, const char *id) {
        return table_find(&c->index->channels, id);
}

const struct owner *index_find_owner(const struct config *c, const char *id_or_name) {
        return owner_index_find(&c->index->owners, id_or_name);
}

const struct ledger *index_find_ledger(const struct config *c, const char *id) {
        return table_find(&c->index->ledgers, id);
}

const struct milestone *index_find_milestone(const struct ledger *l, const char *id) {
        return table_find(&l->index->milestones, id);
}

const struct task *index_find_task(const struct ledger *l, const char *id) {
        return table_find(&l->index->tasks, id);
}
