/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "conf-internal.h"

static const char *const ledger_keys[] = { "id", "title", "year", "tasks", NULL };
static const char *const task_keys[] = {
        "id", "category", "item", "detail", "owners", "deadline",
        "dates", "override", "reminders", NULL,
};
static const char *const date_keys[] = { "date", "label", NULL };

/* Moves a malloc'd string into the ledger's arena. */
static int to_arena(struct arena *a, char **s) {
        char *copy = arena_strdup(a, *s);

        free(*s);
        *s = copy;
        return copy ? 0 : -ENOMEM;
}

/* An optional text member, in the arena; absent reads as "". */
static int read_text(struct confread *r, struct arena *a, const config_setting_t *g,
                     const char *key, char **out) {
        int k = confread_string(r, g, key, false, out);

        if (k == 0)
                return (*out = arena_strdup(a, "")) ? 0 : -ENOMEM;
        return k < 0 ? k : to_arena(a, out);
}

static int read_owners(struct confread *r, struct arena *a, const config_setting_t *g,
                       struct task *t) {
        const config_setting_t *s = config_setting_get_member(g, "owners");
        char **names = NULL;
        size_t n = 0;
        int k = confread_strings(r, g, "owners", true, &names, &n), ret = k == 1 ? 0 : -EINVAL;

        if (k == 1 && n == 0) {
                confread_error(r, s, "task %s: 'owners' is empty: someone must answer for it",
                               t->id);
                ret = -EINVAL;
        }
        t->owners = arena_alloc(a, (n + 1) * sizeof *t->owners);
        for (size_t i = 0; t->owners && i < n; i++) {
                const struct owner *o = config_find_owner(r->config, names[i]);

                if (!o) {
                        confread_error(r, s, "task %s: owner \"%s\" is not defined in the "
                                       "owners of %s", t->id, names[i], r->config->path);
                        ret = -EINVAL;
                } else if (!task_has_owner(t, o))
                        t->owners[t->n_owners++] = o;
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return t->owners ? ret : -ENOMEM;
}

/* Room for every milestone the task can have, so they never move: the phrase's
 * dates and the explicit ones. */
static int reserve_milestones(struct arena *a, const config_setting_t *g, struct task *t,
                              size_t n_phrase) {
        const config_setting_t *dates = config_setting_get_member(g, "dates");
        size_t n = n_phrase + (dates ? (size_t) config_setting_length(dates) : 0);

        t->milestones = arena_alloc(a, (n + 1) * sizeof *t->milestones);
        return t->milestones ? 0 : -ENOMEM;
}

static int add_milestone(struct arena *a, struct task *t, day_t due, const char *label,
                         enum milestone_origin origin) {
        struct milestone *m = &t->milestones[t->n_milestones];

        *m = (struct milestone) { .due = due, .origin = origin, .task = t };
        m->label = arena_strdup(a, label);
        if (!m->label)
                return -ENOMEM;
        t->n_milestones++;
        return 0;
}

static int read_date_entry(struct confread *r, struct arena *a, const config_setting_t *e,
                           struct task *t) {
        char *date = NULL, *label = NULL;
        day_t due;
        int ret = -EINVAL;

        if (!confread_known_keys(r, e, "a date of task", date_keys))
                return -EINVAL;
        if (confread_string(r, e, "date", true, &date) == 1 &&
            read_text(r, a, e, "label", &label) == 0) {
                if (date_parse_iso(date, &due) < 0)
                        confread_error(r, config_setting_get_member(e, "date"),
                                       "task %s: \"%s\" is not a date (YYYY-MM-DD)", t->id, date);
                else
                        ret = add_milestone(a, t, due, label, MILESTONE_EXPLICIT);
        }
        free(date);
        return ret;
}

static int read_explicit_dates(struct confread *r, struct arena *a, const config_setting_t *g,
                               struct task *t) {
        const config_setting_t *list;
        int k = confread_list(r, g, "dates", false, &list), ret = 0;

        if (k <= 0)
                return k;
        for (int i = 0; i < config_setting_length(list); i++)
                if (read_date_entry(r, a, config_setting_get_elem(list, (unsigned) i), t) < 0)
                        ret = -EINVAL;
        return ret < 0 ? ret : 1;
}

static int add_phrase_milestones(struct arena *a, struct task *t, const struct when_result *w) {
        for (size_t i = 0; i < w->n_dates; i++) {
                int ret = add_milestone(a, t, w->dates[i].day, w->dates[i].label,
                                        MILESTONE_FROM_PHRASE);
                if (ret < 0)
                        return ret;
        }
        return 0;
}

/* "15" for a task's only milestone, "15.1", "15.2" … otherwise. */
static int name_milestones(struct arena *a, struct task *t) {
        for (size_t i = 0; i < t->n_milestones; i++) {
                t->milestones[i].id = t->n_milestones == 1 ? t->id
                                                           : arena_printf(a, "%s.%zu", t->id, i + 1);
                if (!t->milestones[i].id)
                        return -ENOMEM;
        }
        return 0;
}

/* Phrase dates, then explicit ones; explicit dates alone with override. */
static int read_milestones(struct confread *r, struct arena *a, const config_setting_t *g,
                           struct task *t, int year) {
        struct when_result w; /* 2 KB: on the stack, not in each of 100,000 tasks */
        int has_dates, ret;

        when_parse(t->deadline, year, &w);
        t->when = w.kind;
        if (w.kind != WHEN_DATED && !(t->when_reason = arena_strdup(a, w.reason)))
                return -ENOMEM;
        if (confread_bool(r, g, "override", false, &t->dates_override) < 0)
                return -EINVAL;
        if ((ret = reserve_milestones(a, g, t, w.n_dates)) < 0)
                return ret;
        if (!t->dates_override && (ret = add_phrase_milestones(a, t, &w)) < 0)
                return ret;
        has_dates = read_explicit_dates(r, a, g, t);
        if (has_dates < 0)
                return has_dates;
        if (t->dates_override && has_dates == 0) {
                confread_error(r, config_setting_get_member(g, "override"),
                               "task %s: 'override' needs 'dates' to replace the phrase's", t->id);
                return -EINVAL;
        }
        if (t->when == WHEN_UNKNOWN && !t->dates_override)
                confread_warning(r, g, "task %s: deadline \"%s\" not understood: %s; no "
                                 "reminder until it is fixed or 'dates' are given", t->id,
                                 t->deadline, t->when_reason);
        return name_milestones(a, t);
}

static int read_task(struct confread *r, const config_setting_t *g, struct ledger *l, size_t i) {
        struct task *t = &l->tasks[i];
        const config_setting_t *reminders;
        int ret = 0;

        t->ledger = l;
        t->source = confread_source(r, g);
        if (!confread_known_keys(r, g, "task", task_keys))
                ret = -EINVAL;
        if (confread_id(r, g, "id", CONF_TASK_ID_MAX, &t->id) <= 0) {
                free(t->id); /* a bad id is not kept: only arena strings live in a task */
                t->id = NULL;
                return -EINVAL;
        }
        if (to_arena(l->strings, &t->id) < 0 ||
            read_text(r, l->strings, g, "category", &t->category) < 0 ||
            read_text(r, l->strings, g, "item", &t->item) < 0 ||
            read_text(r, l->strings, g, "detail", &t->detail) < 0 ||
            read_text(r, l->strings, g, "deadline", &t->deadline) < 0)
                return -EINVAL;
        if (read_owners(r, l->strings, g, t) < 0)
                ret = -EINVAL;
        if (confread_group(r, g, "reminders", false, &reminders) == 1 &&
            (!(t->policy = calloc(1, sizeof *t->policy)) ||
             conf_policy_read(r, reminders, t->policy) < 0))
                ret = -EINVAL;
        if (read_milestones(r, l->strings, g, t, l->year) < 0)
                ret = -EINVAL;
        return ret;
}

static int compare_task_ids(const void *a, const void *b) {
        const struct task *x = *(const struct task *const *) a, *y = *(const struct task *const *) b;
        int c = strcmp(x->id, y->id);

        /* Equal ids: file order, so the later task is the one reported. */
        return c ? c : (x->source.line > y->source.line) - (x->source.line < y->source.line);
}

/* Sorted, not pairwise: a generated ledger may hold 100,000 tasks. */
static int check_duplicate_ids(struct confread *r, const struct ledger *l) {
        const struct task **sorted = calloc(l->n_tasks + 1, sizeof *sorted);
        size_t n = 0;
        int ret = 0;

        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_tasks; i++)
                if (l->tasks[i].id)
                        sorted[n++] = &l->tasks[i];
        qsort(sorted, n, sizeof *sorted, compare_task_ids);
        for (size_t i = 1; i < n; i++)
                if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0) {
                        diag_add(r->diags, DIAG_ERROR, sorted[i]->source.file,
                                 sorted[i]->source.line, "duplicate task id \"%s\" in ledger %s "
                                 "(first at line %d)", sorted[i]->id, l->id,
                                 sorted[i - 1]->source.line);
                        ret = -EINVAL;
                }
        free(sorted);
        return ret;
}

/* Tasks are read last to first, and each one's settings are freed once read:
 * libconfig's tree of a 100,000-task ledger takes 150 MB, and it need not
 * stand beside the model built from it. Removing the last element of a list
 * is O(1); removing the first would move all the others. The messages are put
 * back in file order afterwards. */
static int read_tasks(struct confread *r, const config_setting_t *g, struct ledger *l) {
        const config_setting_t *found;
        config_setting_t *list;
        size_t first_message = r->diags->n_items;
        int ret = 0;

        if (confread_list(r, g, "tasks", true, &found) <= 0)
                return -EINVAL;
        list = (config_setting_t *) found; /* ours to take apart: the file is read once */
        l->n_tasks = (size_t) config_setting_length(list);
        l->tasks = calloc(l->n_tasks + 1, sizeof *l->tasks);
        l->strings = arena_new();
        if (!l->tasks || !l->strings)
                return -ENOMEM;
        for (size_t i = l->n_tasks; i-- > 0;) {
                if (read_task(r, config_setting_get_elem(list, (unsigned) i), l, i) < 0)
                        ret = -EINVAL;
                config_setting_remove_elem(list, (unsigned) i);
        }
        diag_sort(r->diags, first_message);
        if (check_duplicate_ids(r, l) < 0)
                ret = -EINVAL;
        return ret;
}

static int read_ledger(struct confread *r, const config_setting_t *g, struct ledger *l) {
        int ret = 0;

        l->source = confread_source(r, g);
        if (!confread_known_keys(r, g, "ledger", ledger_keys))
                ret = -EINVAL;
        if (confread_id(r, g, "id", CONF_LEDGER_ID_MAX, &l->id) <= 0 || confread_string(r, g, "title", true, &l->title) <= 0 ||
            confread_int(r, g, "year", true, &l->year) <= 0)
                return -EINVAL;
        if (l->year < 1970 || l->year > 9998) {
                confread_error(r, config_setting_get_member(g, "year"),
                               "'year' must be a year such as 2025, not %d", l->year);
                return -EINVAL;
        }
        if (read_tasks(r, g, l) < 0)
                ret = -EINVAL;
        return ret;
}

int conf_ledger_load(struct confread *r, const char *path, struct ledger *l) {
        static const char *const top_keys[] = { "ledger", NULL };
        const config_setting_t *g;
        config_t cfg;
        int ret;

        config_init(&cfg);
        ret = confread_file(r, &cfg, path);
        if (ret == 0 && !confread_known_keys(r, config_root_setting(&cfg), "a ledger file",
                                             top_keys))
                ret = -EINVAL;
        if (ret == 0 && confread_group(r, config_root_setting(&cfg), "ledger", true, &g) <= 0)
                ret = -EINVAL;
        if (ret == 0)
                ret = read_ledger(r, g, l);
        config_destroy(&cfg);
        return ret;
}
