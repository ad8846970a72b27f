/* SPDX-License-Identifier: MIT */
/* The delivery log: an item is recorded once ever, whatever its delivery
 * became and across reopening; keys follow their definition and ignore the
 * order of items; each result moves a pending delivery and nothing else;
 * reads filter and order as documented; a v1 database migrates keeping its
 * marks; and a burst of 1,000 is recorded and read back quickly. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/deliveries.h"
#include "basic/sha256.h"
#include "store/state.h"
#include "tests/unit/test-sqlite.h"

#define T0 ((time_t) 1751328000) /* 2025-07-01 00:00 UTC */
#define MAX_GOT 200

static char dir[] = "/tmp/ledgerd-test-deliveries-XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

static char *file_in_dir(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static struct state *open_ok(const char *path) {
        struct state *st = NULL;
        char *error = NULL;

        assert_int_equal(state_open(path, &st, &error), 0);
        assert_null(error);
        return st;
}

static double seconds_since(const struct timespec *t0) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) (t.tv_sec - t0->tv_sec) + (double) (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A delivery as a callback saw it, copied. Times are relative to T0, or 0
 * when unset. */
struct got {
        int64_t id;
        char key[DELIVERY_KEY_SIZE], target[64], via[64], reason[64], answer[64];
        char items[256]; /* "ledger/milestone/kind/offset@at " each */
        long long at, created, first_try, last_try, next_try, finished;
        bool late;
        enum delivery_status status;
        unsigned tries, part, parts, steps;
        long code;
        size_t n_items;
};

struct gots {
        struct got g[MAX_GOT];
        size_t n;
        /* deliveries_pending_for() test: cancel each one seen */
        struct state *cancel_in;
        int stop_after; /* > 0: return stop_with (-ECANCELED) after that many */
        int stop_with;
};

static long long rel(time_t t) {
        return t ? (long long) (t - T0) : 0;
}

static int collect(const struct delivery *d, void *userdata) {
        struct gots *gs = userdata;
        struct got *g;
        size_t len = 0;

        assert_true(gs->n < MAX_GOT);
        g = &gs->g[gs->n++];
        *g = (struct got) {
                .id = d->id, .at = rel(d->at), .created = rel(d->created),
                .first_try = rel(d->first_try), .last_try = rel(d->last_try),
                .next_try = rel(d->next_try), .finished = rel(d->finished),
                .late = d->late, .status = d->status, .tries = d->tries, .code = d->code,
                .n_items = d->n_items, .part = d->part, .parts = d->parts, .steps = d->steps,
        };
        snprintf(g->key, sizeof g->key, "%s", d->key);
        snprintf(g->target, sizeof g->target, "%s", d->target);
        snprintf(g->via, sizeof g->via, "%s", d->via);
        snprintf(g->reason, sizeof g->reason, "%s", d->reason);
        snprintf(g->answer, sizeof g->answer, "%s", d->answer);
        for (size_t i = 0; i < d->n_items; i++) {
                const struct delivery_item *it = &d->items[i];

                len += (size_t) snprintf(g->items + len, sizeof g->items - len, "%s/%s/%s/%s@%lld ",
                                         it->ledger, it->milestone, it->kind, it->offset,
                                         rel(it->at));
                assert_true(len < sizeof g->items);
        }
        if (gs->cancel_in)
                assert_int_equal(deliveries_cancel(gs->cancel_in, d->id, T0 + 7, "done"), 0);
        if (gs->stop_after > 0 && (int) gs->n == gs->stop_after)
                return gs->stop_with ? gs->stop_with : -ECANCELED;
        return 0;
}

static struct gots *gots_new(void) {
        struct gots *gs = calloc(1, sizeof *gs);

        assert_non_null(gs);
        return gs;
}

/* The delivery with that id, which must exist. */
static struct got get(struct state *st, int64_t id) {
        struct gots *gs = gots_new();
        struct got g;

        assert_int_equal(deliveries_get(st, id, collect, gs), 0);
        assert_int_equal(gs->n, 1);
        g = gs->g[0];
        free(gs);
        return g;
}

#define ITEM(l, m, k, o, t) ((struct delivery_item) { l, m, k, o, t })

/* Records one message; returns its id (0: all known). */
static int64_t record1(struct state *st, const char *target, time_t at,
                       const struct delivery_item *items, size_t n, bool missed) {
        struct delivery_new m = { .target = target, .at = at, .items = items, .n_items = n };

        assert_int_equal(deliveries_record(st, &m, 1, missed, T0 - 60), 0);
        return m.id;
}

static unsigned count(struct state *st, enum delivery_status s) {
        unsigned n = 12345;

        assert_int_equal(deliveries_count(st, s, &n), 0);
        return n;
}

/* The key, from its definition, by hand. */
static void expected_key(const char *text, char key[DELIVERY_KEY_SIZE]) {
        uint8_t d[SHA256_DIGEST_SIZE];

        sha256(text, strlen(text), d);
        for (size_t i = 0; i < 16; i++)
                sprintf(key + 2 * i, "%02x", d[i]);
}

/* ---- recording ------------------------------------------------------------ */

static void test_record_and_get(void **state) {
        char *path = file_in_dir("record.db");
        struct state *st = open_ok(path);
        struct delivery_item one[] = { ITEM("yuli-2025", "15.2", "due", "0d", T0) };
        struct delivery_item digest[] = {
                ITEM("yuli-2025", "3.1", "upcoming", "14d", T0),
                ITEM("yuli-2025", "15.2", "upcoming", "7d", T0),
                ITEM("other", "1", "overdue", "1wd", T0),
        };
        struct delivery_new m[] = {
                { .target = "mailto:a@example.org", .at = T0, .items = one, .n_items = 1 },
                { .target = "channel:ops", .at = T0, .late = true, .items = digest,
                  .n_items = 3 },
        };
        char key[DELIVERY_KEY_SIZE];
        struct got g;

        (void) state;
        assert_int_equal(deliveries_record(st, m, 2, false, T0 - 5), 0);
        assert_true(m[0].id > 0);
        assert_true(m[1].id > 0);
        assert_true(m[0].id != m[1].id);

        g = get(st, m[0].id);
        assert_int_equal(delivery_key("mailto:a@example.org", T0, one, 1, key), 0);
        assert_string_equal(g.key, key);
        assert_string_equal(g.target, "mailto:a@example.org");
        assert_int_equal(g.at, 0);
        assert_false(g.late);
        assert_int_equal(g.status, DELIVERY_PENDING);
        assert_int_equal(g.tries, 0);
        assert_int_equal(g.created, -5);
        assert_int_equal(g.first_try, 0);
        assert_int_equal(g.last_try, 0);
        assert_int_equal(g.next_try, 0);
        assert_int_equal(g.finished, 0);
        assert_string_equal(g.via, "");
        assert_string_equal(g.reason, "");
        assert_string_equal(g.answer, "");
        assert_int_equal(g.code, 0);
        assert_int_equal(g.n_items, 1);
        assert_string_equal(g.items, "yuli-2025/15.2/due/0d@0 ");

        g = get(st, m[1].id);
        assert_true(g.late);
        assert_int_equal(g.n_items, 3);
        /* in the order given, not the key's */
        assert_string_equal(g.items, "yuli-2025/3.1/upcoming/14d@0 yuli-2025/15.2/upcoming/7d@0 "
                                     "other/1/overdue/1wd@0 ");
        assert_int_equal(delivery_key("channel:ops", T0, digest, 3, key), 0);
        assert_string_equal(g.key, key);

        assert_int_equal(count(st, DELIVERY_PENDING), 2);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM delivery_items"), 4);
        state_close(st);
        free(path);
}

static void test_get_missing(void **state) {
        char *path = file_in_dir("missing.db");
        struct state *st = open_ok(path);
        struct gots *gs = gots_new();

        (void) state;
        assert_int_equal(deliveries_get(st, 42, collect, gs), -ENOENT);
        assert_int_equal(gs->n, 0);
        assert_non_null(strstr(state_last_error(st), "42"));
        free(gs);
        state_close(st);
        free(path);
}

/* Known items are dropped, in whatever status their delivery is; the rest
 * make a new delivery whose key is that of what is left. */
static void test_dedupe(void **state) {
        char *path = file_in_dir("dedupe.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        struct delivery_item y = ITEM("l", "2", "due", "0d", T0);
        struct delivery_item z = ITEM("l", "3", "due", "0d", T0);
        struct delivery_item xy[] = { x, y }, yx[] = { y, x }, xz[] = { x, z };
        struct delivery_item xx[] = { x, x, x }, later;
        char key[DELIVERY_KEY_SIZE];
        int64_t a, b;
        struct got g;

        (void) state;
        a = record1(st, "mailto:a@x", T0, xy, 2, false);
        assert_true(a > 0);
        assert_int_equal(record1(st, "mailto:a@x", T0, xy, 2, false), 0);
        assert_int_equal(record1(st, "mailto:a@x", T0, yx, 2, false), 0);
        assert_int_equal(record1(st, "mailto:a@x", T0, &x, 1, true), 0); /* not even missed */

        b = record1(st, "mailto:a@x", T0, xz, 2, false);
        assert_true(b > a);
        g = get(st, b);
        assert_int_equal(g.n_items, 1);
        assert_string_equal(g.items, "l/3/due/0d@0 ");
        assert_int_equal(delivery_key("mailto:a@x", T0, &z, 1, key), 0);
        assert_string_equal(g.key, key);

        /* Another target is another item. */
        assert_true(record1(st, "mailto:b@x", T0, &x, 1, false) > b);
        /* So is another instant of the same reminder (a changed due date). */
        later = x;
        later.at = T0 + 86400;
        assert_true(record1(st, "mailto:a@x", T0 + 86400, &later, 1, false) > 0);

        /* Repeats within a message are stored once. */
        g = get(st, record1(st, "mailto:c@x", T0, xx, 3, false));
        assert_int_equal(g.n_items, 1);

        /* Final statuses keep their items known. */
        assert_int_equal(deliveries_cancel(st, a, T0, "done"), 0);
        assert_int_equal(deliveries_failed(st, b, T0, 410, "gone"), 0);
        assert_int_equal(record1(st, "mailto:a@x", T0, xy, 2, false), 0);
        assert_int_equal(record1(st, "mailto:a@x", T0, &z, 1, false), 0);
        state_close(st);

        /* And so does reopening. */
        st = open_ok(path);
        assert_int_equal(record1(st, "mailto:a@x", T0, xz, 2, false), 0);
        assert_int_equal(record1(st, "mailto:c@x", T0, &x, 1, false), 0);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM deliveries"), 5);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM delivery_items"), 6);
        assert_int_equal(record1(st, "mailto:a@x", T0 + 86400, &later, 1, false), 0);
        state_close(st);
        free(path);
}

/* Two messages of one call to the same target: the second loses what the
 * first took; to another target it keeps everything. */
static void test_dedupe_within_a_call(void **state) {
        char *path = file_in_dir("one-call.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        struct delivery_item y = ITEM("l", "2", "due", "0d", T0);
        struct delivery_item xy[] = { x, y };
        struct delivery_new m[] = {
                { .target = "channel:c", .at = T0, .items = &x, .n_items = 1 },
                { .target = "channel:c", .at = T0, .items = &x, .n_items = 1 },
                { .target = "channel:c", .at = T0, .items = xy, .n_items = 2 },
                { .target = "channel:d", .at = T0, .items = xy, .n_items = 2 },
        };

        (void) state;
        assert_int_equal(deliveries_record(st, m, 4, false, T0), 0);
        assert_true(m[0].id > 0);
        assert_int_equal(m[1].id, 0);
        assert_true(m[2].id > m[0].id);
        assert_string_equal(get(st, m[2].id).items, "l/2/due/0d@0 ");
        assert_int_equal(get(st, m[3].id).n_items, 2);
        state_close(st);
        free(path);
}

static void test_key(void **state) {
        struct delivery_item items[] = {
                ITEM("yuli-2025", "15.2", "upcoming", "14d", T0),
                ITEM("yuli", "9", "due", "0d", T0),
                ITEM("yuli-2025", "15.10", "upcoming", "14d", T0),
        };
        struct delivery_item shuffled[] = { items[2], items[0], items[1] };
        char key[DELIVERY_KEY_SIZE], again[DELIVERY_KEY_SIZE], want[DELIVERY_KEY_SIZE];

        (void) state;
        /* Bytewise: '-' (0x2d) < '/' (0x2f), and "15.1…" < "15.2". */
        expected_key("mailto:a@example.org\n1751328000\n"
                     "yuli-2025/15.10/upcoming/14d\n"
                     "yuli-2025/15.2/upcoming/14d\n"
                     "yuli/9/due/0d\n", want);
        assert_int_equal(delivery_key("mailto:a@example.org", T0, items, 3, key), 0);
        assert_int_equal(strlen(key), 32);
        assert_string_equal(key, want);
        assert_int_equal(delivery_key("mailto:a@example.org", T0, shuffled, 3, again), 0);
        assert_string_equal(again, key);

        expected_key("channel:ops\n1751328000\nyuli/9/due/0d\n", want);
        assert_int_equal(delivery_key("channel:ops", T0, &items[1], 1, key), 0);
        assert_string_equal(key, want);
        assert_int_equal(delivery_key("channel:ops", T0 + 1, &items[1], 1, again), 0);
        assert_string_not_equal(again, key);
        assert_int_equal(delivery_key("channel:opt", T0, &items[1], 1, again), 0);
        assert_string_not_equal(again, key);
        assert_int_equal(delivery_key("channel:ops", T0, &items[0], 1, again), 0);
        assert_string_not_equal(again, key);
}

/* The stored key does not depend on the order of the items recorded, and
 * stays the same when read again after reopening. */
static void test_key_stored(void **state) {
        char *path = file_in_dir("keys.db");
        struct state *st = open_ok(path);
        struct delivery_item ab[] = { ITEM("l", "a", "due", "0d", T0),
                                      ITEM("l", "b", "due", "0d", T0) };
        struct delivery_item ba[] = { ab[1], ab[0] };
        char want[DELIVERY_KEY_SIZE], k1[DELIVERY_KEY_SIZE];
        int64_t id1, id2;

        (void) state;
        expected_key("mailto:a@x\n1751328000\nl/a/due/0d\nl/b/due/0d\n", want);
        id1 = record1(st, "mailto:a@x", T0, ab, 2, false);
        id2 = record1(st, "mailto:b@x", T0, ba, 2, false);
        snprintf(k1, sizeof k1, "%s", get(st, id1).key);
        assert_string_equal(k1, want);
        expected_key("mailto:b@x\n1751328000\nl/a/due/0d\nl/b/due/0d\n", want);
        assert_string_equal(get(st, id2).key, want);
        state_close(st);
        st = open_ok(path);
        assert_string_equal(get(st, id1).key, k1);
        state_close(st);
        free(path);
}

static void test_missed(void **state) {
        char *path = file_in_dir("missed.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "overdue", "1d", T0);
        struct delivery_new m = { .target = "mailto:a@x", .at = T0, .items = &x, .n_items = 1 };
        struct gots *gs = gots_new();
        struct got g;

        (void) state;
        assert_int_equal(deliveries_record(st, &m, 1, true, T0 + 86400 * 5), 0);
        g = get(st, m.id);
        assert_int_equal(g.status, DELIVERY_MISSED);
        assert_int_equal(g.created, 86400 * 5);
        assert_int_equal(g.finished, 86400 * 5);
        assert_int_equal(g.tries, 0);
        assert_int_equal(count(st, DELIVERY_MISSED), 1);
        assert_int_equal(count(st, DELIVERY_PENDING), 0);
        assert_int_equal(deliveries_pending(st, collect, gs), 0);
        assert_int_equal(gs->n, 0);
        /* final from the start */
        assert_int_equal(deliveries_sent(st, m.id, T0, "smtp://x", "250 ok"), -EALREADY);
        assert_non_null(strstr(state_last_error(st), "already missed"));
        assert_int_equal(deliveries_cancel(st, m.id, T0, "done"), -EALREADY);
        assert_int_equal(get(st, m.id).status, DELIVERY_MISSED);
        free(gs);
        state_close(st);
        free(path);
}

/* A bad message fails the whole call: nothing of it is recorded. */
static void test_invalid(void **state) {
        char *path = file_in_dir("invalid.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        struct delivery_item no_kind = ITEM("l", "2", NULL, "0d", T0);
        struct delivery_item empty_ms = ITEM("l", "", "due", "0d", T0);
        struct delivery_new m[] = {
                { .target = "mailto:a@x", .at = T0, .items = &x, .n_items = 1 },
                { .target = "mailto:a@x", .at = T0, .items = &no_kind, .n_items = 1 },
        };

        (void) state;
        assert_int_equal(deliveries_record(st, m, 2, false, T0), -EINVAL);
        assert_int_equal(m[0].id, 0);
        assert_non_null(strstr(state_last_error(st), "item 0"));
        m[1] = (struct delivery_new) { .target = "", .at = T0, .items = &x, .n_items = 1 };
        assert_int_equal(deliveries_record(st, m, 2, false, T0), -EINVAL);
        m[1] = (struct delivery_new) { .target = "mailto:b@x", .at = T0, .items = &x };
        assert_int_equal(deliveries_record(st, m, 2, false, T0), -EINVAL);
        m[1] = (struct delivery_new) { .target = "mailto:b@x", .at = T0, .items = &empty_ms,
                                       .n_items = 1 };
        assert_int_equal(deliveries_record(st, m, 2, false, T0), -EINVAL);
        x.at = T0 + 1; /* not the message's instant */
        m[1] = (struct delivery_new) { .target = "mailto:b@x", .at = T0, .items = &x,
                                       .n_items = 1 };
        assert_int_equal(deliveries_record(st, m, 2, false, T0), -EINVAL);
        assert_non_null(strstr(state_last_error(st), "instant"));
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM deliveries"), 0);
        assert_int_equal(deliveries_record(st, m, 0, false, T0), 0);
        state_close(st);
        free(path);
}

/* A failure in the database half way rolls back what came before: here a
 * trigger refuses the third message. */
static void test_record_rolls_back(void **state) {
        char *path = file_in_dir("rollback.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        struct delivery_item y = ITEM("l", "2", "due", "0d", T0);
        struct delivery_new m[] = {
                { .target = "mailto:z@x", .at = T0, .items = &y, .n_items = 1 },
                { .target = "mailto:a@x", .at = T0, .items = &x, .n_items = 1 },
                { .target = "mailto:boom@x", .at = T0, .items = &x, .n_items = 1 },
        };

        (void) state;
        test_sql(path, "CREATE TRIGGER boom BEFORE INSERT ON deliveries "
                  "WHEN NEW.target = 'mailto:boom@x' BEGIN SELECT RAISE(ABORT, 'boom'); END");
        assert_int_equal(deliveries_record(st, m, 3, false, T0), -EINVAL);
        assert_non_null(strstr(state_last_error(st), "boom"));
        assert_non_null(strstr(state_last_error(st), path));
        assert_int_equal(m[0].id, 0);
        assert_int_equal(m[1].id, 0);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM deliveries"), 0);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM delivery_items"), 0);
        /* and the connection is usable afterwards, outside a transaction */
        assert_true(record1(st, "mailto:z@x", T0, &y, 1, false) > 0);
        state_close(st);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM deliveries"), 1);
        free(path);
}

/* ---- results ------------------------------------------------------------ */

static void assert_same(const struct got *a, const struct got *b) {
        assert_memory_equal(a, b, sizeof *a);
}

/* Every result on a final delivery is refused and changes nothing. */
static void assert_final(struct state *st, int64_t id, const char *status) {
        struct got before = get(st, id), after;
        char want[64];

        snprintf(want, sizeof want, "already %s", status);
        assert_int_equal(deliveries_sent(st, id, T0 + 999, "smtp://late", "250 late"), -EALREADY);
        assert_non_null(strstr(state_last_error(st), want));
        assert_int_equal(deliveries_retry(st, id, T0 + 999, T0 + 2000, 451, "later"), -EALREADY);
        assert_int_equal(deliveries_failed(st, id, T0 + 999, 550, "no"), -EALREADY);
        assert_int_equal(deliveries_cancel(st, id, T0 + 999, "done"), -EALREADY);
        after = get(st, id);
        assert_same(&before, &after);
}

static void test_retry_then_sent(void **state) {
        char *path = file_in_dir("sent.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        int64_t id;
        struct got g;

        (void) state;
        id = record1(st, "channel:ops", T0, &x, 1, false);
        assert_int_equal(deliveries_retry(st, id, T0 + 1, T0 + 6, 429, "rate limited"), 0);
        g = get(st, id);
        assert_int_equal(g.status, DELIVERY_PENDING);
        assert_int_equal(g.tries, 1);
        assert_int_equal(g.first_try, 1);
        assert_int_equal(g.last_try, 1);
        assert_int_equal(g.next_try, 6);
        assert_int_equal(g.finished, 0);
        assert_int_equal(g.code, 429);
        assert_string_equal(g.reason, "rate limited");

        assert_int_equal(deliveries_retry(st, id, T0 + 6, T0 + 20, 500, "server error"), 0);
        g = get(st, id);
        assert_int_equal(g.tries, 2);
        assert_int_equal(g.first_try, 1); /* the first stays */
        assert_int_equal(g.last_try, 6);
        assert_int_equal(g.next_try, 20);
        assert_int_equal(g.code, 500);
        assert_string_equal(g.reason, "server error");

        assert_int_equal(deliveries_sent(st, id, T0 + 20, "https://hook.example", "HTTP 200 ok"), 0);
        g = get(st, id);
        assert_int_equal(g.status, DELIVERY_SENT);
        assert_int_equal(g.tries, 3);
        assert_int_equal(g.first_try, 1);
        assert_int_equal(g.last_try, 20);
        assert_int_equal(g.next_try, 0);
        assert_int_equal(g.finished, 20);
        assert_string_equal(g.via, "https://hook.example");
        assert_string_equal(g.answer, "HTTP 200 ok");
        assert_int_equal(g.code, 0);
        assert_string_equal(g.reason, "");
        assert_int_equal(count(st, DELIVERY_SENT), 1);
        assert_int_equal(count(st, DELIVERY_PENDING), 0);
        assert_final(st, id, "sent");

        /* NULL strings are empty ones */
        x.milestone = "2";
        id = record1(st, "channel:ops", T0, &x, 1, false);
        assert_int_equal(deliveries_sent(st, id, T0 + 3, NULL, NULL), 0);
        g = get(st, id);
        assert_int_equal(g.first_try, 3);
        assert_string_equal(g.via, "");
        state_close(st);
        free(path);
}

/* The parts of a split digest keep their numbers; a message of two
 * requests counts the first accepted without a try, and stays pending, due
 * at once, for the rest. */
static void test_parts_and_steps(void **state) {
        char *path = file_in_dir("parts.db");
        struct state *st = open_ok(path);
        struct delivery_item a = ITEM("l", "1", "due", "0d", T0), b = ITEM("l", "2", "due", "0d", T0);
        struct delivery_new m[2] = {
                { .target = "channel:wecom", .at = T0, .items = &a, .n_items = 1, .part = 1, .parts = 2 },
                { .target = "channel:wecom", .at = T0, .items = &b, .n_items = 1, .part = 2, .parts = 2 },
        };
        struct got g;

        (void) state;
        assert_int_equal(deliveries_record(st, m, 2, false, T0), 0);
        g = get(st, m[1].id);
        assert_int_equal(g.part, 2);
        assert_int_equal(g.parts, 2);
        assert_int_equal(g.steps, 0);
        assert_int_equal(deliveries_retry(st, m[1].id, T0 + 1, T0 + 9, 500, "down"), 0);
        assert_int_equal(deliveries_step(st, m[1].id, T0 + 10, 1), 0);
        g = get(st, m[1].id);
        assert_int_equal(g.status, DELIVERY_PENDING);
        assert_int_equal(g.steps, 1);
        assert_int_equal(g.tries, 1); /* a step is no try */
        assert_int_equal(g.next_try, 0);
        assert_string_equal(g.reason, "down");
        /* A later retry keeps the steps done. */
        assert_int_equal(deliveries_retry(st, m[1].id, T0 + 11, T0 + 20, 500, "down"), 0);
        assert_int_equal(get(st, m[1].id).steps, 1);
        assert_int_equal(deliveries_sent(st, m[1].id, T0 + 20, "webhook", "ok"), 0);
        assert_int_equal(deliveries_step(st, m[1].id, T0 + 21, 2), -EALREADY);
        /* Part 1 of 1 unless said; a part past the parts is refused. */
        m[0].part = m[0].parts = 0;
        a.milestone = "3";
        assert_int_equal(deliveries_record(st, m, 1, false, T0), 0);
        g = get(st, m[0].id);
        assert_int_equal(g.part, 1);
        assert_int_equal(g.parts, 1);
        a.milestone = "4";
        m[0].part = 3, m[0].parts = 2;
        assert_int_equal(deliveries_record(st, m, 1, false, T0), -EINVAL);
        state_close(st);
        free(path);
}

static void test_failed(void **state) {
        char *path = file_in_dir("failed.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        int64_t id;
        struct got g;

        (void) state;
        id = record1(st, "channel:ops", T0, &x, 1, false);
        assert_int_equal(deliveries_failed(st, id, T0 + 2, 93000, "invalid webhook url"), 0);
        g = get(st, id);
        assert_int_equal(g.status, DELIVERY_FAILED);
        assert_int_equal(g.tries, 1);
        assert_int_equal(g.first_try, 2);
        assert_int_equal(g.last_try, 2);
        assert_int_equal(g.finished, 2);
        assert_int_equal(g.code, 93000);
        assert_string_equal(g.reason, "invalid webhook url");
        assert_int_equal(count(st, DELIVERY_FAILED), 1);
        assert_final(st, id, "failed");
        state_close(st);
        free(path);
}

/* Cancelled while a try was under way: the try's answer comes later and
 * is refused; the delivery stays cancelled. */
static void test_cancel(void **state) {
        char *path = file_in_dir("cancel.db");
        struct state *st = open_ok(path);
        struct delivery_item x = ITEM("l", "1", "due", "0d", T0);
        int64_t id;
        struct got g;

        (void) state;
        id = record1(st, "mailto:a@x", T0, &x, 1, false);
        assert_int_equal(deliveries_retry(st, id, T0 + 1, T0 + 9, 421, "busy"), 0);
        assert_int_equal(deliveries_cancel(st, id, T0 + 5, "15.2 done"), 0);
        g = get(st, id);
        assert_int_equal(g.status, DELIVERY_CANCELLED);
        assert_int_equal(g.tries, 1); /* not a try */
        assert_int_equal(g.last_try, 1);
        assert_int_equal(g.next_try, 0);
        assert_int_equal(g.finished, 5);
        assert_string_equal(g.reason, "15.2 done");
        assert_final(st, id, "cancelled");
        assert_int_equal(count(st, DELIVERY_CANCELLED), 1);
        state_close(st);

        /* still so after reopening */
        st = open_ok(path);
        assert_int_equal(deliveries_sent(st, id, T0 + 9, "smtp://m", "250 ok"), -EALREADY);
        assert_int_equal(get(st, id).status, DELIVERY_CANCELLED);
        state_close(st);
        free(path);
}

static void test_unknown_id(void **state) {
        char *path = file_in_dir("unknown.db");
        struct state *st = open_ok(path);

        (void) state;
        assert_int_equal(deliveries_sent(st, 7, T0, "x", "y"), -ENOENT);
        assert_non_null(strstr(state_last_error(st), "no delivery 7"));
        assert_int_equal(deliveries_retry(st, 7, T0, T0 + 1, 0, "x"), -ENOENT);
        assert_int_equal(deliveries_failed(st, 7, T0, 0, "x"), -ENOENT);
        assert_int_equal(deliveries_cancel(st, 7, T0, "x"), -ENOENT);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM deliveries"), 0);
        state_close(st);
        free(path);
}

/* ---- reading ------------------------------------------------------------ */

static void test_pending_order(void **state) {
        char *path = file_in_dir("order.db");
        struct state *st = open_ok(path);
        struct delivery_item a = ITEM("l", "a", "due", "0d", T0);
        struct delivery_item b = ITEM("l", "b", "due", "0d", T0);
        struct delivery_item c = ITEM("l", "c", "due", "0d", T0);
        struct delivery_item d = ITEM("l", "d", "due", "0d", T0);
        struct gots *gs = gots_new();
        int64_t ia, ib, ic, id;

        (void) state;
        ia = record1(st, "mailto:x@x", T0, &a, 1, false);
        ib = record1(st, "mailto:x@x", T0, &b, 1, false);
        ic = record1(st, "mailto:x@x", T0, &c, 1, false);
        id = record1(st, "mailto:x@x", T0, &d, 1, false);
        assert_int_equal(deliveries_retry(st, ia, T0, T0 + 100, 0, "x"), 0);
        assert_int_equal(deliveries_retry(st, ic, T0, T0 + 50, 0, "x"), 0);
        assert_int_equal(deliveries_sent(st, id, T0, "x", "y"), 0);
        assert_int_equal(deliveries_pending(st, collect, gs), 0);
        assert_int_equal(gs->n, 3);
        assert_int_equal(gs->g[0].id, ib); /* no next_try: at once */
        assert_int_equal(gs->g[1].id, ic);
        assert_int_equal(gs->g[2].id, ia);
        assert_string_equal(gs->g[1].items, "l/c/due/0d@0 ");

        /* a walk stops at the callback's error */
        memset(gs, 0, sizeof *gs);
        gs->stop_after = 2;
        assert_int_equal(deliveries_pending(st, collect, gs), -ECANCELED);
        assert_int_equal(gs->n, 2);
        memset(gs, 0, sizeof *gs);
        gs->stop_after = 1;
        gs->stop_with = 1; /* a positive value too, as is */
        assert_int_equal(deliveries_get(st, ib, collect, gs), 1);
        free(gs);
        state_close(st);
        free(path);
}

/* The pending deliveries with an item of a milestone, whole; the callback
 * cancels them as it goes (it may write). */
static void test_pending_for(void **state) {
        char *path = file_in_dir("pending-for.db");
        struct state *st = open_ok(path);
        struct delivery_item digest[] = { ITEM("l", "1", "due", "0d", T0),
                                          ITEM("l", "2", "due", "0d", T0) };
        struct delivery_item m1 = ITEM("l", "1", "upcoming", "7d", T0);
        struct delivery_item m1b = ITEM("l", "1", "upcoming", "3d", T0);
        struct delivery_item m2 = ITEM("l", "2", "upcoming", "7d", T0);
        struct delivery_item other = ITEM("k", "1", "due", "0d", T0);
        struct gots *gs = gots_new();
        int64_t i_digest, i_m1, i_m1b, i_m2, i_other, i_sent;

        (void) state;
        i_digest = record1(st, "channel:ops", T0, digest, 2, false);
        i_m1 = record1(st, "mailto:a@x", T0, &m1, 1, false);
        i_m2 = record1(st, "mailto:a@x", T0, &m2, 1, false);
        i_other = record1(st, "mailto:a@x", T0, &other, 1, false);
        i_sent = record1(st, "mailto:b@x", T0, &m1, 1, false);
        i_m1b = record1(st, "mailto:a@x", T0, &m1b, 1, false);
        assert_int_equal(deliveries_sent(st, i_sent, T0, "x", "y"), 0);
        assert_int_equal(deliveries_retry(st, i_m1b, T0, T0 + 30, 0, "x"), 0);

        gs->cancel_in = st;
        assert_int_equal(deliveries_pending_for(st, "l", "1", collect, gs), 0);
        assert_int_equal(gs->n, 3);
        assert_int_equal(gs->g[0].id, i_digest);
        assert_string_equal(gs->g[0].items, "l/1/due/0d@0 l/2/due/0d@0 ");
        assert_int_equal(gs->g[1].id, i_m1);
        assert_int_equal(gs->g[2].id, i_m1b);
        assert_int_equal(get(st, i_digest).status, DELIVERY_CANCELLED);
        assert_int_equal(get(st, i_m1b).status, DELIVERY_CANCELLED);
        assert_int_equal(get(st, i_m2).status, DELIVERY_PENDING);
        assert_int_equal(get(st, i_other).status, DELIVERY_PENDING);
        assert_int_equal(get(st, i_sent).status, DELIVERY_SENT);

        memset(gs, 0, sizeof *gs);
        assert_int_equal(deliveries_pending_for(st, "l", "1", collect, gs), 0);
        assert_int_equal(gs->n, 0);
        assert_int_equal(deliveries_pending_for(st, "k", "1", collect, gs), 0);
        assert_int_equal(gs->n, 1);
        assert_int_equal(gs->g[0].id, i_other);
        free(gs);
        state_close(st);
        free(path);
}

static void test_list(void **state) {
        char *path = file_in_dir("list.db");
        struct state *st = open_ok(path);
        struct delivery_item items[130];
        char names[130][8];
        struct gots *gs = gots_new();
        struct delivery_filter f;
        int64_t ids[130];

        (void) state;
        for (size_t i = 0; i < 130; i++) {
                snprintf(names[i], sizeof names[i], "%zu", i);
                items[i] = ITEM(i % 2 ? "odd" : "even", names[i], "due", "0d",
                                T0 + (time_t) i * 60);
                ids[i] = record1(st, i % 3 ? "mailto:100%_sure@x" : "channel:ops",
                                 T0 + (time_t) i * 60, &items[i], 1, false);
        }
        assert_int_equal(deliveries_sent(st, ids[10], T0, "x", "y"), 0);
        assert_int_equal(deliveries_sent(st, ids[11], T0, "x", "y"), 0);

        /* default limit 100, newest first */
        f = (struct delivery_filter) { .status = -1 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 100);
        assert_int_equal(gs->g[0].id, ids[129]);
        assert_int_equal(gs->g[99].id, ids[30]);
        assert_string_equal(gs->g[0].items, "odd/129/due/0d@7740 ");

        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = DELIVERY_SENT };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 2);
        assert_int_equal(gs->g[0].id, ids[11]);
        assert_int_equal(gs->g[1].id, ids[10]);

        /* % and _ are not wildcards */
        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = -1, .target = "0%_s", .limit = 1000 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 86); /* i % 3 != 0 of 0 … 129 */
        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = -1, .target = "0__s", .limit = 1000 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 0);

        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = -1, .target = "ops", .ledger = "odd",
                                       .limit = 5 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 5);
        assert_int_equal(gs->g[0].id, ids[129]); /* odd and a multiple of 3 */
        assert_int_equal(gs->g[1].id, ids[123]);
        assert_int_equal(gs->g[4].id, ids[105]);

        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = -1, .milestone = "42" };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 1);
        assert_int_equal(gs->g[0].id, ids[42]);
        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = -1, .ledger = "odd", .milestone = "42" };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 0);

        memset(gs, 0, sizeof *gs);
        f = (struct delivery_filter) { .status = DELIVERY_PENDING, .since = T0 + 125 * 60 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), 0);
        assert_int_equal(gs->n, 5);
        assert_int_equal(gs->g[4].id, ids[125]);

        f = (struct delivery_filter) { .status = 5 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), -EINVAL);
        f = (struct delivery_filter) { .status = -2 };
        assert_int_equal(deliveries_list(st, &f, collect, gs), -EINVAL);
        free(gs);
        state_close(st);
        free(path);
}

static void test_counts(void **state) {
        char *path = file_in_dir("counts.db");
        struct state *st = open_ok(path);
        struct delivery_item items[6];
        const char *ms[6] = { "1", "2", "3", "4", "5", "6" };
        int64_t ids[6];
        unsigned n;

        (void) state;
        for (size_t i = 0; i < 6; i++) {
                items[i] = ITEM("l", ms[i], "due", "0d", T0);
                ids[i] = record1(st, "mailto:a@x", T0, &items[i], 1, i == 5);
        }
        assert_int_equal(deliveries_sent(st, ids[0], T0, "x", "y"), 0);
        assert_int_equal(deliveries_failed(st, ids[1], T0, 1, "x"), 0);
        assert_int_equal(deliveries_failed(st, ids[2], T0, 1, "x"), 0);
        assert_int_equal(deliveries_cancel(st, ids[3], T0, "x"), 0);
        assert_int_equal(count(st, DELIVERY_PENDING), 1);
        assert_int_equal(count(st, DELIVERY_SENT), 1);
        assert_int_equal(count(st, DELIVERY_FAILED), 2);
        assert_int_equal(count(st, DELIVERY_CANCELLED), 1);
        assert_int_equal(count(st, DELIVERY_MISSED), 1);
        assert_int_equal(deliveries_count(st, (enum delivery_status) 9, &n), -EINVAL);
        state_close(st);
        free(path);
}

static void test_handled_until(void **state) {
        char *path = file_in_dir("handled.db");
        struct state *st = open_ok(path);
        time_t t = 1;

        (void) state;
        assert_int_equal(deliveries_handled_until(st, &t), 0);
        assert_int_equal(t, 0);
        assert_int_equal(deliveries_set_handled_until(st, T0), 0);
        assert_int_equal(deliveries_set_handled_until(st, T0 + 3600), 0);
        state_close(st);

        st = open_ok(path);
        assert_int_equal(deliveries_handled_until(st, &t), 0);
        assert_int_equal(t, T0 + 3600);
        assert_int_equal(deliveries_set_handled_until(st, T0 - 60), 0); /* as is */
        assert_int_equal(deliveries_handled_until(st, &t), 0);
        assert_int_equal(t, T0 - 60);
        state_close(st);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM delivery_meta"), 1);
        free(path);
}

static void test_status_names(void **state) {
        enum delivery_status s;

        (void) state;
        for (int i = DELIVERY_PENDING; i <= DELIVERY_MISSED; i++) {
                assert_int_equal(delivery_status_from_name(delivery_status_name(i), &s), 0);
                assert_int_equal(s, i);
        }
        assert_string_equal(delivery_status_name(DELIVERY_CANCELLED), "cancelled");
        assert_int_equal(delivery_status_from_name("done", &s), -EINVAL);
        assert_int_equal(delivery_status_from_name(NULL, &s), -EINVAL);
}

/* ---- schema ------------------------------------------------------------- */

/* A database of schema 1, as the previous ledgerd left it, with a mark:
 * migrated to 2 on opening, the mark kept. */
static void test_migrate_from_v1(void **state) {
        char *path = file_in_dir("v1.db");
        struct delivery_item x = ITEM("l", "15.2", "due", "0d", T0);
        struct state_mark m;
        struct state *st;

        (void) state;
        test_sql(path,
            "PRAGMA journal_mode = WAL;"
            "CREATE TABLE mark_events ("
            "  id INTEGER PRIMARY KEY, ledger TEXT NOT NULL, milestone TEXT NOT NULL,"
            "  action TEXT NOT NULL CHECK (action IN ('done', 'reopened', 'snoozed')),"
            "  uid INTEGER NOT NULL, user_name TEXT NOT NULL, at INTEGER NOT NULL,"
            "  snooze_until INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '');"
            "CREATE INDEX mark_events_by_milestone ON mark_events (ledger, milestone);"
            "CREATE TABLE marks ("
            "  ledger TEXT NOT NULL, milestone TEXT NOT NULL,"
            "  status TEXT NOT NULL CHECK (status IN ('done', 'reopened', 'snoozed')),"
            "  event INTEGER NOT NULL REFERENCES mark_events (id),"
            "  snoozed_until INTEGER NOT NULL DEFAULT 0,"
            "  PRIMARY KEY (ledger, milestone)) WITHOUT ROWID;"
            "INSERT INTO mark_events VALUES (1, 'l', '15.2', 'done', 0, 'root', 1751328000, 0, 'ok');"
            "INSERT INTO marks VALUES ('l', '15.2', 'done', 1, 0);"
            "PRAGMA user_version = 1;");
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM sqlite_schema "
                                       "WHERE name = 'deliveries'"), 0);

        st = open_ok(path);
        assert_int_equal(test_sql_int(path, "PRAGMA user_version"), 5);
        assert_int_equal(STATE_SCHEMA_VERSION, 5);
        assert_true(state_is_done(st, "l", "15.2"));
        /* A mark from before version 3 was made over the bus. */
        assert_true(state_get_mark(st, "l", "15.2", &m));
        assert_string_equal(m.by.via, "bus");
        assert_string_equal(m.by.address, "");
        assert_string_equal(m.note, "ok");
        assert_true(record1(st, "mailto:a@x", T0, &x, 1, false) > 0);
        assert_int_equal(count(st, DELIVERY_PENDING), 1);
        state_close(st);

        st = open_ok(path); /* again: nothing to migrate */
        assert_true(state_is_done(st, "l", "15.2"));
        assert_int_equal(count(st, DELIVERY_PENDING), 1);
        state_close(st);
        assert_int_equal(test_sql_int(path, "SELECT count(*) FROM mark_events"), 1);
        free(path);
}

/* ---- performance -------------------------------------------------------- */

/* Checks that the pending deliveries come in id order, whole. */
static int count_burst(const struct delivery *d, void *userdata) {
        unsigned *n = userdata;
        char want[16];

        snprintf(want, sizeof want, "T%06u", *n);
        assert_int_equal(d->n_items, 1);
        assert_string_equal(d->items[0].milestone, want);
        assert_int_equal(strncmp(d->target, "mailto:owner", 12), 0);
        assert_int_equal(strlen(d->key), 32);
        (*n)++;
        return 0;
}

/* A burst: 1,000 reminders at one instant, one per target, recorded in one
 * call, then read back as the daemon does at start-up. */
static void test_burst(void **state) {
        enum { N = 1000 };
        char *path = file_in_dir("burst.db");
        struct state *st = open_ok(path);
        struct delivery_item *items = calloc(N, sizeof *items);
        struct delivery_new *msgs = calloc(N, sizeof *msgs);
        char (*targets)[32] = calloc(N, sizeof *targets);
        char (*ms)[16] = calloc(N, sizeof *ms);
        struct timespec t0;
        double t_record, t_again, t_pending;
        unsigned n = 0;

        (void) state;
        assert_non_null(items);
        assert_non_null(msgs);
        assert_non_null(targets);
        assert_non_null(ms);
        for (size_t i = 0; i < N; i++) {
                snprintf(targets[i], sizeof targets[i], "mailto:owner%zu@x", i);
                snprintf(ms[i], sizeof ms[i], "T%06zu", i);
                items[i] = ITEM("big-2025", ms[i], "upcoming", "14d", T0);
                msgs[i] = (struct delivery_new) { .target = targets[i], .at = T0,
                                                  .items = &items[i], .n_items = 1 };
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(deliveries_record(st, msgs, N, false, T0), 0);
        t_record = seconds_since(&t0);
        for (size_t i = 0; i < N; i++)
                assert_true(msgs[i].id > 0);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(deliveries_record(st, msgs, N, false, T0), 0);
        t_again = seconds_since(&t0);
        for (size_t i = 0; i < N; i++)
                assert_int_equal(msgs[i].id, 0);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(deliveries_pending(st, count_burst, &n), 0);
        t_pending = seconds_since(&t0);
        assert_int_equal(n, N);
        assert_int_equal(count(st, DELIVERY_PENDING), N);
        /* Printed, not asserted: speed belongs in benchmarks (make bench),
         * not in tests that a busy machine would make fail. */
        print_message("1,000 deliveries: record %.4f s, record again %.4f s, "
                      "read pending %.4f s\n", t_record, t_again, t_pending);
        state_close(st);
        free(items);
        free(msgs);
        free(targets);
        free(ms);
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
                cmocka_unit_test(test_record_and_get),
                cmocka_unit_test(test_get_missing),
                cmocka_unit_test(test_dedupe),
                cmocka_unit_test(test_dedupe_within_a_call),
                cmocka_unit_test(test_key),
                cmocka_unit_test(test_key_stored),
                cmocka_unit_test(test_missed),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_record_rolls_back),
                cmocka_unit_test(test_retry_then_sent),
                cmocka_unit_test(test_parts_and_steps),
                cmocka_unit_test(test_failed),
                cmocka_unit_test(test_cancel),
                cmocka_unit_test(test_unknown_id),
                cmocka_unit_test(test_pending_order),
                cmocka_unit_test(test_pending_for),
                cmocka_unit_test(test_list),
                cmocka_unit_test(test_counts),
                cmocka_unit_test(test_handled_until),
                cmocka_unit_test(test_status_names),
                cmocka_unit_test(test_migrate_from_v1),
                cmocka_unit_test(test_burst),
        };

        return cmocka_run_group_tests_name("deliveries", tests, setup, teardown);
}
