/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "conf/conf-internal.h"

static const char *const ledger_keys[] = { "id", "title", "year", "tasks", NULL };
static const char *const task_keys[] = {
        "id", "category", "item", "detail", "owners", "deadline",
        "dates", "override", "reminders", NULL,
};
static const char *const date_keys[] = { "date", "label", NULL };

/* An optional text member, copied into the arena; absent reads as "". */
static int read_text(struct confread *cr, struct arena *a, const struct confread_members *m,
                     const char *key, char **out) {
        const char *v = "";
        int k = confread_text_in(cr, m, key, false, &v);

        if (k < 0)
                return k;
        return (*out = arena_strdup(a, v)) ? 0 : -ENOMEM;
}

static int read_owners(struct confread *cr, struct arena *a, const struct confread_members *m,
                       struct task *t) {
        const config_setting_t *s = confread_member(m, "owners"), *names = NULL;
        size_t n = 0;
        int k = confread_strings_in(cr, m, "owners", true, &names, &n), r = k == 1 ? 0 : -EINVAL;

        if (k == 1 && n == 0) {
                confread_error(cr, s, "task %s: 'owners' is empty: someone must answer for it",
                               t->id);
                r = -EINVAL;
        }
        t->owners = arena_alloc(a, (n + 1) * sizeof *t->owners);
        for (size_t i = 0; t->owners && i < n; i++) {
                const char *name = config_setting_get_string_elem(names, (int) i);
                const struct owner *o = config_find_owner(cr->config, name);

                if (!o) {
                        confread_error(cr, s, "task %s: owner \"%s\" is not defined in the "
                                       "owners of %s", t->id, name, cr->config->path);
                        r = -EINVAL;
                } else if (!task_has_owner(t, o))
                        t->owners[t->n_owners++] = o;
        }
        return t->owners ? r : -ENOMEM;
}

/* Room for every milestone the task can have, so they never move: the phrase's
 * dates and the explicit ones. */
static int reserve_milestones(struct arena *a, const struct confread_members *m, struct task *t,
                              size_t n_phrase) {
        const config_setting_t *dates = confread_member(m, "dates");
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

static int read_date_entry(struct confread *cr, struct arena *a, const config_setting_t *e,
                           struct task *t) {
        struct confread_members m;
        const char *date = NULL;
        char *label = NULL;
        day_t due;

        if (!confread_members(cr, e, "a date of task", date_keys, &m))
                return -EINVAL;
        if (confread_text_in(cr, &m, "date", true, &date) != 1 ||
            read_text(cr, a, &m, "label", &label) != 0)
                return -EINVAL;
        if (date_parse_iso(date, &due) < 0) {
                confread_error(cr, confread_member(&m, "date"),
                               "task %s: \"%s\" is not a date (YYYY-MM-DD)", t->id, date);
                return -EINVAL;
        }
        return add_milestone(a, t, due, label, MILESTONE_EXPLICIT);
}

static int read_explicit_dates(struct confread *cr, struct arena *a,
                               const struct confread_members *m, struct task *t) {
        const config_setting_t *list;
        int k = confread_list_in(cr, m, "dates", false, &list), r = 0;

        if (k <= 0)
                return k;
        for (int i = 0; i < config_setting_length(list); i++)
                if (read_date_entry(cr, a, config_setting_get_elem(list, (unsigned) i), t) < 0)
                        r = -EINVAL;
        return r < 0 ? r : 1;
}

static int add_phrase_milestones(struct arena *a, struct task *t, const struct when_result *w) {
        for (size_t i = 0; i < w->n_dates; i++) {
                int r = add_milestone(a, t, w->dates[i].day, w->dates[i].label,
                                        MILESTONE_FROM_PHRASE);
                if (r < 0)
                        return r;
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

/* Deadline phrases repeat across a ledger ("7月底之前"): the latest answers
 * are kept, by the phrase's hash. */
#define PHRASE_MEMO 64

struct phrase_memo {
        char *phrase; /* NULL: an empty slot */
        int year;
        struct when_result w;
};

static void phrase_memo_free(struct phrase_memo *memo) {
        for (size_t i = 0; memo && i < PHRASE_MEMO; i++)
                free(memo[i].phrase);
        free(memo);
}

/* when_parse(), remembered when memo is not NULL. */
static void parse_phrase(struct phrase_memo *memo, const char *phrase, int year,
                         struct when_result *w) {
        uint32_t h = 2166136261u;
        struct phrase_memo *e;

        for (const char *p = phrase; *p; p++)
                h = (h ^ (unsigned char) *p) * 16777619u;
        e = memo ? &memo[h % PHRASE_MEMO] : NULL;
        if (e && e->phrase && e->year == year && strcmp(e->phrase, phrase) == 0) {
                w->kind = e->w.kind;
                w->n_dates = e->w.n_dates;
                memcpy(w->dates, e->w.dates, e->w.n_dates * sizeof *w->dates);
                strcpy(w->reason, e->w.reason);
                return;
        }
        when_parse(phrase, year, w);
        if (e) {
                free(e->phrase);
                e->phrase = strdup(phrase);
                e->year = year;
                e->w = *w;
        }
}

/* Phrase dates, then explicit ones; explicit dates alone with override. */
static int read_milestones(struct confread *cr, struct arena *a, const struct confread_members *m,
                           struct task *t, int year, struct phrase_memo *memo) {
        struct when_result w; /* 2 KB: on the stack, not in each of 100,000 tasks */
        int has_dates, r;

        parse_phrase(memo, t->deadline, year, &w);
        t->when = w.kind;
        if (w.kind != WHEN_DATED && !(t->when_reason = arena_strdup(a, w.reason)))
                return -ENOMEM;
        if (confread_bool_in(cr, m, "override", false, &t->dates_override) < 0)
                return -EINVAL;
        if ((r = reserve_milestones(a, m, t, w.n_dates)) < 0)
                return r;
        if (!t->dates_override && (r = add_phrase_milestones(a, t, &w)) < 0)
                return r;
        has_dates = read_explicit_dates(cr, a, m, t);
        if (has_dates < 0)
                return has_dates;
        if (t->dates_override && has_dates == 0) {
                confread_error(cr, confread_member(m, "override"),
                               "task %s: 'override' needs 'dates' to replace the phrase's", t->id);
                return -EINVAL;
        }
        if (t->when == WHEN_UNKNOWN && !t->dates_override)
                confread_warning(cr, m->group, "task %s: deadline \"%s\" not understood: %s; no "
                                 "reminder until it is fixed or 'dates' are given", t->id,
                                 t->deadline, t->when_reason);
        return name_milestones(a, t);
}

static int read_task(struct confread *cr, const config_setting_t *g, struct ledger *l, size_t i,
                     struct phrase_memo *memo) {
        struct task *t = &l->tasks[i];
        struct arena *a = l->strings;
        struct confread_members m;
        const config_setting_t *reminders;
        const char *id;
        int r = 0;

        t->ledger = l;
        t->source = confread_source(cr, g);
        if (!confread_members(cr, g, "task", task_keys, &m))
                r = -EINVAL;
        /* A bad id is not kept. */
        if (confread_id_in(cr, &m, "id", CONF_TASK_ID_MAX, &id) <= 0)
                return -EINVAL;
        if (!(t->id = arena_strdup(a, id)) || read_text(cr, a, &m, "category", &t->category) < 0 ||
            read_text(cr, a, &m, "item", &t->item) < 0 ||
            read_text(cr, a, &m, "detail", &t->detail) < 0 ||
            read_text(cr, a, &m, "deadline", &t->deadline) < 0)
                return -EINVAL;
        if (read_owners(cr, a, &m, t) < 0)
                r = -EINVAL;
        if (confread_group_in(cr, &m, "reminders", false, &reminders) == 1 &&
            (!(t->policy = calloc(1, sizeof *t->policy)) ||
             conf_policy_read(cr, reminders, t->policy) < 0))
                r = -EINVAL;
        if (read_milestones(cr, a, &m, t, l->year, memo) < 0)
                r = -EINVAL;
        return r;
}

static int compare_task_ids(const void *a, const void *b) {
        const struct task *x = *(const struct task *const *) a, *y = *(const struct task *const *) b;
        int c = strcmp(x->id, y->id);

        /* Equal ids: file order, so the later task is the one reported. */
        return c ? c : (x->source.line > y->source.line) - (x->source.line < y->source.line);
}

static uint64_t id_hash(const char *s) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(1099511628211);
        return h;
}

/* Whether two tasks share an id, by a hash set: sorting 100,000 ids only to
 * find none the same took as long as reading a tenth of the tasks. 1, 0, or
 * -ENOMEM. */
static int any_duplicate_id(const struct ledger *l) {
        size_t size = 64, mask;
        const struct task **set;
        int found = 0;

        while (size < 2 * l->n_tasks)
                size *= 2;
        set = calloc(size, sizeof *set);
        if (!set)
                return -ENOMEM;
        mask = size - 1;
        for (size_t i = 0; !found && i < l->n_tasks; i++) {
                const struct task *t = &l->tasks[i];
                size_t k;

                if (!t->id)
                        continue;
                for (k = (size_t) id_hash(t->id) & mask; set[k]; k = (k + 1) & mask)
                        if (strcmp(set[k]->id, t->id) == 0) {
                                found = 1;
                                break;
                        }
                set[k] = t;
        }
        free(set);
        return found;
}

/* Sorted, not pairwise: a generated ledger may hold 100,000 tasks. Each
 * repeat is reported with the line of the one before it, in id order. */
static int check_duplicate_ids(struct confread *cr, const struct ledger *l) {
        const struct task **sorted = calloc(l->n_tasks + 1, sizeof *sorted);
        size_t n = 0;
        int r = any_duplicate_id(l);

        if (r <= 0 || !sorted) {
                free(sorted);
                return r < 0 || !sorted ? -ENOMEM : 0;
        }
        r = 0;
        for (size_t i = 0; i < l->n_tasks; i++)
                if (l->tasks[i].id)
                        sorted[n++] = &l->tasks[i];
        qsort(sorted, n, sizeof *sorted, compare_task_ids);
        for (size_t i = 1; i < n; i++)
                if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0) {
                        diag_add(cr->diags, DIAG_ERROR, sorted[i]->source.file,
                                 sorted[i]->source.line, "duplicate task id \"%s\" in ledger %s "
                                 "(first at line %d)", sorted[i]->id, l->id,
                                 sorted[i - 1]->source.line);
                        r = -EINVAL;
                }
        free(sorted);
        return r;
}

static int alloc_tasks(struct ledger *l, size_t n) {
        l->n_tasks = n;
        l->tasks = calloc(n + 1, sizeof *l->tasks);
        l->strings = arena_new();
        return l->tasks && l->strings ? 0 : -ENOMEM;
}

/* Read whole: tasks in file order, each one's settings freed once read, for
 * libconfig's tree of a 100,000-task ledger takes 150 MB and need not stand
 * beside the model built from it. The emptied groups stay, so that nothing
 * moves in the list. */
static int read_tasks_whole(struct confread *cr, const config_setting_t *list, struct ledger *l,
                            struct phrase_memo *memo) {
        int r = alloc_tasks(l, (size_t) config_setting_length(list));

        for (size_t i = 0; r != -ENOMEM && i < l->n_tasks; i++) {
                config_setting_t *g = config_setting_get_elem(list, (unsigned) i);

                if (read_task(cr, g, l, i, memo) < 0)
                        r = -EINVAL;
                for (int j = config_setting_length(g); j-- > 0;)
                        config_setting_remove_elem(g, (unsigned) j);
        }
        return r;
}

/* Read in slices: the skeleton's list is empty, the slices hold the tasks.
 * -EAGAIN when a slice does not parse. */
static int read_tasks_sliced(struct confread *cr, struct confread_slices *s, struct ledger *l,
                             struct phrase_memo *memo) {
        const config_setting_t *list;
        size_t first;
        int r = alloc_tasks(l, confread_slices_elements(s)), k = 0;

        while (r != -ENOMEM && (k = confread_slices_next(s, &list, &first)) > 0)
                for (size_t i = 0; i < (size_t) config_setting_length(list); i++)
                        if (read_task(cr, config_setting_get_elem(list, (unsigned) i), l,
                                      first + i, memo) < 0)
                                r = -EINVAL;
        if (r != -ENOMEM && k < 0)
                return -EAGAIN;
        return r;
}

static int read_tasks(struct confread *cr, const config_setting_t *g, struct ledger *l,
                      struct confread_slices *s) {
        const config_setting_t *list;
        size_t first_message = cr->diags->n_items;
        struct phrase_memo *memo;
        int r;

        if (confread_list(cr, g, "tasks", true, &list) <= 0)
                return -EINVAL;
        memo = calloc(PHRASE_MEMO, sizeof *memo); /* without it, only slower */
        r = s ? read_tasks_sliced(cr, s, l, memo) : read_tasks_whole(cr, list, l, memo);
        phrase_memo_free(memo);
        if (r == -ENOMEM || r == -EAGAIN)
                return r;
        diag_sort(cr->diags, first_message);
        if (check_duplicate_ids(cr, l) < 0)
                r = -EINVAL;
        return r;
}

static int read_ledger(struct confread *cr, const config_setting_t *g, struct ledger *l,
                       struct confread_slices *s) {
        int r = 0, k;

        l->source = confread_source(cr, g);
        if (!confread_known_keys(cr, g, "ledger", ledger_keys))
                r = -EINVAL;
        if (confread_id(cr, g, "id", CONF_LEDGER_ID_MAX, &l->id) <= 0 || confread_string(cr, g, "title", true, &l->title) <= 0 ||
            confread_int(cr, g, "year", true, &l->year) <= 0)
                return -EINVAL;
        if (l->year < 1970 || l->year > 9998) {
                confread_error(cr, config_setting_get_member(g, "year"),
                               "'year' must be a year such as 2025, not %d", l->year);
                return -EINVAL;
        }
        k = read_tasks(cr, g, l, s);
        return k == -ENOMEM || k == -EAGAIN ? k : k < 0 ? -EINVAL : r;
}

static int read_ledger_file(struct confread *cr, const config_setting_t *root, struct ledger *l,
                            struct confread_slices *s) {
        static const char *const top_keys[] = { "ledger", NULL };
        const config_setting_t *g;

        if (!confread_known_keys(cr, root, "a ledger file", top_keys) ||
            confread_group(cr, root, "ledger", true, &g) <= 0)
                return -EINVAL;
        return read_ledger(cr, g, l, s);
}

/* Back to nothing read, for the whole file to be read instead. */
static void ledger_reset(struct ledger *l) {
        for (size_t i = 0; i < l->n_tasks; i++)
                free(l->tasks[i].policy);
        free(l->tasks);
        arena_free(l->strings);
        free(l->id);
        free(l->title);
        *l = (struct ledger) { 0 };
}

/* Its messages are held back until every slice is known to parse: a file
 * that does not gets libconfig's error, as a whole read gives it, alone. */
static int load_sliced(struct confread *cr, config_t *skeleton, struct confread_slices *s,
                       struct ledger *l) {
        struct diagnostics held = { 0 };
        struct confread mine = { .config = cr->config, .diags = &held };
        int r = read_ledger_file(&mine, config_root_setting(skeleton), l, s);

        if (r != -EAGAIN && r != -ENOMEM && confread_slices_finish(s) < 0)
                r = -EAGAIN;
        if (r != -EAGAIN)
                for (size_t i = 0; i < held.n_items; i++) {
                        const struct diag *d = &held.items[i];

                        diag_add(cr->diags, d->level, d->file, d->line, "%s", d->message);
                }
        diag_clear(&held);
        return r;
}

static int load_whole(struct confread *cr, const char *path, struct ledger *l) {
        config_t cfg;
        int r;

        config_init(&cfg);
        r = confread_file(cr, &cfg, path);
        if (r == 0)
                r = read_ledger_file(cr, config_root_setting(&cfg), l, NULL);
        config_destroy(&cfg);
        return r;
}

int conf_ledger_load(struct confread *cr, const char *path, struct ledger *l) {
        struct confread_slices *s = NULL;
        struct confread_origin origin;
        config_t skeleton;
        int r = confread_slices_open(cr, path, "ledger", "tasks", &skeleton, &origin, &s);

        if (r < 0)
                return r;
        if (r > 0) {
                r = load_sliced(cr, &skeleton, s, l);
                confread_slices_close(s);
                config_destroy(&skeleton);
                if (r != -EAGAIN)
                        return r;
                ledger_reset(l);
        }
        return load_whole(cr, path, l);
}
