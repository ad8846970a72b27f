/* SPDX-License-Identifier: MIT */
#include "conf/conftable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "ledger/date.h"

#define MINUTE 60L
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define DURATION_MAX (366 * DAY)

enum pass {
        PASS_FIRST,
        PASS_SECOND,
};

/* ---- keys by name ------------------------------------------------------------------ */

/* Edit distance, to suggest "deadline" for "deadlin". Keys are short ASCII. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), row[33];

        if (la > 32 || lb > 32)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        diag = up;
                        row[j] = best;
                }
        }
        return row[lb];
}

/* The first key of t nearest to name, if near enough to be a typo. */
static const char *closest_key(const struct conftable *t, const char *name) {
        const char *best = NULL;
        size_t best_distance = 3; /* suggest only near misses */

        for (size_t i = 0; i < t->n_keys; i++) {
                const char *key = t->keys[i].key;
                size_t d;

                if (!key)
                        continue;
                d = edit_distance(name, key);
                if (d < best_distance) {
                        best = key;
                        best_distance = d;
                }
        }
        return best;
}

/* t's entry for key name, or -1. The first characters are compared first:
 * this runs for every member of every task of a ledger. */
static int key_index(const struct conftable *t, const char *name) {
        for (size_t i = 0; i < t->n_keys; i++) {
                const char *key = t->keys[i].key;

                if (key && key[0] == name[0] && strcmp(key, name) == 0)
                        return (int) i;
        }
        return -1;
}

static void report_unknown(struct confread *cr, const struct conftable *t,
                           const config_setting_t *s, const char *name) {
        const char *hint = closest_key(t, name);

        if (hint)
                confread_error(cr, s, "unknown key '%s' in %s (did you mean '%s'?)", name,
                               t->what, hint);
        else
                confread_error(cr, s, "unknown key '%s' in %s", name, t->what);
}

/* One pass over the group's members: each to its entry, the others reported
 * when report is set. False if any is unknown. */
static bool find_members(struct conftable_run *run, bool report) {
        bool known = true;

        for (int i = 0; run->group && i < config_setting_length(run->group); i++) {
                const config_setting_t *s = config_setting_get_elem(run->group, (unsigned) i);
                const char *name = config_setting_name(s);
                int k;

                if (!name)
                        continue;
                k = key_index(run->table, name);
                if (k >= 0)
                        run->found[k] = s;
                else {
                        if (report)
                                report_unknown(run->cr, run->table, s, name);
                        known = false;
                }
        }
        return known;
}

static void run_init(struct conftable_run *run, struct confread *cr, const struct conftable *t,
                     const config_setting_t *group, void *target, const void *defaults) {
        *run = (struct conftable_run) {
                .cr = cr, .table = t, .group = group, .target = target,
                .defaults = t->defaults ? t->defaults() : defaults,
        };
}

const config_setting_t *conftable_setting(const struct conftable_value *v, const char *key) {
        int k = key_index(v->run->table, key);

        return k < 0 ? NULL : v->run->found[k];
}

enum conftable_state conftable_state(const struct conftable_value *v, const char *key) {
        int k = key_index(v->run->table, key);

        return k < 0 ? CONFTABLE_SKIPPED : v->run->state[k];
}

const char *conftable_text(const struct conftable_value *v) {
        const char *s;

        memcpy(&s, v->field, sizeof s);
        return s;
}

/* ---- values ------------------------------------------------------------------------ */

int conftable_duration_parse(const char *s, long *out) {
        long n = 0, unit;
        const char *p = s;

        for (; *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (*p - '0');
                if (n > DURATION_MAX)
                        return -ERANGE;
        }
        if (p == s || p[0] == '\0' || p[1] != '\0')
                return -EINVAL;
        switch (*p) {
        case 's': unit = 1; break;
        case 'm': unit = MINUTE; break;
        case 'h': unit = HOUR; break;
        case 'd': unit = DAY; break;
        default: return -EINVAL;
        }
        if (n > DURATION_MAX / unit)
                return -ERANGE;
        *out = n * unit;
        return 0;
}

/* Fields are written with memcpy: a target's field may be declared const
 * char * or char *, and either way it is a pointer's bytes. */
static int store_copy(void *field, const char *s) {
        char *copy = strdup(s);

        if (!copy)
                return -ENOMEM;
        memcpy(field, &copy, sizeof copy);
        return 0;
}

static void store_text(void *field, const char *s) {
        memcpy(field, &s, sizeof s);
}

static int store_duration(const struct conftable_value *v, const char *s) {
        const struct conftable_key *k = v->key;
        long seconds = 0;
        int r = conftable_duration_parse(s, &seconds);

        if (r == -EINVAL) {
                confread_error(v->cr, v->setting,
                               "'%s' must be a duration: a whole number and s, m, h or d, such "
                               "as \"30s\", \"15m\", \"12h\" or \"3d\"; not \"%s\"", k->key, s);
                return -EINVAL;
        }
        if (r < 0 || seconds < k->min || seconds > k->max) {
                confread_error(v->cr, v->setting, "'%s' must be %s, not \"%s\"", k->key, k->range,
                               s);
                return -EINVAL;
        }
        memcpy(v->field, &seconds, sizeof seconds);
        return 0;
}

static int store_int(const struct conftable_value *v, long long n) {
        const struct conftable_key *k = v->key;
        int value = (int) n;

        /* Beyond any count or year a person writes; and what fits an int. */
        if (n < -1000000 || n > 1000000) {
                confread_error(v->cr, v->setting, "'%s' is out of range: %lld", k->key, n);
                return -EINVAL;
        }
        if (k->range && (n < k->min || n > k->max)) {
                confread_error(v->cr, v->setting, "'%s' must be %s, not %d", k->key, k->range,
                               value);
                return -EINVAL;
        }
        memcpy(v->field, &value, sizeof value);
        return 0;
}

static int store_date(const struct conftable_value *v, const char *s) {
        day_t day;

        if (date_parse_iso(s, &day) < 0) {
                confread_error(v->cr, v->setting, "'%s': \"%s\" is not a date (YYYY-MM-DD)",
                               v->key->key, s);
                return -EINVAL;
        }
        memcpy(v->field, &day, sizeof day);
        return 0;
}

/* What confread_strings() reads: on -EINVAL, the strings before the first
 * that is not one. */
static int store_strings(const struct conftable_value *v) {
        char **list = NULL;
        size_t count = 0;
        int k = confread_strings(v->cr, v->key->key, v->setting, &list, &count);

        memcpy(v->field, &list, sizeof list);
        memcpy((char *) v->target + v->key->count_offset, &count, sizeof count);
        return k < 0 ? k : 0;
}

int conftable_each_string(const struct conftable_value *v,
                          int (*each)(const struct conftable_value *v, const char *s)) {
        char **list = NULL;
        size_t n = 0;
        int r = confread_strings(v->cr, v->key->key, v->setting, &list, &n);

        r = r < 0 ? r : 0;
        for (size_t i = 0; (r == 0 || r == -EINVAL) && i < n; i++) {
                int k = each(v, list[i]);

                if (k < 0)
                        r = k;
        }
        strv_free(list);
        return r;
}

int conftable_each_group(const struct conftable_value *v,
                         int (*each)(const struct conftable_value *v, const config_setting_t *g)) {
        int r = 0;

        if (!v->setting)
                return 0;
        if (confread_expect_groups(v->cr, v->key->key, v->setting) < 0)
                return -EINVAL;
        for (int i = 0; (r == 0 || r == -EINVAL) && i < config_setting_length(v->setting); i++) {
                int k = each(v, config_setting_get_elem(v->setting, (unsigned) i));

                if (k < 0)
                        r = k;
        }
        return r;
}

/* The libconfig type a typed entry wants. */
static int setting_type(const struct conftable_key *k, const config_setting_t *s) {
        switch (k->type) {
        case CONFTABLE_BOOL: return CONFIG_TYPE_BOOL;
        case CONFTABLE_INT: return CONFIG_TYPE_INT;
        case CONFTABLE_GROUP: return CONFIG_TYPE_GROUP;
        case CONFTABLE_STRINGS: /* an array, or a list: the same to a person */
                return config_setting_type(s) == CONFIG_TYPE_LIST ? CONFIG_TYPE_LIST
                                                                  : CONFIG_TYPE_ARRAY;
        default: return CONFIG_TYPE_STRING;
        }
}

static long long int_value(const config_setting_t *s) {
        return config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s)
                                                         : config_setting_get_int64(s);
}

static int read_group(const struct conftable_value *v);

/* The setting, of the right libconfig type, into the field. */
static int store_value(const struct conftable_value *v) {
        bool b;

        switch (v->key->type) {
        case CONFTABLE_STRING: return store_copy(v->field, config_setting_get_string(v->setting));
        case CONFTABLE_TEXT: store_text(v->field, config_setting_get_string(v->setting)); return 0;
        case CONFTABLE_BOOL:
                b = config_setting_get_bool(v->setting);
                memcpy(v->field, &b, sizeof b);
                return 0;
        case CONFTABLE_INT: return store_int(v, int_value(v->setting));
        case CONFTABLE_DURATION: return store_duration(v, config_setting_get_string(v->setting));
        case CONFTABLE_DATE: return store_date(v, config_setting_get_string(v->setting));
        case CONFTABLE_STRINGS: return store_strings(v);
        case CONFTABLE_GROUP: return read_group(v);
        default: return 0;
        }
}

/* A built-in default that does not parse is a mistake in a table: said, not
 * silently replaced. */
static int bad_default(const struct conftable_value *v) {
        diag_add(v->cr->diags, DIAG_ERROR, NULL, 0, "built-in default of '%s' is not valid: \"%s\"",
                 v->key->key, v->key->def);
        return -EINVAL;
}

/* Defaults are checked as the file's text would be, but a bad one is the
 * table's mistake: said as such, with no setting to point at. */
static int default_int(const struct conftable_value *v) {
        const struct conftable_key *k = v->key;
        char *end;
        long n = strtol(k->def, &end, 10);
        int value = (int) n;

        if (*end || n < -1000000 || n > 1000000 || (k->range && (n < k->min || n > k->max)))
                return bad_default(v);
        memcpy(v->field, &value, sizeof value);
        return 0;
}

static int default_duration(const struct conftable_value *v) {
        const struct conftable_key *k = v->key;
        long seconds;

        if (conftable_duration_parse(k->def, &seconds) < 0 || seconds < k->min || seconds > k->max)
                return bad_default(v);
        memcpy(v->field, &seconds, sizeof seconds);
        return 0;
}

static int default_date(const struct conftable_value *v) {
        day_t day;

        if (date_parse_iso(v->key->def, &day) < 0)
                return bad_default(v);
        memcpy(v->field, &day, sizeof day);
        return 0;
}

/* The entry's default into the field, parsed as the file's text would be. */
static int store_default(const struct conftable_value *v) {
        const struct conftable_key *k = v->key;
        const char *def = k->def;
        bool b;

        if (!def && k->type == CONFTABLE_STRING && v->run->defaults) {
                memcpy(&def, (const char *) v->run->defaults + k->offset, sizeof def);
                return def ? store_copy(v->field, def) : 0;
        }
        if (!def)
                return 0;
        switch (k->type) {
        case CONFTABLE_STRING: return store_copy(v->field, def);
        case CONFTABLE_TEXT: store_text(v->field, def); return 0;
        case CONFTABLE_BOOL:
                if (strcmp(def, "true") != 0 && strcmp(def, "false") != 0)
                        return bad_default(v);
                b = def[0] == 't';
                memcpy(v->field, &b, sizeof b);
                return 0;
        case CONFTABLE_INT: return default_int(v);
        case CONFTABLE_DURATION: return default_duration(v);
        case CONFTABLE_DATE: return default_date(v);
        default: return bad_default(v);
        }
}

/* ---- steps ------------------------------------------------------------------------- */

/* A function's answer as the step's state; an error other than -EINVAL
 * (reported) ends the reading. */
static int state_of(int r, enum conftable_state done) {
        if (r < 0 && r != -EINVAL)
                return r;
        return r < 0 ? CONFTABLE_INVALID : (int) done;
}

static int read_absent(const struct conftable_value *v) {
        const struct conftable_key *k = v->key;
        int r;

        if (k->flags & CONFTABLE_REQUIRED) {
                confread_error(v->cr, v->group, "missing '%s'", k->key);
                return CONFTABLE_UNREAD;
        }
        if (k->type == CONFTABLE_CUSTOM)
                return state_of(k->read(v), CONFTABLE_ABSENT);
        if (k->type == CONFTABLE_GROUP)
                return state_of(read_group(v), CONFTABLE_ABSENT);
        r = store_default(v);
        if (r < 0)
                return state_of(r, CONFTABLE_INVALID);
        if (k->check && (k->flags & CONFTABLE_CHECK_ABSENT))
                return state_of(k->check(v), CONFTABLE_ABSENT);
        return CONFTABLE_ABSENT;
}

static int read_present(const struct conftable_value *v) {
        const struct conftable_key *k = v->key;
        int r;

        if (k->type == CONFTABLE_ANY)
                return CONFTABLE_OK;
        if (k->type == CONFTABLE_CUSTOM)
                return state_of(k->read(v), CONFTABLE_OK);
        if (confread_expect(v->cr, k->key, v->setting, setting_type(k, v->setting)) < 0)
                return CONFTABLE_UNREAD;
        r = store_value(v);
        if (r == 0 && k->check)
                r = k->check(v);
        return state_of(r, CONFTABLE_OK);
}

/* One entry: its state, or the -errno that ends the reading. */
static int read_step(struct conftable_run *run, size_t i) {
        const struct conftable_key *k = &run->table->keys[i];
        struct conftable_value v = {
                .cr = run->cr, .key = k, .group = run->group, .setting = run->found[i],
                .target = run->target, .field = (char *) run->target + k->offset, .run = run,
        };

        if (k->type == CONFTABLE_STEP)
                return state_of(k->read(&v), CONFTABLE_OK);
        return v.setting ? read_present(&v) : read_absent(&v);
}

/* Whether the flags let entry k be read, after a step that ended in before. */
static bool may_read(const struct conftable_run *run, const struct conftable_key *k,
                     enum conftable_state before) {
        bool before_ok = before == CONFTABLE_OK || before == CONFTABLE_ABSENT;

        if ((k->flags & CONFTABLE_AFTER) && !before_ok)
                return false;
        if ((k->flags & CONFTABLE_AFTER_READ) && !before_ok && before != CONFTABLE_INVALID)
                return false;
        return !((k->flags & CONFTABLE_IF_ALL_OK) && run->failed);
}

static bool stops(const struct conftable_key *k, enum conftable_state state) {
        if (state == CONFTABLE_OK || state == CONFTABLE_ABSENT)
                return false;
        return (k->flags & CONFTABLE_STOP) ||
               ((k->flags & CONFTABLE_STOP_UNREAD) && state == CONFTABLE_UNREAD);
}

static int run_pass(struct conftable_run *run, enum pass pass) {
        enum conftable_state before = CONFTABLE_OK;

        for (size_t i = 0; i < run->table->n_keys && !run->stopped; i++) {
                const struct conftable_key *k = &run->table->keys[i];
                int state;

                if (((k->flags & CONFTABLE_SECOND) != 0) != (pass == PASS_SECOND))
                        continue;
                if (!may_read(run, k, before))
                        state = CONFTABLE_SKIPPED;
                else if ((state = read_step(run, i)) < 0)
                        return state;
                run->state[i] = before = (enum conftable_state) state;
                if (state == CONFTABLE_UNREAD || state == CONFTABLE_INVALID)
                        run->failed = true;
                if (stops(k, before))
                        run->stopped = true;
        }
        return 0;
}

/* Unknown keys, then the passes asked for. */
static int run_table(struct conftable_run *run, bool first, bool second) {
        int r;

        if (!find_members(run, first)) {
                run->failed = first; /* the first pass reported them */
                run->stopped = first && run->table->stop_on_unknown;
        }
        r = first ? run_pass(run, PASS_FIRST) : 0;
        if (r == 0 && second && !run->stopped)
                r = run_pass(run, PASS_SECOND);
        if (r < 0)
                return r;
        return run->failed ? -EINVAL : 0;
}

int conftable_read(struct confread *cr, const struct conftable *t, const config_setting_t *group,
                   void *target) {
        struct conftable_run run;

        run_init(&run, cr, t, group, target, NULL);
        return run_table(&run, true, true);
}

int conftable_read_first(struct confread *cr, const struct conftable *t,
                         const config_setting_t *group, void *target) {
        struct conftable_run run;

        run_init(&run, cr, t, group, target, NULL);
        return run_table(&run, true, false);
}

int conftable_read_second(struct confread *cr, const struct conftable *t,
                          const config_setting_t *group, void *target) {
        struct conftable_run run;

        run_init(&run, cr, t, group, target, NULL);
        return run_table(&run, false, true);
}

/* Every key as if absent; no check, no step. */
static int run_defaults(struct conftable_run *run) {
        int r = 0;

        for (size_t i = 0; i < run->table->n_keys; i++) {
                const struct conftable_key *k = &run->table->keys[i];
                struct conftable_value v = {
                        .cr = run->cr, .key = k, .target = run->target,
                        .field = (char *) run->target + k->offset, .run = run,
                };
                int one = 0;

                if (k->type == CONFTABLE_STEP || (k->flags & CONFTABLE_REQUIRED))
                        continue;
                if (k->type == CONFTABLE_CUSTOM)
                        one = k->read(&v);
                else if (k->type == CONFTABLE_GROUP)
                        one = read_group(&v);
                else if (k->type != CONFTABLE_ANY)
                        one = store_default(&v);
                if (one < 0 && one != -EINVAL)
                        return one;
                if (one < 0)
                        r = -EINVAL;
        }
        return r;
}

int conftable_defaults(struct confread *cr, const struct conftable *t, void *target) {
        struct conftable_run run;

        run_init(&run, cr, t, NULL, target, NULL);
        return run_defaults(&run);
}

/* A GROUP key: its table over the setting, or its defaults when absent. The
 * outer defaults, if any, lend the part at the key's offset. */
static int read_group(const struct conftable_value *v) {
        const void *defaults = v->run->defaults;
        struct conftable_run run;

        if (defaults)
                defaults = (const char *) defaults + v->key->offset;
        run_init(&run, v->cr, v->key->table, v->setting, v->field, defaults);
        return v->setting ? run_table(&run, true, true) : run_defaults(&run);
}
