/* SPDX-License-Identifier: MIT */
/* The courier with a frozen clock and a transport of the test's own: the
 * reminders of an instant are recorded before anything leaves, and once
 * ever; a passing failure is tried again after its backoff, a permanent one
 * fails at once and is reported; reminders missed while the service was
 * down are sent late within catch_up and recorded as missed before it; a
 * done mark cancels what is still pending. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "courier/courier-internal.h"
#include "courier/courier.h"
#include "fixture.h"
#include "ledger/schedule.h"
#include "store/deliveries.h"
#include "tests/unit/test-sqlite.h"

#define MAX_SENT 64

/* The transport: what it was given, and what it answers. */
struct transport {
        sd_event *event;
        char *targets[MAX_SENT]; /* "mailto:…" or the webhook's URL */
        bool late[MAX_SENT];
        bool second_task[MAX_SENT]; /* carries task 2 */
        bool first_task[MAX_SENT];  /* a webhook's body carries task 1 */
        size_t n_sent;
        enum send_verdict answer; /* for every try from now on */
        long code, delay;         /* of a failed answer */
        bool hold;                /* never answer: the try stays in flight */
        size_t n_outcomes;
        char last_reason[200];
};

struct pending_answer {
        struct send_result result;
        send_done_fn done;
        void *userdata;
};

static int on_answer(sd_event_source *s, void *userdata) {
        struct pending_answer *a = userdata;

        sd_event_source_disable_unref(s);
        a->done(&a->result, a->userdata);
        free(a);
        return 0;
}

static int transmit(const struct outgoing *o, send_done_fn done, void *done_userdata, void *userdata) {
        struct transport *t = userdata;
        struct pending_answer *a;
        sd_event_source *s;

        assert_true(t->n_sent < MAX_SENT);
        t->targets[t->n_sent] = strdup(o->webhook ? o->request.url : o->rcpt);
        t->late[t->n_sent] = o->webhook && strstr(o->request.body, "\"late\":true") != NULL;
        t->first_task[t->n_sent] = o->webhook && strstr(o->request.body, "\"milestone\":\"1\"");
        t->second_task[t->n_sent] = o->webhook ? strstr(o->request.body, "\"milestone\":\"2\"") != NULL
                                                : strstr(o->mail, "filename=\"2.ics\"") != NULL;
        t->n_sent++;
        if (t->hold)
                return 0;
        a = calloc(1, sizeof *a);
        assert_non_null(a);
        *a = (struct pending_answer) { .result = { .verdict = t->answer, .code = t->code,
                                                   .delay = t->delay },
                                       .done = done, .userdata = done_userdata };
        if (t->answer != SEND_DELIVERED)
                snprintf(a->result.reason, sizeof a->result.reason, "HTTP 500 from the test");
        return sd_event_add_defer(t->event, &s, on_answer, a);
}

static void on_outcome(const char *ledger, const char *milestone, const char *kind,
                       const char *target, const char *reason, void *userdata) {
        struct transport *t = userdata;

        (void) ledger, (void) milestone, (void) kind, (void) target;
        t->n_outcomes++;
        snprintf(t->last_reason, sizeof t->last_reason, "%s", reason ? reason : "");
}

struct test {
        struct fixture f;
        struct transport t;
        struct courier *courier;
};

static int setup_at(void **state, const char *now) {
        struct test *x = calloc(1, sizeof *x);

        if (!x || fixture_setup(&x->f, now) < 0)
                return -1;
        x->t.event = x->f.event;
        if (courier_new(&(struct courier_setup) {
                                .event = x->f.event, .clock = &x->f.clock, .state = x->f.state,
                                .marks = x->f.marks, .state_directory = x->f.dir,
                                .config = x->f.config, .on_outcome = on_outcome, .userdata = &x->t,
                        },
                        &x->courier) < 0)
                return -1;
        courier_set_transport(x->courier, transmit, &x->t);
        *state = x;
        return 0;
}

/* 2025-10-07 09:30: the 3-day reminder of task 1. */
static int setup(void **state) {
        return setup_at(state, "2025-10-07T09:30");
}

static int teardown(void **state) {
        struct test *x = *state;

        fixture_run(&x->f); /* every answer given before the courier goes */
        courier_free(x->courier);
        for (size_t i = 0; i < x->t.n_sent; i++)
                free(x->t.targets[i]);
        fixture_teardown(&x->f);
        free(x);
        return 0;
}

static unsigned count(struct test *x, enum delivery_status s) {
        unsigned n = 0;

        assert_int_equal(deliveries_count(x->f.state, s, &n), 0);
        return n;
}

/* The reminders of the plan at instant t, handed to the courier as the
 * manager's timer would. */
static int dispatch_at(struct test *x, time_t t) {
        struct schedule_input in = { .config = x->f.config, .is_done = marks_schedule_done,
                                     .userdata = x->f.marks, .from = t, .to = t + 1 };
        struct schedule s = {};
        int r;

        assert_int_equal(schedule_build(&in, &s), 0);
        assert_true(s.n_reminders > 0);
        r = courier_dispatch(x->courier, s.reminders, s.n_reminders);
        schedule_free(&s);
        return r;
}

static void test_instant_sent_once(void **state) {
        struct test *x = *state;
        time_t now = x->f.clock.frozen;

        assert_int_equal(dispatch_at(x, now), 0);
        /* Recorded before anything left: both pending, nothing sent yet. */
        assert_int_equal(count(x, DELIVERY_PENDING), 2);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2); /* czj's e-mail and its channel */
        assert_int_equal(count(x, DELIVERY_SENT), 2);
        assert_int_equal(count(x, DELIVERY_PENDING), 0);
        assert_int_equal(x->t.n_outcomes, 2);
        assert_string_equal(x->t.last_reason, "");

        /* The same instant again (a replan, a restart): nothing new. */
        assert_int_equal(dispatch_at(x, now), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
}

static void test_retry_after_backoff(void **state) {
        struct test *x = *state;

        x->t.answer = SEND_RETRY;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        assert_int_equal(count(x, DELIVERY_PENDING), 2); /* waiting for their next try */

        /* Nothing is tried again before the backoff is over... */
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);

        /* ...and everything after it: the first backoff is well under an hour. */
        x->t.answer = SEND_DELIVERED;
        x->f.clock.frozen += 3600;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
        assert_int_equal(count(x, DELIVERY_PENDING), 0);
}

static void test_give_up_after_give_up(void **state) {
        struct test *x = *state;

        x->t.answer = SEND_RETRY;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        /* Past delivery.give_up (3 days) from the first try: failed, reported. */
        x->f.clock.frozen += 4 * 86400;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(count(x, DELIVERY_FAILED), 2);
        assert_int_equal(count(x, DELIVERY_PENDING), 0);
        assert_non_null(strstr(x->t.last_reason, "gave up"));
}

static void test_permanent_fails_at_once(void **state) {
        struct test *x = *state;

        x->t.answer = SEND_PERMANENT;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        assert_int_equal(count(x, DELIVERY_FAILED), 2);
        assert_int_equal(x->t.n_outcomes, 2);
        assert_string_equal(x->t.last_reason, "HTTP 500 from the test");
}

/* Both messages of the instant waiting to be tried again, then task 1
 * marked done, the courier not told yet. */
static void pending_then_done(struct test *x) {
        const struct state_author who = { .uid = 0, .user = "root" };

        x->t.answer = SEND_RETRY;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(count(x, DELIVERY_PENDING), 2);
        assert_int_equal(marks_record(x->f.marks, STATE_DONE, "t-2025", "1", &who, "", 0), 0);
}

static void test_done_cancels_pending(void **state) {
        struct test *x = *state;

        pending_then_done(x);
        courier_milestone_done(x->courier, "t-2025", "1");
        assert_int_equal(count(x, DELIVERY_CANCELLED), 2);
        assert_int_equal(count(x, DELIVERY_PENDING), 0);
        x->f.clock.frozen += 3600;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2); /* nothing more went out */
}

/* A milestone marked done where the courier was not told (another process,
 * a mark while it was down): its pending message is cancelled at its next
 * try, and nothing empty goes out. */
static void test_done_found_at_try(void **state) {
        struct test *x = *state;

        pending_then_done(x);
        x->f.clock.frozen += 3600;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2); /* the first tries only */
        assert_int_equal(count(x, DELIVERY_CANCELLED), 2);
        assert_int_equal(x->courier->n_jobs, 0);
}

static void run_sql(struct test *x, const char *sql) {
        char path[128];

        snprintf(path, sizeof path, "%s/state.db", x->f.dir);
        test_sql(path, sql);
}

/* A log that cannot be read at a try: the messages wait, and the courier's
 * timer is set for their next try, which then sends them. */
static void test_unreadable_log_tried_again(void **state) {
        struct test *x = *state;
        int enabled = SD_EVENT_OFF;

        x->t.answer = SEND_RETRY;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        run_sql(x, "ALTER TABLE delivery_items RENAME TO delivery_items_away");
        x->t.answer = SEND_DELIVERED;
        x->f.clock.frozen += 3600;
        courier_pump(x->courier);
        assert_int_equal(x->t.n_sent, 2);
        assert_non_null(x->courier->wake);
        assert_true(sd_event_source_get_enabled(x->courier->wake, &enabled) > 0);
        assert_int_equal(enabled, SD_EVENT_ONESHOT);

        run_sql(x, "ALTER TABLE delivery_items_away RENAME TO delivery_items");
        x->f.clock.frozen += COURIER_RECORD_RETRY;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
}

/* Tasks 1 and 2 due the same day: one digest for each target. */
static const char ledger_same_day[] =
        "ledger = { id = \"t-2025\"; title = \"测试台账\"; year = 2025; tasks = (\n"
        "  { id = \"1\"; item = \"绩效自评\"; owners = [ \"县财政局\" ]; deadline = \"10月10日前\"; },\n"
        "  { id = \"2\"; item = \"绩效评价\"; owners = [ \"县财政局\" ]; deadline = \"10月10日前\"; }\n"
        "); };\n";

static const char ledger_task_2_only[] =
        "ledger = { id = \"t-2025\"; title = \"测试台账\"; year = 2025; tasks = (\n"
        "  { id = \"2\"; item = \"绩效评价\"; owners = [ \"县财政局\" ]; deadline = \"10月10日前\"; }\n"
        "); };\n";

static void use_ledger(struct test *x, const char *text) {
        struct config *old = x->f.config;

        fixture_write(&x->f, "ledger.conf", text);
        x->f.config = fixture_load(&x->f);
        assert_non_null(x->f.config);
        courier_set_config(x->courier, x->f.config);
        config_free(old);
}

/* A digest one of whose milestones left the ledger goes out with the
 * others: they were recorded once and would never be sent again. */
static void test_digest_keeps_the_rest(void **state) {
        struct test *x = *state;

        use_ledger(x, ledger_same_day);
        x->t.answer = SEND_RETRY;
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        assert_true(x->t.first_task[0] || x->t.first_task[1]); /* the webhook's digest */

        use_ledger(x, ledger_task_2_only);
        x->t.answer = SEND_DELIVERED;
        x->f.clock.frozen += 3600;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4);
        assert_true(x->t.second_task[2] && x->t.second_task[3]); /* the mail: 2.ics alone */
        assert_false(x->t.first_task[2] || x->t.first_task[3]);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
        assert_int_equal(count(x, DELIVERY_CANCELLED), 0);
}

/* ---- the queue's order and the peers -------------------------------------------- */

static int note_next_try(const struct delivery *d, void *userdata) {
        time_t *latest = userdata;

        if (d->next_try > *latest)
                *latest = d->next_try;
        return 0;
}

/* The latest next_try of the pending deliveries. */
static time_t latest_next_try(struct test *x) {
        time_t latest = 0;

        assert_int_equal(deliveries_pending(x->f.state, note_next_try, &latest), 0);
        return latest;
}

/* Task 1's reminder failed at 10-07; at 10-17, when its retries are due
 * too, task 2's reminder goes out first, to each peer. */
static void test_first_tries_before_retries(void **state) {
        struct test *x = *state;

        x->t.answer = SEND_RETRY;
        x->t.code = 429; /* refused for now, the peer itself is fine */
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        x->t.answer = SEND_DELIVERED;
        x->f.clock.frozen = fixture_time("2025-10-17T09:30");
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 6);
        /* Per peer, the first try of task 2, then the retry of task 1. */
        assert_true(x->t.second_task[2] && x->t.second_task[3]);
        assert_false(x->t.second_task[4] || x->t.second_task[5]);
        assert_int_equal(count(x, DELIVERY_SENT), 4);
}

/* A peer that did not answer is probed every few seconds by one message;
 * when it answers again its whole backlog goes, however long the backoff
 * of each message had grown. */
static void test_peer_back_gets_backlog(void **state) {
        struct test *x = *state;
        time_t down;

        x->f.clock.frozen = fixture_time("2025-10-10T09:30");
        x->t.answer = SEND_RETRY; /* code 0: no answer at all */
        assert_int_equal(dispatch_at(x, fixture_time("2025-10-07T09:30")), 0);
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4); /* every first try went out */
        down = x->f.clock.frozen;
        for (size_t i = 0; i < x->courier->n_jobs; i++)
                x->courier->jobs[i]->next_try = down + 3600; /* a long backoff */

        x->f.clock.frozen = down + COURIER_PROBE_INTERVAL - 1;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4); /* not yet */

        x->f.clock.frozen = down + COURIER_PROBE_INTERVAL;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 6); /* one probe per peer, which failed */
        assert_int_equal(count(x, DELIVERY_PENDING), 4);

        x->t.answer = SEND_DELIVERED; /* the peer is back */
        x->f.clock.frozen += COURIER_PROBE_INTERVAL;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 10); /* the probes, then the backlog */
        assert_int_equal(count(x, DELIVERY_SENT), 4);
        assert_int_equal(count(x, DELIVERY_PENDING), 0);
}

/* Retry-After counted from the second after the answer (the clock reads
 * whole seconds, so the answer came up to one before), an hour at the most. */
static void test_retry_after(void **state) {
        struct test *x = *state;
        time_t now = x->f.clock.frozen;

        x->t.answer = SEND_RETRY;
        x->t.code = 429;
        x->t.delay = 120;
        assert_int_equal(dispatch_at(x, now), 0);
        fixture_run(&x->f);
        assert_int_equal(latest_next_try(x), now + 121);
        assert_int_equal(x->t.n_sent, 2); /* one for each of its two targets */
        x->f.clock.frozen = now + 120;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2); /* not a second early */

        x->t.delay = 10 * 86400;
        x->f.clock.frozen = now = now + 121;
        courier_pump(x->courier);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4);
        assert_int_equal(latest_next_try(x), now + COURIER_RETRY_AFTER_MAX);
        assert_int_equal(count(x, DELIVERY_PENDING), 2);
}

/* ---- start-up ---------------------------------------------------------------- */

struct lateness {
        unsigned late, on_time;
};

static int note_late(const struct delivery *d, void *userdata) {
        struct lateness *l = userdata;

        if (d->late)
                l->late++;
        else
                l->on_time++;
        return 0;
}

/* Back at 2025-10-11 10:00 after a downtime, the plan hands over the
 * instants missed: the 3-day reminder of task 1 (10-07) is past catch_up (3
 * days) and recorded as missed; its on-the-day reminder (10-10) is sent,
 * late. courier_start() says where the plan goes on from. */
static void test_catch_up(void **state) {
        struct test *x = *state;
        struct lateness l = {};
        time_t handled = 0, down = fixture_time("2025-10-06T00:00");

        assert_int_equal(deliveries_set_handled_until(x->f.state, down), 0);
        x->f.clock.frozen = fixture_time("2025-10-11T10:00");
        assert_int_equal(courier_start(x->courier, &handled), 0);
        assert_int_equal(handled, down);
        assert_int_equal(dispatch_at(x, fixture_time("2025-10-07T09:30")), 0);
        assert_int_equal(dispatch_at(x, fixture_time("2025-10-10T09:30")), 0);
        fixture_run(&x->f);
        assert_int_equal(count(x, DELIVERY_MISSED), 2);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
        assert_int_equal(x->t.n_sent, 2);
        assert_true(x->t.late[0] || x->t.late[1]); /* the webhook says "late" */
        assert_int_equal(deliveries_list(x->f.state, &(struct delivery_filter) { .status = DELIVERY_SENT },
                                         note_late, &l), 0);
        assert_int_equal(l.late, 2);
        assert_int_equal(l.on_time, 0);
        assert_int_equal(deliveries_handled_until(x->f.state, &handled), 0);
        assert_int_equal(handled, fixture_time("2025-10-10T09:30"));

        /* Handed over again (a restart, a clock that went back): nothing twice. */
        assert_int_equal(dispatch_at(x, fixture_time("2025-10-10T09:30")), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
}

/* A few seconds late is on time: only a real delay says "补发". */
static void test_seconds_late_is_on_time(void **state) {
        struct test *x = *state;
        struct lateness l = {};
        time_t at = x->f.clock.frozen;

        x->f.clock.frozen += COURIER_LATE_AFTER;
        assert_int_equal(dispatch_at(x, at), 0);
        fixture_run(&x->f);
        assert_int_equal(deliveries_list(x->f.state, &(struct delivery_filter) { .status = DELIVERY_SENT },
                                         note_late, &l), 0);
        assert_int_equal(l.on_time, 2);
        assert_int_equal(l.late, 0);
}

/* A first start sends nothing for instants before it. */
static void test_first_start_sends_nothing_from_before(void **state) {
        struct test *x = *state;
        time_t handled = 0;

        x->f.clock.frozen = fixture_time("2025-10-11T10:00");
        assert_int_equal(courier_start(x->courier, &handled), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 0);
        assert_int_equal(count(x, DELIVERY_MISSED), 0);
        assert_int_equal(handled, x->f.clock.frozen);
        assert_int_equal(deliveries_handled_until(x->f.state, &handled), 0);
        assert_int_equal(handled, x->f.clock.frozen);
}

/* Pending messages from before a restart are taken up again. */
static void test_pending_taken_up_at_start(void **state) {
        struct test *x = *state;
        time_t handled = 0;

        x->t.hold = true; /* the first process dies with both in flight */
        assert_int_equal(dispatch_at(x, x->f.clock.frozen), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 2);
        courier_free(x->courier);

        x->t.hold = false;
        assert_int_equal(courier_new(&(struct courier_setup) {
                                             .event = x->f.event, .clock = &x->f.clock,
                                             .state = x->f.state, .marks = x->f.marks,
                                             .state_directory = x->f.dir, .config = x->f.config,
                                     },
                                     &x->courier), 0);
        courier_set_transport(x->courier, transmit, &x->t);
        assert_int_equal(courier_start(x->courier, &handled), 0);
        fixture_run(&x->f);
        assert_int_equal(x->t.n_sent, 4);
        assert_int_equal(count(x, DELIVERY_SENT), 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_instant_sent_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retry_after_backoff, setup, teardown),
                cmocka_unit_test_setup_teardown(test_give_up_after_give_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_permanent_fails_at_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_done_cancels_pending, setup, teardown),
                cmocka_unit_test_setup_teardown(test_done_found_at_try, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unreadable_log_tried_again, setup, teardown),
                cmocka_unit_test_setup_teardown(test_digest_keeps_the_rest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_first_tries_before_retries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_peer_back_gets_backlog, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retry_after, setup, teardown),
                cmocka_unit_test_setup_teardown(test_catch_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seconds_late_is_on_time, setup, teardown),
                cmocka_unit_test_setup_teardown(test_first_start_sends_nothing_from_before, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_pending_taken_up_at_start, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
