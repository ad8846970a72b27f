/* SPDX-License-Identifier: MIT */
#include "store/state.h"
#include "store/state-internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/greedy.h"
#include "basic/lasterror.h"
#include "basic/names.h"
#include "ledger/model.h"

/* How long a write waits for another connection's (revisions.c in the
 * same process, ledgerctl reading) before giving up with -EBUSY. */
#define STATE_BUSY_TIMEOUT_MS 5000

/* The current mark of one milestone, in memory: what struct state_mark
 * says of it. */
struct state_entry {
        enum state_action status;
        time_t snoozed_until;
        /* Who set the status, when and why: the author's strings and the
         * note are one allocation, strings. */
        struct state_author by;
        time_t when;
        const char *note;
        char *strings;
        int64_t event; /* the mark_events row that set the status */
        const char *milestone; /* points into key, after the ledger's NUL */
        char key[];            /* "ledger\0milestone\0" */
};

/* How a mark is made when the caller does not say: over the bus. */
#define STATE_VIA_DEFAULT "bus"

enum state_stmt {
        STMT_STATUS,
        STMT_INSERT_EVENT,
        STMT_SET_STATUS,
        STMT_SET_SNOOZE,
        STMT_LOAD,
        STMT_LIST,
        STMT_HISTORY,
        STMT_MAX,
};

/* Statements of the other modules (deliveries.c), kept prepared: parsing
 * the SQL again for each of a burst's thousand messages costs more than
 * running it. */
#define STATE_CACHED_MAX 32

struct state_cached {
        const char *sql; /* a string literal: its address is the key */
        sqlite3_stmt *stmt;
        bool busy;       /* handed out and not given back yet */
};

struct state {
        sqlite3 *db;
        char *path;
        char *last_error;
        sqlite3_stmt *stmt[STMT_MAX];
        struct state_cached cached[STATE_CACHED_MAX];
        struct state_entry **entries; /* sorted by ledger, then milestone */
        size_t n_entries, n_allocated;
};

static const char *const state_stmt_sql[STMT_MAX] = {
        [STMT_STATUS] = "SELECT status FROM marks WHERE ledger = ?1 AND milestone = ?2",
        [STMT_INSERT_EVENT] =
                "INSERT INTO mark_events (ledger, milestone, action, uid, user_name, at, "
                "snooze_until, note, via, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        [STMT_SET_STATUS] =
                "INSERT INTO marks (ledger, milestone, status, event) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (ledger, milestone) DO UPDATE SET "
                "status = excluded.status, event = excluded.event",
        /* A snooze names the mark's author only while there is no done or
         * reopened event, whose author matters more. */
        [STMT_SET_SNOOZE] =
                "INSERT INTO marks (ledger, milestone, status, event, snoozed_until) "
                "VALUES (?1, ?2, 'snoozed', ?3, ?4) "
                "ON CONFLICT (ledger, milestone) DO UPDATE SET "
                "snoozed_until = excluded.snoozed_until, "
                "event = CASE WHEN status = 'snoozed' THEN excluded.event ELSE event END",
        [STMT_LOAD] =
                "SELECT m.ledger, m.milestone, m.status, m.snoozed_until, "
                "e.uid, e.user_name, e.at, e.note, e.via, e.address, e.id "
                "FROM marks AS m JOIN mark_events AS e ON e.id = m.event",
        [STMT_LIST] =
                "SELECT m.ledger, m.milestone, m.status, m.snoozed_until, "
                "e.uid, e.user_name, e.at, e.note, e.via, e.address, e.id "
                "FROM marks AS m JOIN mark_events AS e ON e.id = m.event "
                "ORDER BY m.ledger, m.milestone",
        [STMT_HISTORY] =
                "SELECT action, uid, user_name, at, snooze_until, note, via, address "
                "FROM mark_events WHERE ledger = ?1 AND milestone = ?2 ORDER BY id",
};

static const char *const state_action_names[] = {
        [STATE_DONE] = "done",
        [STATE_REOPENED] = "reopened",
        [STATE_SNOOZED] = "snoozed",
};

NAMES_DEFINE_GET(state_action_name, enum state_action, state_action_names, "invalid")

/* What the database says; anything else was only ever snoozed. */
static enum state_action state_action_from_name(const char *name) {
        int a = names_find(state_action_names, NAMES_COUNT(state_action_names), name);

        return a < 0 ? STATE_SNOOZED : (enum state_action) a;
}

/* ---- errors ------------------------------------------------------------ */

int state_fail(struct state *st, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        r = last_error_setv(&st->last_error, r, fmt, ap);
        va_end(ap);
        return r;
}

/* SQLite's result code as an errno. A file that cannot be opened says why
 * in the OS error of the failed open(2); for other I/O errors the OS error
 * may be stale, so only the ones an administrator can act on are kept. */
static int state_errno(struct state *st, int rc) {
        int e = sqlite3_system_errno(st->db);

        switch (rc & 0xff) {
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CONSTRAINT:
        case SQLITE_TOOBIG:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
                return -EINVAL;
        case SQLITE_CANTOPEN:
                return e > 0 ? -e : -EIO;
        case SQLITE_IOERR:
                if (e == EACCES || e == EPERM || e == EROFS || e == ENOSPC || e == EDQUOT)
                        return -e;
                return -EIO;
        default: /* SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_ERROR … */
                return -EIO;
        }
}

/* Why this process may not write the database, as an errno, or 0: the file
 * (when it exists), or its directory, where SQLite creates the file and the
 * -wal and -shm files beside it. *what names the culprit. */
static int state_access_problem(const struct state *st, char *what, size_t size) {
        const char *slash = strrchr(st->path, '/');
        char dir[PATH_MAX];

        if (faccessat(AT_FDCWD, st->path, W_OK, AT_EACCESS) < 0 && errno != ENOENT) {
                snprintf(what, size, "the file");
                return errno;
        }
        if (!slash)
                snprintf(dir, sizeof dir, ".");
        else if (slash == st->path)
                snprintf(dir, sizeof dir, "/");
        else
                snprintf(dir, sizeof dir, "%.*s", (int) (slash - st->path), st->path);
        snprintf(what, size, "directory %s", dir);
        return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0 ? errno : 0;
}

/* Records SQLite's failure rc, while doing what, and returns it as -errno.
 * SQLite says "unable to open" or "readonly database" for a file or a
 * directory that may not be written (and the OS error of its last try, a
 * read-only open, is ENOENT for a file it could not create), so those are
 * checked here, to say which and why. */
int state_fail_sqlite(struct state *st, int rc, const char *doing) {
        int r = state_errno(st, rc), e = 0;
        char what[PATH_MAX + 16];

        if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
                e = state_access_problem(st, what, sizeof what);
        if (e > 0)
                return state_fail(st, -e, "state database %s: %s: cannot write %s: %s", st->path,
                                  doing, what, strerror(e));
        if ((rc & 0xff) == SQLITE_CANTOPEN && r != -EIO)
                return state_fail(st, r, "state database %s: %s: %s (%s)", st->path, doing,
                                  sqlite3_errmsg(st->db), strerror(-r));
        return state_fail(st, r, "state database %s: %s: %s", st->path, doing,
                          sqlite3_errmsg(st->db));
}

const char *state_last_error(const struct state *st) {
        return st->last_error ? st->last_error : "";
}

sqlite3 *state_database(struct state *st) {
        return st->db;
}

/* ---- statements and transactions --------------------------------------- */

static int state_exec(struct state *st, const char *sql, const char *doing) {
        int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

        return rc == SQLITE_OK ? 0 : state_fail_sqlite(st, rc, doing);
}

/* A prepared statement, reset and unbound, ready for its parameters. */
static sqlite3_stmt *state_stmt(struct state *st, enum state_stmt which) {
        sqlite3_stmt *s = st->stmt[which];

        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
}

/* Steps s expecting no row; resets it either way. */
static int state_step_done(struct state *st, sqlite3_stmt *s, const char *doing) {
        int rc = sqlite3_step(s);

        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 0 : state_fail_sqlite(st, rc, doing);
}

static const char *state_column_text(sqlite3_stmt *s, int i) {
        const unsigned char *t = sqlite3_column_text(s, i);

        return t ? (const char *) t : "";
}

/* IMMEDIATE: take the write lock now, so that the reads in the transaction
 * see what the writes will build on. */
int state_statement(struct state *st, const char *sql, sqlite3_stmt **out) {
        struct state_cached *free_slot = NULL;
        int rc;

        for (size_t i = 0; i < STATE_CACHED_MAX; i++) {
                struct state_cached *c = &st->cached[i];

                if (c->sql == sql && !c->busy) {
                        c->busy = true;
                        *out = c->stmt;
                        return 0;
                }
                if (!c->sql && !free_slot)
                        free_slot = c;
        }
        rc = sqlite3_prepare_v3(st->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, out,
                                NULL);
        if (rc != SQLITE_OK)
                return state_fail_sqlite(st, rc, "preparing a statement");
        if (free_slot) /* the same text again (a nested use) is prepared anew */
                *free_slot = (struct state_cached) { .sql = sql, .stmt = *out, .busy = true };
        return 0;
}

void state_statement_release(struct state *st, sqlite3_stmt *s) {
        if (!s)
                return;
        for (size_t i = 0; i < STATE_CACHED_MAX; i++)
                if (st->cached[i].stmt == s) {
                        sqlite3_reset(s);
                        sqlite3_clear_bindings(s);
                        st->cached[i].busy = false;
                        return;
                }
        sqlite3_finalize(s);
}

int state_set_synchronous(struct state *st, bool full) {
        return state_exec(st, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                          "setting synchronous");
}

int state_begin(struct state *st) {
        return state_exec(st, "BEGIN IMMEDIATE", "starting a transaction");
}

int state_commit(struct state *st) {
        int r = state_exec(st, "COMMIT", "committing");

        if (r < 0)
                sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

int state_rollback(struct state *st, int r) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

/* ---- the marks in memory ----------------------------------------------- */

static int state_entry_compare(const char *ledger, const char *milestone,
                               const struct state_entry *e) {
        int c = strcmp(ledger, e->key);

        return c ? c : strcmp(milestone, e->milestone);
}

static int state_entry_order(const void *a, const void *b) {
        const struct state_entry *x = *(struct state_entry *const *) a;

        return state_entry_compare(x->key, x->milestone, *(struct state_entry *const *) b);
}

/* The index of (ledger, milestone) in entries, or where it would go. */
static size_t state_entry_position(struct state_entry *const *entries, size_t n,
                                   const char *ledger, const char *milestone, bool *found) {
        size_t lo = 0, hi = n;

        *found = false;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = state_entry_compare(ledger, milestone, entries[mid]);

                if (c == 0) {
                        *found = true;
                        return mid;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

static struct state_entry *state_entry_find(const struct state *st, const char *ledger,
                                            const char *milestone) {
        bool found;
        size_t i = state_entry_position(st->entries, st->n_entries, ledger, milestone, &found);

        return found ? st->entries[i] : NULL;
}

static struct state_entry *state_entry_new(const char *ledger, const char *milestone) {
        size_t l = strlen(ledger) + 1, m = strlen(milestone) + 1;
        struct state_entry *e = malloc(sizeof *e + l + m);

        if (!e)
                return NULL;
        memcpy(e->key, ledger, l);
        memcpy(e->key + l, milestone, m);
        e->milestone = e->key + l;
        e->status = STATE_REOPENED;
        e->snoozed_until = e->when = 0;
        e->event = 0;
        e->by = (struct state_author) { 0 };
        e->note = e->strings = NULL;
        return e;
}

static void state_entry_free(struct state_entry *e) {
        if (!e)
                return;
        free(e->strings);
        free(e);
}

/* Who set the entry's status, when and why: 0, or -ENOMEM with the entry
 * as it was. */
static int state_entry_set_author(struct state_entry *e, const struct state_author *by,
                                  time_t when, const char *note) {
        const char *parts[] = { by->user ? by->user : "", note ? note : "",
                                by->via ? by->via : STATE_VIA_DEFAULT,
                                by->address ? by->address : "" };
        const char **fields[] = { &e->by.user, &e->note, &e->by.via, &e->by.address };
        size_t size = 0;
        char *block, *at;

        for (size_t i = 0; i < 4; i++)
                size += strlen(parts[i]) + 1;
        block = at = malloc(size);
        if (!block)
                return -ENOMEM;
        free(e->strings);
        e->strings = block;
        for (size_t i = 0; i < 4; i++) {
                *fields[i] = at;
                at = stpcpy(at, parts[i]) + 1;
        }
        e->by.uid = by->uid;
        e->when = when;
        return 0;
}

static void state_entries_free(struct state_entry **entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                state_entry_free(entries[i]);
        free(entries);
}

/* Room for one more entry, so that inserting after a commit cannot fail. */
static int state_entries_reserve(struct state *st) {
        if (GREEDY_REALLOC(st->entries, st->n_allocated, st->n_entries + 1) < 0)
                return state_fail(st, -ENOMEM, "out of memory");
        return 0;
}

static void state_entries_insert(struct state *st, struct state_entry *e) {
        bool found;
        size_t i = state_entry_position(st->entries, st->n_entries, e->key, e->milestone, &found);

        assert(!found && st->n_entries < st->n_allocated);
        memmove(st->entries + i + 1, st->entries + i, (st->n_entries - i) * sizeof *st->entries);
        st->entries[i] = e;
        st->n_entries++;
}

struct state_loaded {
        struct state_entry **entries;
        size_t n, allocated;
};

/* A row of STMT_LOAD or STMT_LIST, which select the same columns. */
static void state_mark_from_row(sqlite3_stmt *s, struct state_mark *m) {
        *m = (struct state_mark) {
                .ledger = state_column_text(s, 0),
                .milestone = state_column_text(s, 1),
                .status = state_action_from_name(state_column_text(s, 2)),
                .snoozed_until = (time_t) sqlite3_column_int64(s, 3),
                .by = { .uid = (uid_t) sqlite3_column_int64(s, 4),
                        .user = state_column_text(s, 5),
                        .via = state_column_text(s, 8),
                        .address = state_column_text(s, 9) },
                .when = (time_t) sqlite3_column_int64(s, 6),
                .note = state_column_text(s, 7),
                .event = sqlite3_column_int64(s, 10),
        };
}

static int state_loaded_add(struct state_loaded *l, sqlite3_stmt *s) {
        struct state_entry *e;
        struct state_mark m;

        if (GREEDY_REALLOC(l->entries, l->allocated, l->n + 1) < 0)
                return -ENOMEM;
        state_mark_from_row(s, &m);
        e = state_entry_new(m.ledger, m.milestone);
        if (!e)
                return -ENOMEM;
        e->status = m.status;
        e->snoozed_until = m.snoozed_until;
        if (state_entry_set_author(e, &m.by, m.when, m.note) < 0) {
                state_entry_free(e);
                return -ENOMEM;
        }
        e->event = m.event;
        l->entries[l->n++] = e;
        return 0;
}

/* Reads every mark's status; replaces the entries only when all was read.
 * Sorted here rather than by SQL, so that the order is the one the binary
 * search uses, whatever collation the table has. */
static int state_load(struct state *st) {
        sqlite3_stmt *s = state_stmt(st, STMT_LOAD);
        struct state_loaded l = { 0 };
        int rc, r = 0;

        while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
                r = state_loaded_add(&l, s);
        if (r == 0 && rc != SQLITE_DONE)
                r = state_fail_sqlite(st, rc, "reading the marks");
        else if (r < 0)
                r = state_fail(st, r, "out of memory");
        sqlite3_reset(s);
        if (r < 0) {
                state_entries_free(l.entries, l.n);
                return r;
        }
        if (l.n > 1) /* qsort(NULL, 0, …) is undefined */
                qsort(l.entries, l.n, sizeof *l.entries, state_entry_order);
        state_entries_free(st->entries, st->n_entries);
        st->entries = l.entries;
        st->n_entries = l.n;
        st->n_allocated = l.allocated;
        return 0;
}

int state_refresh(struct state *st) {
        return state_load(st);
}

bool state_is_done(const struct state *st, const char *ledger, const char *milestone) {
        const struct state_entry *e = state_entry_find(st, ledger, milestone);

        return e && e->status == STATE_DONE;
}

bool state_get_mark(const struct state *st, const char *ledger, const char *milestone,
                    struct state_mark *out) {
        const struct state_entry *e = state_entry_find(st, ledger, milestone);

        if (!e)
                return false;
        *out = (struct state_mark) {
                .ledger = e->key, .milestone = e->milestone, .status = e->status,
                .by = e->by, .when = e->when, .note = e->note,
                .snoozed_until = e->snoozed_until, .event = e->event,
        };
        return true;
}

time_t state_snoozed_until(const struct state *st, const char *ledger, const char *milestone) {
        const struct state_entry *e = state_entry_find(st, ledger, milestone);

        return e ? e->snoozed_until : 0;
}

bool state_milestone_done(const struct milestone *m, void *userdata) {
        return state_is_done(userdata, m->task->ledger->id, m->id);
}

/* ---- schema and migrations --------------------------------------------- */

/* Version 1, the initial schema. mark_events is the history, never updated
 * or deleted from; marks is the current status of each milestone that has a
 * history, and points at the event that set it (who, when, why). Times are
 * seconds since the epoch. */
static int state_migrate_1(struct state *st) {
        return state_exec(st,
                "CREATE TABLE mark_events ("
                "  id INTEGER PRIMARY KEY,"
                "  ledger TEXT NOT NULL,"
                "  milestone TEXT NOT NULL,"
                "  action TEXT NOT NULL CHECK (action IN ('done', 'reopened', 'snoozed')),"
                "  uid INTEGER NOT NULL,"
                "  user_name TEXT NOT NULL,"
                "  at INTEGER NOT NULL,"
                "  snooze_until INTEGER NOT NULL DEFAULT 0,"
                "  note TEXT NOT NULL DEFAULT '');"
                "CREATE INDEX mark_events_by_milestone ON mark_events (ledger, milestone);"
                "CREATE TABLE marks ("
                "  ledger TEXT NOT NULL,"
                "  milestone TEXT NOT NULL,"
                "  status TEXT NOT NULL CHECK (status IN ('done', 'reopened', 'snoozed')),"
                "  event INTEGER NOT NULL REFERENCES mark_events (id),"
                "  snoozed_until INTEGER NOT NULL DEFAULT 0,"
                "  PRIMARY KEY (ledger, milestone)) WITHOUT ROWID;",
                "creating schema version 1");
}

/* Version 2, the delivery log (deliveries.h). deliveries holds one message
 * each: one target, one instant, its status and the outcome of its tries.
 * delivery_items holds the reminders each message carries; its UNIQUE
 * constraint is what makes a reminder for a target recorded once ever, so
 * never sent twice, and its index also serves lookups by (ledger,
 * milestone). delivery_meta holds handled_until. Times are seconds since
 * the epoch; a NULL time is one that has not happened (yet). */
static int state_migrate_2(struct state *st) {
        return state_exec(st,
                "CREATE TABLE deliveries ("
                "  id INTEGER PRIMARY KEY,"
                "  key TEXT NOT NULL UNIQUE,"
                "  target TEXT NOT NULL,"
                "  at INTEGER NOT NULL,"
                "  late INTEGER NOT NULL DEFAULT 0,"
                "  status TEXT NOT NULL CHECK (status IN "
                "    ('pending', 'sent', 'failed', 'cancelled', 'missed')),"
                "  tries INTEGER NOT NULL DEFAULT 0,"
                "  created INTEGER NOT NULL,"
                "  first_try INTEGER,"
                "  last_try INTEGER,"
                "  next_try INTEGER,"
                "  finished INTEGER,"
                "  via TEXT NOT NULL DEFAULT '',"
                "  code INTEGER NOT NULL DEFAULT 0,"
                "  reason TEXT NOT NULL DEFAULT '',"
                "  answer TEXT NOT NULL DEFAULT '');"
                "CREATE INDEX deliveries_by_status ON deliveries (status, next_try);"
                "CREATE TABLE delivery_items ("
                "  delivery INTEGER NOT NULL REFERENCES deliveries (id),"
                "  ledger TEXT NOT NULL,"
                "  milestone TEXT NOT NULL,"
                "  kind TEXT NOT NULL,"
                "  offset_text TEXT NOT NULL,"
                "  at INTEGER NOT NULL,"
                "  target TEXT NOT NULL,"
                "  UNIQUE (ledger, milestone, kind, offset_text, at, target));"
                "CREATE INDEX delivery_items_by_delivery ON delivery_items (delivery);"
                "CREATE TABLE delivery_meta ("
                "  name TEXT PRIMARY KEY,"
                "  value INTEGER NOT NULL) WITHOUT ROWID;",
                "creating schema version 2");
}

/* state_migrations[i] takes the schema from version i to i + 1. Append only:
 * a released step never changes, as databases in the field have run it. */
/* Version 3: how a mark was made ("bus" for ledgerctl, "link" for a
 * reminder's button) and from which address (a link's client; "" else). */
static int state_migrate_3(struct state *st) {
        return state_exec(st,
                "ALTER TABLE mark_events ADD COLUMN via TEXT NOT NULL DEFAULT 'bus';"
                "ALTER TABLE mark_events ADD COLUMN address TEXT NOT NULL DEFAULT '';",
                "creating schema version 3");
}

/* Version 4: a digest too large for its channel goes as parts, each its
 * own delivery (part of parts); a message of several requests (a WeCom
 * digest and its @mention) counts those accepted in steps, so that a
 * retry sends only the rest. */
static int state_migrate_4(struct state *st) {
        return state_exec(st,
                "ALTER TABLE deliveries ADD COLUMN part INTEGER NOT NULL DEFAULT 1;"
                "ALTER TABLE deliveries ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;"
                "ALTER TABLE deliveries ADD COLUMN steps INTEGER NOT NULL DEFAULT 0;",
                "creating schema version 4");
}

/* Version 5: deliveries by instant, for recording a new instant's items
 * without looking each one up (deliveries.c). */
static int state_migrate_5(struct state *st) {
        return state_exec(st, "CREATE INDEX deliveries_by_at ON deliveries (at);",
                          "creating schema version 5");
}

static int (*const state_migrations[])(struct state *st) = {
        state_migrate_1,
        state_migrate_2,
        state_migrate_3,
        state_migrate_4,
        state_migrate_5,
};

static_assert(sizeof state_migrations / sizeof state_migrations[0] == STATE_SCHEMA_VERSION,
              "one migration per schema version");

static int state_schema_version(struct state *st, int *version) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);

        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
                *version = sqlite3_column_int(s, 0);
                rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
        return rc == SQLITE_OK ? 0 : state_fail_sqlite(st, rc, "reading the schema version");
}

static int state_refuse_newer(struct state *st, int version) {
        if (version >= 0 && version <= STATE_SCHEMA_VERSION)
                return 0;
        return state_fail(st, -EPROTONOSUPPORT,
                          "state database %s: schema version %d is not one this ledgerd "
                          "knows (0 to %d); written by a newer ledgerd? Left untouched",
                          st->path, version, STATE_SCHEMA_VERSION);
}

static int state_set_version(struct state *st, int version) {
        char sql[64];

        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
        return state_exec(st, sql, "writing the schema version");
}

/* Runs the missing steps, each with its version bump, in one transaction:
 * a failure leaves the database as it was. The version is read again under
 * the write lock, in case another process migrated meanwhile. */
static int state_migrate(struct state *st) {
        int version, r = state_begin(st);

        if (r < 0)
                return r;
        r = state_schema_version(st, &version);
        if (r == 0)
                r = state_refuse_newer(st, version);
        for (; r == 0 && version < STATE_SCHEMA_VERSION; version++) {
                r = state_migrations[version](st);
                if (r == 0)
                        r = state_set_version(st, version + 1);
        }
        if (r < 0)
                return state_rollback(st, r);
        return state_commit(st);
}

/* ---- opening ----------------------------------------------------------- */

/* SQLite falls back to read-only when it may not write the file; the state
 * must be writable, so say so now rather than at the first mark. */
static int state_check_writable(struct state *st) {
        char what[PATH_MAX + 16];
        int e;

        if (sqlite3_db_readonly(st->db, "main") != 1)
                return 0;
        e = state_access_problem(st, what, sizeof what);
        if (e == 0)
                return state_fail(st, -EROFS, "state database %s: opened read-only", st->path);
        return state_fail(st, -e, "state database %s: cannot write %s: %s", st->path, what,
                          strerror(e));
}

/* Returns the journal mode in force in *mode (at least 16 bytes). */
static int state_journal_mode(struct state *st, const char *sql, char *mode) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
                snprintf(mode, 16, "%s", state_column_text(s, 0));
                rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
        return rc == SQLITE_OK ? 0 : state_fail_sqlite(st, rc, "switching to WAL");
}

/* WAL: readers (the feed's revisions, a second handle) neither block the
 * writer nor are blocked by it, and a crash mid-write leaves the last
 * commit intact.
 * synchronous=FULL, not NORMAL: in WAL mode NORMAL may lose the last
 * commits on power loss, and a mark is an officer's acknowledged action
 * ("done" was answered) that must not come back as reminders after an
 * outage. Marks come at human pace, so the fsync per commit costs nothing
 * that matters. */
static int state_configure(struct state *st) {
        char mode[16];
        int r = state_journal_mode(st, "PRAGMA journal_mode = WAL", mode);

        if (r < 0)
                return r;
        if (strcmp(mode, "wal") != 0)
                return state_fail(st, -EIO, "state database %s: cannot use WAL (journal mode %s)",
                                  st->path, mode);
        return state_set_synchronous(st, true);
}

static int state_prepare(struct state *st) {
        for (size_t i = 0; i < STMT_MAX; i++) {
                int rc = sqlite3_prepare_v3(st->db, state_stmt_sql[i], -1,
                                            SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);

                if (rc != SQLITE_OK)
                        return state_fail_sqlite(st, rc, "preparing a statement");
        }
        return 0;
}

/* A file that cannot be written fails here, and at the first read a file
 * that is not a database or has a schema from a newer ledgerd: before
 * anything is written to it. */
static int state_open_db(struct state *st) {
        int version, rc = sqlite3_open_v2(st->path, &st->db,
                                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

        if (rc != SQLITE_OK)
                return st->db ? state_fail_sqlite(st, rc, "opening")
                              : state_fail(st, -ENOMEM, "out of memory");
        sqlite3_extended_result_codes(st->db, 1);
        sqlite3_busy_timeout(st->db, STATE_BUSY_TIMEOUT_MS);
        rc = state_check_writable(st);
        if (rc < 0)
                return rc;
        rc = state_schema_version(st, &version);
        if (rc < 0)
                return rc;
        return state_refuse_newer(st, version);
}

void state_set_busy_timeout(struct state *st, int ms) {
        sqlite3_busy_timeout(st->db, ms);
}

DEFINE_CLEANUP_FUNC(struct state, state_close)

int state_open(const char *path, struct state **out, char **error_message) {
        _cleanup_(state_closep) struct state *st = calloc(1, sizeof *st);
        int r;

        *out = NULL;
        if (error_message)
                *error_message = NULL;
        if (!st || !(st->path = strdup(path))) {
                if (error_message)
                        *error_message = strdup("out of memory");
                return -ENOMEM;
        }
        r = state_open_db(st);
        if (r == 0)
                r = state_configure(st);
        if (r == 0)
                r = state_migrate(st);
        if (r == 0)
                r = state_prepare(st);
        if (r == 0)
                r = state_load(st);
        if (r < 0) {
                if (error_message)
                        *error_message = strdup(state_last_error(st));
                return r;
        }
        *out = TAKE_PTR(st);
        return 0;
}

void state_close(struct state *st) {
        if (!st)
                return;
        for (size_t i = 0; i < STMT_MAX; i++)
                sqlite3_finalize(st->stmt[i]);
        for (size_t i = 0; i < STATE_CACHED_MAX; i++)
                sqlite3_finalize(st->cached[i].stmt);
        sqlite3_close(st->db);
        state_entries_free(st->entries, st->n_entries);
        free(st->last_error);
        free(st->path);
        free(st);
}

/* ---- writing ------------------------------------------------------------ */

static int state_check_args(struct state *st, const struct state_event *e) {
        if (!e->ledger || !*e->ledger || !e->milestone || !*e->milestone)
                return state_fail(st, -EINVAL, "a mark needs a ledger id and a milestone id");
        if (!e->by.user)
                return state_fail(st, -EINVAL, "a mark needs a user name");
        if (e->until < 0)
                return state_fail(st, -EINVAL, "a snooze cannot end before 1970");
        return 0;
}

/* Done and reopen change something or are refused: a second "done" would
 * hide who marked it first. */
static int state_check_status(struct state *st, const struct state_event *e) {
        sqlite3_stmt *s = state_stmt(st, STMT_STATUS);
        bool done = false;
        int rc;

        sqlite3_bind_text(s, 1, e->ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, e->milestone, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
                done = strcmp(state_column_text(s, 0), "done") == 0;
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return state_fail_sqlite(st, rc, "reading a mark");
        if (e->action == STATE_DONE && done)
                return state_fail(st, -EALREADY, "%s/%s is already done", e->ledger, e->milestone);
        if (e->action == STATE_REOPENED && !done)
                return state_fail(st, -EALREADY, "%s/%s is not done", e->ledger, e->milestone);
        return 0;
}

static int state_insert_event(struct state *st, const struct state_event *e, int64_t *id) {
        sqlite3_stmt *s = state_stmt(st, STMT_INSERT_EVENT);
        int r;

        sqlite3_bind_text(s, 1, e->ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, e->milestone, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, state_action_name(e->action), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, (sqlite3_int64) e->by.uid);
        sqlite3_bind_text(s, 5, e->by.user, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, (sqlite3_int64) e->when);
        sqlite3_bind_int64(s, 7, (sqlite3_int64) e->until);
        sqlite3_bind_text(s, 8, e->note ? e->note : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 9, e->by.via ? e->by.via : STATE_VIA_DEFAULT, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 10, e->by.address ? e->by.address : "", -1, SQLITE_STATIC);
        r = state_step_done(st, s, "recording a mark");
        *id = sqlite3_last_insert_rowid(st->db);
        return r;
}

static int state_update_mark(struct state *st, const struct state_event *e, int64_t event) {
        bool snooze = e->action == STATE_SNOOZED;
        sqlite3_stmt *s = state_stmt(st, snooze ? STMT_SET_SNOOZE : STMT_SET_STATUS);

        sqlite3_bind_text(s, 1, e->ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, e->milestone, -1, SQLITE_STATIC);
        if (snooze) {
                sqlite3_bind_int64(s, 3, event);
                sqlite3_bind_int64(s, 4, (sqlite3_int64) e->until);
        } else {
                sqlite3_bind_text(s, 3, state_action_name(e->action), -1, SQLITE_STATIC);
                sqlite3_bind_int64(s, 4, event);
        }
        return state_step_done(st, s, "updating a mark");
}

static int state_write(struct state *st, const struct state_event *e, int64_t *event_out) {
        int64_t event = 0;
        int r = state_begin(st);

        if (r < 0)
                return r;
        if (e->action != STATE_SNOOZED)
                r = state_check_status(st, e);
        if (r == 0)
                r = state_insert_event(st, e, &event);
        if (r == 0)
                r = state_update_mark(st, e, event);
        if (r < 0)
                return state_rollback(st, r);
        *event_out = event;
        return state_commit(st);
}

/* Writes e, then mirrors it in memory. Whatever memory that needs is taken
 * before the commit, so that a committed change is always in memory too. */
int state_record(struct state *st, const struct state_event *e) {
        struct state_entry *entry, *fresh = NULL, *author;
        int64_t event = 0;
        int r = state_check_args(st, e);

        if (r < 0)
                return r;
        entry = state_entry_find(st, e->ledger, e->milestone);
        if (!entry) {
                r = state_entries_reserve(st);
                if (r < 0)
                        return r;
                entry = fresh = state_entry_new(e->ledger, e->milestone);
                if (!fresh)
                        return state_fail(st, -ENOMEM, "out of memory");
                fresh->status = STATE_SNOOZED; /* until something else is recorded */
        }
        /* The author as the table has it (STMT_SET_SNOOZE): a snooze names
         * the mark's author only while it was never done nor reopened. */
        author = e->action != STATE_SNOOZED || entry->status == STATE_SNOOZED
                         ? state_entry_new(e->ledger, e->milestone) : NULL;
        if (author && state_entry_set_author(author, &e->by, e->when, e->note) < 0)
                r = state_fail(st, -ENOMEM, "out of memory");
        if (r >= 0)
                r = state_write(st, e, &event);
        if (r < 0) {
                state_entry_free(fresh);
                state_entry_free(author);
                return r;
        }
        if (e->action == STATE_SNOOZED)
                entry->snoozed_until = e->until;
        else
                entry->status = e->action;
        if (author) { /* the strings move over; nothing here can fail */
                free(entry->strings);
                entry->by = author->by;
                entry->when = author->when;
                entry->note = author->note;
                entry->strings = author->strings;
                entry->event = event;
                free(author);
        }
        if (fresh)
                state_entries_insert(st, fresh);
        return 0;
}

int state_mark_done(struct state *st, const char *ledger, const char *milestone, uid_t uid,
                    const char *user, time_t when, const char *note) {
        return state_record(st, &(struct state_event) {
                .ledger = ledger, .milestone = milestone, .action = STATE_DONE,
                .by = { .uid = uid, .user = user }, .when = when, .note = note,
        });
}

int state_reopen(struct state *st, const char *ledger, const char *milestone, uid_t uid,
                 const char *user, time_t when, const char *note) {
        return state_record(st, &(struct state_event) {
                .ledger = ledger, .milestone = milestone, .action = STATE_REOPENED,
                .by = { .uid = uid, .user = user }, .when = when, .note = note,
        });
}

int state_snooze(struct state *st, const char *ledger, const char *milestone, time_t until,
                 uid_t uid, const char *user, time_t when, const char *note) {
        return state_record(st, &(struct state_event) {
                .ledger = ledger, .milestone = milestone, .action = STATE_SNOOZED,
                .by = { .uid = uid, .user = user }, .when = when, .until = until, .note = note,
        });
}

/* ---- reading ------------------------------------------------------------ */

/* One statement reads all rows, so the walk sees one consistent snapshot.
 * The callback must not call back into st: it shares the statements. */
int state_list_marks(struct state *st, state_mark_fn fn, void *userdata) {
        sqlite3_stmt *s = state_stmt(st, STMT_LIST);
        struct state_mark m;
        int rc, r = 0;

        while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
                state_mark_from_row(s, &m);
                r = fn(&m, userdata);
        }
        if (r == 0 && rc != SQLITE_DONE)
                r = state_fail_sqlite(st, rc, "listing the marks");
        sqlite3_reset(s);
        return r;
}

int state_list_history(struct state *st, const char *ledger, const char *milestone,
                       state_event_fn fn, void *userdata) {
        sqlite3_stmt *s = state_stmt(st, STMT_HISTORY);
        struct state_event e;
        int rc, r = 0;

        sqlite3_bind_text(s, 1, ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, milestone, -1, SQLITE_STATIC);
        while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
                e = (struct state_event) {
                        .ledger = ledger, .milestone = milestone,
                        .action = state_action_from_name(state_column_text(s, 0)),
                        .by = { .uid = (uid_t) sqlite3_column_int64(s, 1),
                                .user = state_column_text(s, 2),
                                .via = state_column_text(s, 6),
                                .address = state_column_text(s, 7) },
                        .when = (time_t) sqlite3_column_int64(s, 3),
                        .until = (time_t) sqlite3_column_int64(s, 4),
                        .note = state_column_text(s, 5),
                };
                r = fn(&e, userdata);
        }
        if (r == 0 && rc != SQLITE_DONE)
                r = state_fail_sqlite(st, rc, "reading a history");
        sqlite3_reset(s);
        return r;
}

/* ---- orphans ------------------------------------------------------------ */

/* What a mark may name in one ledger: its milestones, and its tasks without
 * milestones (undated). ledger_find_milestone() is a linear scan, so asking
 * it for each mark would cost marks × milestones (10^10 for 100,000 of
 * each); a sorted index of ids per ledger costs (marks + milestones) × log. */
struct state_names {
        const char **ids;
        size_t n;
};

static int state_names_compare(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static size_t state_names_count(const struct ledger *l) {
        size_t n = 0;

        for (size_t i = 0; i < l->n_tasks; i++)
                n += l->tasks[i].n_milestones ? l->tasks[i].n_milestones : 1;
        return n;
}

static int state_names_build(const struct ledger *l, struct state_names *names) {
        names->n = 0;
        names->ids = malloc((state_names_count(l) + 1) * sizeof *names->ids);
        if (!names->ids)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_tasks; i++) {
                const struct task *t = &l->tasks[i];

                if (t->n_milestones == 0)
                        names->ids[names->n++] = t->id;
                for (size_t j = 0; j < t->n_milestones; j++)
                        names->ids[names->n++] = t->milestones[j].id;
        }
        qsort(names->ids, names->n, sizeof *names->ids, state_names_compare);
        return 0;
}

struct state_orphans {
        const struct config *config;
        struct state_names *names; /* one per ledger of config, built when first needed */
        state_mark_fn fn;
        void *userdata;
        int count;
        bool out_of_memory;
};

static bool state_orphans_known(struct state_orphans *o, const struct state_mark *m, int *r) {
        const struct ledger *l = config_find_ledger(o->config, m->ledger);
        struct state_names *names;

        *r = 0;
        if (!l)
                return false;
        names = &o->names[l - o->config->ledgers];
        if (!names->ids && (*r = state_names_build(l, names)) < 0)
                return false;
        return bsearch(&m->milestone, names->ids, names->n, sizeof *names->ids,
                       state_names_compare) != NULL;
}

static int state_orphans_visit(const struct state_mark *m, void *userdata) {
        struct state_orphans *o = userdata;
        int r;

        if (state_orphans_known(o, m, &r))
                return 0;
        if (r < 0) {
                o->out_of_memory = true;
                return r;
        }
        o->count++;
        return o->fn(m, o->userdata);
}

int state_find_orphans(struct state *st, const struct config *c, state_mark_fn fn,
                       void *userdata) {
        struct state_orphans o = { .config = c, .fn = fn, .userdata = userdata };
        int r;

        o.names = calloc(c->n_ledgers + 1, sizeof *o.names);
        if (!o.names)
                return state_fail(st, -ENOMEM, "out of memory");
        r = state_list_marks(st, state_orphans_visit, &o);
        if (o.out_of_memory)
                state_fail(st, r, "out of memory");
        for (size_t i = 0; i < c->n_ledgers; i++)
                free(o.names[i].ids);
        free(o.names);
        return r < 0 ? r : o.count;
}
