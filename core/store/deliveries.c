/* SPDX-License-Identifier: MIT */
#include "store/deliveries.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/sha256.h"
#include "store/state-internal.h"

#define DELIVERIES_LIST_LIMIT 100

static const char *const delivery_status_names[] = {
        [DELIVERY_PENDING] = "pending",
        [DELIVERY_SENT] = "sent",
        [DELIVERY_FAILED] = "failed",
        [DELIVERY_CANCELLED] = "cancelled",
        [DELIVERY_MISSED] = "missed",
};

#define N_STATUSES (sizeof delivery_status_names / sizeof delivery_status_names[0])

const char *delivery_status_name(enum delivery_status s) {
        return (size_t) s < N_STATUSES ? delivery_status_names[s] : "unknown";
}

int delivery_status_from_name(const char *name, enum delivery_status *out) {
        for (size_t i = 0; name && i < N_STATUSES; i++)
                if (strcmp(name, delivery_status_names[i]) == 0) {
                        *out = (enum delivery_status) i;
                        return 0;
                }
        return -EINVAL;
}

/* ---- keys --------------------------------------------------------------- */

/* An item's line of the key, with what else tells items apart, and where
 * the item is in the caller's array. */
struct key_line {
        const char *line; /* "ledger/milestone/kind/offset\n" */
        time_t at;
        size_t index;
};

/* By line, bytewise (the key's order), then instant, then position: equal
 * items end up next to each other, the caller's first one first. */
static int key_line_order(const void *a, const void *b) {
        const struct key_line *x = a, *y = b;
        int c = strcmp(x->line, y->line);

        if (c)
                return c;
        if (x->at != y->at)
                return x->at < y->at ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* The lines of items, sorted, in lines[0..n). */
static int key_lines_build(struct arena *arena, const struct delivery_item *items, size_t n,
                           struct key_line *lines) {
        for (size_t i = 0; i < n; i++) {
                const struct delivery_item *it = &items[i];

                lines[i] = (struct key_line) {
                        .line = arena_printf(arena, "%s/%s/%s/%s\n", it->ledger, it->milestone,
                                             it->kind, it->offset),
                        .at = it->at,
                        .index = i,
                };
                if (!lines[i].line)
                        return -ENOMEM;
        }
        if (n > 1)
                qsort(lines, n, sizeof *lines, key_line_order);
        return 0;
}

static int key_from_lines(const char *target, time_t at, const struct key_line *lines,
                          size_t n, char key[DELIVERY_KEY_SIZE]) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char head[32];
        struct sha256 h;

        sha256_init(&h);
        sha256_update(&h, target, strlen(target));
        snprintf(head, sizeof head, "\n%lld\n", (long long) at);
        sha256_update(&h, head, strlen(head));
        for (size_t i = 0; i < n; i++)
                sha256_update(&h, lines[i].line, strlen(lines[i].line));
        if (sha256_final(&h, digest) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < (DELIVERY_KEY_SIZE - 1) / 2; i++)
                snprintf(key + 2 * i, 3, "%02x", digest[i]);
        return 0;
}

int delivery_key(const char *target, time_t at, const struct delivery_item *items,
                 size_t n_items, char key[DELIVERY_KEY_SIZE]) {
        struct arena *arena = arena_new();
        struct key_line *lines = calloc(n_items + 1, sizeof *lines);
        int r = arena && lines ? key_lines_build(arena, items, n_items, lines) : -ENOMEM;

        if (r == 0)
                r = key_from_lines(target, at, lines, n_items, key);
        free(lines);
        arena_free(arena);
        return r;
}

/* ---- statements --------------------------------------------------------- */

static int deliveries_prepare(struct state *st, const char *sql, sqlite3_stmt **s) {
        return state_statement(st, sql, s);
}

static int deliveries_step_done(struct state *st, sqlite3_stmt *s, const char *doing) {
        int rc = sqlite3_step(s);

        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 0 : state_fail_sqlite(st, rc, doing);
}

static void bind_time_or_null(sqlite3_stmt *s, int i, time_t t) {
        if (t)
                sqlite3_bind_int64(s, i, (sqlite3_int64) t);
        else
                sqlite3_bind_null(s, i);
}

/* ---- recording ---------------------------------------------------------- */

enum record_stmt {
        RECORD_INSTANT,
        RECORD_KNOWN,
        RECORD_DELIVERY,
        RECORD_ITEM,
        RECORD_MAX,
};

static const char *const record_sql[RECORD_MAX] = {
        [RECORD_INSTANT] = "SELECT 1 FROM deliveries WHERE at = ?1 LIMIT 1",
        [RECORD_KNOWN] =
                "SELECT 1 FROM delivery_items WHERE ledger = ?1 AND milestone = ?2 "
                "AND kind = ?3 AND offset_text = ?4 AND at = ?5 AND target = ?6",
        [RECORD_DELIVERY] =
                "INSERT INTO deliveries (key, target, at, late, status, created, finished, "
                "part, parts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        [RECORD_ITEM] =
                "INSERT INTO delivery_items (delivery, ledger, milestone, kind, offset_text, "
                "at, target) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};

/* What one deliveries_record() call works with: its statements, prepared
 * once for all its messages, and scratch space for the largest message. */
struct record {
        struct state *st;
        sqlite3_stmt *stmt[RECORD_MAX];
        struct arena *arena;
        struct key_line *lines;
        bool *keep; /* by position in the message's items */
        bool missed;
        time_t now;
        /* Whether each item is looked up before it is inserted: not when no
         * delivery was recorded at the instant before (an item is at its
         * delivery's instant), unless an insert then finds it after all. */
        bool look_up;
};

/* Items at the delivery's instant only: the key names the instant once, so
 * two deliveries with the same key could otherwise exist (the same lines, a
 * different item instant), and the second would fail the whole call. With
 * it, equal keys mean equal items, and those are dropped as known. */
static int record_check(struct state *st, const struct delivery_new *m, size_t i) {
        if (!m->target || !*m->target)
                return state_fail(st, -EINVAL, "delivery %zu: no target", i);
        if (!m->items || m->n_items == 0)
                return state_fail(st, -EINVAL, "delivery %zu to %s: no items", i, m->target);
        for (size_t j = 0; j < m->n_items; j++) {
                const struct delivery_item *it = &m->items[j];

                if (!it->ledger || !*it->ledger || !it->milestone || !*it->milestone ||
                    !it->kind || !*it->kind || !it->offset)
                        return state_fail(st, -EINVAL,
                                          "delivery %zu to %s: item %zu lacks a ledger, "
                                          "milestone, kind or offset", i, m->target, j);
                if (it->at != m->at)
                        return state_fail(st, -EINVAL,
                                          "delivery %zu to %s: item %zu is not at the "
                                          "delivery's instant", i, m->target, j);
        }
        if (m->part > (m->parts ? m->parts : 1))
                return state_fail(st, -EINVAL, "delivery %zu to %s: part %u of %u", i, m->target,
                                  m->part, m->parts);
        return 0;
}

/* An item's identity (ledger, milestone, kind, offset, at, target) as the
 * parameters first … first + 5 of s, in that order. */
static void bind_item(sqlite3_stmt *s, int first, const struct delivery_item *it,
                      const char *target) {
        sqlite3_bind_text(s, first, it->ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, first + 1, it->milestone, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, first + 2, it->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, first + 3, it->offset, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, first + 4, (sqlite3_int64) it->at);
        sqlite3_bind_text(s, first + 5, target, -1, SQLITE_STATIC);
}

/* Runs s, a bound "SELECT 1 …": whether it found a row. 0 or the failure. */
static int record_exists(struct record *rec, sqlite3_stmt *s, const char *doing, bool *found) {
        int rc = sqlite3_step(s);

        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return state_fail_sqlite(rec->st, rc, doing);
        *found = rc == SQLITE_ROW;
        return 0;
}

static int record_known(struct record *rec, const char *target, const struct delivery_item *it,
                        bool *known) {
        sqlite3_stmt *s = rec->stmt[RECORD_KNOWN];

        bind_item(s, 1, it, target);
        return record_exists(rec, s, "looking up a delivery item", known);
}

/* Keeps, in rec->lines[0..*n) (sorted), the items of m that are neither
 * repeats nor known; sets rec->keep by position to match. */
static int record_select(struct record *rec, const struct delivery_new *m, size_t *n) {
        size_t kept = 0;
        int r = key_lines_build(rec->arena, m->items, m->n_items, rec->lines);

        if (r < 0)
                return state_fail(rec->st, r, "out of memory");
        memset(rec->keep, 0, m->n_items * sizeof *rec->keep);
        for (size_t i = 0; i < m->n_items; i++) {
                struct key_line *l = &rec->lines[i];
                bool known = false;

                if (kept > 0 && strcmp(rec->lines[kept - 1].line, l->line) == 0 &&
                    rec->lines[kept - 1].at == l->at)
                        continue;
                if (rec->look_up)
                        r = record_known(rec, m->target, &m->items[l->index], &known);
                if (r < 0)
                        return r;
                if (known)
                        continue;
                rec->keep[l->index] = true;
                rec->lines[kept++] = *l;
        }
        *n = kept;
        return 0;
}

/* Runs s, a bound INSERT: 0, -EEXIST when what it inserts is there
 * already (which only an insert without a lookup before it finds), or the
 * failure. */
static int record_insert(struct record *rec, sqlite3_stmt *s, const char *doing) {
        int rc = sqlite3_step(s);

        sqlite3_reset(s);
        if ((rc & 0xff) == SQLITE_CONSTRAINT && !rec->look_up)
                return -EEXIST;
        return rc == SQLITE_DONE ? 0 : state_fail_sqlite(rec->st, rc, doing);
}

static int record_insert_delivery(struct record *rec, const struct delivery_new *m,
                                  const char *key, int64_t *id) {
        sqlite3_stmt *s = rec->stmt[RECORD_DELIVERY];
        int r;

        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, m->target, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, (sqlite3_int64) m->at);
        sqlite3_bind_int(s, 4, m->late);
        sqlite3_bind_text(s, 5, delivery_status_name(rec->missed ? DELIVERY_MISSED
                                                                 : DELIVERY_PENDING),
                          -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, (sqlite3_int64) rec->now);
        if (rec->missed) /* missed is final from the start */
                sqlite3_bind_int64(s, 7, (sqlite3_int64) rec->now);
        else
                sqlite3_bind_null(s, 7);
        sqlite3_bind_int(s, 8, m->part ? (int) m->part : 1);
        sqlite3_bind_int(s, 9, m->parts ? (int) m->parts : 1);
        r = record_insert(rec, s, "recording a delivery");
        *id = sqlite3_last_insert_rowid(state_database(rec->st));
        return r;
}

static int record_insert_item(struct record *rec, int64_t id, const char *target,
                              const struct delivery_item *it) {
        sqlite3_stmt *s = rec->stmt[RECORD_ITEM];

        sqlite3_bind_int64(s, 1, id);
        bind_item(s, 2, it, target);
        return record_insert(rec, s, "recording a delivery item");
}

/* Items are inserted in the caller's order, the one a digest lists them in. */
static int record_one(struct record *rec, struct delivery_new *m) {
        char key[DELIVERY_KEY_SIZE];
        size_t n = 0;
        int r = record_select(rec, m, &n);

        if (r < 0 || n == 0)
                return r;
        key_from_lines(m->target, m->at, rec->lines, n, key);
        r = record_insert_delivery(rec, m, key, &m->id);
        for (size_t i = 0; r == 0 && i < m->n_items; i++)
                if (rec->keep[i])
                        r = record_insert_item(rec, m->id, m->target, &m->items[i]);
        return r;
}

static int record_prepare(struct record *rec, const struct delivery_new *msgs, size_t n) {
        size_t most = 1;

        for (size_t i = 0; i < n; i++)
                if (msgs[i].n_items > most)
                        most = msgs[i].n_items;
        rec->arena = arena_new();
        rec->lines = calloc(most, sizeof *rec->lines);
        rec->keep = calloc(most, sizeof *rec->keep);
        if (!rec->arena || !rec->lines || !rec->keep)
                return state_fail(rec->st, -ENOMEM, "out of memory");
        for (size_t i = 0; i < RECORD_MAX; i++) {
                int r = deliveries_prepare(rec->st, record_sql[i], &rec->stmt[i]);

                if (r < 0)
                        return r;
        }
        return 0;
}

static void record_free(struct record *rec) {
        for (size_t i = 0; i < RECORD_MAX; i++)
                state_statement_release(rec->st, rec->stmt[i]);
        arena_free(rec->arena);
        free(rec->lines);
        free(rec->keep);
}

/* Whether a delivery was recorded at any of the messages' instants. */
static int record_instants_known(struct record *rec, const struct delivery_new *msgs, size_t n,
                                 bool *known) {
        sqlite3_stmt *s = rec->stmt[RECORD_INSTANT];

        *known = false;
        for (size_t i = 0; !*known && i < n; i++) {
                int r;

                if (i > 0 && msgs[i].at == msgs[i - 1].at)
                        continue;
                sqlite3_bind_int64(s, 1, (sqlite3_int64) msgs[i].at);
                if ((r = record_exists(rec, s, "looking up an instant", known)) < 0)
                        return r;
        }
        return 0;
}

static int record_once(struct record *rec, struct delivery_new *msgs, size_t n) {
        int r = state_begin(rec->st);

        for (size_t i = 0; r == 0 && i < n; i++)
                r = record_one(rec, &msgs[i]);
        if (r < 0)
                return state_rollback(rec->st, r);
        return state_commit(rec->st);
}

/* At a new instant, thousands of items go in without a lookup each (a
 * province's 09:30: a third of the time before the first message went).
 * Should one be there after all, a repeat within the call, it all goes
 * again with the lookups. */
static int record_all(struct record *rec, struct delivery_new *msgs, size_t n) {
        bool known;
        int r = record_instants_known(rec, msgs, n, &known);

        if (r < 0)
                return r;
        rec->look_up = known;
        r = record_once(rec, msgs, n);
        if (r != -EEXIST)
                return r;
        for (size_t i = 0; i < n; i++)
                msgs[i].id = 0;
        rec->look_up = true;
        return record_once(rec, msgs, n);
}

int deliveries_record(struct state *st, struct delivery_new *msgs, size_t n, bool missed,
                      time_t now) {
        struct record rec = { .st = st, .missed = missed, .now = now };
        int r = 0;

        for (size_t i = 0; i < n; i++)
                msgs[i].id = 0;
        for (size_t i = 0; r == 0 && i < n; i++)
                r = record_check(st, &msgs[i], i);
        if (r < 0 || n == 0)
                return r;
        r = record_prepare(&rec, msgs, n);
        if (r == 0)
                r = record_all(&rec, msgs, n);
        record_free(&rec);
        if (r < 0) /* rolled back: none of them exists */
                for (size_t i = 0; i < n; i++)
                        msgs[i].id = 0;
        return r;
}

/* ---- results of tries --------------------------------------------------- */

/* What a result writes. NULL strings and a NULL code (has_code false) keep
 * what the delivery had. */
struct result {
        enum delivery_status status;
        bool tried;
        time_t now, next_try;
        bool has_code;
        long code;
        const char *via, *reason, *answer;
        unsigned steps; /* 0: as it was */
};

/* Only a pending delivery changes (status = 'pending' in the WHERE): the
 * check and the write are one statement, so nothing can slip in between. */
static const char result_sql[] =
        "UPDATE deliveries SET status = ?2, tries = tries + ?3, "
        "first_try = CASE WHEN ?3 THEN coalesce(first_try, ?4) ELSE first_try END, "
        "last_try = CASE WHEN ?3 THEN ?4 ELSE last_try END, "
        "next_try = ?5, "
        "finished = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?4 END, "
        "via = coalesce(?6, via), code = coalesce(?7, code), "
        "reason = coalesce(?8, reason), answer = coalesce(?9, answer), "
        "steps = max(steps, ?10) "
        "WHERE id = ?1 AND status = 'pending'";

static void result_bind(sqlite3_stmt *s, int64_t id, const struct result *res) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, delivery_status_name(res->status), -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, res->tried);
        sqlite3_bind_int64(s, 4, (sqlite3_int64) res->now);
        bind_time_or_null(s, 5, res->next_try);
        sqlite3_bind_text(s, 6, res->via, -1, SQLITE_STATIC);
        if (res->has_code)
                sqlite3_bind_int64(s, 7, res->code);
        sqlite3_bind_text(s, 8, res->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 9, res->answer, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 10, (int) res->steps);
}

/* Nothing was updated: say whether the delivery is missing or final. */
static int result_refused(struct state *st, int64_t id) {
        sqlite3_stmt *s = NULL;
        enum delivery_status status;
        int rc, r = deliveries_prepare(st, "SELECT status FROM deliveries WHERE id = ?1", &s);

        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        rc = sqlite3_step(s);
        if (rc == SQLITE_DONE)
                r = state_fail(st, -ENOENT, "no delivery %" PRId64, id);
        else if (rc != SQLITE_ROW)
                r = state_fail_sqlite(st, rc, "reading a delivery's status");
        else if (delivery_status_from_name((const char *) sqlite3_column_text(s, 0), &status) < 0)
                r = state_fail(st, -EIO, "delivery %" PRId64 ": unknown status", id);
        else
                r = state_fail(st, -EALREADY, "delivery %" PRId64 " is already %s", id,
                               delivery_status_name(status));
        state_statement_release(st, s);
        return r;
}

/* Writes res for id with s (result_sql), inside the caller's transaction:
 * 0, or -ENOENT/-EALREADY when it was not pending, or -errno. */
static int result_step(struct state *st, sqlite3_stmt *s, int64_t id, const struct result *res) {
        int r;

        result_bind(s, id, res);
        r = deliveries_step_done(st, s, "writing a delivery's result");
        if (r == 0 && sqlite3_changes(state_database(st)) == 0)
                r = result_refused(st, id);
        return r;
}

static int result_write(struct state *st, int64_t id, const struct result *res) {
        sqlite3_stmt *s = NULL;
        int r = deliveries_prepare(st, result_sql, &s);

        if (r < 0)
                return r;
        r = state_begin(st);
        if (r == 0)
                r = result_step(st, s, id, res);
        state_statement_release(st, s);
        if (r < 0)
                return state_rollback(st, r);
        return state_commit(st);
}

/* What deliveries_sent(), _retry(), _step() or _failed() would write for o. */
static struct result result_of(const struct delivery_outcome *o) {
        const char *text = o->text ? o->text : "";

        switch (o->status) {
        case DELIVERY_SENT:
                return (struct result) { .status = DELIVERY_SENT, .tried = true, .now = o->now,
                                         .has_code = true, .reason = "",
                                         .via = o->via ? o->via : "", .answer = text };
        case DELIVERY_PENDING:
                if (o->steps)
                        return (struct result) { .status = DELIVERY_PENDING, .now = o->now,
                                                 .steps = o->steps };
                return (struct result) { .status = DELIVERY_PENDING, .tried = true, .now = o->now,
                                         .next_try = o->next_try, .has_code = true,
                                         .code = o->code, .reason = text };
        default:
                return (struct result) { .status = DELIVERY_FAILED, .tried = true, .now = o->now,
                                         .has_code = true, .code = o->code, .reason = text };
        }
}

/* Outcomes are written without waiting for the disk (WAL's synchronous =
 * NORMAL): a process that dies loses none of them, as the WAL's pages are
 * the kernel's already; a power cut may lose the last ones, whose
 * messages are then sent once more, with their idempotency key, as after
 * a crash between an answer and its record. The next commit that does
 * wait (a mark, new deliveries) makes them durable too: the WAL is written
 * in order. What must never be lost, the pending deliveries before their
 * first try and the marks, keeps synchronous = FULL. */
int deliveries_outcomes(struct state *st, struct delivery_outcome *outcomes, size_t n) {
        sqlite3_stmt *s = NULL;
        int r = n ? deliveries_prepare(st, result_sql, &s) : 0;

        if (r < 0 || n == 0)
                return r;
        r = state_set_synchronous(st, false);
        if (r == 0)
                r = state_begin(st);
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct result res = result_of(&outcomes[i]);

                outcomes[i].result = result_step(st, s, outcomes[i].id, &res);
                if (outcomes[i].result == -ENOENT || outcomes[i].result == -EALREADY)
                        continue; /* that one's own answer, not the batch's */
                r = outcomes[i].result;
        }
        state_statement_release(st, s);
        r = r < 0 ? state_rollback(st, r) : state_commit(st);
        (void) state_set_synchronous(st, true);
        return r;
}

/* One outcome alone: its own transaction. */
static int outcome_write(struct state *st, const struct delivery_outcome *o) {
        struct result res = result_of(o);

        return result_write(st, o->id, &res);
}

int deliveries_sent(struct state *st, int64_t id, time_t now, const char *via,
                    const char *answer) {
        return outcome_write(st, &(struct delivery_outcome) {
                .id = id, .status = DELIVERY_SENT, .now = now, .via = via, .text = answer });
}

int deliveries_retry(struct state *st, int64_t id, time_t now, time_t next_try, long code,
                     const char *reason) {
        return outcome_write(st, &(struct delivery_outcome) {
                .id = id, .status = DELIVERY_PENDING, .now = now, .next_try = next_try,
                .code = code, .text = reason });
}

int deliveries_failed(struct state *st, int64_t id, time_t now, long code, const char *reason) {
        return outcome_write(st, &(struct delivery_outcome) {
                .id = id, .status = DELIVERY_FAILED, .now = now, .code = code, .text = reason });
}

int deliveries_cancel(struct state *st, int64_t id, time_t now, const char *reason) {
        return result_write(st, id, &(struct result) {
                .status = DELIVERY_CANCELLED, .now = now, .reason = reason ? reason : "",
        });
}

int deliveries_step(struct state *st, int64_t id, time_t now, unsigned steps) {
        return outcome_write(st, &(struct delivery_outcome) {
                .id = id, .status = DELIVERY_PENDING, .now = now, .steps = steps ? steps : 1 });
}

/* ---- reading ------------------------------------------------------------ */

/* A delivery's columns (d), then one item's (i): one row per item, the
 * deliveries grouped in C rather than one query per delivery. */
#define DELIVERY_COLUMNS \
        "d.id, d.key, d.target, d.at, d.late, d.status, d.tries, d.created, " \
        "d.first_try, d.last_try, d.next_try, d.finished, d.via, d.code, d.reason, " \
        "d.answer, d.part, d.parts, d.steps, " \
        "i.ledger, i.milestone, i.kind, i.offset_text, i.at"

#define DELIVERY_FROM_ITEMS " LEFT JOIN delivery_items AS i ON i.delivery = d.id "

enum {
        COL_ID, COL_KEY, COL_TARGET, COL_AT, COL_LATE, COL_STATUS, COL_TRIES, COL_CREATED,
        COL_FIRST_TRY, COL_LAST_TRY, COL_NEXT_TRY, COL_FINISHED, COL_VIA, COL_CODE,
        COL_REASON, COL_ANSWER, COL_PART, COL_PARTS, COL_STEPS, COL_I_LEDGER, COL_I_MILESTONE, COL_I_KIND, COL_I_OFFSET,
        COL_I_AT,
};

struct delivery_row {
        struct delivery d;
        size_t first; /* its first item in rows->items */
};

/* Every row of a query, copied out before the first callback, so that the
 * callbacks may write to the database. */
struct delivery_rows {
        struct arena *arena; /* the strings */
        struct delivery_row *rows;
        size_t n, allocated;
        struct delivery_item *items;
        size_t n_items, items_allocated;
};

/* p with room for n + 1 elements: p itself when it has, else p grown (and
 * *allocated updated), or NULL, p left as it was, when out of memory. */
static void *grow(void *p, size_t *allocated, size_t n, size_t size) {
        size_t m;
        void *q;

        if (n < *allocated)
                return p;
        m = *allocated ? *allocated * 2 : 16;
        q = reallocarray(p, m, size);
        if (q)
                *allocated = m;
        return q;
}

static const char *column_copy(struct delivery_rows *rows, sqlite3_stmt *s, int i) {
        const unsigned char *t = sqlite3_column_text(s, i);

        return arena_strdup(rows->arena, t ? (const char *) t : "");
}

static int rows_add_delivery(struct delivery_rows *rows, sqlite3_stmt *s) {
        struct delivery_row *row = grow(rows->rows, &rows->allocated, rows->n, sizeof *row);
        struct delivery *d;

        if (!row)
                return -ENOMEM;
        rows->rows = row;
        row = &rows->rows[rows->n++];
        row->first = rows->n_items;
        d = &row->d;
        *d = (struct delivery) {
                .id = sqlite3_column_int64(s, COL_ID),
                .key = column_copy(rows, s, COL_KEY),
                .target = column_copy(rows, s, COL_TARGET),
                .at = (time_t) sqlite3_column_int64(s, COL_AT),
                .late = sqlite3_column_int(s, COL_LATE) != 0,
                .tries = (unsigned) sqlite3_column_int64(s, COL_TRIES),
                .created = (time_t) sqlite3_column_int64(s, COL_CREATED),
                .first_try = (time_t) sqlite3_column_int64(s, COL_FIRST_TRY),
                .last_try = (time_t) sqlite3_column_int64(s, COL_LAST_TRY),
                .next_try = (time_t) sqlite3_column_int64(s, COL_NEXT_TRY),
                .finished = (time_t) sqlite3_column_int64(s, COL_FINISHED),
                .via = column_copy(rows, s, COL_VIA),
                .code = (long) sqlite3_column_int64(s, COL_CODE),
                .reason = column_copy(rows, s, COL_REASON),
                .answer = column_copy(rows, s, COL_ANSWER),
                .part = (unsigned) sqlite3_column_int(s, COL_PART),
                .parts = (unsigned) sqlite3_column_int(s, COL_PARTS),
                .steps = (unsigned) sqlite3_column_int(s, COL_STEPS),
        };
        if (!d->key || !d->target || !d->via || !d->reason || !d->answer)
                return -ENOMEM;
        if (delivery_status_from_name((const char *) sqlite3_column_text(s, COL_STATUS),
                                      &d->status) < 0)
                return -EIO;
        return 0;
}

static int rows_add_item(struct delivery_rows *rows, sqlite3_stmt *s) {
        struct delivery_item *it = grow(rows->items, &rows->items_allocated, rows->n_items,
                                        sizeof *it);

        if (!it)
                return -ENOMEM;
        rows->items = it;
        it = &rows->items[rows->n_items++];
        *it = (struct delivery_item) {
                .ledger = column_copy(rows, s, COL_I_LEDGER),
                .milestone = column_copy(rows, s, COL_I_MILESTONE),
                .kind = column_copy(rows, s, COL_I_KIND),
                .offset = column_copy(rows, s, COL_I_OFFSET),
                .at = (time_t) sqlite3_column_int64(s, COL_I_AT),
        };
        rows->rows[rows->n - 1].d.n_items++;
        return it->ledger && it->milestone && it->kind && it->offset ? 0 : -ENOMEM;
}

/* The rows come ordered by delivery, so a delivery's items are together. */
static int rows_add(struct delivery_rows *rows, sqlite3_stmt *s) {
        int r = 0;

        if (rows->n == 0 || rows->rows[rows->n - 1].d.id != sqlite3_column_int64(s, COL_ID))
                r = rows_add_delivery(rows, s);
        if (r == 0 && sqlite3_column_type(s, COL_I_LEDGER) != SQLITE_NULL)
                r = rows_add_item(rows, s);
        return r;
}

static int rows_read(struct state *st, sqlite3_stmt *s, const char *doing,
                     struct delivery_rows *rows) {
        int rc = SQLITE_OK, r = 0;

        rows->arena = arena_new();
        if (!rows->arena)
                return state_fail(st, -ENOMEM, "out of memory");
        while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
                r = rows_add(rows, s);
        if (r == -ENOMEM)
                return state_fail(st, r, "out of memory");
        if (r < 0)
                return state_fail(st, r, "%s: a delivery with an unknown status", doing);
        if (rc != SQLITE_DONE)
                return state_fail_sqlite(st, rc, doing);
        return 0;
}

static void rows_free(struct delivery_rows *rows) {
        arena_free(rows->arena);
        free(rows->rows);
        free(rows->items);
}

/* Reads every row of s, finalizes it, then calls fn for each delivery.
 * *n (when not NULL) gets how many deliveries were read. */
static int deliveries_walk(struct state *st, sqlite3_stmt *s, const char *doing,
                           delivery_fn fn, void *userdata, size_t *n) {
        struct delivery_rows rows = { 0 };
        int r = rows_read(st, s, doing, &rows);

        state_statement_release(st, s);
        for (size_t i = 0; r == 0 && i < rows.n; i++) {
                struct delivery *d = &rows.rows[i].d;

                d->items = rows.items + rows.rows[i].first;
                r = fn(d, userdata);
        }
        if (n)
                *n = rows.n;
        rows_free(&rows);
        return r;
}

int deliveries_get(struct state *st, int64_t id, delivery_fn fn, void *userdata) {
        sqlite3_stmt *s = NULL;
        size_t n = 0;
        int r = deliveries_prepare(st,
                                   "SELECT " DELIVERY_COLUMNS " FROM deliveries AS d"
                                   DELIVERY_FROM_ITEMS "WHERE d.id = ?1 ORDER BY i.rowid",
                                   &s);

        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = deliveries_walk(st, s, "reading a delivery", fn, userdata, &n);
        if (r == 0 && n == 0)
                return state_fail(st, -ENOENT, "no delivery %" PRId64, id);
        return r;
}

/* NULL next_try (try at once) sorts first. */
int deliveries_pending(struct state *st, delivery_fn fn, void *userdata) {
        sqlite3_stmt *s = NULL;
        int r = deliveries_prepare(st,
                                   "SELECT " DELIVERY_COLUMNS " FROM deliveries AS d"
                                   DELIVERY_FROM_ITEMS "WHERE d.status = 'pending' "
                                   "ORDER BY d.next_try, d.id, i.rowid",
                                   &s);

        return r < 0 ? r : deliveries_walk(st, s, "reading the pending deliveries", fn, userdata,
                                           NULL);
}

int deliveries_pending_for(struct state *st, const char *ledger, const char *milestone,
                           delivery_fn fn, void *userdata) {
        sqlite3_stmt *s = NULL;
        int r = deliveries_prepare(st,
                                   "SELECT " DELIVERY_COLUMNS " FROM deliveries AS d"
                                   DELIVERY_FROM_ITEMS "WHERE d.status = 'pending' AND d.id IN "
                                   "(SELECT delivery FROM delivery_items "
                                   " WHERE ledger = ?1 AND milestone = ?2) "
                                   "ORDER BY d.next_try, d.id, i.rowid",
                                   &s);

        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, milestone, -1, SQLITE_STATIC);
        return deliveries_walk(st, s, "reading a milestone's pending deliveries", fn, userdata,
                               NULL);
}

/* One statement for every filter: an unset criterion is bound NULL and
 * drops out. The limit applies to deliveries, not to item rows, hence the
 * subquery. The target is matched with instr(), not LIKE, so that % and _
 * in it are plain characters. */
static const char list_sql[] =
        "SELECT " DELIVERY_COLUMNS " FROM "
        "(SELECT * FROM deliveries WHERE (?1 IS NULL OR status = ?1) "
        " AND (?2 IS NULL OR instr(target, ?2) > 0) "
        " AND at >= ?5 "
        " AND ((?3 IS NULL AND ?4 IS NULL) OR id IN "
        "  (SELECT delivery FROM delivery_items "
        "   WHERE (?3 IS NULL OR ledger = ?3) AND (?4 IS NULL OR milestone = ?4))) "
        " ORDER BY id DESC LIMIT ?6) AS d"
        DELIVERY_FROM_ITEMS "ORDER BY d.id DESC, i.rowid";

int deliveries_list(struct state *st, const struct delivery_filter *f, delivery_fn fn,
                    void *userdata) {
        size_t limit = f->limit ? f->limit : DELIVERIES_LIST_LIMIT;
        sqlite3_stmt *s = NULL;
        int r;

        if (f->status < -1 || f->status >= (int) N_STATUSES)
                return state_fail(st, -EINVAL, "no delivery status %d", f->status);
        r = deliveries_prepare(st, list_sql, &s);
        if (r < 0)
                return r;
        if (f->status >= 0)
                sqlite3_bind_text(s, 1, delivery_status_names[f->status], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, f->target, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, f->ledger, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, f->milestone, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, f->since > 0 ? (sqlite3_int64) f->since : INT64_MIN);
        sqlite3_bind_int64(s, 6, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64) limit);
        return deliveries_walk(st, s, "listing deliveries", fn, userdata, NULL);
}

/* ---- counts and meta ---------------------------------------------------- */

/* Runs s, which yields one integer or no row (then *out = 0). */
static int query_int(struct state *st, sqlite3_stmt *s, const char *doing, int64_t *out) {
        int rc = sqlite3_step(s);

        *out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        state_statement_release(st, s);
        return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : state_fail_sqlite(st, rc, doing);
}

int deliveries_count(struct state *st, enum delivery_status status, unsigned *out) {
        sqlite3_stmt *s = NULL;
        int64_t n;
        int r;

        if ((size_t) status >= N_STATUSES)
                return state_fail(st, -EINVAL, "no delivery status %d", (int) status);
        r = deliveries_prepare(st, "SELECT count(*) FROM deliveries WHERE status = ?1", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, delivery_status_names[status], -1, SQLITE_STATIC);
        r = query_int(st, s, "counting deliveries", &n);
        if (r == 0)
                *out = n > UINT_MAX ? UINT_MAX : (unsigned) n;
        return r;
}

int deliveries_handled_until(struct state *st, time_t *out) {
        sqlite3_stmt *s = NULL;
        int64_t t;
        int r = deliveries_prepare(st, "SELECT value FROM delivery_meta "
                                       "WHERE name = 'handled_until'", &s);

        if (r < 0)
                return r;
        r = query_int(st, s, "reading handled_until", &t);
        if (r == 0)
                *out = (time_t) t;
        return r;
}

/* A single statement: a transaction of its own. */
int deliveries_set_handled_until(struct state *st, time_t t) {
        sqlite3_stmt *s = NULL;
        int r = deliveries_prepare(st,
                                   "INSERT INTO delivery_meta (name, value) "
                                   "VALUES ('handled_until', ?1) "
                                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                                   &s);

        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, (sqlite3_int64) t);
        r = deliveries_step_done(st, s, "writing handled_until");
        state_statement_release(st, s);
        return r;
}
