/* SPDX-License-Identifier: MIT */
#pragma once

/* How a libcurl transfer of the daemon ends, whichever runs it: the event
 * loop's multi handle (curl-loop.h) or the SMTP worker thread
 * (smtp-worker.h). Both call back on the loop's thread. */

#include <curl/curl.h>

/* A transfer ended (result CURLE_OK or why not). The callback owns easy
 * from then on and must curl_easy_cleanup() it; it may add new transfers
 * to the loop but must not free the loop. */
typedef void (*curl_done_fn)(CURL *easy, CURLcode result, void *userdata);
/* The loop was freed while the transfer ran: release userdata. easy is
 * already cleaned up; the done callback is not called. */
typedef void (*curl_abort_fn)(void *userdata);
