/* SPDX-License-Identifier: MIT */
/* The feeds: a snapshot rendered again from unchanged content keeps each
 * document, its entity tag and its Last-Modified; a changed ledger gives new
 * bytes, a new tag and a new time; a private feed is found only under its
 * token; and the service's feeds render anew after a reload, from the event
 * loop, into the feed directory, the snapshot they replace let go once the
 * loop is idle. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "feeds/feed-snapshot.h"
#include "feeds/feeds.h"
#include "fixture.h"

struct test {
        struct fixture f;
        char state_path[128], feed_dir[128];
};

static const char private_main[] =
        "timezone = \"" FIXTURE_TZ "\";\n"
        "ledgers = [ \"ledger.conf\" ];\n"
        "feed = { listen = [ ]; directory = \"%s\"; };\n"
        "owners = (\n"
        "  { id = \"czj\"; name = \"县财政局\"; },\n"
        "  { id = \"sjj\"; name = \"县审计局\"; feed_token = \"abcdefghijklmnopqrstuvwx\"; }\n"
        ");\n";

static int setup(void **state) {
        struct test *x = calloc(1, sizeof *x);
        char *text = NULL;

        if (!x || fixture_setup(&x->f, "2025-10-07T09:30") < 0)
                return -1;
        snprintf(x->state_path, sizeof x->state_path, "%s/state.db", x->f.dir);
        snprintf(x->feed_dir, sizeof x->feed_dir, "%s/feeds", x->f.dir);
        if (asprintf(&text, private_main, x->feed_dir) < 0)
                return -1;
        fixture_write(&x->f, "ledgerd.conf", text);
        free(text);
        config_free(x->f.config);
        x->f.config = fixture_load(&x->f);
        *state = x;
        return x->f.config ? 0 : -1;
}

static int teardown(void **state) {
        struct test *x = *state;

        fixture_teardown(&x->f);
        free(x);
        return 0;
}

static struct feed_snapshot *build(struct test *x, const struct feed_snapshot *previous) {
        struct feed_snapshot *s = NULL;
        const struct feed_build b = {
                .config = x->f.config, .state_path = x->state_path, .now = clock_now(&x->f.clock),
                .previous = previous,
        };

        assert_int_equal(feed_snapshot_build(&b, &s), 0);
        return s;
}

/* The ledger with task 1 due on another day. */
static void move_task_1(struct test *x) {
        char *moved = strdup(fixture_ledger), *at = strstr(moved, "10月10日前");

        assert_non_null(at);
        memcpy(at, "10月17日前", strlen("10月17日前"));
        fixture_write(&x->f, "ledger.conf", moved);
        free(moved);
        config_unref(x->f.config); /* a snapshot may hold it still */
        x->f.config = fixture_load(&x->f);
        assert_non_null(x->f.config);
}

static void test_unchanged_content_keeps_tags(void **state) {
        struct test *x = *state;
        struct feed_snapshot *first = build(x, NULL), *second;

        x->f.clock.frozen += 3600; /* a later render of the same content */
        second = build(x, first);
        assert_int_equal(second->n_docs, first->n_docs);
        for (size_t i = 0; i < first->n_docs; i++) {
                assert_ptr_equal(second->docs[i], first->docs[i]); /* carried over */
                assert_string_equal(second->docs[i]->etag[FEED_IDENTITY],
                                    first->docs[i]->etag[FEED_IDENTITY]);
                assert_int_equal(second->docs[i]->modified, first->docs[i]->modified);
        }
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
}

static void test_changed_ledger_new_tag(void **state) {
        struct test *x = *state;
        struct feed_snapshot *first = build(x, NULL), *second;
        const struct feed_doc *a, *b;

        move_task_1(x);
        x->f.clock.frozen += 3600;
        second = build(x, first);
        a = feed_snapshot_find(first, "/ledger.ics");
        b = feed_snapshot_find(second, "/ledger.ics");
        assert_non_null(a);
        assert_non_null(b);
        assert_ptr_not_equal(a, b);
        assert_string_not_equal(a->etag[FEED_IDENTITY], b->etag[FEED_IDENTITY]);
        assert_int_equal(b->modified, x->f.clock.frozen);
        assert_non_null(memmem(feed_doc_data(b, FEED_IDENTITY), feed_doc_size(b, FEED_IDENTITY),
                               "DTSTART;VALUE=DATE:20251017", 27));
        /* A feed the move does not touch carries over; the index page, which
         * shows the next deadline, does not. */
        assert_ptr_equal(feed_snapshot_find(first, "/abcdefghijklmnopqrstuvwx/sjj.ics"),
                         feed_snapshot_find(second, "/abcdefghijklmnopqrstuvwx/sjj.ics"));
        assert_ptr_not_equal(feed_snapshot_find(first, "/"), feed_snapshot_find(second, "/"));
        feed_snapshot_unref(first);
        feed_snapshot_unref(second);
}

static void test_private_feed_only_under_token(void **state) {
        struct test *x = *state;
        struct feed_snapshot *s = build(x, NULL);

        assert_null(feed_snapshot_find(s, "/sjj.ics"));
        assert_non_null(feed_snapshot_find(s, "/abcdefghijklmnopqrstuvwx/sjj.ics"));
        assert_null(feed_snapshot_find(s, "/abcdefghijklmnopqrstuvwy/sjj.ics"));
        assert_null(feed_snapshot_find(s, "/abcdefghijklmnopqrstuvwx/ledger.ics"));
        assert_null(feed_snapshot_find(s, "/abcdefghijklmnopqrstuvwx/czj.ics"));
        assert_non_null(feed_snapshot_find(s, "/czj.ics"));
        assert_non_null(feed_snapshot_find(s, "/ledger.ics"));
        feed_snapshot_unref(s);
}

/* The file's text, its folded lines unfolded (RFC 5545 3.1). */
static char *read_file(const char *path, struct stat *st) {
        FILE *f = fopen(path, "re");
        char *text = calloc(1, 1 << 16), *w, *r;

        assert_non_null(f);
        assert_non_null(text);
        assert_true(fread(text, 1, (1 << 16) - 1, f) > 0);
        assert_int_equal(fstat(fileno(f), st), 0);
        fclose(f);
        for (r = w = text; *r;)
                if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ')
                        r += 3;
                else
                        *w++ = *r++;
        *w = '\0';
        return text;
}

/* Runs the loop until the render due or under way is installed. */
/* The feeds of the fixture's configuration, rendered once. */
static struct feeds *started_feeds(struct test *x, struct marks *marks) {
        struct feeds *feeds = NULL;

        assert_int_equal(feeds_new(&(struct feeds_setup) { .event = x->f.event, .clock = &x->f.clock,
                                                           .state_directory = x->f.dir,
                                                           .config = x->f.config, .marks = marks },
                                   &feeds), 0);
        assert_int_equal(feeds_start(feeds), 0);
        return feeds;
}

static void wait_rendered(struct test *x, struct feeds *feeds) {
        for (int i = 0; i < 500 && feeds_rendering(feeds); i++)
                assert_true(sd_event_run(x->f.event, 10000) >= 0);
        assert_false(feeds_rendering(feeds));
}

static void test_service_feeds_follow_reload(void **state) {
        struct test *x = *state;
        struct feeds *feeds = NULL;
        char path[192];
        struct stat before, after;
        char *first, *second;

        feeds = started_feeds(x, NULL);
        snprintf(path, sizeof path, "%s/ledger.ics", x->feed_dir);
        first = read_file(path, &before);
        assert_int_equal(before.st_mtime, x->f.clock.frozen); /* Last-Modified, for a web server */

        /* A reload with the same content: the file stays as it was. */
        x->f.clock.frozen += 60;
        feeds_set_config(feeds, x->f.config);
        wait_rendered(x, feeds);
        free(read_file(path, &after));
        assert_int_equal(after.st_mtime, before.st_mtime);

        /* A reload that moves a deadline: rendered again from the loop, not at once. */
        move_task_1(x);
        feeds_set_config(feeds, x->f.config);
        free(read_file(path, &after));
        assert_int_equal(after.st_mtime, before.st_mtime);
        wait_rendered(x, feeds);
        second = read_file(path, &after);
        assert_int_equal(after.st_mtime, x->f.clock.frozen);
        assert_string_not_equal(first, second);
        assert_non_null(strstr(second, "DTSTART;VALUE=DATE:20251017"));
        free(first);
        free(second);
        feeds_free(feeds);
}

/* The snapshot a render replaces is let go once the loop is idle, not
 * before the new one is served (with it goes the configuration it was
 * rendered from); or before another render starts, not beside it, for the
 * render thread counts references to the documents snapshots share
 * without a lock. */
static void check_retired(struct test *x, bool render_again) {
        const struct config *old = config_ref(x->f.config);
        struct feeds *feeds = started_feeds(x, NULL);
        unsigned held;

        move_task_1(x);
        held = old->refs; /* ours, and the snapshot's */
        feeds_set_config(feeds, x->f.config);
        wait_rendered(x, feeds);
        assert_int_equal(old->refs, held);
        if (render_again) {
                feeds_set_config(feeds, x->f.config);
                assert_true(feeds_rendering(feeds));
        } else
                assert_true(sd_event_run(x->f.event, 0) >= 0);
        assert_int_equal(old->refs, held - 1);
        wait_rendered(x, feeds);
        config_unref(old);
        feeds_free(feeds);
}

static void test_service_feeds_retire_when_idle(void **state) {
        check_retired(*state, false);
}

static void test_service_feeds_retire_before_render(void **state) {
        check_retired(*state, true);
}

/* A done mark shows in every feed of the milestone, off the loop; a
 * reopening restores it. */
static void test_service_feeds_show_marks(void **state) {
        struct test *x = *state;
        const struct state_author who = { .uid = (uid_t) -1, .user = "县财政局", .via = "link",
                                         .address = "192.0.2.1" };
        struct feeds *feeds = NULL;
        char path[192], *text;
        struct stat st;

        feeds = started_feeds(x, x->f.marks);
        snprintf(path, sizeof path, "%s/czj.ics", x->feed_dir);
        text = read_file(path, &st);
        assert_null(strstr(text, "【已完成】"));
        free(text);

        assert_int_equal(marks_record(x->f.marks, STATE_DONE, "t-2025", "1", &who, "", 0), 0);
        feeds_changed(feeds);
        wait_rendered(x, feeds);
        text = read_file(path, &st);
        assert_non_null(strstr(text, "SUMMARY:【已完成】绩效自评"));
        assert_non_null(strstr(text, "县财政局（经提醒中的链接）"));
        free(text);
        snprintf(path, sizeof path, "%s/ledger.ics", x->feed_dir);
        text = read_file(path, &st);
        assert_non_null(strstr(text, "SUMMARY:【已完成】绩效自评"));
        free(text);

        assert_int_equal(marks_record(x->f.marks, STATE_REOPENED, "t-2025", "1", &who, "", 0), 0);
        feeds_changed(feeds);
        wait_rendered(x, feeds);
        text = read_file(path, &st);
        assert_null(strstr(text, "【已完成】"));
        free(text);
        feeds_free(feeds);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unchanged_content_keeps_tags, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_ledger_new_tag, setup, teardown),
                cmocka_unit_test_setup_teardown(test_private_feed_only_under_token, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service_feeds_follow_reload, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service_feeds_show_marks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service_feeds_retire_when_idle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_service_feeds_retire_before_render, setup,
                                                teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
