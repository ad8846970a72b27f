/* SPDX-License-Identifier: MIT */
/* The state database: done, reopen and snooze survive closing; the history
 * keeps every event; orphans are reported, never dropped; schemas migrate
 * forward, and a newer schema, a corrupt file or one that cannot be written
 * is a clear error that leaves the file as it was. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/readfile.h"
#include "ledger/model.h"
#include "store/revisions.h"
#include "store/state.h"
#include "tests/unit/test-files.h"
#include "tests/unit/test-sqlite.h"

#define T0 ((time_t) 1751328000) /* 2025-07-01 00:00 UTC */
#define N_MANY 100000

static char dir[] = "/tmp/ledgerd-test-state-XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

static char *file_in_dir(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static struct state *open_ok(const char *path) {
        struct state *st = NULL;
        char *error = (char *) "untouched";

        assert_int_equal(state_open(path, &st, &error), 0);
        assert_null(error);
        assert_non_null(st);
        assert_string_equal(state_last_error(st), "");
        return st;
}

/* Opens, expecting r; returns the message (to free). */
static char *open_fails(const char *path, int r) {
        struct state *st = (struct state *) 1;
        char *error = NULL;

        assert_int_equal(state_open(path, &st, &error), r);
        assert_null(st);
        assert_non_null(error);
        assert_non_null(strstr(error, path));
        return error;
}

static char *read_file(const char *path, size_t *size) {
        char *data = NULL;

        assert_int_equal(readfile(path, 1 << 20, &data, size), 0);
        return data;
}

static void assert_file_is(const char *path, const char *data, size_t size) {
        size_t now_size;
        char *now = read_file(path, &now_size);

        assert_int_equal(now_size, size);
        assert_memory_equal(now, data, size);
        free(now);
}

/* Bytes from a fixed seed: every run damages the same way. */
static void pseudo_random(char *out, size_t n, uint32_t seed) {
        for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                out[i] = (char) (seed >> 16);
        }
}

/* Collects what a walk reports, as text lines. */
struct lines {
        char text[4096];
        int n;
};

static int collect_mark(const struct state_mark *m, void *userdata) {
        struct lines *l = userdata;
        size_t len = strlen(l->text);

        snprintf(l->text + len, sizeof l->text - len, "%s/%s %s %u %s %lld %s %lld\n",
                 m->ledger, m->milestone, state_action_name(m->status), (unsigned) m->by.uid,
                 m->by.user, (long long) (m->when - T0), m->note,
                 m->snoozed_until ? (long long) (m->snoozed_until - T0) : 0LL);
        l->n++;
        return 0;
}

static int collect_event(const struct state_event *e, void *userdata) {
        struct lines *l = userdata;
        size_t len = strlen(l->text);

        snprintf(l->text + len, sizeof l->text - len, "%s/%s %s %u %s %lld %lld %s\n",
                 e->ledger, e->milestone, state_action_name(e->action), (unsigned) e->by.uid,
                 e->by.user, (long long) (e->when - T0),
                 e->until ? (long long) (e->until - T0) : 0LL, e->note);
        l->n++;
        return 0;
}

static int collect_via(const struct state_event *e, void *userdata) {
        struct lines *l = userdata;
        size_t len = strlen(l->text);

        snprintf(l->text + len, sizeof l->text - len, "%s %s %s\n", state_action_name(e->action),
                 e->by.via, e->by.address);
        l->n++;
        return 0;
}

/* ---- marks -------------------------------------------------------------- */

static void test_round_trip(void **state) {
        char *path = file_in_dir("round-trip.db");
        struct state *st = open_ok(path);

        (void) state;
        assert_false(state_is_done(st, "yuli-2025", "15.2"));
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 1000, "alice", T0 + 60,
                                         "报送完毕"), 0);
        assert_int_equal(state_snooze(st, "yuli-2025", "3", T0 + 86400, 1001, "bob", T0 + 120,
                                      NULL), 0);
        assert_true(state_is_done(st, "yuli-2025", "15.2"));
        assert_false(state_is_done(st, "yuli-2025", "15.1"));
        assert_false(state_is_done(st, "yuli-2026", "15.2"));
        assert_false(state_is_done(st, "yuli-2025", "3"));
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "3"), T0 + 86400);
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "15.2"), 0);
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "4"), 0);
        state_close(st);

        st = open_ok(path); /* all of it came back */
        assert_true(state_is_done(st, "yuli-2025", "15.2"));
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "3"), T0 + 86400);
        assert_int_equal(state_reopen(st, "yuli-2025", "15.2", 0, "root", T0 + 180, "退回"), 0);
        assert_false(state_is_done(st, "yuli-2025", "15.2"));
        assert_int_equal(state_snooze(st, "yuli-2025", "3", 0, 1001, "bob", T0 + 240, "取消"), 0);
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "3"), 0);
        state_close(st);

        st = open_ok(path);
        assert_false(state_is_done(st, "yuli-2025", "15.2"));
        assert_int_equal(state_snoozed_until(st, "yuli-2025", "3"), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 1000, "alice", T0 + 300, ""), 0);
        assert_true(state_is_done(st, "yuli-2025", "15.2"));
        state_close(st);
        free(path);
}

static int64_t event_of(struct state *st, const char *milestone) {
        struct state_mark m;

        assert_true(state_get_mark(st, "yuli-2025", milestone, &m));
        return m.event;
}

/* Each done or reopen has a number greater than the last, even within one
 * second (links are bound to it); a snooze after them leaves it; the file
 * gives the same numbers back. */
static void test_event_numbers(void **state) {
        char *path = file_in_dir("events.db");
        struct state *st = open_ok(path);
        int64_t done, reopened, again;

        (void) state;
        assert_int_equal(state_mark_done(st, "yuli-2025", "1", 0, "root", T0, ""), 0);
        done = event_of(st, "1");
        assert_int_equal(state_reopen(st, "yuli-2025", "1", 0, "root", T0, ""), 0);
        reopened = event_of(st, "1");
        assert_int_equal(state_mark_done(st, "yuli-2025", "1", 0, "root", T0, ""), 0);
        again = event_of(st, "1");
        assert_true(done > 0 && reopened > done && again > reopened);
        assert_int_equal(state_snooze(st, "yuli-2025", "1", T0 + 86400, 0, "root", T0, ""), 0);
        assert_int_equal(event_of(st, "1"), again);
        state_close(st);
        st = open_ok(path);
        assert_int_equal(event_of(st, "1"), again);
        state_close(st);
        free(path);
}

/* How and from where a mark was made: kept in memory, in the file, and in
 * the history; what the caller does not say is "bus" and "". */
static void test_how_and_where(void **state) {
        char *path = file_in_dir("how.db");
        struct state *st = open_ok(path);
        struct state_mark m;
        struct lines h = {};

        (void) state;
        assert_int_equal(state_record(st, &(struct state_event) {
                                 .ledger = "yuli-2025", .milestone = "15.2", .action = STATE_DONE,
                                 .by = { .uid = (uid_t) -1, .user = "县财政局", .via = "link",
                                         .address = "192.0.2.7" },
                                 .when = T0 + 60, .note = "" }), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.3", 0, "root", T0 + 61, "x"), 0);
        for (int pass = 0; pass < 2; pass++) {
                assert_true(state_get_mark(st, "yuli-2025", "15.2", &m));
                assert_int_equal(m.status, STATE_DONE);
                assert_string_equal(m.by.user, "县财政局");
                assert_string_equal(m.by.via, "link");
                assert_string_equal(m.by.address, "192.0.2.7");
                assert_int_equal(m.when, T0 + 60);
                assert_true(state_get_mark(st, "yuli-2025", "15.3", &m));
                assert_string_equal(m.by.via, "bus");
                assert_string_equal(m.by.address, "");
                state_close(st);
                st = open_ok(path); /* and again from the file */
        }
        assert_int_equal(state_list_history(st, "yuli-2025", "15.2", collect_via, &h), 0);
        assert_string_equal(h.text, "done link 192.0.2.7\n");
        state_close(st);
        free(path);
}

static void test_refused(void **state) {
        char *path = file_in_dir("refused.db");
        struct state *st = open_ok(path);
        struct lines l = { 0 };

        (void) state;
        assert_int_equal(state_reopen(st, "yuli-2025", "7", 0, "root", T0, NULL), -EALREADY);
        assert_string_equal(state_last_error(st), "yuli-2025/7 is not done");
        assert_int_equal(state_mark_done(st, "yuli-2025", "7", 1000, "alice", T0, "a"), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "7", 1001, "bob", T0 + 1, "b"),
                         -EALREADY);
        assert_string_equal(state_last_error(st), "yuli-2025/7 is already done");
        assert_int_equal(state_mark_done(st, "", "7", 0, "root", T0, NULL), -EINVAL);
        assert_int_equal(state_mark_done(st, "yuli-2025", "", 0, "root", T0, NULL), -EINVAL);
        assert_int_equal(state_mark_done(st, NULL, "8", 0, "root", T0, NULL), -EINVAL);
        assert_int_equal(state_mark_done(st, "yuli-2025", "8", 0, NULL, T0, NULL), -EINVAL);
        assert_int_equal(state_snooze(st, "yuli-2025", "8", -5, 0, "root", T0, NULL), -EINVAL);
        assert_false(state_is_done(st, "yuli-2025", "8"));

        /* The refused calls wrote nothing: alice's mark only. */
        assert_int_equal(state_list_history(st, "yuli-2025", "7", collect_event, &l), 0);
        assert_string_equal(l.text, "yuli-2025/7 done 1000 alice 0 0 a\n");
        memset(&l, 0, sizeof l);
        assert_int_equal(state_list_marks(st, collect_mark, &l), 0);
        assert_string_equal(l.text, "yuli-2025/7 done 1000 alice 0 a 0\n");
        state_close(st);
        free(path);
}

static void test_history(void **state) {
        char *path = file_in_dir("history.db");
        struct state *st = open_ok(path);
        struct lines l = { 0 };

        (void) state;
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 1000, "alice", T0, "报送"), 0);
        assert_int_equal(state_reopen(st, "yuli-2025", "15.2", 0, "root", T0 + 10, "补充材料"), 0);
        assert_int_equal(state_snooze(st, "yuli-2025", "15.2", T0 + 3600, 1001, "bob", T0 + 20,
                                      "等待"), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 1001, "bob", T0 + 30, NULL), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.1", 1000, "alice", T0 + 40, "x"), 0);
        state_close(st);

        st = open_ok(path);
        assert_int_equal(state_list_history(st, "yuli-2025", "15.2", collect_event, &l), 0);
        assert_int_equal(l.n, 4);
        assert_string_equal(l.text,
                            "yuli-2025/15.2 done 1000 alice 0 0 报送\n"
                            "yuli-2025/15.2 reopened 0 root 10 0 补充材料\n"
                            "yuli-2025/15.2 snoozed 1001 bob 20 3600 等待\n"
                            "yuli-2025/15.2 done 1001 bob 30 0 \n");
        memset(&l, 0, sizeof l);
        assert_int_equal(state_list_history(st, "yuli-2025", "99", collect_event, &l), 0);
        assert_int_equal(l.n, 0);
        state_close(st);
        free(path);
}

/* The status names who set it: a snooze after a done mark does not take
 * the done mark's author away; a snooze alone names the snoozer. */
static void test_list_marks(void **state) {
        char *path = file_in_dir("list.db");
        struct state *st = open_ok(path);
        struct lines l = { 0 };

        (void) state;
        assert_int_equal(state_mark_done(st, "yuli-2025", "2", 1000, "alice", T0, "ok"), 0);
        assert_int_equal(state_snooze(st, "yuli-2025", "2", T0 + 500, 1001, "bob", T0 + 5, "s"), 0);
        assert_int_equal(state_snooze(st, "yuli-2025", "10", T0 + 700, 1001, "bob", T0 + 6, "t"),
                         0);
        assert_int_equal(state_snooze(st, "yuli-2025", "10", T0 + 900, 1002, "carol", T0 + 7, "u"),
                         0);
        assert_int_equal(state_mark_done(st, "a-2024", "1", 1002, "carol", T0 + 8, ""), 0);
        assert_int_equal(state_reopen(st, "a-2024", "1", 1002, "carol", T0 + 9, "oops"), 0);
        assert_int_equal(state_list_marks(st, collect_mark, &l), 0);
        assert_int_equal(l.n, 3);
        assert_string_equal(l.text,
                            "a-2024/1 reopened 1002 carol 9 oops 0\n"
                            "yuli-2025/10 snoozed 1002 carol 7 u 900\n"
                            "yuli-2025/2 done 1000 alice 0 ok 500\n");
        state_close(st);
        free(path);
}

static int stop_at_second(const struct state_mark *m, void *userdata) {
        int *n = userdata;

        (void) m;
        return ++*n == 2 ? -ECANCELED : 0;
}

static void test_walk_stops(void **state) {
        char *path = file_in_dir("stop.db");
        struct state *st = open_ok(path);
        int n = 0;

        (void) state;
        for (int i = 0; i < 5; i++) {
                char id[16];

                snprintf(id, sizeof id, "%d", i);
                assert_int_equal(state_mark_done(st, "l", id, 0, "root", T0, NULL), 0);
        }
        assert_int_equal(state_list_marks(st, stop_at_second, &n), -ECANCELED);
        assert_int_equal(n, 2);
        n = 0; /* the statement was left ready for the next walk */
        assert_int_equal(state_list_marks(st, stop_at_second, &n), -ECANCELED);
        assert_int_equal(n, 2);
        state_close(st);
        free(path);
}

/* A second handle sees the first one's writes in queries at once, in
 * memory after state_refresh(). */
static void test_refresh(void **state) {
        char *path = file_in_dir("refresh.db");
        struct state *a = open_ok(path), *b = open_ok(path);
        struct lines l = { 0 };

        (void) state;
        assert_int_equal(state_mark_done(a, "yuli-2025", "5", 1000, "alice", T0, "n"), 0);
        assert_false(state_is_done(b, "yuli-2025", "5"));
        assert_int_equal(state_list_marks(b, collect_mark, &l), 0);
        assert_string_equal(l.text, "yuli-2025/5 done 1000 alice 0 n 0\n");
        assert_int_equal(state_refresh(b), 0);
        assert_true(state_is_done(b, "yuli-2025", "5"));
        /* b's own write checks the file, not its memory */
        assert_int_equal(state_reopen(a, "yuli-2025", "5", 0, "root", T0 + 1, NULL), 0);
        assert_int_equal(state_mark_done(b, "yuli-2025", "5", 1001, "bob", T0 + 2, NULL), 0);
        assert_true(state_is_done(b, "yuli-2025", "5"));
        state_close(a);
        state_close(b);
        free(path);
}

/* ---- the model: the scheduler's callback and orphans --------------------- */

struct small_model {
        struct config config;
        struct ledger ledger;
        struct task tasks[3];
        struct milestone one, fifteen[2];
};

static void small_model_init(struct small_model *m) {
        memset(m, 0, sizeof *m);
        m->ledger = (struct ledger) { .id = (char *) "yuli-2025", .tasks = m->tasks, .n_tasks = 3 };
        m->config = (struct config) { .ledgers = &m->ledger, .n_ledgers = 1 };
        m->tasks[0] = (struct task) { .id = (char *) "1", .milestones = &m->one,
                                      .n_milestones = 1, .ledger = &m->ledger };
        m->tasks[1] = (struct task) { .id = (char *) "15", .milestones = m->fifteen,
                                      .n_milestones = 2, .ledger = &m->ledger };
        m->tasks[2] = (struct task) { .id = (char *) "20", .when = WHEN_UNDATED,
                                      .ledger = &m->ledger }; /* no milestones */
        m->one = (struct milestone) { .id = (char *) "1", .task = &m->tasks[0] };
        m->fifteen[0] = (struct milestone) { .id = (char *) "15.1", .task = &m->tasks[1] };
        m->fifteen[1] = (struct milestone) { .id = (char *) "15.2", .task = &m->tasks[1] };
}

static void test_schedule_callback(void **state) {
        char *path = file_in_dir("callback.db");
        struct state *st = open_ok(path);
        struct small_model m;

        (void) state;
        small_model_init(&m);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 0, "root", T0, NULL), 0);
        assert_int_equal(state_mark_done(st, "other", "15.1", 0, "root", T0, NULL), 0);
        assert_true(state_milestone_done(&m.fifteen[1], st));
        assert_false(state_milestone_done(&m.fifteen[0], st));
        assert_false(state_milestone_done(&m.one, st));
        state_close(st);
        free(path);
}

static void test_orphans(void **state) {
        char *path = file_in_dir("orphans.db");
        struct state *st = open_ok(path);
        struct small_model m;
        struct lines l = { 0 };

        (void) state;
        small_model_init(&m);
        assert_int_equal(state_mark_done(st, "yuli-2025", "1", 0, "root", T0, NULL), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 0, "root", T0, NULL), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "20", 0, "root", T0, "undated"), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.3", 0, "root", T0 + 1, "gone"), 0);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15", 0, "root", T0 + 2, "split"), 0);
        assert_int_equal(state_snooze(st, "yuli-2024", "3", T0 + 9, 0, "root", T0 + 3, "old"), 0);
        assert_int_equal(state_find_orphans(st, &m.config, collect_mark, &l), 3);
        assert_string_equal(l.text,
                            "yuli-2024/3 snoozed 0 root 3 old 9\n"
                            "yuli-2025/15 done 0 root 2 split 0\n"
                            "yuli-2025/15.3 done 0 root 1 gone 0\n");
        state_close(st);

        st = open_ok(path); /* reported, not dropped */
        memset(&l, 0, sizeof l);
        assert_int_equal(state_list_marks(st, collect_mark, &l), 0);
        assert_int_equal(l.n, 6);
        assert_true(state_is_done(st, "yuli-2025", "15.3"));
        m.config.n_ledgers = 0; /* no ledger at all: every mark is an orphan */
        assert_int_equal(state_find_orphans(st, &m.config, stop_at_second, &(int) { 0 }),
                         -ECANCELED);
        memset(&l, 0, sizeof l);
        assert_int_equal(state_find_orphans(st, &m.config, collect_mark, &l), 6);
        state_close(st);
        free(path);
}

/* ---- schema ------------------------------------------------------------- */

static long long user_version(const char *path) {
        return test_sql_int(path, "PRAGMA user_version");
}

/* Version 0 is the state.db of a ledgerd that only kept revisions: it is
 * migrated, and the revisions stay as they were, for revisions.c to use. */
static void test_migrate_from_revisions(void **state) {
        char *path = file_in_dir("from-revisions.db");
        struct revisions *r = NULL;
        struct ics_revision v;
        struct state *st;
        char *error = NULL;

        (void) state;
        assert_int_equal(revisions_open(path, 1000, &r, &error), 0);
        v = revisions_lookup("15.2@yuli-2025.ledgerd", 42, r);
        assert_int_equal(v.sequence, 0);
        assert_int_equal(revisions_commit(r), 0);
        revisions_close(r);
        assert_int_equal(user_version(path), 0);

        st = open_ok(path);
        assert_int_equal(state_mark_done(st, "yuli-2025", "15.2", 0, "root", T0, NULL), 0);
        state_close(st);
        assert_int_equal(user_version(path), STATE_SCHEMA_VERSION);
        assert_int_equal(test_sql_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM event_revisions"), 1);

        assert_int_equal(revisions_open(path, 2000, &r, &error), 0);
        v = revisions_lookup("15.2@yuli-2025.ledgerd", 42, r); /* unchanged: kept */
        assert_int_equal(v.sequence, 0);
        assert_int_equal(v.modified, 1000);
        v = revisions_lookup("15.2@yuli-2025.ledgerd", 43, r);
        assert_int_equal(v.sequence, 1);
        assert_int_equal(revisions_commit(r), 0);
        revisions_close(r);

        st = open_ok(path); /* and the other way round */
        assert_true(state_is_done(st, "yuli-2025", "15.2"));
        state_close(st);
        free(path);
}

/* A failing step leaves the database at its old version, with nothing of
 * the new schema: here a table in the way. */
static void test_migration_rolls_back(void **state) {
        char *path = file_in_dir("in-the-way.db");
        char *error;

        (void) state;
        test_sql(path, "CREATE TABLE marks (x); INSERT INTO marks VALUES ('keep me');");
        error = open_fails(path, -EIO);
        assert_non_null(strstr(error, "schema version 1"));
        assert_non_null(strstr(error, "table marks already exists"));
        free(error);
        assert_int_equal(user_version(path), 0);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM sqlite_schema "
                                       "WHERE name = 'mark_events'"), 0);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM marks WHERE x = 'keep me'"), 1);
        free(path);
}

static void test_newer_version(void **state) {
        char *path = file_in_dir("newer.db");
        char *before, *error;
        size_t size;

        (void) state;
        test_sql(path, "CREATE TABLE future (x); INSERT INTO future VALUES (1); "
                  "PRAGMA user_version = 99;");
        before = read_file(path, &size);
        error = open_fails(path, -EPROTONOSUPPORT);
        assert_non_null(strstr(error, "schema version 99"));
        free(error);
        assert_file_is(path, before, size); /* not even switched to WAL */
        assert_int_equal(user_version(path), 99);
        free(before);
        free(path);
}

/* ---- files that are not a usable database -------------------------------- */

static void test_random_bytes(void **state) {
        char *path = file_in_dir("random.db"), *error, data[8192], *wal;

        (void) state;
        pseudo_random(data, sizeof data, 7);
        test_write_bytes(path, data, sizeof data);
        error = open_fails(path, -EIO);
        assert_non_null(strstr(error, "not a database"));
        free(error);
        assert_file_is(path, data, sizeof data);
        assert_true(asprintf(&wal, "%s-wal", path) > 0);
        assert_int_equal(access(wal, F_OK), -1);
        free(wal);
        free(path);
}

/* A valid first page, then garbage where the tables were. */
static void test_damaged_pages(void **state) {
        char *path = file_in_dir("damaged.db"), *data, *error;
        struct state *st = open_ok(path);
        size_t size;

        (void) state;
        for (int i = 0; i < 300; i++) {
                char id[16];

                snprintf(id, sizeof id, "m%d", i);
                assert_int_equal(state_mark_done(st, "yuli-2025", id, 0, "root", T0,
                                                 "a note long enough to take some room"), 0);
        }
        state_close(st); /* the last close checkpoints: all of it in the file */
        data = read_file(path, &size);
        assert_true(size > 4 * 4096);
        pseudo_random(data + 4096, size - 4096, 11);
        test_write_bytes(path, data, size);

        error = open_fails(path, -EIO);
        assert_non_null(strstr(error, "malformed"));
        free(error);
        assert_file_is(path, data, size);
        free(data);
        free(path);
}

static void test_directory_in_the_way(void **state) {
        char *path = file_in_dir("dir.db"), *error;

        (void) state;
        assert_int_equal(mkdir(path, 0755), 0);
        error = open_fails(path, -EISDIR);
        free(error);
        assert_int_equal(rmdir(path), 0);
        free(path);
}

static void test_missing_directory(void **state) {
        char *path = file_in_dir("no-such-dir/state.db"), *error;

        (void) state;
        error = open_fails(path, -ENOENT);
        free(error);
        free(path);
}

/* Root writes whatever the permissions say, so the checks of permissions
 * run in a child that became nobody (directly when not root). The child
 * reports state_open's result and whether the message names the path and
 * says what cannot be written. */
static int open_unprivileged(const char *path, bool *names_path) {
        struct passwd *pw = getpwnam("nobody");
        int status, result[2] = { 0, 0 }, fds[2];
        pid_t pid;

        assert_non_null(pw);
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct state *st = NULL;
                char *error = NULL;

                if (geteuid() == 0 && (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0))
                        _exit(2);
                result[0] = state_open(path, &st, &error);
                result[1] = error && strstr(error, path) && strstr(error, ": cannot write ");
                state_close(st);
                free(error);
                _exit(write(fds[1], result, sizeof result) == sizeof result ? 0 : 3);
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], result, sizeof result), sizeof result);
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        *names_path = result[1];
        return result[0];
}

static void test_unwritable(void **state) {
        char *locked = file_in_dir("locked"), *path;
        char *file, *before;
        struct state *st;
        bool names_path;
        size_t size;

        (void) state;
        assert_int_equal(chmod(dir, 0755), 0);
        assert_int_equal(mkdir(locked, 0755), 0);
        assert_true(asprintf(&path, "%s/state.db", locked) > 0);
        st = open_ok(path);
        assert_int_equal(state_mark_done(st, "yuli-2025", "1", 0, "root", T0, NULL), 0);
        state_close(st);
        before = read_file(path, &size);

        /* a read-only file in a writable directory */
        assert_int_equal(chmod(path, 0444), 0);
        assert_int_equal(open_unprivileged(path, &names_path), -EACCES);
        assert_true(names_path);
        /* a directory nobody may create the database in */
        assert_int_equal(chmod(locked, 0555), 0);
        assert_true(asprintf(&file, "%s/new.db", locked) > 0);
        assert_int_equal(open_unprivileged(file, &names_path), -EACCES);
        assert_true(names_path);
        assert_int_equal(access(file, F_OK), -1);
        /* a writable file in a directory where the WAL cannot be created */
        assert_int_equal(chmod(path, 0666), 0);
        assert_int_equal(open_unprivileged(path, &names_path), -EACCES);
        assert_true(names_path);

        assert_file_is(path, before, size);
        assert_int_equal(chmod(locked, 0755), 0);
        assert_int_equal(chmod(dir, 0700), 0);
        st = open_ok(path); /* and nothing was lost */
        assert_true(state_is_done(st, "yuli-2025", "1"));
        state_close(st);
        free(before);
        free(file);
        free(path);
        free(locked);
}

/* ---- 100,000 marks ------------------------------------------------------- */

static double seconds_since(const struct timespec *t0) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) (t.tv_sec - t0->tv_sec) + (double) (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Written straight into the tables in one transaction: through the API it
 * would be 100,000 transactions, each synced. Every third is reopened. */
static void fill_many(const char *path) {
        test_sql(path,
            "BEGIN;"
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999) "
            "INSERT INTO mark_events (id, ledger, milestone, action, uid, user_name, at, note) "
            "SELECT i + 1, 'big-2025', printf('T%06d', i), "
            "CASE WHEN i % 3 = 0 THEN 'reopened' ELSE 'done' END, 1000, 'alice', 1751328000, '' "
            "FROM n;"
            "INSERT INTO marks (ledger, milestone, status, event) "
            "SELECT ledger, milestone, action, id FROM mark_events;"
            "COMMIT;");
}

/* A ledger of N_MANY milestones, T000000 … ; the marks name T001000 on. */
struct big_model {
        struct config config;
        struct ledger ledger;
        struct task *tasks;
        struct milestone *milestones;
        char (*ids)[24];
};

static void big_model_init(struct big_model *m) {
        m->tasks = calloc(N_MANY, sizeof *m->tasks);
        m->milestones = calloc(N_MANY, sizeof *m->milestones);
        m->ids = calloc(N_MANY, sizeof *m->ids);
        assert_true(m->tasks && m->milestones && m->ids);
        m->ledger = (struct ledger) { .id = (char *) "big-2025", .tasks = m->tasks,
                                      .n_tasks = N_MANY };
        m->config = (struct config) { .ledgers = &m->ledger, .n_ledgers = 1 };
        for (size_t i = 0; i < N_MANY; i++) {
                snprintf(m->ids[i], sizeof m->ids[i], "T%06zu", (i + 1000) % N_MANY);
                m->milestones[i] = (struct milestone) { .id = m->ids[i], .task = &m->tasks[i] };
                m->tasks[i] = (struct task) { .id = m->ids[i], .milestones = &m->milestones[i],
                                              .n_milestones = 1, .ledger = &m->ledger };
        }
}

static int count_mark(const struct state_mark *m, void *userdata) {
        (void) m;
        ++*(int *) userdata;
        return 0;
}

static void test_many(void **state) {
        char *path = file_in_dir("many.db");
        struct state *st = open_ok(path);
        struct big_model m;
        struct timespec t0;
        double t_open, t_ask, t_orphans;
        size_t done = 0;
        int orphans = 0;

        (void) state;
        state_close(st);
        fill_many(path);
        big_model_init(&m);
        /* the model ends at T099999 + 1000 wrapped: T000000 … T000999 are
         * renamed T100000 …, so the marks of T000000 … T000999 are orphans */
        for (size_t i = 0; i < 1000; i++)
                snprintf(m.ids[N_MANY - 1000 + i], sizeof m.ids[0], "T%06zu", N_MANY + i);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = open_ok(path);
        t_open = seconds_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (size_t i = 0; i < N_MANY; i++)
                done += state_milestone_done(&m.milestones[i], st);
        t_ask = seconds_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(state_find_orphans(st, &m.config, count_mark, &orphans), 1000);
        t_orphans = seconds_since(&t0);
        print_message("100,000 marks: open and load %.3f s, 100,000 is_done %.3f s, "
                      "orphans among 100,000 milestones %.3f s\n", t_open, t_ask, t_orphans);

        /* Of T001000 … T099999, the 33,000 multiples of 3 were reopened;
         * T100000 … T100999 have no mark. */
        assert_int_equal(done, 66000);
        assert_int_equal(orphans, 1000);
        assert_true(state_is_done(st, "big-2025", "T000001"));
        assert_false(state_is_done(st, "big-2025", "T000003"));
        assert_int_equal(state_mark_done(st, "big-2025", "T000003", 0, "root", T0, NULL), 0);
        assert_int_equal(state_mark_done(st, "big-2025", "T100001", 0, "root", T0, NULL), 0);
        assert_true(state_is_done(st, "big-2025", "T000003"));
        assert_true(state_is_done(st, "big-2025", "T100001"));
        state_close(st);
        free(m.tasks);
        free(m.milestones);
        free(m.ids);
        free(path);
}

/* ---- setup -------------------------------------------------------------- */

static int setup(void **state) {
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
        (void) sb;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static int teardown(void **state) {
        (void) state;
        return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_event_numbers),
                cmocka_unit_test(test_how_and_where),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_history),
                cmocka_unit_test(test_list_marks),
                cmocka_unit_test(test_walk_stops),
                cmocka_unit_test(test_refresh),
                cmocka_unit_test(test_schedule_callback),
                cmocka_unit_test(test_orphans),
                cmocka_unit_test(test_migrate_from_revisions),
                cmocka_unit_test(test_migration_rolls_back),
                cmocka_unit_test(test_newer_version),
                cmocka_unit_test(test_random_bytes),
                cmocka_unit_test(test_damaged_pages),
                cmocka_unit_test(test_directory_in_the_way),
                cmocka_unit_test(test_missing_directory),
                cmocka_unit_test(test_unwritable),
                cmocka_unit_test(test_many),
        };

        return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
