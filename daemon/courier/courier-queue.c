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
#include "clock.h"
#include "courier/courier-internal.h"
#include "log.h"

/* ---- the waiting messages ------------------------------------------------------ */

static void try_free(struct try *t);

/* A job freed with a try under way: the courier is being freed, and the
 * transport has dropped the try without an answer (the message stays
 * pending in the log, for the next start). */
static void job_free(struct job *j) {
        if (!j)
                return;
        try_free(j->try);
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
                if (c->jobs[i]->id == id && !c->jobs[i]->try) {
                        remove_job(c, c->jobs[i]);
                        return;
                }
}

/* ---- peers and rate limits ---------------------------------------------------- */

static bool peer_busy(const struct courier *c, const char *peer) {
        for (size_t i = 0; i < c->n_busy; i++)
                if (strcmp(c->busy_peers[i], peer) == 0)
                        return true;
        return false;
}

static int set_busy(struct courier *c, const char *peer) {
        char **grown = realloc(c->busy_peers, (c->n_busy + 1) * sizeof *grown);

        if (!grown)
                return -ENOMEM;
        c->busy_peers = grown;
        c->busy_peers[c->n_busy] = strdup(peer);
        if (!c->busy_peers[c->n_busy])
                return -ENOMEM;
        c->n_busy++;
        return 0;
}

static void set_idle(struct courier *c, const char *peer) {
        for (size_t i = 0; i < c->n_busy; i++)
                if (strcmp(c->busy_peers[i], peer) == 0) {
                        free(c->busy_peers[i]);
                        c->busy_peers[i] = c->busy_peers[--c->n_busy];
                        return;
                }
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

/* Records the outcome; the job leaves the queue unless it waits for another try. */
static void record_outcome(struct courier *c, struct job *j, const struct send_result *res,
                           const char *via) {
        struct backoff_policy p = BACKOFF_DEFAULTS;
        time_t now = clock_now(c->clock), first = j->first_try ? j->first_try : now, next = 0;
        struct state *st = c->state;
        char why[320];
        int r;

        j->tries++;
        j->first_try = first;
        p.max_age = c->config->delivery.give_up;
        if (res->verdict == SEND_DELIVERED) {
                r = deliveries_sent(st, j->id, now, via, res->answer);
                log_info("delivery %lld to %s: sent (%s)", (long long) j->id, j->target, res->answer);
                if (r >= 0)
                        emit(c, j, NULL);
        } else if (res->verdict == SEND_RETRY &&
                   backoff_next(&p, j->tries, res->delay, first, now, random_bits(), &next)) {
                r = deliveries_retry(st, j->id, now, next, res->code, res->reason);
                log_notice("delivery %lld to %s: try %u failed (%s), next try in %lld s",
                           (long long) j->id, j->target, j->tries, res->reason,
                           (long long) (next - now));
                j->next_try = next;
                if (r >= 0)
                        return;
        } else {
                snprintf(why, sizeof why, "%s%s", res->reason,
                         res->verdict == SEND_RETRY ? " (gave up: delivery.give_up reached)" : "");
                r = deliveries_failed(st, j->id, now, res->code, why);
                log_error("delivery %lld to %s: failed: %s", (long long) j->id, j->target, why);
                if (r >= 0)
                        emit(c, j, why);
        }
        if (r < 0 && r != -EALREADY)
                log_error_errno(r, "delivery %lld: cannot record the outcome: %s", (long long) j->id,
                                state_last_error(st));
        remove_job(c, j);
}

static void on_sent(const struct send_result *res, void *userdata) {
        struct try *t = userdata;
        struct courier *c = t->c;

        t->job->try = NULL;
        set_idle(c, t->job->peer);
        record_outcome(c, t->job, res, t->out.via);
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
                record_outcome(t->c, t->job, &res, "");
                t->job = NULL; /* already out of the queue */
        }
        free(why);
        return 1; /* not sent */
}

/* Starts one try of j. */
static void start(struct courier *c, struct job *j, time_t now) {
        struct try *t = calloc(1, sizeof *t);
        int r;

        if (!t) {
                log_oom();
                return;
        }
        t->c = c;
        t->job = j;
        r = deliveries_get(c->state, j->id, copy_delivery, t);
        if (r != 0) {
                if (r < 0)
                        log_error_errno(r, "delivery %lld: cannot read it: %s", (long long) j->id,
                                        state_last_error(c->state));
                if (t->job)
                        remove_job(c, j); /* cancelled, gone or unreadable */
                try_free(t);
                return;
        }
        r = courier_transmit(c, &t->out, on_sent, t);
        if (r < 0) {
                struct send_result res = { .verdict = SEND_RETRY };

                snprintf(res.reason, sizeof res.reason, "cannot start sending: %s", strerror(-r));
                record_outcome(c, j, &res, "");
                try_free(t);
                return;
        }
        take_token(c, j, now);
        j->try = t;
        if (set_busy(c, j->peer) < 0)
                log_oom();
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

void courier_pump(struct courier *c) {
        time_t now = clock_now(c->clock), wake = 0;

        if (c->pumping)
                return; /* a try that ended at once: the running pass goes on */
        c->pumping = true;
        for (size_t i = 0; i < c->n_jobs; i++) {
                struct job *j = c->jobs[i];
                time_t when;
                size_t before = c->n_jobs;

                if (j->try || peer_busy(c, j->peer))
                        continue;
                when = j->next_try > now ? j->next_try : token_time(c, j, now);
                if (when > now) {
                        wake = wake == 0 || when < wake ? when : wake;
                        continue;
                }
                start(c, j, now);
                if (c->n_jobs < before)
                        i--; /* j left the queue at once */
        }
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
        for (size_t i = 0; i < c->n_busy; i++)
                free(c->busy_peers[i]);
        free(c->busy_peers);
        for (size_t i = 0; i < c->n_buckets; i++)
                free(c->buckets[i].channel);
        free(c->buckets);
        sd_event_source_disable_unref(c->wake);
        c->jobs = NULL;
        c->busy_peers = NULL;
        c->buckets = NULL;
        c->wake = NULL;
        c->n_jobs = c->n_allocated = c->n_busy = c->n_buckets = 0;
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
