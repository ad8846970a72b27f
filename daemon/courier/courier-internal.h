/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by courier.c (recording and catch-up), courier-split.c (digests
 * in parts), courier-queue.c (the peers' queues), courier-outcome.c (what a
 * try's end means, written in batches), courier-message.c (the bytes of a
 * message), courier-targets.c, courier-secrets.c, courier-transmit.c and
 * courier-test.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "store/deliveries.h"
#include "courier/courier.h"
#include "courier/send.h"
#include "notify/webhook.h"

struct curl_loop;
struct outcome;
struct try;

/* A pending message waiting for its peer, in memory. The delivery log has
 * the rest; this is only what the queue needs to choose the next one. */
struct job {
        int64_t id;
        char *target;
        size_t peer;      /* its peer: an index in courier.peers */
        char *channel;    /* the channel id of a webhook target; NULL for mail */
        time_t next_try;  /* not before; 0: as soon as the peer is free */
        time_t first_try; /* 0 until tried */
        unsigned tries;
        struct try *try;  /* the try under way (courier-queue.c); NULL when none */
        /* A try's end not written to the log yet: it waits for the next
         * batch (courier-outcome.c), or for the log to take it again. */
        struct outcome *unrecorded;
        bool holds_slot;  /* counts among its peer's transfers until recorded */
        unsigned slots;   /* its peer's transfers at once for it; 0: not known yet */
        /* Its items as "ledger\0milestone\0kind\0" each, kept when it was
         * read for its try, for the signals of its outcome; NULL: none yet. */
        char *items;
        size_t n_items;
};

/* A record the log could not take (locked, full) is tried again after
 * this many seconds. */
#define COURIER_RECORD_RETRY 2

/* A peer: an SMTP server ("smtp"), the outbox ("maildir"), or a webhook's
 * scheme://host:port. */
struct peer {
        char *name;
        /* Its transfers under way, and those ended but not yet recorded: a
         * crash doubles at most these, delivery.parallel of them. */
        struct job **flying;
        unsigned in_flight;
        time_t probe_at;    /* down: when the next probe may go; 0 while up */
};
/* A peer that is down is tried again, with one message, this often. */
#define COURIER_PROBE_INTERVAL 5
/* A peer may ask to be left alone (Retry-After, a bot's rate-limit code)
 * for this long at the most; a longer wait is taken as this. */
#define COURIER_RETRY_AFTER_MAX 3600

/* A channel's rate limit: a bucket of rate_limit tokens a minute. */
struct bucket {
        char *channel;
        double tokens;
        time_t refilled;
};

struct secret {
        char *channel; /* NULL: the SMTP password */
        char *value;
};

struct courier {
        sd_event *event;
        const struct service_clock *clock;
        struct state *state;
        struct marks *marks;
        struct health *health;
        const struct feeds *feeds;
        const struct web *web;
        const struct config *config;
        char *outbox; /* <state_directory>/outbox */
        courier_outcome_fn on_outcome;
        void *userdata;
        courier_transport_fn transport; /* NULL: the real one, courier_transmit() */
        void *transport_userdata;

        struct curl_loop *curl;
        struct secret *secrets;
        size_t n_secrets;
        struct job **jobs; /* in the order they were recorded */
        size_t n_jobs, n_allocated;
        sd_event_source *flush; /* writes the outcomes that ended together */
        struct peer *peers;
        size_t n_peers;
        struct bucket *buckets;
        size_t n_buckets;
        sd_event_source *wake; /* at the earliest next_try or token */
        bool pumping;
};

/* What goes out for one message. */
struct outgoing {
        const char *via;  /* "smtp", "maildir", "webhook" */
        char *mail;       /* the RFC 5322 bytes */
        size_t mail_size;
        char *rcpt;
        struct webhook_request request;
        enum channel_format format;
        bool webhook;
        unsigned step, steps; /* this request of the message's (webhook_steps()) */
};

/* The secrets, read anew (start, reload). Errors are logged: a channel
 * whose secret cannot be read fails its messages with that reason. */
void courier_read_secrets(struct courier *c);
const char *courier_secret(const struct courier *c, const char *channel);
/* Wipes and frees them. */
void courier_free_secrets(struct courier *c);

/* The peer that carries messages to target ("mailto:…", "channel:…"). NULL
 * when out of memory. */
char *courier_peer_of(const struct courier *c, const char *target);

/* The message of delivery d as it goes out now. 0; or 1 with *cancel set to
 * why it must not go out any more (its milestones left the ledger or are all
 * done, its channel is gone); or -errno with *cancel saying why. */
int courier_build(struct courier *c, const struct delivery *d, struct outgoing *out, char **cancel);
/* Whether d's message would fit its channel's limit with headroom bytes to
 * spare (e-mail always does; one item alone does, shortened if need be;
 * one that cannot be built now is taken to): 1 or 0; -ENOMEM. For
 * splitting a digest before it is recorded. */
int courier_fits(struct courier *c, const struct delivery *d, size_t headroom);
/* Replaces *msgs (n of them, malloc'd) by their parts: a digest too large
 * for its channel becomes several deliveries, in order (courier-split.c).
 * 0 or -errno, *msgs untouched then. */
int courier_split(struct courier *c, struct delivery_new **msgs, size_t *n);
/* A test message to target. */
int courier_build_test(struct courier *c, const char *target, struct outgoing *out, char **why);
void outgoing_free(struct outgoing *o);
/* Starts sending, through the transport of courier_set_transport() or the
 * real one; done is called later from the event loop, never from inside
 * this call. 0 or -errno. */
int courier_transmit(struct courier *c, struct outgoing *o, send_done_fn done, void *userdata);

/* The queues (courier-queue.c). */
int courier_enqueue(struct courier *c, int64_t id, const char *target, time_t next_try,
                    time_t first_try, unsigned tries);
void courier_drop(struct courier *c, int64_t id); /* a cancelled message, unless in flight */
void courier_pump(struct courier *c);
void courier_queue_free(struct courier *c);
/* j leaves the queue, and its peer's slot if it held one. */
void courier_job_remove(struct courier *c, struct job *j);
/* j's transfer is over and recorded: its peer may start another. */
void courier_release_slot(struct courier *c, struct job *j);
/* The configuration changed: the jobs' channel settings are looked up again. */
void courier_queue_reconfigure(struct courier *c);

/* What a try's end means (courier-outcome.c): res of j's message out (NULL
 * when it could not be built or started) decided now, written with the
 * other outcomes that ended in the same turn of the loop, in one
 * transaction (group commit). */
void courier_record_outcome(struct courier *c, struct job *j, const struct send_result *res,
                            const struct outgoing *out);
/* Writes every outcome waiting, now: the batch's flush, and the retry of a
 * batch the log could not take. */
void courier_flush_outcomes(struct courier *c);
void courier_outcomes_free(struct courier *c);

/* The address of a "mailto:…" target, the id of a "channel:…" one; NULL
 * for a target of the other kind. */
const char *target_address(const char *target);
const char *target_channel_id(const char *target);

/* The channel of a "channel:…" target; NULL for mail or a channel gone. */
const struct channel *courier_target_channel(const struct config *cf, const char *target);

/* The targets of an owner, "mailto:…" then "channel:…" (free each and the array). */
int courier_owner_targets(const struct owner *o, char ***out, size_t *n);
