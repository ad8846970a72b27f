/* SPDX-License-Identifier: MIT */
#pragma once

/* A state database as another process sees it: SQL run on a connection of
 * its own, any failure failing the test. Static inline, as
 * tests/unit/test-files.h. Include it after cmocka.h. */

#include <sqlite3.h>

/* Runs text (one or more statements) on the database at path. */
static inline void test_sql(const char *path, const char *text) {
        sqlite3 *db;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The first column of the first row of query. */
static inline long long test_sql_int(const char *path, const char *query) {
        sqlite3 *db;
        sqlite3_stmt *s;
        long long v;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, query, -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        return v;
}
