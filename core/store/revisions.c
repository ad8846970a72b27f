/* SPDX-License-Identifier: MIT */
#include "store/revisions.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/cleanup.h"
#include "basic/greedy.h"

/* A render asks about every event of the feed it renders. One SELECT per
 * event cost a quarter of a 100,000-event render, so after the first few
 * lookups the whole table is read once into an index in memory (a scan
 * takes a tenth of that), and the statements only write what changed. The
 * first few are SELECTs: a render that copies most events from the last
 * one (ics_options.reuse) asks about a few hundred, and for a province's
 * 30,000 rows the scan would cost more than they do. */
#define POINT_LOOKUPS 2048

struct revision_entry {
        const char *uid; /* in the index's arena */
        uint64_t uid_hash;
        uint64_t hash;
        struct ics_revision rev;
};

struct revision_index {
        struct arena *strings;
        struct revision_entry *entries;
        size_t n, cap;
        uint32_t *slots; /* 1 + the entry's position; 0: free. A power of two. */
        size_t n_slots;
};

struct revisions {
        sqlite3 *db;
        sqlite3_stmt *upsert, *select;
        size_t n_selected; /* lookups by SELECT in this transaction */
        time_t now;
        int error; /* the first failure since open; reported by commit */
        struct revision_index *index; /* NULL until the first lookup */
        size_t next; /* the entry after the last one found */
};

static const char schema[] =
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE IF NOT EXISTS event_revisions ("
        "  uid TEXT PRIMARY KEY,"
        "  hash INTEGER NOT NULL,"
        "  sequence INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL);"
        "BEGIN IMMEDIATE;";

/* ---- the index --------------------------------------------------------------- */

static uint64_t uid_hash(const char *s) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= UINT64_C(1099511628211);
        }
        return h;
}

static void index_free(struct revision_index *x) {
        if (!x)
                return;
        arena_free(x->strings);
        free(x->entries);
        free(x->slots);
        free(x);
}
DEFINE_CLEANUP_FUNC(struct revision_index, index_free)

/* The slot that holds uid (whose uid_hash() is h), or the free one where it
 * would go. */
static uint32_t *index_slot(const struct revision_index *x, const char *uid, uint64_t h) {
        size_t mask = x->n_slots - 1, i = (size_t) h & mask;

        for (;; i = (i + 1) & mask) {
                uint32_t *s = &x->slots[i];
                const struct revision_entry *e;

                if (*s == 0)
                        return s;
                e = &x->entries[*s - 1];
                if (e->uid_hash == h && strcmp(e->uid, uid) == 0)
                        return s;
        }
}

/* Keeps the table at most half full, for n + 1 entries. 0 or -ENOMEM. */
static int index_grow(struct revision_index *x, size_t n) {
        size_t n_slots = x->n_slots ? x->n_slots : 1024;
        uint32_t *old = x->slots;

        if (x->n_slots && (n + 1) * 2 <= x->n_slots)
                return 0;
        while ((n + 1) * 2 > n_slots)
                n_slots *= 2;
        if (n_slots > UINT32_MAX)
                return -ENOMEM;
        x->slots = calloc(n_slots, sizeof *x->slots);
        if (!x->slots) {
                x->slots = old;
                return -ENOMEM;
        }
        x->n_slots = n_slots;
        for (size_t i = 0; i < x->n; i++)
                *index_slot(x, x->entries[i].uid, x->entries[i].uid_hash) = (uint32_t) (i + 1);
        free(old);
        return 0;
}

/* The entry of uid, added with the given content when it is new. NULL when
 * out of memory. */
static struct revision_entry *index_put(struct revision_index *x, const char *uid, uint64_t hash,
                                        const struct ics_revision *rev) {
        uint64_t h = uid_hash(uid);
        struct revision_entry *e;
        uint32_t *slot;

        if (index_grow(x, x->n) < 0)
                return NULL;
        slot = index_slot(x, uid, h);
        if (*slot) {
                e = &x->entries[*slot - 1];
                e->hash = hash;
                e->rev = *rev;
                return e;
        }
        if (GREEDY_REALLOC(x->entries, x->cap, x->n + 1) < 0)
                return NULL;
        e = &x->entries[x->n];
        *e = (struct revision_entry) {
                .uid = arena_strdup(x->strings, uid), .uid_hash = h, .hash = hash, .rev = *rev,
        };
        if (!e->uid)
                return NULL;
        *slot = (uint32_t) ++x->n;
        return e;
}

static const struct revision_entry *index_get(const struct revision_index *x, const char *uid) {
        uint32_t s = *index_slot(x, uid, uid_hash(uid));

        return s ? &x->entries[s - 1] : NULL;
}

/* About how many rows the table has, cheaply: its largest rowid. */
static size_t rows_estimate(sqlite3 *db) {
        sqlite3_stmt *st = NULL;
        sqlite3_int64 n = 0;

        if (sqlite3_prepare_v2(db, "SELECT max(rowid) FROM event_revisions", -1, &st, NULL) ==
                    SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return n > 0 && n < 100000000 ? (size_t) n : 0;
}

/* Every stored revision, read in one scan. 0, -ENOMEM or -EIO. */
static int index_load(sqlite3 *db, struct revision_index **out) {
        _cleanup_(index_freep) struct revision_index *x = calloc(1, sizeof *x);
        sqlite3_stmt *all = NULL;
        int r = 0, step;

        if (!x || !(x->strings = arena_new()) || index_grow(x, rows_estimate(db)) < 0)
                return -ENOMEM;
        if (sqlite3_prepare_v2(db, "SELECT uid, hash, sequence, modified FROM event_revisions",
                               -1, &all, NULL) != SQLITE_OK)
                r = -EIO;
        while (r == 0 && (step = sqlite3_step(all)) == SQLITE_ROW) {
                const char *uid = (const char *) sqlite3_column_text(all, 0);
                struct ics_revision rev = {
                        .sequence = (uint32_t) sqlite3_column_int64(all, 2),
                        .modified = (time_t) sqlite3_column_int64(all, 3),
                };

                if (uid && !index_put(x, uid, (uint64_t) sqlite3_column_int64(all, 1), &rev))
                        r = -ENOMEM;
        }
        if (r == 0 && step != SQLITE_DONE)
                r = -EIO;
        sqlite3_finalize(all);
        if (r < 0)
                return r;
        *out = TAKE_PTR(x);
        return 0;
}

/* ---- the store --------------------------------------------------------------- */

static int fail(struct revisions *r, char **error) {
        if (error)
                *error = strdup(sqlite3_errmsg(r->db));
        revisions_close(r);
        return -EIO;
}

int revisions_open(const char *path, time_t now, struct revisions **out, char **error) {
        struct revisions *r = calloc(1, sizeof *r);

        *out = NULL;
        if (error)
                *error = NULL;
        if (!r)
                return -ENOMEM;
        r->now = now;
        if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
            sqlite3_busy_timeout(r->db, 5000) != SQLITE_OK ||
            sqlite3_exec(r->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(r->db,
                               "INSERT INTO event_revisions (uid, hash, sequence, modified) "
                               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (uid) DO UPDATE SET "
                               "hash = ?2, sequence = ?3, modified = ?4",
                               -1, &r->upsert, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(r->db,
                               "SELECT hash, sequence, modified FROM event_revisions WHERE uid = ?1",
                               -1, &r->select, NULL) != SQLITE_OK)
                return fail(r, error);
        *out = r;
        return 0;
}

static void store(struct revisions *r, const char *uid, uint64_t hash,
                  const struct ics_revision *rev) {
        sqlite3_bind_text(r->upsert, 1, uid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(r->upsert, 2, (sqlite3_int64) hash);
        sqlite3_bind_int64(r->upsert, 3, rev->sequence);
        sqlite3_bind_int64(r->upsert, 4, (sqlite3_int64) rev->modified);
        if (sqlite3_step(r->upsert) != SQLITE_DONE && !r->error)
                r->error = -EIO;
        sqlite3_reset(r->upsert);
        /* Later lookups in this transaction (another owner's feed) see it:
         * in the table, and in the index once it is read. */
        if (r->index && !index_put(r->index, uid, hash, rev) && !r->error)
                r->error = -ENOMEM;
}

/* The stored revision of uid by one SELECT: 1 and *out, 0 when there is
 * none, or -EIO. */
static int select_one(struct revisions *r, const char *uid, struct revision_entry *out) {
        int step, k = 0;

        sqlite3_bind_text(r->select, 1, uid, -1, SQLITE_STATIC);
        step = sqlite3_step(r->select);
        if (step == SQLITE_ROW) {
                out->hash = (uint64_t) sqlite3_column_int64(r->select, 0);
                out->rev.sequence = (uint32_t) sqlite3_column_int64(r->select, 1);
                out->rev.modified = (time_t) sqlite3_column_int64(r->select, 2);
                k = 1;
        } else if (step != SQLITE_DONE)
                k = -EIO;
        sqlite3_reset(r->select);
        return k;
}

/* The stored revision of uid in the index, read in on first use. */
static int index_find(struct revisions *r, const char *uid, struct revision_entry *out) {
        const struct revision_entry *e;
        int k;

        if (!r->index && (k = index_load(r->db, &r->index)) < 0)
                return k;
        /* The table was written in the order feeds are rendered in: the entry
         * after the last one is most often the one asked for. */
        if (r->next < r->index->n && strcmp(r->index->entries[r->next].uid, uid) == 0)
                e = &r->index->entries[r->next];
        else
                e = index_get(r->index, uid);
        if (!e)
                return 0;
        r->next = (size_t) (e - r->index->entries) + 1;
        *out = *e;
        return 1;
}

static int find_stored(struct revisions *r, const char *uid, struct revision_entry *out) {
        if (!r->index && r->n_selected < POINT_LOOKUPS) {
                r->n_selected++;
                return select_one(r, uid, out);
        }
        return index_find(r, uid, out);
}

struct ics_revision revisions_lookup(const char *uid, uint64_t content_hash, void *userdata) {
        struct revisions *r = userdata;
        struct ics_revision rev = { .sequence = 0, .modified = r->now };
        struct revision_entry e;
        int k = find_stored(r, uid, &e);

        if (k < 0) {
                /* Nothing to compare with: say "changed now", and fail the commit. */
                if (!r->error)
                        r->error = k;
                return rev;
        }
        if (k > 0) {
                if (e.hash == content_hash)
                        return e.rev;
                rev.sequence = e.rev.sequence + 1;
        }
        store(r, uid, content_hash, &rev);
        return rev;
}

struct ics_revision revisions_lookup_scoped(const char *uid, uint64_t content_hash, void *userdata) {
        const struct revisions_scope *s = userdata;
        char key[2 * ICS_UID_MAX];

        if (!s->scope)
                return revisions_lookup(uid, content_hash, s->revisions);
        snprintf(key, sizeof key, "%s %s", s->scope, uid);
        return revisions_lookup(key, content_hash, s->revisions);
}

int revisions_commit(struct revisions *r) {
        if (r->error)
                return r->error;
        if (sqlite3_exec(r->db, "COMMIT; BEGIN IMMEDIATE;", NULL, NULL, NULL) != SQLITE_OK)
                return -EIO;
        /* Between the two, another writer may have changed the table. */
        index_free(r->index);
        r->index = NULL;
        r->next = 0;
        r->n_selected = 0;
        return 0;
}

void revisions_close(struct revisions *r) {
        if (!r)
                return;
        index_free(r->index);
        sqlite3_finalize(r->upsert);
        sqlite3_finalize(r->select);
        /* An open transaction not committed is rolled back by close. */
        sqlite3_close(r->db);
        free(r);
}
