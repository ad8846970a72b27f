/* SPDX-License-Identifier: MIT */
#pragma once

/* libcurl's multi interface driven by sd-event: every transfer of the
 * daemon runs in its one event loop, with no threads and no polling. curl
 * tells us which sockets to watch (one sd-event I/O source each) and when
 * to wake it up (one CLOCK_MONOTONIC timer); when nothing is in flight no
 * source is armed, so an idle daemon is not woken.
 *
 * The multi handle keeps libcurl's connection cache: transfers one after
 * the other to the same server reuse one connection (one SMTP session for
 * a burst of mail).
 *
 * curl_global_init(CURL_GLOBAL_DEFAULT) is called once per process, by the
 * first curl_loop_new(), and never undone (the process's exit releases
 * it). ledgerd has a single thread, as libcurl wants for this call. */

#include <curl/curl.h>
#include <stddef.h>
#include <systemd/sd-event.h>

struct curl_loop;

/* A transfer ended (result CURLE_OK or why not). The callback owns easy
 * from then on and must curl_easy_cleanup() it; it may add new transfers
 * to the loop but must not free the loop. */
typedef void (*curl_done_fn)(CURL *easy, CURLcode result, void *userdata);
/* The loop was freed while the transfer ran: release userdata. easy is
 * already cleaned up; the done callback is not called. */
typedef void (*curl_abort_fn)(void *userdata);

/* 0 or -errno (-ENOMEM, or -EIO when libcurl cannot initialise). */
int curl_loop_new(sd_event *event, struct curl_loop **out);
/* Aborts the transfers still running, without calling their done
 * callbacks (their abort callbacks, for those that gave one), and closes
 * the cached connections. NULL is fine. */
void curl_loop_free(struct curl_loop *loop);

/* Starts easy, fully set up by the caller, except CURLOPT_PRIVATE, which
 * belongs to the loop. done is called later from the event loop, never
 * from inside this call. 0; or -errno, and the caller keeps easy. */
int curl_loop_add(struct curl_loop *loop, CURL *easy, curl_done_fn done, void *userdata);
/* The same, with a callback for the loop's end (NULL: none). */
int curl_loop_add_full(struct curl_loop *loop, CURL *easy, curl_done_fn done,
                       curl_abort_fn abort_fn, void *userdata);

/* Transfers added and not finished yet. */
size_t curl_loop_running(const struct curl_loop *loop);
