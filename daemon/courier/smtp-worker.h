/* SPDX-License-Identifier: MIT */
#pragma once

/* A thread that runs libcurl transfers with the blocking curl_easy_perform(),
 * one at a time, for the event loop. SMTP needs it: libcurl (7.88 and on,
 * curl issue #8555) waits for the server's answer to the end of a message in
 * a loop of its own, outside the multi interface, so that a slow content
 * filter on the server would stop the daemon's whole event loop (bus, feeds,
 * webhooks) for as long. On this thread, it stops only the next message.
 *
 * The worker runs an easy handle fully set up by its caller, whose callbacks
 * (read, header) are then called on the worker thread; their data must not
 * be touched by the loop until the transfer is over. The outcome comes back
 * to the loop through an eventfd watched by one sd-event I/O source: the
 * done callback runs on the loop's thread, never on the worker's, just as
 * for the transfers of the multi handle (curl-loop.h; the callback types
 * are transfer.h's). The caller's part of the handle is everything but
 * CURLOPT_SHARE, CURLOPT_NOPROGRESS, CURLOPT_XFERINFOFUNCTION/DATA and
 * CURLOPT_OPENSOCKETFUNCTION/DATA, CURLOPT_CLOSESOCKETFUNCTION/DATA, which
 * belong to the worker while it runs the transfer.
 *
 * One connection cache (a CURLSH, used by the worker thread only) is kept
 * across transfers: a burst of mail is one SMTP session. It is closed (QUIT)
 * after SMTP_WORKER_IDLE_MS without a transfer; a server slow to answer
 * that QUIT holds the worker (not the loop) for at most the transfers'
 * CURLOPT_SERVER_RESPONSE_TIMEOUT.
 *
 * The thread is started by the first transfer, with every signal blocked
 * (the loop takes them through signalfd). curl_global_init() must have been
 * called before (curl_loop_new() does). A transfer's CURLOPT_TIMEOUT starts
 * when the worker starts it, not when it was queued.
 *
 * The struct curl_loop owns one (curl_loop_add_blocking()): its loop is
 * where the results go, and curl_loop_free() is where the thread must end. */

#include <curl/curl.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "courier/transfer.h"

#define SMTP_WORKER_IDLE_MS 30000
/* How long smtp_worker_free() lets the worker say QUIT on an idle
 * connection before it cuts the connection. */
#define SMTP_WORKER_QUIT_GRACE_MS 250

struct smtp_worker;

/* No thread yet: that starts with the first transfer. 0, -ENOMEM or the
 * error of eventfd() or sd-event. */
int smtp_worker_new(sd_event *event, struct smtp_worker **out);

/* Stops the worker: a running transfer is cut at once (its sockets are shut
 * down, which wakes libcurl's blocking waits, and its progress callback,
 * which libcurl calls inside those loops too, asks it to stop), an idle
 * connection has SMTP_WORKER_QUIT_GRACE_MS for its QUIT; then the thread is
 * joined. No done callback is called; the abort callback of every transfer
 * not handed back yet is, here, after its easy handle is cleaned up.
 * Whatever the server does, this returns at once, or after the grace; a
 * name still being resolved may take up to a second more. NULL is fine. Not
 * from a done callback. */
void smtp_worker_free(struct smtp_worker *w);

/* Queues easy; done is called later on the loop's thread, never from inside
 * this call. 0; or -errno (-ENOMEM, or pthread_create()'s), and the caller
 * keeps easy. */
int smtp_worker_add(struct smtp_worker *w, CURL *easy, curl_done_fn done, curl_abort_fn abort_fn,
                    void *userdata);

/* Transfers added and not handed back yet (queued, running, or done and
 * waiting for the loop). */
size_t smtp_worker_pending(const struct smtp_worker *w);

/* How long an idle connection is kept (SMTP_WORKER_IDLE_MS by default);
 * for tests. Counts from the end of the next transfer. */
void smtp_worker_set_idle(struct smtp_worker *w, unsigned ms);
