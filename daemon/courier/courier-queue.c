/* SPDX-License-Identifier: MIT */
/* The queues: pending messages wait for their peer, one transfer in flight
 * per peer, and for a token of their channel's rate limit; a failed try
 * waits its backoff. One pass over the waiting messages starts whatever may
 * start; one timer wakes the courier when the next one may. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "notify/backoff.h"
#include "common/clock.h"
#include "courier/courier-internal.h"
#include "common/health.h"
#include "common/log.h"

/* ---- the waiting messages ------------------------------------------------------ */

static void try_free(struct try *t);

/* A job freed with a try under way: the courier is being freed, and the
 * transport has dropped the try without an answer (the message stays
 * pending in the log, for the next start). */
static void job_free(struct job *j) {
        if (!j)
                return;
        try_free(j->try);
        free(j->unrecorded);
        free(j->target);
        free(j->peer);
        free(j->channel);
        free(j);
}

int courier_enqueue(struct courier *c, int64_t id, const char *target, time_t next_try,
                    time_t first_try, unsigned tries) {
        struct job *j = calloc(1, sizeof *j);
        const char *channel = target_channel_id(target);

        if (!j)
                return -ENOMEM;
        *j = (struct job) { .id = id, .next_try = next_try, .first_try = first_try, .tries = tries };
        j->target = strdup(target);
        j->peer = courier_peer_of(c, target);
        if (channel)
                j->channel = strdup(channel);
        if (!j->target || !j->peer || (channel && !j->channel))
                goto oom;
        if (c->n_jobs == c->n_allocated) {
                size_t n = c->n_allocated ? 2 * c->n_allocated : 64;
                struct job **grown = realloc(c->jobs, n * sizeof *grown);

                if (!grown)
                        goto oom;
                c->jobs = grown;
                c->n_allocated = n;
        }
        c->jobs[c->n_jobs++] = j;
        return 0;
oom:
        job_free(j);
        return -ENOMEM;
}

static void remove_job(struct courier *c, struct job *j) {
        for (size_t i = 0; i < c->n_jobs; i++)
                if (c->jobs[i] == j) {
                        memmove(&c->jobs[i], &c->jobs[i + 1], (c->n_jobs - i - 1) * sizeof *c->jobs);
                        c->n_jobs--;
                        break;
                }
        job_free(j);
}

void courier_drop(struct courier *c, int64_t id) {
        for (size_t i = 0; i < c->n_jobs; i++)
                if (c->jobs[i]->id == id && !c->jobs[i]->try && !c->jobs[i]->unrecorded) {
                        remove_job(c, c->jobs[i]);
                        return;
                }
}

/* ---- peers and rate limits ---------------------------------------------------- */

/* The peer's state; made on first use. NULL when out of memory. */
static struct peer *peer_of(struct courier *c, const char *name) {
        struct peer *grown;

        for (size_t i = 0; i < c->n_peers; i++)
                if (strcmp(c->peers[i].name, name) == 0)
                        return &c->peers[i];
        grown = realloc(c->peers, (c->n_peers + 1) * sizeof *grown);
        if (!grown)
                return NULL;
        c->peers = grown;
        grown[c->n_peers] = (struct peer) { .name = strdup(name) };
        return grown[c->n_peers].name ? &grown[c->n_peers++] : NULL;
}

/* Whether a failed try says the peer itself is down (no answer at all, a
 * server error, SMTP's 421), rather than that it refused this one message
 * (a bot's rate limit for one channel, a mailbox that is full). */
static bool peer_failed(const struct job *j, const struct send_result *res) {
        if (res->verdict != SEND_RETRY)
                return false;
        if (res->code == 0)
                return true;
        return j->channel ? res->code >= 500 && res->code <= 599 : res->code == 421;
}

/* The peer is down: its backlog waits, and one message probes it every
 * COURIER_PROBE_INTERVAL seconds (never sooner than it asked), so that it
 * gets its backlog soon after it comes back, not after the longest backoff
 * of its messages. First tries still go out at their instant. */
static void peer_down(struct peer *p, time_t now, long asked) {
        p->probe_at = now + (asked > COURIER_PROBE_INTERVAL ? asked : COURIER_PROBE_INTERVAL);
}

/* The peer took a message: it is up, and its backlog goes now. */
static void peer_up(struct courier *c, struct peer *p) {
        if (!p->probe_at)
                return;
        p->probe_at = 0;
        for (size_t i = 0; i < c->n_jobs; i++)
                if (!c->jobs[i]->unrecorded && strcmp(c->jobs[i]->peer, p->name) == 0)
                        c->jobs[i]->next_try = 0;
}

static int rate_limit_of(const struct courier *c, const char *channel) {
        const struct channel *ch = channel ? config_find_channel(c->config, channel) : NULL;

        return ch ? ch->rate_limit : 0;
}

/* The channel's bucket, refilled up to now; NULL when it has no limit. */
static struct bucket *bucket_of(struct courier *c, const char *channel, time_t now) {
        int limit = rate_limit_of(c, channel);
        struct bucket *b = NULL;

        if (limit <= 0)
                return NULL;
        for (size_t i = 0; i < c->n_buckets && !b; i++)
                if (strcmp(c->buckets[i].channel, channel) == 0)
                        b = &c->buckets[i];
        if (!b) {
                struct bucket *grown = realloc(c->buckets, (c->n_buckets + 1) * sizeof *grown);
                char *id = strdup(channel);

                if (!grown || !id) {
                        free(id);
                        if (grown)
                                c->buckets = grown;
                        return NULL; /* out of memory: no limit rather than no delivery */
                }
                c->buckets = grown;
                b = &c->buckets[c->n_buckets++];
                *b = (struct bucket) { .channel = id, .tokens = limit, .refilled = now };
        }
        b->tokens = fmin(limit, b->tokens + (double) (now - b->refilled) * limit / 60.0);
        b->refilled = now;
        return b;
}

/* When the channel may send next: now, or when its next token comes. */
static time_t token_time(struct courier *c, const struct job *j, time_t now) {
        struct bucket *b = j->channel ? bucket_of(c, j->channel, now) : NULL;

        if (!b || b->tokens >= 1.0)
                return now;
        return now + (time_t) ceil((1.0 - b->tokens) * 60.0 / rate_limit_of(c, j->channel));
}

static void take_token(struct courier *c, const struct job *j, time_t now) {
        struct bucket *b = j->channel ? bucket_of(c, j->channel, now) : NULL;

        if (b)
                b->tokens -= 1.0;
}

/* ---- one try -------------------------------------------------------------------- */

struct try {
        struct courier *c;
        struct job *job;
        struct outgoing out;
};

static void try_free(struct try *t) {
        if (!t)
                return;
        outgoing_free(&t->out);
        free(t);
}

static uint64_t random_bits(void) {
        uint64_t x = 0;

        if (getrandom(&x, sizeof x, GRND_NONBLOCK) != sizeof x)
                x = (uint64_t) random() << 32 ^ (uint64_t) random();
        return x;
}

static void emit(struct courier *c, const struct job *j, const char *reason);

/* What the end of a try writes to the log; kept by the job while the log
 * cannot take it (locked, full), and written again until it does: a
 * message the peer accepted is never sent again for want of a record. */
struct outcome {
        enum delivery_status status; /* sent, pending (another try at next) or failed */
        unsigned steps; /* pending: the first steps requests were accepted, the next goes now */
        time_t at, next;
        long code;
        char via[16];
        char text[320]; /* sent: the peer's answer; otherwise why not */
};

/* A request of a message of several was accepted: the next goes at once,
 * and a retry from now on starts from it. Not a try that failed. */
static bool decide_step(struct courier *c, const struct job *j, const struct send_result *res,
                        const struct outgoing *out, struct outcome *o) {
        if (res->verdict != SEND_DELIVERED || !out || out->step + 1 >= out->steps)
                return false;
        *o = (struct outcome) { .status = DELIVERY_PENDING, .steps = out->step + 1,
                                .at = clock_now(c->clock) };
        log_info("delivery %lld to %s: request %u of %u accepted (%s)", (long long) j->id, j->target,
                 out->step + 1, out->steps, res->answer);
        return true;
}

/* What the try's result means: sent, another try after its backoff, or
 * failed for good (a permanent error, or delivery.give_up reached). */
static void decide(struct courier *c, struct job *j, const struct send_result *res, const char *via,
                   struct outcome *o) {
        struct backoff_policy p = BACKOFF_DEFAULTS;
        time_t now = clock_now(c->clock), first = j->first_try ? j->first_try : now;
        /* now is whole seconds, up to one behind the true time: a wait the
         * peer asked for counts from the next second, never cut short. */
        long asked = res->delay <= 0 ? 0
                     : res->delay < COURIER_RETRY_AFTER_MAX ? res->delay + 1 : COURIER_RETRY_AFTER_MAX;

        j->tries++;
        j->first_try = first;
        p.max_age = c->config->delivery.give_up;
        *o = (struct outcome) { .status = DELIVERY_FAILED, .at = now, .code = res->code };
        snprintf(o->via, sizeof o->via, "%s", via);
        if (res->verdict == SEND_DELIVERED) {
                o->status = DELIVERY_SENT;
                snprintf(o->text, sizeof o->text, "%s", res->answer);
                log_info("delivery %lld to %s: sent (%s)", (long long) j->id, j->target, res->answer);
        } else if (res->verdict == SEND_RETRY &&
                   backoff_next(&p, j->tries, asked, first, now, random_bits(), &o->next)) {
                o->status = DELIVERY_PENDING;
                snprintf(o->text, sizeof o->text, "%s", res->reason);
                log_notice("delivery %lld to %s: try %u failed (%s), next try in %lld s",
                           (long long) j->id, j->target, j->tries, res->reason,
                           (long long) (o->next - now));
        } else {
                snprintf(o->text, sizeof o->text, "%s%s", res->reason,
                         res->verdict == SEND_RETRY ? " (gave up: delivery.give_up reached)" : "");
                log_error("delivery %lld to %s: failed: %s", (long long) j->id, j->target, o->text);
        }
}

static int write_outcome(struct courier *c, const struct job *j, const struct outcome *o) {
        switch (o->status) {
        case DELIVERY_SENT:
                return deliveries_sent(c->state, j->id, o->at, o->via, o->text);
        case DELIVERY_PENDING:
                if (o->steps)
                        return deliveries_step(c->state, j->id, o->at, o->steps);
                return deliveries_retry(c->state, j->id, o->at, o->next, o->code, o->text);
        default:
                return deliveries_failed(c->state, j->id, o->at, o->code, o->text);
        }
}

/* Writes j's outcome; then the job waits for its next try or leaves the
 * queue. When the log cannot take it, the job keeps it and the courier
 * tries again in a few seconds, degraded meanwhile. */
static void settle(struct courier *c, struct job *j) {
        const struct outcome *o = j->unrecorded;
        int r = write_outcome(c, j, o);

        if (r < 0 && r != -EALREADY && r != -ENOENT) {
                j->next_try = clock_now(c->clock) + COURIER_RECORD_RETRY;
                if (c->health)
                        health_fail(c->health, HEALTH_DELIVERIES,
                                    "cannot record the outcome of delivery %lld: %s", (long long) j->id,
                                    state_last_error(c->state));
                else
                        log_error_errno(r, "delivery %lld: cannot record the outcome: %s",
                                        (long long) j->id, state_last_error(c->state));
                return;
        }
        if (c->health)
                health_ok(c->health, HEALTH_DELIVERIES);
        j->unrecorded = NULL;
        if (r >= 0 && o->status == DELIVERY_PENDING)
                j->next_try = o->next;
        else if (r >= 0)
                emit(c, j, o->status == DELIVERY_SENT ? NULL : o->text);
        if (r < 0 || o->status != DELIVERY_PENDING)
                remove_job(c, j);
        free((struct outcome *) o);
}

/* Records the outcome of a try of j, whose message was out (NULL: it could
 * not be built or started). */
static void record_outcome(struct courier *c, struct job *j, const struct send_result *res,
                           const struct outgoing *out) {
        struct outcome *o = calloc(1, sizeof *o);

        if (!o) {
                log_oom(); /* the message stays pending in the log, for the next start */
                remove_job(c, j);
                return;
        }
        if (!decide_step(c, j, res, out, o))
                decide(c, j, res, out ? out->via : "", o);
        j->unrecorded = o;
        settle(c, j);
}

static void on_sent(const struct send_result *res, void *userdata) {
        struct try *t = userdata;
        struct courier *c = t->c;
        struct peer *p = peer_of(c, t->job->peer);
        long asked = res->delay < COURIER_RETRY_AFTER_MAX ? res->delay : COURIER_RETRY_AFTER_MAX;

        t->job->try = NULL;
        if (p && p->in_flight > 0)
                p->in_flight--;
        if (p && res->verdict == SEND_DELIVERED)
                peer_up(c, p);
        else if (p && peer_failed(t->job, res))
                peer_down(p, clock_now(c->clock), asked);
        record_outcome(c, t->job, res, &t->out);
        try_free(t);
        courier_pump(c);
}

static int copy_delivery(const struct delivery *d, void *userdata) {
        struct try *t = userdata;
        char *why = NULL;
        int r = courier_build(t->c, d, &t->out, &why);

        if (r == 0) {
                free(why);
                return 0;
        }
        if (r > 0) {
                r = deliveries_cancel(t->c->state, d->id, clock_now(t->c->clock), why);
                log_info("delivery %lld to %s: cancelled: %s", (long long) d->id, d->target, why);
        } else {
                struct send_result res = { .verdict = SEND_RETRY };

                snprintf(res.reason, sizeof res.reason, "%s", why ? why : strerror(-r));
                record_outcome(t->c, t->job, &res, NULL);
                t->job = NULL; /* already out of the queue */
        }
        free(why);
        return 1; /* not sent */
}

/* Starts one try of j, to peer p. */
static void start(struct courier *c, struct job *j, struct peer *p, time_t now) {
        struct try *t = calloc(1, sizeof *t);
        int r;

        if (!t) {
                log_oom();
                return;
        }
        t->c = c;
        t->job = j;
        r = deliveries_get(c->state, j->id, copy_delivery, t);
        if (r < 0 && r != -ENOENT) {
                /* Unreadable now (locked, failing): it stays queued. */
                j->next_try = now + COURIER_RECORD_RETRY;
                if (c->health)
                        health_fail(c->health, HEALTH_DELIVERIES, "cannot read delivery %lld: %s",
                                    (long long) j->id, state_last_error(c->state));
                try_free(t);
                return;
        }
        if (r != 0) {
                if (t->job)
                        remove_job(c, j); /* cancelled or gone */
                try_free(t);
                return;
        }
        r = courier_transmit(c, &t->out, on_sent, t);
        if (r < 0) {
                struct send_result res = { .verdict = SEND_RETRY };

                snprintf(res.reason, sizeof res.reason, "cannot start sending: %s", strerror(-r));
                record_outcome(c, j, &res, NULL);
                try_free(t);
                return;
        }
        take_token(c, j, now);
        j->try = t;
        p->in_flight++;
}

/* ---- the pump ------------------------------------------------------------------- */

static int on_wake(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        courier_pump(userdata);
        return 0;
}

static void arm_wake(struct courier *c, time_t when) {
        uint64_t usec = clock_timer_usec(c->clock, when);
        int r;

        if (!c->wake) {
                r = sd_event_add_time(c->event, &c->wake, CLOCK_REALTIME, usec, 1000, on_wake, c);
                if (r >= 0)
                        r = sd_event_source_set_description(c->wake, "courier-wake");
        } else {
                r = sd_event_source_set_time(c->wake, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(c->wake, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                log_error_errno(r, "cannot arm the delivery timer: %m");
}

/* When j may go: now, or a later time to wake up at; 0 for not now. The
 * retries of a peer that is down wait for its probe time, one at a time,
 * whatever their own backoff says; otherwise a message goes when its
 * backoff and its channel's rate limit allow. */
static time_t when_due(struct courier *c, const struct job *j, const struct peer *p, time_t now) {
        if (j->unrecorded)
                return j->next_try; /* only its record is due */
        if (p->probe_at && j->tries > 0)
                return p->in_flight ? 0 : p->probe_at > now ? p->probe_at : now;
        return j->next_try > now ? j->next_try : token_time(c, j, now);
}

/* One pass over the queue: first tries before retries (pass 0, then 1), so
 * that a backlog of failures never delays a reminder going out for the
 * first time; each in the order recorded. */
static time_t pump_pass(struct courier *c, bool retries, time_t now, time_t wake) {
        for (size_t i = 0; i < c->n_jobs; i++) {
                struct job *j = c->jobs[i];
                struct peer *p;
                time_t when;
                size_t before = c->n_jobs;

                if (j->try || (j->tries > 0 || j->unrecorded) != retries)
                        continue;
                p = peer_of(c, j->peer);
                if (!p || (!j->unrecorded && p->in_flight >= COURIER_PEER_TRANSFERS))
                        continue;
                when = when_due(c, j, p, now);
                if (when == 0)
                        continue; /* a probe is under way */
                if (when > now) {
                        wake = wake == 0 || when < wake ? when : wake;
                        continue;
                }
                if (j->unrecorded)
                        settle(c, j);
                else
                        start(c, j, p, now);
                if (c->n_jobs < before)
                        i--; /* j left the queue at once */
        }
        return wake;
}

void courier_pump(struct courier *c) {
        time_t now = clock_now(c->clock), wake;

        if (c->pumping)
                return; /* a try that ended at once: the running pass goes on */
        c->pumping = true;
        wake = pump_pass(c, false, now, 0);
        wake = pump_pass(c, true, now, wake);
        c->pumping = false;
        if (wake)
                arm_wake(c, wake);
        else if (c->wake)
                sd_event_source_set_enabled(c->wake, SD_EVENT_OFF);
}

void courier_queue_free(struct courier *c) {
        for (size_t i = 0; i < c->n_jobs; i++)
                job_free(c->jobs[i]);
        free(c->jobs);
        for (size_t i = 0; i < c->n_peers; i++)
                free(c->peers[i].name);
        free(c->peers);
        for (size_t i = 0; i < c->n_buckets; i++)
                free(c->buckets[i].channel);
        free(c->buckets);
        sd_event_source_disable_unref(c->wake);
        c->jobs = NULL;
        c->peers = NULL;
        c->buckets = NULL;
        c->wake = NULL;
        c->n_jobs = c->n_allocated = c->n_peers = c->n_buckets = 0;
}

/* ---- signals ------------------------------------------------------------------- */

struct emit_ctx {
        struct courier *c;
        const struct job *job;
        const char *reason;
};

static int emit_items(const struct delivery *d, void *userdata) {
        struct emit_ctx *e = userdata;

        for (size_t i = 0; i < d->n_items; i++)
                e->c->on_outcome(d->items[i].ledger, d->items[i].milestone, d->items[i].kind,
                                 d->target, e->reason, e->c->userdata);
        return 0;
}

/* ReminderSent (reason NULL) or ReminderFailed for each reminder of the message. */
static void emit(struct courier *c, const struct job *j, const char *reason) {
        struct emit_ctx e = { c, j, reason };

        if (c->on_outcome)
                deliveries_get(c->state, j->id, emit_items, &e);
}
