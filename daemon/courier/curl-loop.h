/* SPDX-License-Identifier: MIT */
#pragma once

/* libcurl's multi interface driven by sd-event: the transfers of the
 * daemon run in its one event loop, with no polling. curl
 * tells us which sockets to watch (one sd-event I/O source each) and when
 * to wake it up (one CLOCK_MONOTONIC timer); when nothing is in flight no
 * source is armed, so an idle daemon is not woken.
 *
 * The multi handle keeps libcurl's connection cache: transfers one after
 * the other to the same server reuse one connection (one SMTP session for
 * a burst of webhook posts).
 *
 * The exception: a transfer whose libcurl client blocks, as SMTP does while
 * it waits for the answer to the end of a message (curl issue #8555), runs
 * on the loop's worker thread instead (curl_loop_add_blocking(), see
 * smtp-worker.h), which keeps its own connection cache: a burst of mail is
 * one SMTP session all the same. The loop owns the worker: it starts with
 * the first such transfer and ends with curl_loop_free().
 *
 * curl_global_init(CURL_GLOBAL_DEFAULT) is called once per process, by the
 * first curl_loop_new(), and never undone (the process's exit releases
 * it). It runs before any worker thread exists, as libcurl wants. */

#include <curl/curl.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "basic/cleanup.h"
#include "courier/transfer.h"

/* For an easy handle that is not handed to the loop after all. */
DEFINE_CLEANUP_FUNC(CURL, curl_easy_cleanup)

struct curl_loop;

/* 0 or -errno (-ENOMEM, or -EIO when libcurl cannot initialise). */
int curl_loop_new(sd_event *event, struct curl_loop **out);
/* Aborts the transfers still running, without calling their done
 * callbacks (their abort callbacks, for those that gave one), and closes
 * the cached connections; stops and joins the worker thread (at once, or
 * after a short grace for the QUIT of an idle SMTP session: never held up
 * by a server that does not answer). NULL is fine. */
void curl_loop_free(struct curl_loop *loop);

/* Starts easy, fully set up by the caller, except CURLOPT_PRIVATE, which
 * belongs to the loop. done is called later from the event loop, never
 * from inside this call. 0; or -errno, and the caller keeps easy. */
int curl_loop_add(struct curl_loop *loop, CURL *easy, curl_done_fn done, void *userdata);
/* The same, with a callback for the loop's end (NULL: none). */
int curl_loop_add_full(struct curl_loop *loop, CURL *easy, curl_done_fn done,
                       curl_abort_fn abort_fn, void *userdata);

/* The same, run with curl_easy_perform() on the loop's worker thread, one
 * at a time in the order added: for protocols whose libcurl client blocks
 * (SMTP). easy's callbacks (read, header, ...) are then called on that
 * thread, while the loop runs on; CURLOPT_SHARE, the progress and the
 * open/close socket callbacks belong to the worker. done and abort_fn are
 * called on the loop's thread, as above. 0; or -errno, and the caller keeps
 * easy. */
int curl_loop_add_blocking(struct curl_loop *loop, CURL *easy, curl_done_fn done,
                           curl_abort_fn abort_fn, void *userdata);

/* Transfers added and not finished yet (both kinds). */
size_t curl_loop_running(const struct curl_loop *loop);

/* How long the worker keeps an idle connection (smtp-worker.h's
 * SMTP_WORKER_IDLE_MS unless set); for tests. */
void curl_loop_set_worker_idle(struct curl_loop *loop, unsigned ms);
