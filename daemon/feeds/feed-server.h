/* SPDX-License-Identifier: MIT */
#pragma once

/* The HTTP feed server: libmicrohttpd driven by the service's sd-event loop
 * (no threads), one libmicrohttpd daemon per listening socket. Sockets come
 * from systemd (socket activation) or else are bound to the configured
 * addresses. Requests are answered from the current feed snapshot; rendering
 * never happens on the request path.
 *
 * GET and HEAD of "/", "/ledger.ics", "/<slug>.ics", "/<token>/<slug>.ics";
 * everything else is 404, other methods 405. If-None-Match is checked
 * first, then If-Modified-Since; gzip when Accept-Encoding allows it. The
 * pages behind the links of reminders, /act/… and /me/…, are web/web.h's. */

#include <stddef.h>
#include <systemd/sd-event.h>

#include "feeds/feed-snapshot.h"

/* Per listening socket. Connections beyond are refused at accept: 64 per
 * address, and room for 64 such addresses, so that a client holding
 * connections from a few dozen addresses leaves room for everyone else
 * while the header deadline below drops it. */
#define FEED_CONNECTIONS_MAX 4096
#define FEED_CONNECTIONS_PER_IP 64
/* An idle or stalled connection is closed after this many seconds. */
#define FEED_CONNECTION_TIMEOUT 30
/* A request's line and headers must be in this many seconds after the
 * connection opened or its previous request ended (request-deadline.h). */
#define FEED_HEADERS_DEADLINE 10
/* Addresses served at most (feed.listen, or sockets passed by systemd). */
#define FEED_LISTEN_MAX 64
/* The request line and headers must fit (larger: 414 or 431). */
#define FEED_REQUEST_MEMORY (8 * 1024)

struct feed_server;

struct web;

/* Serves on the sockets systemd passed, if any, else on every address of
 * listen[]: one that cannot be bound fails the start, with the reason
 * logged. The pages of links (web/web.h) are web's; NULL: none. 0 and *out
 * (NULL when there is nothing to listen on), or -errno. */
int feed_server_start(sd_event *event, char *const *listen, size_t n_listen, struct web *web,
                      struct feed_server **out);
void feed_server_free(struct feed_server *s);

/* Serve snap from now on (a reference is taken; the old one is dropped, and
 * lives on only in the responses still being sent). */
void feed_server_set_snapshot(struct feed_server *s, struct feed_snapshot *snap);

/* "127.0.0.1:8080": the i-th socket served (the first makes the links when
 * no base_url is configured); NULL past the last one. */
const char *feed_server_address(const struct feed_server *s, size_t i);
