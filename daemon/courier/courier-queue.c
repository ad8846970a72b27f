/* SPDX-License-Identifier: MIT */
/* The queues: pending messages wait for their peer (delivery.parallel
 * transfers at once per peer, one at a time per target so that the parts
 * of a digest go in order) and for a token of their channel's rate limit;
 * a failed try waits its backoff. One pass over the waiting messages starts
 * whatever may start; one timer wakes the courier when the next one may.
 * What a try's end means and how it is recorded: courier-outcome.c. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "courier/courier-internal.h"
#include "common/health.h"
#include "common/log.h"

/* ---- peers ----------------------------------------------------------------------- */

/* The index of the peer named name, made on first use; -ENOMEM. */
static ssize_t peer_index(struct courier *c, const char *name) {
        struct peer *grown;

        for (size_t i = 0; i < c->n_peers; i++)
                if (strcmp(c->peers[i].name, name) == 0)
                        return (ssize_t) i;
        grown = realloc(c->peers, (c->n_peers + 1) * sizeof *grown);
        if (!grown)
                return -ENOMEM;
        c->peers = grown;
        grown[c->n_peers] = (struct peer) {
                .name = strdup(name),
                .flying = calloc(DELIVERY_PARALLEL_MAX, sizeof *grown->flying),
        };
        if (!grown[c->n_peers].name || !grown[c->n_peers].flying) {
                free(grown[c->n_peers].name);
                free(grown[c->n_peers].flying);
                return -ENOMEM;
        }
        return (ssize_t) c->n_peers++;
}

static struct peer *peer_of(struct courier *c, const struct job *j) {
        return &c->peers[j->peer];
}

/* How many transfers j's peer may have at once: the channel's own
 * parallel, else delivery.parallel; looked up once per configuration. */
static unsigned slots_for(const struct courier *c, struct job *j) {
        const struct channel *ch;
        int n;

        if (j->slots)
                return j->slots;
        ch = j->channel ? config_find_channel(c->config, j->channel) : NULL;
        n = ch && ch->parallel > 0 ? ch->parallel : c->config->delivery.parallel;
        j->slots = n > 0 ? (unsigned) n : 1;
        return j->slots;
}

void courier_queue_reconfigure(struct courier *c) {
        for (size_t i = 0; i < c->n_jobs; i++)
                c->jobs[i]->slots = 0;
}

/* Whether a transfer to j's target is already under way or unrecorded:
 * one at a time per target keeps a digest's parts, and a message's
 * requests, in order. */
static bool target_busy(struct courier *c, const struct job *j) {
        const struct peer *p = peer_of(c, j);

        for (unsigned i = 0; i < p->in_flight; i++)
                if (strcmp(p->flying[i]->target, j->target) == 0)
                        return true;
        return false;
}

static void take_slot(struct courier *c, struct job *j) {
        struct peer *p = peer_of(c, j);

        p->flying[p->in_flight++] = j;
        j->holds_slot = true;
}

void courier_release_slot(struct courier *c, struct job *j) {
        struct peer *p = peer_of(c, j);

        if (!j->holds_slot)
                return;
        for (unsigned i = 0; i < p->in_flight; i++)
                if (p->flying[i] == j) {
                        p->flying[i] = p->flying[--p->in_flight];
                        break;
                }
        j->holds_slot = false;
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
static void peer_up(struct courier *c, size_t peer) {
        if (!c->peers[peer].probe_at)
                return;
        c->peers[peer].probe_at = 0;
        for (size_t i = 0; i < c->n_jobs; i++)
                if (!c->jobs[i]->unrecorded && c->jobs[i]->peer == peer)
                        c->jobs[i]->next_try = 0;
}

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
        free(j->items);
        free(j->target);
        free(j->channel);
        free(j);
}

int courier_enqueue(struct courier *c, int64_t id, const char *target, time_t next_try,
                    time_t first_try, unsigned tries) {
        struct job *j = calloc(1, sizeof *j);
        const char *channel = target_channel_id(target);
        char *peer = courier_peer_of(c, target);
        ssize_t index = peer ? peer_index(c, peer) : -ENOMEM;

        free(peer);
        if (!j || index < 0)
                goto oom;
        *j = (struct job) { .id = id, .next_try = next_try, .first_try = first_try, .tries = tries,
                            .peer = (size_t) index };
        j->target = strdup(target);
        if (channel)
                j->channel = strdup(channel);
        if (!j->target || (channel && !j->channel))
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

void courier_job_remove(struct courier *c, struct job *j) {
        courier_release_slot(c, j);
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
                        courier_job_remove(c, c->jobs[i]);
                        return;
                }
}

/* ---- rate limits ------------------------------------------------------------------ */

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
        bool later; /* the log could not be read or written: the job waits */
};

static void try_free(struct try *t) {
        if (!t)
                return;
        outgoing_free(&t->out);
        free(t);
}

static void on_sent(const struct send_result *res, void *userdata) {
        struct try *t = userdata;
        struct courier *c = t->c;
        struct job *j = t->job;
        long asked = res->delay < COURIER_RETRY_AFTER_MAX ? res->delay : COURIER_RETRY_AFTER_MAX;

        j->try = NULL;
        if (res->verdict == SEND_DELIVERED)
                peer_up(c, j->peer);
        else if (peer_failed(j, res))
                peer_down(peer_of(c, j), clock_now(c->clock), asked);
        courier_record_outcome(c, j, res, &t->out);
        try_free(t);
}

/* The items of d into j, for the signals of its outcome. */
static int keep_items(struct job *j, const struct delivery *d) {
        size_t size = 0;
        char *p;

        if (j->items)
                return 0;
        for (size_t i = 0; i < d->n_items; i++)
                size += strlen(d->items[i].ledger) + strlen(d->items[i].milestone) +
                        strlen(d->items[i].kind) + 3;
        j->items = p = malloc(size ? size : 1);
        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_items; i++) {
                p = stpcpy(p, d->items[i].ledger) + 1;
                p = stpcpy(p, d->items[i].milestone) + 1;
                p = stpcpy(p, d->items[i].kind) + 1;
        }
        j->n_items = d->n_items;
        return 0;
}

/* The log could not be read or written now; the degraded state says why. */
static void log_unavailable(struct courier *c, const char *what, int64_t id) {
        if (c->health)
                health_fail(c->health, HEALTH_DELIVERIES, "cannot %s delivery %lld: %s", what,
                            (long long) id, state_last_error(c->state));
        else
                log_error("cannot %s delivery %lld: %s", what, (long long) id,
                          state_last_error(c->state));
}

/* Its milestones are done or gone: the delivery is cancelled and leaves the
 * queue. A log that cannot take that keeps the job queued, to be read again
 * (and cancelled then) shortly. */
static void cancel(struct try *t, const struct delivery *d, const char *why) {
        int r = deliveries_cancel(t->c->state, d->id, clock_now(t->c->clock), why);

        if (r < 0 && r != -EALREADY && r != -ENOENT) {
                log_unavailable(t->c, "cancel", d->id);
                t->later = true;
                return;
        }
        log_info("delivery %lld to %s: cancelled: %s", (long long) d->id, d->target, why);
        courier_job_remove(t->c, t->job);
}

/* The message of d, built into t->out: 0; else 1, the delivery cancelled
 * (its milestones done or gone), its failure to build recorded, or the job
 * left to wait (t->later). */
static int copy_delivery(const struct delivery *d, void *userdata) {
        struct try *t = userdata;
        char *why = NULL;
        int r = keep_items(t->job, d);

        if (r == 0)
                r = courier_build(t->c, d, &t->out, &why);

        if (r > 0)
                cancel(t, d, why);
        else if (r < 0) {
                struct send_result res = { .verdict = SEND_RETRY };

                snprintf(res.reason, sizeof res.reason, "%s", why ? why : strerror(-r));
                courier_record_outcome(t->c, t->job, &res, NULL);
        }
        free(why);
        return r == 0 ? 0 : 1;
}

/* Starts one try of j, which takes a slot of its peer. Returns 0; or, when
 * the log could not be read or written (locked, failing) and j stays queued
 * without a try, the time to try it again, for the pump's timer. */
static time_t start(struct courier *c, struct job *j, time_t now) {
        struct try *t = calloc(1, sizeof *t);
        int r;

        if (!t) {
                log_oom();
                return now + COURIER_RECORD_RETRY;
        }
        t->c = c;
        t->job = j;
        take_slot(c, j);
        r = deliveries_get(c->state, j->id, copy_delivery, t);
        if (r == -ENOENT)
                courier_job_remove(c, j); /* gone from the log */
        else if (r < 0) {
                log_unavailable(c, "read", j->id);
                t->later = true;
        }
        if (r != 0) {
                bool later = t->later;

                try_free(t);
                if (!later)
                        return 0;
                courier_release_slot(c, j);
                j->next_try = now + COURIER_RECORD_RETRY;
                return j->next_try;
        }
        r = courier_transmit(c, &t->out, on_sent, t);
        if (r < 0) {
                struct send_result res = { .verdict = SEND_RETRY };

                snprintf(res.reason, sizeof res.reason, "cannot start sending: %s", strerror(-r));
                courier_record_outcome(c, j, &res, NULL);
                try_free(t);
                return 0;
        }
        take_token(c, j, now);
        j->try = t;
        return 0;
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
static time_t when_due(struct courier *c, const struct job *j, time_t now) {
        const struct peer *p = peer_of(c, j);

        if (p->probe_at && j->tries > 0)
                return p->in_flight ? 0 : p->probe_at > now ? p->probe_at : now;
        return j->next_try > now ? j->next_try : token_time(c, j, now);
}

static time_t earlier(time_t wake, time_t when) {
        return wake == 0 || when < wake ? when : wake;
}

/* One pass over the queue: first tries before retries (pass 0, then 1), so
 * that a backlog of failures never delays a reminder going out for the
 * first time; each in the order recorded. An outcome the log could not
 * take waits for its next try at recording, the flush's. */
static time_t pump_pass(struct courier *c, bool retries, time_t now, time_t wake, bool *flush) {
        for (size_t i = 0; i < c->n_jobs; i++) {
                struct job *j = c->jobs[i];
                time_t when;
                size_t before = c->n_jobs;

                if (j->try || (j->tries > 0 || j->unrecorded) != retries)
                        continue;
                if (j->unrecorded) {
                        if (j->next_try <= now)
                                *flush = true;
                        else
                                wake = earlier(wake, j->next_try);
                        continue;
                }
                if (peer_of(c, j)->in_flight >= slots_for(c, j) || target_busy(c, j))
                        continue;
                when = when_due(c, j, now);
                if (when == 0)
                        continue; /* a probe is under way */
                if (when > now) {
                        wake = earlier(wake, when);
                        continue;
                }
                when = start(c, j, now);
                if (when)
                        wake = earlier(wake, when);
                if (c->n_jobs < before)
                        i--; /* j left the queue at once */
        }
        return wake;
}

void courier_pump(struct courier *c) {
        time_t now = clock_now(c->clock), wake;
        bool flush = false;

        if (c->pumping)
                return; /* a try that ended at once: the running pass goes on */
        c->pumping = true;
        wake = pump_pass(c, false, now, 0, &flush);
        wake = pump_pass(c, true, now, wake, &flush);
        c->pumping = false;
        if (flush)
                courier_flush_outcomes(c);
        else if (wake)
                arm_wake(c, wake);
        else if (c->wake)
                sd_event_source_set_enabled(c->wake, SD_EVENT_OFF);
}

void courier_queue_free(struct courier *c) {
        for (size_t i = 0; i < c->n_jobs; i++)
                job_free(c->jobs[i]);
        free(c->jobs);
        for (size_t i = 0; i < c->n_peers; i++) {
                free(c->peers[i].name);
                free(c->peers[i].flying);
        }
        free(c->peers);
        for (size_t i = 0; i < c->n_buckets; i++)
                free(c->buckets[i].channel);
        free(c->buckets);
        sd_event_source_disable_unref(c->wake);
        courier_outcomes_free(c);
        c->jobs = NULL;
        c->peers = NULL;
        c->buckets = NULL;
        c->wake = NULL;
        c->n_jobs = c->n_allocated = c->n_peers = c->n_buckets = 0;
}
