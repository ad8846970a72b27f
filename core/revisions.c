/* SPDX-License-Identifier: MIT */
#include "revisions.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct revisions {
        sqlite3 *db;
        sqlite3_stmt *select, *upsert;
        time_t now;
        int error; /* the first failure since open; reported by commit */
};

static const char schema[] =
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE IF NOT EXISTS event_revisions ("
        "  uid TEXT PRIMARY KEY,"
        "  hash INTEGER NOT NULL,"
        "  sequence INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL);"
        "BEGIN IMMEDIATE;";

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
                               "SELECT hash, sequence, modified FROM event_revisions WHERE uid = ?",
                               -1, &r->select, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(r->db,
                               "INSERT INTO event_revisions (uid, hash, sequence, modified) "
                               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (uid) DO UPDATE SET "
                               "hash = ?2, sequence = ?3, modified = ?4",
                               -1, &r->upsert, NULL) != SQLITE_OK)
                return fail(r, error);
        *out = r;
        return 0;
}

static bool stored(struct revisions *r, const char *uid, uint64_t *hash, struct ics_revision *rev) {
        bool found = false;

        sqlite3_bind_text(r->select, 1, uid, -1, SQLITE_STATIC);
        if (sqlite3_step(r->select) == SQLITE_ROW) {
                *hash = (uint64_t) sqlite3_column_int64(r->select, 0);
                rev->sequence = (uint32_t) sqlite3_column_int64(r->select, 1);
                rev->modified = (time_t) sqlite3_column_int64(r->select, 2);
                found = true;
        }
        sqlite3_reset(r->select);
        return found;
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
}

struct ics_revision revisions_lookup(const char *uid, uint64_t content_hash, void *userdata) {
        struct revisions *r = userdata;
        struct ics_revision rev = { .sequence = 0, .modified = r->now };
        uint64_t old_hash;

        if (stored(r, uid, &old_hash, &rev)) {
                if (old_hash == content_hash)
                        return rev;
                rev.sequence++;
                rev.modified = r->now;
        }
        store(r, uid, content_hash, &rev);
        return rev;
}

int revisions_commit(struct revisions *r) {
        if (r->error)
                return r->error;
        if (sqlite3_exec(r->db, "COMMIT; BEGIN IMMEDIATE;", NULL, NULL, NULL) != SQLITE_OK)
                return -EIO;
        return 0;
}

void revisions_close(struct revisions *r) {
        if (!r)
                return;
        sqlite3_finalize(r->select);
        sqlite3_finalize(r->upsert);
        /* An open transaction not committed is rolled back by close. */
        sqlite3_close(r->db);
        free(r);
}
