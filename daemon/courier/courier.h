/* SPDX-License-Identifier: MIT */
#pragma once

/* The courier takes the reminders the plan hands over at their instant and
 * sees each one to its recipients: e-mail over SMTP (or into the Maildir
 * outbox when no server is configured) and webhook channels.
 *
 * Never lost: every message is recorded as pending in the delivery log
 * (core/deliveries.h) before the first byte is sent, and marked sent only
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

struct manager;
struct reminder;

/* Reads the secrets, takes up the pending messages and catches up with the
 * reminders whose instant passed while ledgerd was not running; installs
 * itself as the manager's dispatch. Before the first manager_replan(). */
int courier_start(struct manager *m);
void courier_stop(struct manager *m);
/* After a reload: secrets and channels anew. */
void courier_reload(struct manager *m);

/* A milestone was marked done: its pending messages are cancelled, unless
 * they also carry reminders of milestones still open. */
void courier_milestone_done(struct manager *m, const char *ledger, const char *milestone);

/* send-test: a test message to every target of an owner (id or name), or to
 * one channel, now, outside the log and the queues. done is called once,
 * with one line per target ("mailto:a@b: delivered: 250 Ok" or
 * "...: not delivered: why") and whether all were delivered. -ENOENT when
 * name is neither an owner nor a channel, -ENODATA when the owner has no
 * e-mail address and no channel. */
typedef void (*courier_test_fn)(bool all_delivered, char **lines, size_t n_lines, void *userdata);
int courier_send_test(struct manager *m, const char *name, courier_test_fn done, void *userdata);
