/* SPDX-License-Identifier: MIT */
/* The revision store: SEQUENCE and the change time move only when an event's
 * content hash does, across reopenings, and nothing is kept from a render
 * that was not committed. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/revisions.h"

static char path[] = "/tmp/ledgerd-test-revisions-XXXXXX";

static struct revisions *open_at(time_t now) {
        struct revisions *r = NULL;
        char *error = NULL;

        assert_int_equal(revisions_open(path, now, &r, &error), 0);
        assert_null(error);
        return r;
}

static void test_sequence(void **state) {
        struct revisions *r = open_at(1000);
        struct ics_revision v;

        (void) state;
        v = revisions_lookup("1@t.ledgerd", 42, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 1000);
        assert_int_equal(revisions_commit(r), 0);
        revisions_close(r);

        r = open_at(2000); /* later, unchanged: the old revision */
        v = revisions_lookup("1@t.ledgerd", 42, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 1000);
        v = revisions_lookup("1@t.ledgerd", 43, r); /* changed */
        assert_int_equal(v.sequence, 1);
        assert_int_equal(v.modified, 2000);
        v = revisions_lookup("2@t.ledgerd", 7, r);
        assert_int_equal(v.sequence, 0);
        v = revisions_lookup("1@t.ledgerd", 43, r); /* asked again: what was just stored */
        assert_int_equal(v.sequence, 1);
        assert_int_equal(v.modified, 2000);
        assert_int_equal(revisions_commit(r), 0);
        revisions_close(r);

        r = open_at(3000); /* a render not committed is forgotten */
        v = revisions_lookup("1@t.ledgerd", 44, r);
        assert_int_equal(v.sequence, 2);
        revisions_close(r);
        r = open_at(4000);
        v = revisions_lookup("1@t.ledgerd", 43, r);
        assert_int_equal(v.sequence, 1);
        assert_int_equal(v.modified, 2000);
        revisions_close(r);
}

/* Thousands of events, asked for in the order they were stored, in reverse
 * and twice in one transaction (the main feed, then an owner's): each keeps
 * its revision until its own hash changes. The first lookups of each
 * transaction are SELECTs, the rest read the table in: a change written
 * before the table is read is in it. */
static void test_many(void **state) {
        enum { N = 5000 };
        struct revisions *r = open_at(1000);
        struct ics_revision v;
        char uid[32];

        (void) state;
        for (int i = 0; i < N; i++) {
                snprintf(uid, sizeof uid, "%d@many.ledgerd", i);
                v = revisions_lookup(uid, (uint64_t) i, r);
                assert_int_equal(v.sequence, 0);
        }
        assert_int_equal(revisions_commit(r), 0);
        /* after a commit, the same object reads the table again */
        snprintf(uid, sizeof uid, "%d@many.ledgerd", 7);
        v = revisions_lookup(uid, 7, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 1000);
        revisions_close(r);

        r = open_at(2000);
        for (int i = N; i-- > 0;) { /* backwards: no entry follows the last found */
                snprintf(uid, sizeof uid, "%d@many.ledgerd", i);
                v = revisions_lookup(uid, (uint64_t) (i % 10 == 3 ? i + 1 : i), r);
                assert_int_equal(v.sequence, i % 10 == 3 ? 1 : 0);
                assert_int_equal(v.modified, i % 10 == 3 ? 2000 : 1000);
        }
        for (int i = 0; i < N; i++) { /* an owner's feed, in the same transaction */
                snprintf(uid, sizeof uid, "%d@many.ledgerd", i);
                v = revisions_lookup(uid, (uint64_t) (i % 10 == 3 ? i + 1 : i), r);
                assert_int_equal(v.sequence, i % 10 == 3 ? 1 : 0);
        }
        v = revisions_lookup("new@many.ledgerd", 1, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 2000);
        assert_int_equal(revisions_commit(r), 0);
        revisions_close(r);

        r = open_at(3000);
        v = revisions_lookup("13@many.ledgerd", 14, r);
        assert_int_equal(v.sequence, 1);
        assert_int_equal(v.modified, 2000);
        v = revisions_lookup("new@many.ledgerd", 1, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 2000);
        revisions_close(r);
}

static void test_unwritable(void **state) {
        struct revisions *r = NULL;
        char *error = NULL;

        (void) state;
        assert_true(revisions_open("/nonexistent/dir/state.db", 0, &r, &error) < 0);
        assert_null(r);
        assert_non_null(error);
        free(error);
}

static int setup(void **state) {
        int fd = mkstemp(path);

        (void) state;
        return fd < 0 ? -1 : close(fd);
}

static int teardown(void **state) {
        char wal[64], shm[64];

        (void) state;
        snprintf(wal, sizeof wal, "%s-wal", path);
        snprintf(shm, sizeof shm, "%s-shm", path);
        unlink(wal);
        unlink(shm);
        return unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sequence),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_unwritable),
        };

        return cmocka_run_group_tests_name("revisions", tests, setup, teardown);
}
