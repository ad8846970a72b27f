/* SPDX-License-Identifier: MIT */
/* The courier's life: start (secrets, pending messages, catch-up), the
 * dispatch of an instant's reminders into recorded messages, cancelling on
 * done, and send-test. The queues are in courier-queue.c, the bytes of a
 * message in courier-message.c. */

#include "courier/courier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/greedy.h"
#include "basic/strv.h"
#include "common/clock.h"
#include "courier/courier-internal.h"
#include "courier/curl-loop.h"
#include "ledger/schedule.h"
#include "common/log.h"
#include "marks/marks.h"

/* ---- recording an instant's reminders ------------------------------------------ */

/* One reminder for one target, before grouping. */
struct pair {
        const char *target; /* the batch's (struct targets) */
        day_t due;
        size_t reminder;
};

/* An owner's targets, made once per instant: a province's 09:30 names its
 * hundred owners 4,559 times, and making them for each took a quarter of
 * the time before its first message went. */
struct targets {
        const struct owner *owner;
        char **targets;
        size_t n;
};

/* By target, then due date (a digest lists its items so), then as planned. */
static int compare_pairs(const void *a, const void *b) {
        const struct pair *x = a, *y = b;
        int c = x->target == y->target ? 0 : strcmp(x->target, y->target);

        if (c)
                return c;
        if (x->due != y->due)
                return x->due < y->due ? -1 : 1;
        return (x->reminder > y->reminder) - (x->reminder < y->reminder);
}

struct batch {
        struct targets *owners; /* those seen so far, in the order seen */
        size_t n_owners, owners_allocated, last_owner;
        struct pair *pairs;
        size_t n_pairs, n_allocated;
        struct delivery_item *items; /* one per pair, grouped like the pairs */
        char (*offsets)[16];         /* offset text per reminder */
        struct delivery_new *msgs;
        size_t n_msgs;
};

static void batch_free(struct batch *b) {
        for (size_t i = 0; i < b->n_owners; i++)
                strv_free_n(b->owners[i].targets, b->owners[i].n);
        free(b->owners);
        free(b->pairs);
        free(b->items);
        free(b->offsets);
        free(b->msgs);
}

static int add_pair(struct batch *b, const char *target, day_t due, size_t reminder) {
        if (GREEDY_REALLOC(b->pairs, b->n_allocated, b->n_pairs + 1) < 0)
                return -ENOMEM;
        b->pairs[b->n_pairs++] = (struct pair) { target, due, reminder };
        return 0;
}

/* o's targets, made on first sight. Reminders of one instant name the same
 * owner in runs, so the last one found is tried first. */
static const struct targets *owner_targets(struct batch *b, const struct owner *o) {
        struct targets *t;

        if (b->last_owner < b->n_owners && b->owners[b->last_owner].owner == o)
                return &b->owners[b->last_owner];
        for (size_t i = 0; i < b->n_owners; i++)
                if (b->owners[i].owner == o)
                        return &b->owners[b->last_owner = i];
        if (GREEDY_REALLOC(b->owners, b->owners_allocated, b->n_owners + 1) < 0)
                return NULL;
        t = &b->owners[b->n_owners];
        *t = (struct targets) { .owner = o };
        if (courier_owner_targets(o, &t->targets, &t->n) < 0)
                return NULL;
        b->last_owner = b->n_owners++;
        return t;
}

/* Every (target, reminder) of the recipients' e-mail addresses and channels. */
static int collect_pairs(const struct reminder *r, size_t n, struct batch *b) {
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < r[i].n_owners; k++) {
                        const struct targets *t = owner_targets(b, r[i].owners[k]);

                        if (!t)
                                return -ENOMEM;
                        if (t->n == 0)
                                log_notice("%s/%s: %s has no e-mail address and no channel: "
                                           "nobody there is reminded",
                                           r[i].milestone->task->ledger->id, r[i].milestone->id,
                                           r[i].owners[k]->name);
                        for (size_t x = 0; x < t->n; x++)
                                if (add_pair(b, t->targets[x], r[i].milestone->due, i) < 0)
                                        return -ENOMEM;
                }
        return 0;
}

/* Pairs sorted by target, then one message per target with its reminders as
 * items (an owner shared by two owners' lists counts once). */
static int group(const struct reminder *r, size_t n, struct batch *b) {
        b->items = calloc(b->n_pairs ? b->n_pairs : 1, sizeof *b->items);
        b->msgs = calloc(b->n_pairs ? b->n_pairs : 1, sizeof *b->msgs);
        b->offsets = calloc(n ? n : 1, sizeof *b->offsets);
        if (!b->items || !b->msgs || !b->offsets)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                offset_format(&r[i].offset, b->offsets[i], sizeof b->offsets[i]);
        qsort(b->pairs, b->n_pairs, sizeof *b->pairs, compare_pairs);
        for (size_t i = 0, k = 0; i < b->n_pairs; i++) {
                const struct pair *p = &b->pairs[i];
                const struct reminder *x = &r[p->reminder];
                struct delivery_new *msg = b->n_msgs ? &b->msgs[b->n_msgs - 1] : NULL;

                if (i > 0 && strcmp(p->target, p[-1].target) == 0 && p->reminder == p[-1].reminder)
                        continue; /* the same reminder to the same place twice */
                if (!msg || strcmp(msg->target, p->target) != 0) {
                        msg = &b->msgs[b->n_msgs++];
                        *msg = (struct delivery_new) { .target = p->target, .at = x->at,
                                                       .items = &b->items[k] };
                }
                b->items[k++] = (struct delivery_item) {
                        .ledger = x->milestone->task->ledger->id,
                        .milestone = x->milestone->id,
                        .kind = reminder_kind_name(x->kind),
                        .offset = b->offsets[p->reminder],
                        .at = x->at,
                };
                msg->n_items++;
        }
        return 0;
}

/* Records the reminders of one instant, as pending messages (or missed
 * ones), and queues the new messages. */
static int record_instant(struct courier *c, const struct reminder *r, size_t n, bool late, bool missed) {
        struct state *st = c->state;
        struct batch b = {};
        int ret = collect_pairs(r, n, &b);

        if (ret >= 0)
                ret = group(r, n, &b);
        for (size_t i = 0; ret >= 0 && i < b.n_msgs; i++)
                b.msgs[i].late = late;
        if (ret >= 0)
                ret = courier_split(c, &b.msgs, &b.n_msgs);
        if (ret >= 0 && b.n_msgs > 0)
                ret = deliveries_record(st, b.msgs, b.n_msgs, missed, clock_now(c->clock));
        for (size_t i = 0; ret >= 0 && !missed && i < b.n_msgs; i++)
                if (b.msgs[i].id > 0 && courier_enqueue(c, b.msgs[i].id, b.msgs[i].target, 0, 0, 0) < 0)
                        log_oom(); /* recorded: sent after the next start */
        if (ret >= 0 && deliveries_set_handled_until(st, r->at) < 0)
                log_error("cannot record the time handled: %s", state_last_error(st));
        batch_free(&b);
        return ret;
}

int courier_dispatch(struct courier *c, const struct reminder *r, size_t n) {
        time_t age = clock_now(c->clock) - r->at;
        bool missed = age > c->config->delivery.catch_up, late = !missed && age > COURIER_LATE_AFTER;
        int ret = record_instant(c, r, n, late, missed);

        if (ret >= 0 && (late || missed))
                log_notice("%zu reminder%s of %lld s ago %s", n, n == 1 ? "" : "s", (long long) age,
                           missed ? "recorded as missed: past delivery.catch_up" : "sent late");
        if (ret >= 0)
                courier_pump(c);
        return ret;
}

const char *courier_last_error(const struct courier *c) {
        return state_last_error(c->state);
}

/* ---- start-up ---------------------------------------------------------------------- */

static int enqueue_pending(const struct delivery *d, void *userdata) {
        return courier_enqueue(userdata, d->id, d->target, d->next_try, d->first_try, d->tries);
}

/* Where the plan goes on from: what the log handled. At the very first
 * start nothing was missed: ledgerd was not there to miss it, and nothing
 * from before it is sent. */
static int handled_until(struct courier *c, time_t *out) {
        int r = deliveries_handled_until(c->state, out);

        if (r < 0)
                return log_error_errno(r, "cannot read the delivery log: %s", state_last_error(c->state));
        if (*out > 0)
                return 0;
        *out = clock_now(c->clock);
        log_info("first start: reminders before now are not sent");
        r = deliveries_set_handled_until(c->state, *out);
        return r < 0 ? log_error_errno(r, "cannot write the delivery log: %s",
                                       state_last_error(c->state)) : 0;
}

DEFINE_CLEANUP_FUNC(struct courier, courier_free)

int courier_new(const struct courier_setup *setup, struct courier **out) {
        _cleanup_(courier_freep) struct courier *c = calloc(1, sizeof *c);
        int r;

        if (!c)
                return log_oom();
        *c = (struct courier) {
                .event = setup->event, .clock = setup->clock, .state = setup->state,
                .marks = setup->marks, .health = setup->health, .feeds = setup->feeds,
                .web = setup->web,
                .config = setup->config,
                .on_outcome = setup->on_outcome, .userdata = setup->userdata,
        };
        if (asprintf(&c->outbox, "%s/outbox", setup->state_directory) < 0) {
                c->outbox = NULL; /* undefined after a failure */
                return log_oom();
        }
        r = curl_loop_new(c->event, &c->curl);
        if (r < 0)
                return log_error_errno(r, "cannot set up libcurl: %m");
        *out = TAKE_PTR(c);
        return 0;
}

int courier_start(struct courier *c, time_t *handled) {
        int r;

        courier_read_secrets(c);
        r = deliveries_pending(c->state, enqueue_pending, c);
        if (r < 0)
                return log_error_errno(r, "cannot read the pending deliveries: %s",
                                       state_last_error(c->state));
        if (c->n_jobs)
                log_info("%zu message%s pending from before", c->n_jobs, c->n_jobs == 1 ? "" : "s");
        r = handled_until(c, handled);
        if (r < 0)
                return r;
        courier_pump(c);
        return 0;
}

void courier_free(struct courier *c) {
        if (!c)
                return;
        curl_loop_free(c->curl); /* aborts the transfers: they stay pending in the log */
        courier_queue_free(c);
        courier_free_secrets(c);
        free(c->outbox);
        free(c);
}

void courier_set_config(struct courier *c, const struct config *config) {
        c->config = config;
        courier_queue_reconfigure(c);
        courier_read_secrets(c);
}

void courier_set_transport(struct courier *c, courier_transport_fn fn, void *userdata) {
        c->transport = fn;
        c->transport_userdata = userdata;
}

/* ---- done cancels ---------------------------------------------------------------- */

struct cancel_list {
        const struct courier *c;
        int64_t *ids;
        size_t n;
};

static bool item_done(const struct courier *c, const struct delivery_item *it) {
        const struct ledger *l = config_find_ledger(c->config, it->ledger);
        const struct milestone *ms = l ? ledger_find_milestone(l, it->milestone) : NULL;

        return !ms || marks_is_done(c->marks, ms);
}

static int collect_cancellable(const struct delivery *d, void *userdata) {
        struct cancel_list *cl = userdata;
        int64_t *grown;

        for (size_t i = 0; i < d->n_items; i++)
                if (!item_done(cl->c, &d->items[i]))
                        return 0; /* carries an open milestone too: it goes out */
        grown = realloc(cl->ids, (cl->n + 1) * sizeof *grown);
        if (!grown)
                return -ENOMEM;
        cl->ids = grown;
        cl->ids[cl->n++] = d->id;
        return 0;
}

void courier_milestone_done(struct courier *c, const char *ledger, const char *milestone) {
        struct cancel_list cl = { .c = c };
        int r = deliveries_pending_for(c->state, ledger, milestone, collect_cancellable, &cl);

        for (size_t i = 0; r >= 0 && i < cl.n; i++) {
                r = deliveries_cancel(c->state, cl.ids[i], clock_now(c->clock),
                                      "the milestone was marked done");
                if (r == -EALREADY)
                        r = 0;
                courier_drop(c, cl.ids[i]);
        }
        if (r < 0)
                log_error_errno(r, "%s/%s: cannot cancel its pending messages: %s", ledger, milestone,
                                state_last_error(c->state));
        else if (cl.n)
                log_info("%s/%s done: %zu pending message%s cancelled", ledger, milestone, cl.n,
                         cl.n == 1 ? "" : "s");
        free(cl.ids);
}
