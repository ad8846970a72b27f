/* SPDX-License-Identifier: MIT */
#pragma once

/* The delivery log, in the state database (state.h, schema versions 2 and 4):
 * every message ledgerd sends or decided not to send, what it carries, and
 * how each try went.
 *
 * A delivery is one message: one target ("mailto:<address>" or
 * "channel:<channel id>"), one instant, one or more items (more: a digest).
 * An item is one reminder for one target: (ledger id, milestone id, kind
 * name, offset text, at, target). An item is recorded once ever, whatever
 * became of its delivery: that is how a reminder is never sent twice across
 * restarts, reloads and clock changes. Deliveries are recorded as pending
 * before anything is sent, and each try's outcome is written when it is
 * known:
 *
 *     pending ──try──▶ pending (retry) ──▶ sent | failed
 *        └──────────────────────────────▶ cancelled
 *     missed: recorded, never sent (its instant passed too long ago)
 *
 * A digest larger than its channel takes is recorded as parts, each a
 * delivery of its own carrying some of the items (part of parts), so that
 * a crash between two parts sends only those not yet accepted. A message
 * may need several requests (a WeCom digest, then its @mention): steps
 * counts those accepted, and a retry goes on from there.
 *
 * Only a pending delivery changes; sent, failed, cancelled and missed are
 * final. Every write is one transaction. Functions return 0 or -errno;
 * state_last_error() then says what failed. Nothing is ever deleted. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Not for struct state alone: state_last_error() says what failed. */
#include "store/state.h"

enum delivery_status {
        DELIVERY_PENDING,
        DELIVERY_SENT,
        DELIVERY_FAILED,
        DELIVERY_CANCELLED,
        DELIVERY_MISSED,
};

/* One reminder of a delivery. kind is reminder_kind_name()'s, offset
 * offset_format()'s ("14d"); at is the reminder's instant, which is the
 * delivery's (deliveries_record() refuses others). */
struct delivery_item {
        const char *ledger, *milestone, *kind, *offset;
        time_t at;
};

/* 32 lowercase hex digits and a NUL. */
#define DELIVERY_KEY_SIZE 33

/* The key of a message to target at instant at carrying items: the first
 * 16 bytes, in lowercase hex, of the SHA-256 of "<target>\n<at>\n" (at in
 * decimal) followed by each item's "<ledger>/<milestone>/<kind>/<offset>\n",
 * these lines in bytewise order: the same items in any order give the same
 * key. It is the message's Message-ID seed, webhook-id and dedupe key, the
 * same on every try. 0 or -ENOMEM. */
int delivery_key(const char *target, time_t at, const struct delivery_item *items,
                 size_t n_items, char key[DELIVERY_KEY_SIZE]);

/* A message to record. */
struct delivery_new {
        const char *target;
        time_t at;
        bool late; /* sent after its instant (catch-up after a downtime) */
        const struct delivery_item *items;
        size_t n_items; /* at least 1 */
        unsigned part, parts; /* of a split digest, from 1; 0: 1 of 1 */
        int64_t id; /* out: the new delivery's id; 0 when all its items were known */
};

/* Records msgs[0..n) in one transaction. For each message, drops the items
 * already recorded for its target (in any status, in an earlier call or
 * earlier in this one) and repeats of an item within it; when some are left,
 * inserts the delivery, with status pending (missed when missed is true),
 * created = now, and its key computed from the items left, and those items,
 * in the order given. All or nothing: on error nothing is recorded, every
 * id is 0. -EINVAL for an empty target, a message without items, an item
 * with an empty ledger, milestone or kind, a NULL offset, or an instant
 * other than its message's. */
int deliveries_record(struct state *st, struct delivery_new *msgs, size_t n, bool missed,
                      time_t now);

/* A delivery as read back. Times are 0 when not (yet) happened. */
struct delivery {
        int64_t id;
        const char *key, *target;
        time_t at;
        bool late;
        unsigned part, parts; /* 1 of 1 unless a split digest */
        unsigned steps;       /* the message's requests accepted so far */
        enum delivery_status status;
        unsigned tries; /* tries made (a cancel is not one) */
        time_t created; /* when recorded */
        time_t first_try, last_try;
        time_t next_try; /* pending: not before (0: at once); otherwise 0 */
        time_t finished; /* when it got its final status; 0 while pending */
        const char *via; /* sent: what carried it ("smtp://…", "maildir:…"); else "" */
        long code; /* of the last failed try (HTTP status, SMTP reply, errcode); 0 once sent */
        const char *reason; /* why the last try failed, or why cancelled; "" once sent */
        const char *answer; /* sent: the peer's answer; else "" */
        const struct delivery_item *items; /* in the order recorded */
        size_t n_items;
};

/* Return 0 to go on; anything else (a negative errno, or a positive value
 * of the caller's) stops the walk and is returned as is. The strings and
 * items are valid until fn returns. The rows are all read
 * before the first call, so fn may call back into st: cancel what
 * deliveries_pending_for() reports, for one. */
typedef int (*delivery_fn)(const struct delivery *d, void *userdata);

/* One delivery; -ENOENT when there is none with that id. */
int deliveries_get(struct state *st, int64_t id, delivery_fn fn, void *userdata);
/* Every pending delivery, by next_try (those without one first), then id. */
int deliveries_pending(struct state *st, delivery_fn fn, void *userdata);
/* The pending deliveries with an item of that milestone, in the same order,
 * with all their items (a digest may carry other milestones too). */
int deliveries_pending_for(struct state *st, const char *ledger, const char *milestone,
                           delivery_fn fn, void *userdata);

/* The outcome of a try of a pending delivery. Each but cancel counts a try:
 * tries + 1, last_try = now, first_try = now when unset. sent and failed
 * are final (finished = now); retry keeps it pending until next_try. cancel
 * makes it cancelled without a try (a milestone marked done). Each is one
 * transaction. -ENOENT when there is no such delivery; -EALREADY, with
 * nothing written, when it is no longer pending (cancelled while the try
 * was under way: it stays cancelled). Strings may be NULL for "". */
int deliveries_sent(struct state *st, int64_t id, time_t now, const char *via,
                    const char *answer);
int deliveries_retry(struct state *st, int64_t id, time_t now, time_t next_try, long code,
                     const char *reason);
int deliveries_failed(struct state *st, int64_t id, time_t now, long code, const char *reason);
int deliveries_cancel(struct state *st, int64_t id, time_t now, const char *reason);
/* One outcome of a batch: what one of the calls above would write. */
struct delivery_outcome {
        int64_t id;
        enum delivery_status status; /* sent, pending (a retry, or steps) or failed */
        time_t now, next_try;        /* pending: next_try as deliveries_retry()'s */
        unsigned steps;              /* pending: > 0 for deliveries_step() */
        long code;
        const char *via, *text;      /* sent: via and the answer; else the reason */
        int result;                  /* out: 0, -ENOENT or -EALREADY, as the call's */
};

/* The outcomes[0..n) in one transaction, one write to disk for all: the
 * outcomes of the tries that ended together (group commit). Each gets the
 * result its own call would have; the return is 0, or -errno when the
 * transaction failed, and then nothing was written. */
int deliveries_outcomes(struct state *st, struct delivery_outcome *outcomes, size_t n);

/* The first steps requests of a pending delivery's message were accepted;
 * it stays pending for the rest, due at once. Not a try. */
int deliveries_step(struct state *st, int64_t id, time_t now, unsigned steps);

/* What deliveries_list() reports; {.status = -1} is everything. */
struct delivery_filter {
        int status; /* an enum delivery_status; -1: any */
        const char *target; /* a substring of the target; NULL: any */
        const char *ledger, *milestone; /* has an item of these; NULL: any */
        time_t since; /* at >= since; 0: any */
        size_t limit; /* at most this many; 0: 100 */
};

/* Newest first (by id, descending). -EINVAL for an unknown status. */
int deliveries_list(struct state *st, const struct delivery_filter *f, delivery_fn fn,
                    void *userdata);
int deliveries_count(struct state *st, enum delivery_status s, unsigned *out);

/* Reminders up to this instant have been handled (recorded): at start-up,
 * only later ones are caught up on. 0 when never set. Set writes t as is,
 * even when it is earlier: the caller decides. */
int deliveries_handled_until(struct state *st, time_t *out);
int deliveries_set_handled_until(struct state *st, time_t t);

/* "pending", "sent", "failed", "cancelled", "missed". */
const char *delivery_status_name(enum delivery_status s);
/* 0, or -EINVAL for a name that is none of those. */
int delivery_status_from_name(const char *name, enum delivery_status *out);
