/* SPDX-License-Identifier: MIT */
/* Which feeds a render carries over unrendered (feeds/feed-reuse.h): after
 * a reload of unchanged files, every owner's; after one ledger changed, all
 * but that ledger's owners' (an owner who joins or leaves it included);
 * after the main file or a holiday file changed, or a mark, none. The feed
 * of everyone and the index page are rendered every time; a calendar
 * rendered copies the events of the ledgers whose files did not change. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "feeds/feed-reuse.h"
#include "feeds/feed-snapshot.h"
#include "fixture.h"

struct test {
        struct fixture f;
        char state_path[128];
};

static const char main_conf[] =
        "timezone = \"" FIXTURE_TZ "\";\n"
        "ledgers = [ \"a.conf\", \"b.conf\" ];\n"
        "holidays = [ \"holidays.conf\" ];\n"
        "feed = { name = \"%s\"; listen = [ ]; };\n"
        "owners = (\n"
        "  { id = \"czj\"; name = \"县财政局\"; },\n"
        "  { id = \"jyj\"; name = \"县教育局\"; },\n"
        "  { id = \"sjj\"; name = \"县审计局\"; }\n"
        ");\n";

static const char holidays_conf[] =
        "calendar = {\n"
        "  years = [ 2025 ];\n"
        "  holidays = ( { name = \"国庆节、中秋节\"; from = \"2025-10-01\"; to = \"2025-10-08\";\n"
        "                 work = [ \"2025-09-28\", \"%s\" ]; } );\n"
        "};\n";

/* Ledger a: czj and jyj; ledger b: sjj, and czj when czj_in_b. */
static const char ledger_a[] =
        "ledger = { id = \"a-2025\"; title = \"甲\"; year = 2025; tasks = (\n"
        "  { id = \"1\"; item = \"绩效自评\"; owners = [ \"县财政局\" ]; deadline = \"%s\"; },\n"
        "  { id = \"2\"; item = \"校舍\"; owners = [ \"县教育局\" ]; deadline = \"10月20日前\"; }\n"
        "); };\n";

static const char ledger_b[] =
        "ledger = { id = \"b-2025\"; title = \"乙\"; year = 2025; tasks = (\n"
        "  { id = \"1\"; item = \"审计\"; owners = [ \"县审计局\" ]; deadline = \"11月10日前\"; }%s\n"
        "); };\n";

/* name, with template's "%s" replaced by arg. */
static void write_format(struct test *x, const char *name, const char *template, const char *arg) {
        const char *at = strstr(template, "%s");
        char *text = malloc(strlen(template) + strlen(arg) + 1);

        assert_non_null(at);
        assert_non_null(text);
        memcpy(text, template, (size_t) (at - template));
        strcpy(text + (at - template), arg);
        strcat(text, at + 2);
        fixture_write(&x->f, name, text);
        free(text);
}

/* The files read anew, as a reload does; the snapshots keep the old ones. */
static void reload(struct test *x) {
        config_unref(x->f.config);
        x->f.config = fixture_load(&x->f);
        assert_non_null(x->f.config);
}

static int setup(void **state) {
        struct test *x = calloc(1, sizeof *x);

        if (!x || fixture_setup(&x->f, "2025-10-07T09:30") < 0)
                return -1;
        snprintf(x->state_path, sizeof x->state_path, "%s/state.db", x->f.dir);
        *state = x;
        write_format(x, "ledgerd.conf", main_conf, "台账");
        write_format(x, "holidays.conf", holidays_conf, "2025-10-11");
        write_format(x, "a.conf", ledger_a, "10月10日前");
        write_format(x, "b.conf", ledger_b, "");
        reload(x);
        return 0;
}

static int teardown(void **state) {
        struct test *x = *state;

        fixture_teardown(&x->f);
        free(x);
        return 0;
}

/* A snapshot of the configuration in force, as the service makes one. */
static struct feed_snapshot *build(struct test *x, const struct feed_snapshot *previous,
                                   const struct marks_frozen *marks) {
        struct feed_snapshot *s = NULL;
        const struct feed_build b = {
                .config = x->f.config, .marks = marks, .state_path = x->state_path,
                .now = clock_now(&x->f.clock), .previous = previous,
        };

        assert_int_equal(feed_snapshot_build(&b, &s), 0);
        feed_snapshot_hold_config(s, x->f.config);
        return s;
}

static bool same_doc(const struct feed_snapshot *a, const struct feed_snapshot *b,
                     const char *path) {
        const struct feed_doc *da = feed_snapshot_find(a, path), *db = feed_snapshot_find(b, path);

        assert_non_null(da);
        assert_non_null(db);
        return da == db;
}

/* A reload, after change() (NULL: none), rendered after first: how many
 * documents were rendered; which owners' feeds may carry over (in the
 * order of the owners: czj, jyj, sjj); and which did, the same document. */
static size_t rerender(struct test *x, void (*change)(struct test *x), bool reuse[3],
                       bool carried[3]) {
        static const char *const paths[] = { "/czj.ics", "/jyj.ics", "/sjj.ics" };
        struct feed_snapshot *first = build(x, NULL, NULL), *second;
        const struct config *old = config_ref(x->f.config);
        size_t n;

        if (change)
                change(x);
        reload(x);
        assert_int_equal(x->f.config->n_owners, 3);
        assert_int_equal(feed_reuse_owners(old, x->f.config, reuse), 0);
        config_unref(old);
        x->f.clock.frozen += 3600;
        second = build(x, first, NULL);
        n = second->n_rendered;
        for (size_t i = 0; i < 3; i++)
                carried[i] = same_doc(first, second, paths[i]);
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
        return n;
}

static void test_unchanged_files_reuse_every_owner(void **state) {
        bool reuse[3], carried[3];

        assert_int_equal(rerender(*state, NULL, reuse, carried), 2); /* /ledger.ics and / */
        assert_true(reuse[0] && reuse[1] && reuse[2]);
        assert_true(carried[0] && carried[1] && carried[2]);
}

static void move_a_task(struct test *x) {
        write_format(x, "a.conf", ledger_a, "10月17日前");
}

static void test_changed_ledger_renders_its_owners(void **state) {
        bool reuse[3], carried[3];

        assert_int_equal(rerender(*state, move_a_task, reuse, carried), 4);
        assert_false(reuse[0]);   /* czj: its task moved */
        assert_false(carried[0]);
        assert_false(reuse[1]);   /* jyj: in the changed ledger, rendered (to the same bytes) */
        assert_true(reuse[2]);    /* sjj: only in ledger b */
        assert_true(carried[2]);
}

static void czj_joins_b(struct test *x) {
        write_format(x, "b.conf", ledger_b, ",\n  { id = \"2\"; item = \"整改\"; "
                     "owners = [ \"县财政局\" ]; deadline = \"11月20日前\"; }");
}

static void test_owner_joining_a_ledger_is_rendered(void **state) {
        bool reuse[3], carried[3];

        assert_int_equal(rerender(*state, czj_joins_b, reuse, carried), 4);
        assert_false(reuse[0]);   /* czj: now in ledger b too */
        assert_false(carried[0]);
        assert_true(reuse[1]);    /* jyj: only in ledger a */
        assert_true(carried[1]);
        assert_false(reuse[2]);   /* sjj: in ledger b */
}

static void czj_leaves_a(struct test *x) {
        fixture_write(&x->f, "a.conf",
                      "ledger = { id = \"a-2025\"; title = \"甲\"; year = 2025; tasks = (\n"
                      "  { id = \"2\"; item = \"校舍\"; owners = [ \"县教育局\" ]; "
                      "deadline = \"10月20日前\"; }\n); };\n");
}

static void test_owner_leaving_a_ledger_is_rendered(void **state) {
        bool reuse[3], carried[3];

        assert_int_equal(rerender(*state, czj_leaves_a, reuse, carried), 4);
        assert_false(reuse[0]);   /* czj: was in ledger a, has no task left */
        assert_false(carried[0]);
        assert_false(reuse[1]);
        assert_true(reuse[2]);
}

static void rename_feed(struct test *x) {
        write_format(x, "ledgerd.conf", main_conf, "省台账");
}

static void test_changed_main_file_renders_all(void **state) {
        bool reuse[3], carried[3];

        assert_int_equal(rerender(*state, rename_feed, reuse, carried), 5);
        assert_false(reuse[0] || reuse[1] || reuse[2]);
        assert_false(carried[0] || carried[1] || carried[2]); /* the new name is in each */
}

static void move_a_working_day(struct test *x) {
        write_format(x, "holidays.conf", holidays_conf, "2025-10-12");
}

static void test_changed_holidays_render_all(void **state) {
        bool reuse[3], carried[3];

        /* Rendered again, though none shows the working day that moved: to
         * the same bytes, so the same documents. */
        assert_int_equal(rerender(*state, move_a_working_day, reuse, carried), 5);
        assert_false(reuse[0] || reuse[1] || reuse[2]);
}

static void test_changed_marks_render_all(void **state) {
        struct test *x = *state;
        const struct state_author who = { .uid = 0, .user = "root", .via = "bus" };
        struct marks_frozen *before = NULL, *after = NULL;
        struct feed_snapshot *first, *second, *third;

        assert_int_equal(marks_freeze(x->f.marks, &before), 0);
        first = build(x, NULL, before);
        second = build(x, first, before);
        assert_int_equal(second->n_rendered, 2); /* the same marks: carried over */
        assert_int_equal(second->n_copied, 2);
        assert_int_equal(marks_record(x->f.marks, STATE_DONE, "b-2025", "1", &who, "", 0), 0);
        assert_int_equal(marks_freeze(x->f.marks, &after), 0);
        third = build(x, second, after);
        assert_int_equal(third->n_rendered, 5);
        assert_int_equal(third->n_copied, 0); /* /ledger.ics shows the mark */
        assert_false(same_doc(second, third, "/sjj.ics")); /* done */
        assert_non_null(memmem(feed_doc_data(feed_snapshot_find(third, "/sjj.ics"), FEED_IDENTITY),
                               feed_doc_size(feed_snapshot_find(third, "/sjj.ics"), FEED_IDENTITY),
                               "【已完成】", strlen("【已完成】")));
        assert_true(same_doc(second, third, "/czj.ics")); /* rendered, the same bytes */
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
        feed_snapshot_unref(third);
        marks_frozen_free(before);
        marks_frozen_free(after);
}

/* The documents at path in a and b have the same bytes. */
static void assert_same_bytes(const struct feed_snapshot *a, const struct feed_snapshot *b,
                              const char *path) {
        const struct feed_doc *da = feed_snapshot_find(a, path), *db = feed_snapshot_find(b, path);

        assert_non_null(da);
        assert_non_null(db);
        assert_int_equal(feed_doc_size(da, FEED_IDENTITY), feed_doc_size(db, FEED_IDENTITY));
        assert_memory_equal(feed_doc_data(da, FEED_IDENTITY), feed_doc_data(db, FEED_IDENTITY),
                            feed_doc_size(db, FEED_IDENTITY));
}

/* A reload after change() (NULL: none), rendered after a first render: how
 * many ledgers' events the calendars rendered copied from the first; what
 * they copied, they read exactly as a render from nothing does. */
static size_t copied(struct test *x, void (*change)(struct test *x)) {
        static const char *const paths[] = { "/ledger.ics", "/czj.ics", "/jyj.ics", "/sjj.ics" };
        struct feed_snapshot *first = build(x, NULL, NULL), *second, *fresh;
        size_t n;

        assert_int_equal(first->n_copied, 0);
        if (change)
                change(x);
        reload(x);
        x->f.clock.frozen += 3600;
        second = build(x, first, NULL);
        fresh = build(x, NULL, NULL);
        assert_int_equal(fresh->n_copied, 0);
        for (size_t i = 0; i < 4; i++)
                assert_same_bytes(second, fresh, paths[i]);
        n = second->n_copied;
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
        feed_snapshot_unref(fresh);
        return n;
}

static void test_unchanged_files_copy_every_ledger(void **state) {
        assert_int_equal(copied(*state, NULL), 2); /* /ledger.ics: a and b; no owner rendered */
}

static void test_changed_ledger_rendered_the_rest_copied(void **state) {
        /* b, into /ledger.ics and the feeds of czj and jyj, rendered for a */
        assert_int_equal(copied(*state, move_a_task), 3);
}

static void test_ledger_joined_rendered_the_rest_copied(void **state) {
        /* a, into /ledger.ics and the feeds of czj and sjj, rendered for b */
        assert_int_equal(copied(*state, czj_joins_b), 3);
}

static void test_changed_main_file_copies_nothing(void **state) {
        assert_int_equal(copied(*state, rename_feed), 0);
}

static void test_changed_holidays_copy_nothing(void **state) {
        assert_int_equal(copied(*state, move_a_working_day), 0);
}

/* Ledger a with n tasks, each with a long detail: /ledger.ics over 1 MB. */
static void write_big_a(struct test *x, size_t n) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        fputs("ledger = { id = \"a-2025\"; title = \"甲\"; year = 2025; tasks = (\n", f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "  { id = \"%zu\"; item = \"事项%zu\"; owners = [ \"县财政局\" ]; "
                           "deadline = \"%zu月%zu日前\"; detail = \"", i + 1, i + 1, 1 + i % 12,
                        1 + i % 28);
                for (int k = 0; k < 40; k++)
                        fputs("按要求报送绩效自评材料。", f);
                fprintf(f, "\"; }%s\n", i + 1 < n ? "," : "");
        }
        fputs("); };\n", f);
        assert_int_equal(fclose(f), 0);
        fixture_write(&x->f, "a.conf", text);
        free(text);
}

/* /ledger.ics of second, rendered after a change, gzipped byte for byte as a
 * render from nothing gzips it: a build of the configuration alone. */
static const struct feed_doc *assert_gzip_as_fresh(struct test *x,
                                                   const struct feed_snapshot *second) {
        struct feed_snapshot *fresh = build(x, NULL, NULL);
        const struct feed_doc *a = feed_snapshot_find(second, "/ledger.ics"),
                              *b = feed_snapshot_find(fresh, "/ledger.ics");

        assert_string_equal(a->etag[FEED_GZIP], b->etag[FEED_GZIP]);
        assert_int_equal(feed_doc_size(a, FEED_GZIP), feed_doc_size(b, FEED_GZIP));
        assert_memory_equal(feed_doc_data(a, FEED_GZIP), feed_doc_data(b, FEED_GZIP),
                            feed_doc_size(b, FEED_GZIP));
        feed_snapshot_unref(fresh);
        return a;
}

/* A calendar over 1 MB is gzipped ledger by ledger; after b changed, a's
 * deflated bytes are copied from the first gzip, and the gzip is byte for
 * byte the one a render from nothing makes, as its ETag promises. */
static void test_large_calendar_gzip_copies_pieces(void **state) {
        struct test *x = *state;
        struct feed_snapshot *first, *second;
        const struct feed_doc *a;

        write_big_a(x, 1200);
        reload(x);
        first = build(x, NULL, NULL);
        assert_true(feed_doc_size(feed_snapshot_find(first, "/ledger.ics"), FEED_IDENTITY) >
                    1024 * 1024);
        czj_joins_b(x);
        reload(x);
        x->f.clock.frozen += 3600;
        second = build(x, first, NULL);
        a = assert_gzip_as_fresh(x, second);
        assert_true(a->n_pieces == 2 && a->pieces[0].packed_size > 0 && a->pieces[1].packed_size > 0);
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
}

/* After a, the first ledger, changed at its end, b's events are the same
 * but what they may refer back to in the gzip is not: b is deflated again,
 * and the gzip is still the one a render from nothing makes. */
static void test_large_calendar_gzip_after_changed_first(void **state) {
        struct test *x = *state;
        struct feed_snapshot *first, *second;

        write_big_a(x, 1200);
        reload(x);
        first = build(x, NULL, NULL);
        write_big_a(x, 1201);
        reload(x);
        second = build(x, first, NULL);
        assert_true(second->n_copied > 0); /* b's events */
        assert_gzip_as_fresh(x, second);
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unchanged_files_reuse_every_owner, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_ledger_renders_its_owners, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_joining_a_ledger_is_rendered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_leaving_a_ledger_is_rendered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_main_file_renders_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_holidays_render_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_marks_render_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unchanged_files_copy_every_ledger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_ledger_rendered_the_rest_copied, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ledger_joined_rendered_the_rest_copied, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_main_file_copies_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_holidays_copy_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_calendar_gzip_copies_pieces, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_calendar_gzip_after_changed_first, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
