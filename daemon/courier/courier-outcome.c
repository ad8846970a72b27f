/* SPDX-License-Identifier: MIT */
/* The end of a try: what it means (sent, another try after a backoff, or
 * failed for good), and its record in the delivery log. The tries that end
 * in one turn of the loop are written together, in one transaction and one
 * write to disk (group commit): a deferred event, at a lower priority than
 * the transfers' sockets, flushes them once the loop has taken in every
 * answer that came. Until its outcome is written, a transfer keeps its
 * slot at its peer: a crash doubles at most delivery.parallel messages per
 * peer, each with its idempotency key. An outcome the log cannot take
 * (locked, full) stays with its job and is written again until it is: a
 * message the peer accepted is never sent again for want of a record. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/clock.h"
#include "common/health.h"
#include "common/log.h"
#include "courier/courier-internal.h"
#include "notify/backoff.h"

/* After the answers of this turn: lower than the transfers' sockets. */
#define FLUSH_PRIORITY (SD_EVENT_PRIORITY_NORMAL + 10)

struct outcome {
        enum delivery_status status; /* sent, pending (another try at next) or failed */
        unsigned steps; /* pending: the first steps requests were accepted, the next goes now */
        time_t at, next;
        long code;
        char via[16];
        char text[320]; /* sent: the peer's answer; otherwise why not */
};

static uint64_t random_bits(void) {
        uint64_t x = 0;

        if (getrandom(&x, sizeof x, GRND_NONBLOCK) != sizeof x)
                x = (uint64_t) random() << 32 ^ (uint64_t) random();
        return x;
}

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

static int on_flush(sd_event_source *s, void *userdata) {
        (void) s;
        courier_flush_outcomes(userdata);
        return 0;
}

/* The flush runs in a later turn of the loop, once. */
static void arm_flush(struct courier *c) {
        int r = 0;

        if (!c->flush) {
                r = sd_event_add_defer(c->event, &c->flush, on_flush, c);
                if (r >= 0)
                        r = sd_event_source_set_priority(c->flush, FLUSH_PRIORITY);
                if (r >= 0)
                        r = sd_event_source_set_description(c->flush, "courier-flush");
        }
        if (r >= 0)
                r = sd_event_source_set_enabled(c->flush, SD_EVENT_ONESHOT);
        if (r < 0) /* the next pump arms it again: the outcomes wait with their jobs */
                log_error_errno(r, "cannot schedule the record of outcomes: %m");
}

void courier_record_outcome(struct courier *c, struct job *j, const struct send_result *res,
                            const struct outgoing *out) {
        struct outcome *o = calloc(1, sizeof *o);

        if (!o) {
                log_oom(); /* the message stays pending in the log, for the next start */
                courier_job_remove(c, j);
                return;
        }
        if (!decide_step(c, j, res, out, o))
                decide(c, j, res, out ? out->via : "", o);
        j->unrecorded = o;
        j->next_try = 0;
        arm_flush(c);
}

/* ---- writing a batch ----------------------------------------------------------- */

/* ReminderSent (reason NULL) or ReminderFailed for each reminder of the
 * message, from the items the job kept when it was read for its try. */
static void emit(struct courier *c, const struct job *j, const char *reason) {
        const char *p = j->items;

        for (size_t i = 0; c->on_outcome && p && i < j->n_items; i++) {
                const char *ledger = p, *milestone = ledger + strlen(ledger) + 1;
                const char *kind = milestone + strlen(milestone) + 1;

                c->on_outcome(ledger, milestone, kind, j->target, reason, c->userdata);
                p = kind + strlen(kind) + 1;
        }
}

static struct delivery_outcome row_of(const struct job *j) {
        const struct outcome *o = j->unrecorded;

        return (struct delivery_outcome) {
                .id = j->id, .status = o->status, .now = o->at, .next_try = o->next,
                .steps = o->steps, .code = o->code, .via = o->via, .text = o->text,
        };
}

/* The outcome of j is in the log (result: its own, 0, -ENOENT or
 * -EALREADY when cancelled meanwhile): the job goes on or leaves. */
static void settled(struct courier *c, struct job *j, int result) {
        struct outcome *o = j->unrecorded;

        j->unrecorded = NULL;
        courier_release_slot(c, j);
        if (result == 0 && o->status == DELIVERY_PENDING)
                j->next_try = o->next;
        else {
                if (result == 0)
                        emit(c, j, o->status == DELIVERY_SENT ? NULL : o->text);
                courier_job_remove(c, j);
        }
        free(o);
}

/* The log could not take the batch: the jobs keep their outcomes, and the
 * pump tries again in a few seconds; degraded meanwhile. */
static void refused(struct courier *c, struct job **waiting, size_t n, int r) {
        for (size_t i = 0; i < n; i++)
                waiting[i]->next_try = clock_now(c->clock) + COURIER_RECORD_RETRY;
        if (c->health)
                health_fail(c->health, HEALTH_DELIVERIES, "cannot record the outcome of %zu "
                            "deliver%s: %s", n, n == 1 ? "y" : "ies", state_last_error(c->state));
        else
                log_error_errno(r, "cannot record the outcome of %zu deliveries: %s", n,
                                state_last_error(c->state));
}

void courier_flush_outcomes(struct courier *c) {
        struct delivery_outcome *rows = calloc(c->n_jobs ? c->n_jobs : 1, sizeof *rows);
        struct job **waiting = calloc(c->n_jobs ? c->n_jobs : 1, sizeof *waiting);
        size_t n = 0;
        int r;

        if (!rows || !waiting) {
                free(rows), free(waiting);
                log_oom();
                return;
        }
        for (size_t i = 0; i < c->n_jobs; i++)
                if (c->jobs[i]->unrecorded) {
                        waiting[n] = c->jobs[i];
                        rows[n++] = row_of(c->jobs[i]);
                }
        r = deliveries_outcomes(c->state, rows, n);
        if (r < 0)
                refused(c, waiting, n, r);
        else if (n > 0 && c->health)
                health_ok(c->health, HEALTH_DELIVERIES);
        for (size_t i = 0; r >= 0 && i < n; i++)
                settled(c, waiting[i], rows[i].result);
        free(rows);
        free(waiting);
        if (n > 0)
                courier_pump(c);
}

void courier_outcomes_free(struct courier *c) {
        c->flush = sd_event_source_disable_unref(c->flush);
}
