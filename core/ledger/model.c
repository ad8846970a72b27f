/* SPDX-License-Identifier: MIT */
#include "ledger/model.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/names.h"
#include "ledger/model-index.h"

/* The entry of base[0..n) (size bytes each) whose string at offset is key:
 * the lookups of a configuration built by hand, which has no index. */
static const void *scan(const void *base, size_t n, size_t size, size_t offset, const char *key) {
        for (size_t i = 0; i < n; i++) {
                const char *entry = (const char *) base + i * size;
                const char *k = *(const char *const *) (entry + offset);

                if (k && strcmp(k, key) == 0)
                        return entry;
        }
        return NULL;
}

#define SCAN(array, n, type, key) scan(array, n, sizeof(type), offsetof(type, id), key)

const struct owner *config_find_owner(const struct config *c, const char *id_or_name) {
        const struct owner *o;

        if (c->index)
                return index_find_owner(c, id_or_name);
        o = SCAN(c->owners, c->n_owners, struct owner, id_or_name);
        return o ? o : scan(c->owners, c->n_owners, sizeof *c->owners, offsetof(struct owner, name),
                            id_or_name);
}

const struct channel *config_find_channel(const struct config *c, const char *id) {
        return c->index ? index_find_channel(c, id)
                        : SCAN(c->channels, c->n_channels, struct channel, id);
}

const struct ledger *config_find_ledger(const struct config *c, const char *id) {
        return c->index ? index_find_ledger(c, id) : SCAN(c->ledgers, c->n_ledgers, struct ledger, id);
}

const struct task *ledger_find_task(const struct ledger *l, const char *id) {
        return l->index ? index_find_task(l, id) : SCAN(l->tasks, l->n_tasks, struct task, id);
}

const struct milestone *ledger_find_milestone(const struct ledger *l, const char *id) {
        if (l->index)
                return index_find_milestone(l, id);
        for (size_t i = 0; i < l->n_tasks; i++) {
                const struct milestone *m = SCAN(l->tasks[i].milestones, l->tasks[i].n_milestones,
                                                 struct milestone, id);

                if (m)
                        return m;
        }
        return NULL;
}

bool task_has_owner(const struct task *t, const struct owner *o) {
        for (size_t i = 0; i < t->n_owners; i++)
                if (t->owners[i] == o)
                        return true;
        return false;
}

static const char *const channel_format_names[] = {
        [CHANNEL_JSON] = "json",         [CHANNEL_SLACK] = "slack",
        [CHANNEL_WECOM] = "wecom",       [CHANNEL_DINGTALK] = "dingtalk",
        [CHANNEL_FEISHU] = "feishu",
};

NAMES_DEFINE_GET(channel_format_name, enum channel_format, channel_format_names, "invalid")
NAMES_DEFINE_FIND(channel_format_from_name, enum channel_format, channel_format_names)

int offset_parse(const char *s, struct offset *out) {
        char *end;
        long n;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        n = strtol(s, &end, 10);
        if (n < 0 || n > 366)
                return -EINVAL;
        if (strcmp(end, "d") == 0)
                out->unit = OFFSET_DAYS;
        else if (strcmp(end, "wd") == 0)
                out->unit = OFFSET_WORKDAYS;
        else
                return -EINVAL;
        out->amount = (int) n;
        return 0;
}

int offset_cmp(const struct offset *a, const struct offset *b) {
        if (a->amount != b->amount)
                return a->amount < b->amount ? -1 : 1;
        return a->unit < b->unit ? -1 : a->unit > b->unit;
}

void offset_format(const struct offset *o, char *buf, size_t size) {
        snprintf(buf, size, "%d%s", o->amount, o->unit == OFFSET_WORKDAYS ? "wd" : "d");
}

size_t config_count_milestones(const struct config *c) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t k = 0; k < c->ledgers[i].n_tasks; k++)
                        n += c->ledgers[i].tasks[k].n_milestones;
        return n;
}

static int find_in_ledger(const struct ledger *l, const char *id, const struct task **task,
                          const struct milestone **milestone) {
        const struct milestone *ms = ledger_find_milestone(l, id);
        const struct task *t = ms ? ms->task : ledger_find_task(l, id);

        if (!t || (!ms && t->n_milestones > 0))
                return -ENOENT; /* a dated task is named by its milestones */
        *task = t;
        *milestone = ms;
        return 0;
}

int config_find_named(const struct config *c, const char *name, const struct ledger **ledger,
                      const struct task **task, const struct milestone **milestone) {
        const char *slash = strchr(name, '/');
        int found = 0;

        if (slash) {
                char id[64];

                if ((size_t) (slash - name) >= sizeof id)
                        return -ENOENT;
                memcpy(id, name, (size_t) (slash - name));
                id[slash - name] = '\0';
                *ledger = config_find_ledger(c, id);
                return *ledger ? find_in_ledger(*ledger, slash + 1, task, milestone) : -ENOENT;
        }
        for (size_t i = 0; i < c->n_ledgers; i++) {
                const struct task *t;
                const struct milestone *ms;

                if (find_in_ledger(&c->ledgers[i], name, &t, &ms) < 0)
                        continue;
                if (found++)
                        return -EADDRINUSE;
                *ledger = &c->ledgers[i];
                *task = t;
                *milestone = ms;
        }
        return found ? 0 : -ENOENT;
}

bool task_is_private(const struct task *t) {
        for (size_t i = 0; i < t->n_owners; i++)
                if (!t->owners[i]->feed_token)
                        return false;
        return t->n_owners > 0;
}
