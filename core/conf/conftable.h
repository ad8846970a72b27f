/* SPDX-License-Identifier: MIT */
#pragma once

/* A group of the configuration read by a table, as redis reads its settings:
 * one entry per key gives its name, its type, where its value goes (offsetof
 * into the target struct), its default as the file would write it ("3d",
 * "Asia/Shanghai") and a check. The same table names the keys the group
 * knows, for the "unknown key 'x' in smtp (did you mean 'y'?)" error, and
 * reads them: a key is written once, and a group's defaults stand together.
 *
 * A group is read in two passes over its table, each in table order: first
 * the entries not marked CONFTABLE_SECOND, then those. Each entry is a step
 * that ends in one of enum conftable_state; flags say what a failed step
 * does to the steps after it, so that one run reports every problem it can
 * without cascades of messages about things that could not be read. Every
 * problem is reported with the file and line of the setting (of the group
 * when a key is missing), through confread_error().
 *
 * The order of the entries matters twice: it is the order of reading (and so
 * of the messages), and among known keys equally near a misspelt one, the
 * first is suggested. */

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/confread.h"

/* Keys (and steps) of one table, at most. */
#define CONFTABLE_MAX_KEYS 24

enum conftable_type {
        CONFTABLE_STRING,   /* char *, a copy the target owns; def: the text */
        CONFTABLE_TEXT,     /* const char *, borrowed from libconfig's tree */
        CONFTABLE_BOOL,     /* bool; def: "true" or "false" */
        CONFTABLE_INT,      /* int, within min…max when range is set */
        CONFTABLE_DURATION, /* long seconds from "30s", "15m", "12h", "3d"; min…max, range */
        CONFTABLE_DATE,     /* day_t from "YYYY-MM-DD" */
        CONFTABLE_STRINGS,  /* char **, NULL-terminated and owned; its size_t count at
                             * count_offset. An array or a list. */
        CONFTABLE_GROUP,    /* a group { … } read by table into target + offset; absent:
                             * table's defaults */
        CONFTABLE_CUSTOM,   /* read(v), setting NULL when absent: a key that is
                             * really special (a list of groups, a phrase) */
        CONFTABLE_ANY,      /* known, any value, not read */
        CONFTABLE_STEP,     /* no key: read(v) runs at this point (checks across keys) */
};

enum conftable_flags {
        CONFTABLE_REQUIRED = 1 << 0,     /* absent: "missing 'key'" */
        CONFTABLE_STOP = 1 << 1,         /* failed: nothing after it in the group is read */
        CONFTABLE_STOP_UNREAD = 1 << 2,  /* unread: the same; a failed check goes on */
        CONFTABLE_AFTER = 1 << 3,        /* read only if the step before it in its pass
                                          * is ok or absent */
        CONFTABLE_AFTER_READ = 1 << 4,   /* read only if the step before was read,
                                          * whatever its check said */
        CONFTABLE_IF_ALL_OK = 1 << 5,    /* only if nothing failed before in the group,
                                          * unknown keys included */
        CONFTABLE_SECOND = 1 << 6,       /* read in the second pass */
        CONFTABLE_CHECK_ABSENT = 1 << 7, /* check runs when the key is absent too: a
                                          * default that depends on other keys */
};

enum conftable_state {
        CONFTABLE_SKIPPED, /* not reached: a flag said so */
        CONFTABLE_UNREAD,  /* missing though required, or not of the key's libconfig type */
        CONFTABLE_INVALID, /* read, but its value or its check failed */
        CONFTABLE_ABSENT,  /* absent: the default, if any, is in place */
        CONFTABLE_OK,
};

struct conftable_value;
/* A check, custom reader or step: 0 (or 1), -EINVAL with the problem
 * reported, or another -errno (-ENOMEM, or the caller's own, such as
 * -EAGAIN), which ends the reading of every group it is in and is returned. */
typedef int conftable_fn(const struct conftable_value *v);

struct conftable_key {
        const char *key; /* NULL for a CONFTABLE_STEP */
        enum conftable_type type;
        unsigned flags;     /* enum conftable_flags */
        size_t offset;      /* of the value in the target */
        size_t count_offset; /* STRINGS: of its size_t count */
        const char *def;    /* the default as the file writes it; NULL: none, the target's
                             * field is left as it is */
        long min, max;      /* INT, DURATION; checks may use max as a length */
        const char *range;  /* INT, DURATION: min…max in words, for the message; INT: NULL
                             * for no bounds */
        const struct conftable *table; /* GROUP */
        conftable_fn *read;            /* CUSTOM, STEP */
        conftable_fn *check;           /* once the value is stored in the target */
};

struct conftable {
        const char *what; /* for messages: "unknown key 'x' in <what>" */
        const struct conftable_key *keys;
        size_t n_keys; /* at most CONFTABLE_MAX_KEYS */
        bool stop_on_unknown; /* an unknown key: nothing of the group is read */
        /* Where STRING keys without def take their default: a struct of the
         * target's type. NULL: none. A GROUP inside takes the part of it at
         * its offset. */
        const void *(*defaults)(void);
};

/* Tables are written with these: designated fields after the first two.
 *   CONFTABLE_KEY("timeout", CONFTABLE_DURATION, .offset = offsetof(…), .def = "30s", …)
 *   CONFTABLE_DO(check_something, .flags = CONFTABLE_IF_ALL_OK)
 *   static const struct conftable smtp = { .what = "smtp", CONFTABLE_KEYS(smtp_keys) }; */
#define CONFTABLE_KEY(name, kind, ...) { .key = (name), .type = (kind), __VA_ARGS__ }
#define CONFTABLE_DO(fn, ...) { .key = NULL, .type = CONFTABLE_STEP, .read = (fn), __VA_ARGS__ }
#define CONFTABLE_KEYS(array)                                                                 \
        .keys = (array), .n_keys = sizeof(array) / sizeof *(array) + CONFTABLE_FITS(array)
/* 0, or a compile error for a table beyond CONFTABLE_MAX_KEYS (an array of
 * negative size). */
#define CONFTABLE_FITS(array)                                                                 \
        0 * sizeof(char[2 * (sizeof(array) / sizeof *(array) <= CONFTABLE_MAX_KEYS) - 1])

/* What a check, custom reader or step is given. */
struct conftable_value {
        struct confread *cr;
        const struct conftable_key *key;
        const config_setting_t *group;   /* NULL: the group is absent (defaults only) */
        const config_setting_t *setting; /* the key's; NULL when absent, and for a step */
        void *target;
        void *field; /* target + key->offset */
        const struct conftable_run *run;
};

/* One reading of one group. */
struct conftable_run {
        struct confread *cr;
        const struct conftable *table;
        const config_setting_t *group;
        void *target;
        const void *defaults;
        const config_setting_t *found[CONFTABLE_MAX_KEYS]; /* by entry */
        enum conftable_state state[CONFTABLE_MAX_KEYS];
        bool failed;  /* a step failed, or a key is unknown */
        bool stopped; /* by a STOP entry, or an unknown key with stop_on_unknown */
};

/* Reads group into target: unknown keys reported, then both passes (the
 * second unless a STOP entry stopped the first). 0, -EINVAL when anything
 * was reported as an error, or the -errno that ended the reading. */
int conftable_read(struct confread *cr, const struct conftable *t, const config_setting_t *group,
                   void *target);
/* The first pass alone, unknown keys reported; for groups whose second
 * pass must wait until their neighbours' first (owners that name owners). */
int conftable_read_first(struct confread *cr, const struct conftable *t,
                         const config_setting_t *group, void *target);
/* The second pass alone; unknown keys are not reported again, and the
 * states of the first pass are not known to it. */
int conftable_read_second(struct confread *cr, const struct conftable *t,
                          const config_setting_t *group, void *target);
/* For a group that is absent: every key as if absent (defaults stored,
 * custom readers called with no setting); no check and no step runs. 0,
 * -ENOMEM, or -EINVAL for a built-in default that does not parse. */
int conftable_defaults(struct confread *cr, const struct conftable *t, void *target);

/* For checks and steps that look at other keys of the same group: its
 * setting (NULL when absent or unknown to the table), and its state. */
const config_setting_t *conftable_setting(const struct conftable_value *v, const char *key);
enum conftable_state conftable_state(const struct conftable_value *v, const char *key);

/* For custom readers of a list of strings: each() with every string of
 * the key's setting, an array or a list, in order, the strings before a
 * non-string included. 0; -EINVAL when the list or any string was wrong
 * (every string is tried, so that each says what is wrong with it); any
 * other error, -ENOMEM above all, at once. */
int conftable_each_string(const struct conftable_value *v,
                          int (*each)(const struct conftable_value *v, const char *s));

/* The same for a list of groups: each() with every group of the key's
 * setting (absent: none). 0; -EINVAL when the setting is not a list of
 * groups or any group was wrong (every group is read); any other error of
 * each() at once. */
int conftable_each_group(const struct conftable_value *v,
                         int (*each)(const struct conftable_value *v, const config_setting_t *g));

/* The string of a STRING or TEXT key being checked (the one stored). */
const char *conftable_text(const struct conftable_value *v);

/* "30s", "15m", "12h", "3d" → seconds, up to 366 days: 0, -EINVAL (not such
 * a duration) or -ERANGE (beyond 366 days). Nothing else, not even "1h30m":
 * a number and one unit read the same to everyone. */
int conftable_duration_parse(const char *s, long *out);
