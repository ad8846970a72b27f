/* SPDX-License-Identifier: MIT */
#pragma once

/* The courier takes the reminders the plan hands over at their instant and
 * sees each one to its recipients: e-mail over SMTP (or into the Maildir
 * outbox when no server is configured) and webhook channels.
 *
 * Never lost: every message is recorded as pending in the delivery log
 * (store/deliveries.h) before the first byte is sent, and marked sent only
 * when the peer accepted it; pending messages are taken up again after a
 * restart. Never doubled: a reminder is recorded for a recipient once ever,
 * whatever restarts, reloads or clock changes happen; a crash between the
 * peer's acceptance and our record of it resends that one message, with
 * the same Message-ID or webhook-id, so the receiver can drop it.
 *
 * One transfer at a time per peer (an SMTP server, a webhook host): a slow
 * or dead peer delays only its own messages, one SMTP connection serves a
 * burst, and a crash can double at most one message per peer. */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "courier/send.h"

struct config;
struct courier;
struct feeds;
struct health;
struct marks;
struct outgoing;
struct reminder;
struct service_clock;
struct state;
struct web;

/* A message's reminders were delivered (reason NULL) or failed for good. */
typedef void (*courier_outcome_fn)(const char *ledger, const char *milestone, const char *kind,
                                   const char *target, const char *reason, void *userdata);

/* What the courier works with. The pointers must outlive it; config is the
 * configuration in force (courier_set_config() after a reload). */
struct courier_setup {
        sd_event *event;
        const struct service_clock *clock;
        struct state *state;           /* the delivery log */
        struct marks *marks;           /* done milestones are not reminded */
        struct health *health;         /* told when the log cannot be written; may be NULL */
        const struct feeds *feeds;     /* the feed link in messages; NULL: none */
        const struct web *web;         /* the buttons of reminders; NULL: none */
        const char *state_directory;   /* the Maildir outbox is its outbox/ */
        const struct config *config;
        courier_outcome_fn on_outcome; /* NULL: nobody listens */
        void *userdata;
};

int courier_new(const struct courier_setup *setup, struct courier **out);
/* Aborts the transfers under way (they stay pending in the log). NULL is fine. */
void courier_free(struct courier *c);

/* Reads the secrets and takes up the pending messages. *handled: the
 * instant up to which every reminder is recorded, from which the plan goes
 * on (the reminders of a downtime are then recorded by courier_dispatch()
 * as late or missed); now, at the very first start. */
int courier_start(struct courier *c, time_t *handled);

/* After a reload: the configuration, its secrets and channels anew. */
void courier_set_config(struct courier *c, const struct config *config);

/* Reminders sent more than this many seconds after their instant say so
 * ("补发", "late": true): a downtime, a clock that jumped. */
#define COURIER_LATE_AFTER 300

/* The n reminders of one instant: recorded as messages, one per recipient
 * (a digest when a recipient has several), then sent; late when the
 * instant is more than COURIER_LATE_AFTER ago, recorded as missed and never
 * sent when it is more than delivery.catch_up ago. 0, or -errno when they
 * could not be recorded (nothing was, nothing is sent: try again). */
int courier_dispatch(struct courier *c, const struct reminder *r, size_t n);
/* What the delivery log's last failure was about. */
const char *courier_last_error(const struct courier *c);

/* A milestone was marked done: its pending messages are cancelled, unless
 * they also carry reminders of milestones still open. */
void courier_milestone_done(struct courier *c, const char *ledger, const char *milestone);

/* send-test: a test message to every target of an owner (id or name), or to
 * one channel, now, outside the log and the queues. done is called once,
 * with one line per target ("mailto:a@b: delivered: 250 Ok" or
 * "...: not delivered: why") and whether all were delivered. -ENOENT when
 * name is neither an owner nor a channel, -ENODATA when the owner has no
 * e-mail address and no channel. */
typedef void (*courier_test_fn)(bool all_delivered, char **lines, size_t n_lines, void *userdata);
int courier_send_test(struct courier *c, const char *name, courier_test_fn done, void *userdata);

/* How a message leaves: by default SMTP, the Maildir outbox or a webhook
 * POST. Unit tests put a transport of their own here. It returns 0 and
 * calls done exactly once, later, from the event loop; or -errno. */
typedef int (*courier_transport_fn)(const struct outgoing *o, send_done_fn done, void *done_userdata,
                                    void *userdata);
void courier_set_transport(struct courier *c, courier_transport_fn fn, void *userdata);
