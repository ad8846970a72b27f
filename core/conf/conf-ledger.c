/* SPDX-License-Identifier: MIT */
/* A ledger file: the ledger, its tasks (read in slices when the file is
 * big), each task's milestones from its deadline phrase and its dates. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/prefault.h"
#include "conf/conf-internal.h"
#include "ledger/model-index.h"
#include "notify/mail.h"

/* Deadline phrases repeat within a ledger ("7月底之前") and across the
 * ledgers of one load (a province's hundred counties word them alike): the
 * latest answers are kept for the load, by the phrase's hash. Reading a
 * phrase is most of the time of loading a ledger. */
#define PHRASE_MEMO 1024

struct phrase_memo {
        char *phrase; /* NULL: an empty slot */
        int year;
        struct when_result *w; /* 4 KB: only the slots used have one */
};

static void phrase_memo_free(struct phrase_memo *memo) {
        for (size_t i = 0; memo && i < PHRASE_MEMO; i++) {
                free(memo[i].phrase);
                free(memo[i].w);
        }
        free(memo);
}

static void phrase_memo_store(struct phrase_memo *e, const char *phrase, int year,
                              const struct when_result *w) {
        char *copy = strdup(phrase);

        if (!e->w)
                e->w = malloc(sizeof *e->w);
        if (!copy || !e->w) { /* out of memory: the slot stays empty */
                free(copy);
                copy = NULL;
        } else
                *e->w = *w;
        free(e->phrase);
        e->phrase = copy;
        e->year = year;
}

/* when_parse_with(), remembered when memo is not NULL: the calendar is the
 * same for every phrase of a configuration. */
static void parse_phrase(struct phrase_memo *memo, const char *phrase, int year,
                         const struct workdays *calendar, struct when_result *w) {
        uint32_t h = 2166136261u;
        struct phrase_memo *e;

        for (const char *p = phrase; *p; p++)
                h = (h ^ (unsigned char) *p) * 16777619u;
        e = memo ? &memo[h % PHRASE_MEMO] : NULL;
        if (e && e->phrase && e->year == year && strcmp(e->phrase, phrase) == 0) {
                w->kind = e->w->kind;
                w->n_dates = e->w->n_dates;
                memcpy(w->dates, e->w->dates, e->w->n_dates * sizeof *w->dates);
                strcpy(w->reason, e->w->reason);
                return;
        }
        when_parse_with(phrase, year, calendar, w);
        if (e)
                phrase_memo_store(e, phrase, year, w);
}

/* ---- a task ------------------------------------------------------------------------- */

/* What a task's table reads into: its texts, borrowed from libconfig's tree
 * until they are copied into the ledger's arena, and what reading needs. */
struct task_read {
        struct task *t;
        struct arena *a;
        struct phrase_memo *memo;
        int year;
        const char *id, *category, *item, *detail, *deadline;
        bool override;
};

/* A bad id is not kept: only a good one is copied into the task. */
static int check_task_id(const struct conftable_value *v) {
        struct task_read *tr = v->target;
        int r = conf_check_id(v);

        if (r < 0)
                return r;
        tr->t->id = arena_strdup(tr->a, tr->id);
        return tr->t->id ? 0 : -ENOMEM;
}

static int copy_texts(const struct conftable_value *v) {
        struct task_read *tr = v->target;
        struct task *t = tr->t;

        t->category = arena_strdup(tr->a, tr->category);
        t->item = arena_strdup(tr->a, tr->item);
        t->detail = arena_strdup(tr->a, tr->detail);
        t->deadline = arena_strdup(tr->a, tr->deadline);
        return t->category && t->item && t->detail && t->deadline ? 0 : -ENOMEM;
}

/* config_find_owner(), by the load's index of owners when it can be made. */
static const struct owner *find_owner(struct confread *cr, const char *name) {
        if (!cr->owners)
                (void) owner_index_build(cr->config, &cr->owners); /* without it, only slower */
        return cr->owners ? owner_index_find(cr->owners, name) : config_find_owner(cr->config, name);
}

/* Names or ids of owners; those before a non-string are still looked up. */
static int read_task_owners(const struct conftable_value *v) {
        struct task_read *tr = v->target;
        struct task *t = tr->t;
        const config_setting_t *names = v->setting;
        size_t n = 0;
        int k = confread_count_strings(v->cr, v->key->key, names, &n), r = k == 1 ? 0 : -EINVAL;

        if (r == 0 && n == 0) {
                confread_error(v->cr, names, "task %s: 'owners' is empty: someone must answer "
                               "for it", t->id);
                r = -EINVAL;
        }
        t->owners = arena_alloc(tr->a, (n + 1) * sizeof *t->owners);
        for (size_t i = 0; t->owners && i < n; i++) {
                const char *name = config_setting_get_string_elem(names, (int) i);
                const struct owner *o = find_owner(v->cr, name);

                if (!o) {
                        confread_error(v->cr, names, "task %s: owner \"%s\" is not defined in the "
                                       "owners of %s", t->id, name, v->cr->config->path);
                        r = -EINVAL;
                } else if (!task_has_owner(t, o))
                        t->owners[t->n_owners++] = o;
        }
        return t->owners ? r : -ENOMEM;
}

/* Most tasks have none: the policy is allocated only for those that do. A
 * group of the wrong type is reported, but has never counted as the task's
 * failure. */
static int read_task_reminders(const struct conftable_value *v) {
        struct task *t = ((struct task_read *) v->target)->t;

        if (!v->setting || confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_GROUP) < 0)
                return 0;
        t->policy = calloc(1, sizeof *t->policy);
        if (!t->policy)
                return -ENOMEM;
        return conf_policy_read(v->cr, v->setting, t->policy);
}

static int add_milestone(struct arena *a, struct task *t, day_t due, const char *label,
                         const char *note, enum milestone_origin origin) {
        struct milestone *m = &t->milestones[t->n_milestones];

        *m = (struct milestone) { .due = due, .origin = origin, .task = t };
        m->label = arena_strdup(a, label);
        m->note = arena_strdup(a, note);
        if (!m->label || !m->note)
                return -ENOMEM;
        t->n_milestones++;
        return 0;
}

/* ---- a task's dates ------------------------------------------------------------------ */

struct date_read {
        struct task_read *tr;
        const char *date, *label;
};

/* After the label, as ever: a wrong label is said first. */
static int add_date(const struct conftable_value *v) {
        const struct date_read *dr = v->target;
        struct task *t = dr->tr->t;
        day_t due;

        if (date_parse_iso(dr->date, &due) < 0) {
                confread_error(v->cr, conftable_setting(v, "date"),
                               "task %s: \"%s\" is not a date (YYYY-MM-DD)", t->id, dr->date);
                return -EINVAL;
        }
        return add_milestone(dr->tr->a, t, due, dr->label, "", MILESTONE_EXPLICIT);
}

static const struct conftable_key date_keys[] = {
        CONFTABLE_KEY("date", CONFTABLE_TEXT, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = offsetof(struct date_read, date)),
        CONFTABLE_KEY("label", CONFTABLE_TEXT, .flags = CONFTABLE_STOP,
                      .offset = offsetof(struct date_read, label), .def = ""),
        CONFTABLE_DO(add_date),
};
static const struct conftable date_table = {
        .what = "a date of task", CONFTABLE_KEYS(date_keys), .stop_on_unknown = true,
};

static int add_phrase_milestones(struct arena *a, struct task *t, const struct when_result *w) {
        for (size_t i = 0; i < w->n_dates; i++) {
                int r = add_milestone(a, t, w->dates[i].day, w->dates[i].label,
                                      w->dates[i].note, MILESTONE_FROM_PHRASE);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_date(const struct conftable_value *v, const config_setting_t *g) {
        struct date_read dr = { .tr = v->target };

        return conftable_read(v->cr, &date_table, g, &dr);
}

/* The phrase's dates, then the explicit ones (alone with override), in
 * room for all of them, so that they never move. */
static int read_dates(const struct conftable_value *v) {
        struct task_read *tr = v->target;
        struct task *t = tr->t;
        struct when_result w; /* 2 KB: on the stack, not in each of 100,000 tasks */
        size_t n_explicit = v->setting ? (size_t) config_setting_length(v->setting) : 0;
        int r = 0;

        t->dates_override = tr->override;
        parse_phrase(tr->memo, t->deadline, tr->year, v->cr->config->calendar, &w);
        t->when = w.kind;
        if (w.kind != WHEN_DATED && !(t->when_reason = arena_strdup(tr->a, w.reason)))
                return -ENOMEM;
        t->milestones = arena_alloc(tr->a, (w.n_dates + n_explicit + 1) * sizeof *t->milestones);
        if (!t->milestones)
                return -ENOMEM;
        if (!t->dates_override && (r = add_phrase_milestones(tr->a, t, &w)) < 0)
                return r;
        return conftable_each_group(v, read_date);
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

static int finish_milestones(const struct conftable_value *v) {
        struct task_read *tr = v->target;
        struct task *t = tr->t;

        if (t->dates_override && conftable_state(v, "dates") == CONFTABLE_ABSENT) {
                confread_error(v->cr, conftable_setting(v, "override"),
                               "task %s: 'override' needs 'dates' to replace the phrase's", t->id);
                return -EINVAL;
        }
        if (t->when == WHEN_UNKNOWN && !t->dates_override)
                confread_warning(v->cr, v->group, "task %s: deadline \"%s\" not understood: %s; no "
                                 "reminder until it is fixed or 'dates' are given", t->id,
                                 t->deadline, t->when_reason);
        return name_milestones(tr->a, t);
}

#define TASK(field) offsetof(struct task_read, field)

/* Reading order is not the order of keys in the file: the owners and the
 * phrase need the texts, the dates the phrase and override. The first
 * problem in id and the texts stops the task. */
static const struct conftable_key task_keys[] = {
        CONFTABLE_KEY("id", CONFTABLE_TEXT, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = TASK(id), .max = CONF_TASK_ID_MAX, .check = check_task_id),
        CONFTABLE_KEY("category", CONFTABLE_TEXT, .flags = CONFTABLE_STOP,
                      .offset = TASK(category), .def = ""),
        CONFTABLE_KEY("item", CONFTABLE_TEXT, .flags = CONFTABLE_STOP, .offset = TASK(item),
                      .def = ""),
        CONFTABLE_KEY("detail", CONFTABLE_TEXT, .flags = CONFTABLE_STOP, .offset = TASK(detail),
                      .def = ""),
        CONFTABLE_KEY("deadline", CONFTABLE_TEXT, .flags = CONFTABLE_STOP,
                      .offset = TASK(deadline), .def = ""),
        CONFTABLE_DO(copy_texts),
        CONFTABLE_KEY("owners", CONFTABLE_CUSTOM, .flags = CONFTABLE_REQUIRED,
                      .read = read_task_owners),
        CONFTABLE_KEY("reminders", CONFTABLE_CUSTOM, .read = read_task_reminders),
        CONFTABLE_KEY("override", CONFTABLE_BOOL, .flags = CONFTABLE_STOP,
                      .offset = TASK(override), .def = "false"),
        CONFTABLE_KEY("dates", CONFTABLE_CUSTOM, .flags = CONFTABLE_STOP, .read = read_dates),
        CONFTABLE_DO(finish_milestones),
};
static const struct conftable task_table = { .what = "task", CONFTABLE_KEYS(task_keys) };

static int read_task(struct confread *cr, const config_setting_t *g, struct ledger *l, size_t i,
                     struct phrase_memo *memo) {
        struct task_read tr = {
                .t = &l->tasks[i], .a = l->strings, .memo = memo, .year = l->year,
        };

        tr.t->source = confread_source(cr, g);
        return conftable_read(cr, &task_table, g, &tr);
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
        set = prefault_calloc(size, sizeof *set);
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
        l->tasks = prefault_calloc(n + 1, sizeof *l->tasks);
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

/* ---- the ledger ------------------------------------------------------------------- */

/* What the ledger's tables read into: the ledger, and the slices its tasks
 * come in (NULL: the whole file is read). */
struct ledger_read {
        struct ledger l;
        struct confread_slices *slices;
};

static int set_source(const struct conftable_value *v) {
        ((struct ledger_read *) v->target)->l.source = confread_source(v->cr, v->group);
        return 0;
}

/* Its messages sorted by line, as a whole read gives them; then the ids
 * checked across tasks. -EAGAIN: read the file whole instead. */
static int read_tasks(const struct conftable_value *v) {
        struct ledger_read *lr = v->target;
        size_t first_message = v->cr->diags->n_items;
        struct phrase_memo *memo;
        int r;

        if (confread_expect_groups(v->cr, v->key->key, v->setting) < 0)
                return -EINVAL;
        if (!v->cr->phrases)
                v->cr->phrases = calloc(PHRASE_MEMO, sizeof *memo); /* without it, only slower */
        memo = v->cr->phrases;
        r = lr->slices ? read_tasks_sliced(v->cr, lr->slices, &lr->l, memo)
                       : read_tasks_whole(v->cr, v->setting, &lr->l, memo);
        if (r == -ENOMEM || r == -EAGAIN)
                return r;
        diag_sort(v->cr->diags, first_message);
        if (check_duplicate_ids(v->cr, &lr->l) < 0)
                r = -EINVAL;
        return r;
}

/* Checked here, not when the first e-mail goes out. */
static int check_reply_to(const struct conftable_value *v) {
        const struct ledger_read *lr = v->target;

        if (mail_address_valid(lr->l.reply_to))
                return 0;
        confread_error(v->cr, v->setting, "'reply_to': \"%s\" is not an e-mail address such as "
                       "\"jxk@example.org\"", lr->l.reply_to);
        return -EINVAL;
}

#define LEDGER(field) offsetof(struct ledger_read, l.field)

static const struct conftable_key ledger_keys[] = {
        CONFTABLE_DO(set_source),
        CONFTABLE_KEY("id", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = LEDGER(id), .max = CONF_LEDGER_ID_MAX, .check = conf_check_id),
        CONFTABLE_KEY("title", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = LEDGER(title)),
        CONFTABLE_KEY("reply_to", CONFTABLE_STRING, .offset = LEDGER(reply_to),
                      .check = check_reply_to),
        /* The year deadline phrases belong to; "次年" must stay a year too. */
        CONFTABLE_KEY("year", CONFTABLE_INT, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = LEDGER(year), .min = 1970, .max = 9998,
                      .range = "a year such as 2025"),
        CONFTABLE_KEY("tasks", CONFTABLE_CUSTOM, .flags = CONFTABLE_REQUIRED, .read = read_tasks),
};
static const struct conftable ledger_table = { .what = "ledger", CONFTABLE_KEYS(ledger_keys) };

static const struct conftable_key file_keys[] = {
        CONFTABLE_KEY("ledger", CONFTABLE_GROUP, .flags = CONFTABLE_REQUIRED,
                      .table = &ledger_table),
};
static const struct conftable file_table = {
        .what = "a ledger file", CONFTABLE_KEYS(file_keys), .stop_on_unknown = true,
};

/* Into *l, whose tasks then point at it. */
static int read_ledger_file(struct confread *cr, const config_setting_t *root, struct ledger *l,
                            struct confread_slices *s) {
        struct ledger_read lr = { .l = *l, .slices = s };
        int r = conftable_read(cr, &file_table, root, &lr);

        *l = lr.l;
        for (size_t i = 0; i < l->n_tasks; i++)
                l->tasks[i].ledger = l;
        return r;
}

/* Back to nothing read, for the whole file to be read instead. */
static void ledger_reset(struct ledger *l) {
        conf_ledger_free(l);
        *l = (struct ledger) { 0 };
}

/* Its messages are held back until every slice is known to parse: a file
 * that does not gets libconfig's error, as a whole read gives it, alone. */
static int load_sliced(struct confread *cr, config_t *skeleton, struct confread_slices *s,
                       struct ledger *l) {
        struct diagnostics held = { 0 };
        struct confread mine = { .config = cr->config, .diags = &held, .phrases = cr->phrases,
                                 .owners = cr->owners, .files_lock = cr->files_lock };
        int r = read_ledger_file(&mine, config_root_setting(skeleton), l, s);

        /* Made on first use, perhaps just now: the load's. */
        cr->phrases = mine.phrases;
        cr->owners = mine.owners;

        if (r != -EAGAIN && r != -ENOMEM && confread_slices_finish(s) < 0)
                r = -EAGAIN;
        if (r != -EAGAIN)
                diag_append(cr->diags, &held);
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

void conf_ledger_load_done(struct confread *cr) {
        phrase_memo_free(cr->phrases);
        cr->phrases = NULL;
        owner_index_free(cr->owners);
        cr->owners = NULL;
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
                l->self_contained = r >= 0;
                if (r != -EAGAIN)
                        return r;
                ledger_reset(l);
        }
        return load_whole(cr, path, l);
}
