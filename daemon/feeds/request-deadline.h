/* SPDX-License-Identifier: MIT */
#pragma once

/* A deadline for a request's headers. libmicrohttpd's own timeout closes a
 * connection that is idle; a client that trickles one byte of its headers
 * every few seconds is never idle, and would hold its connection (and, by
 * the thousand, the server) for as long as it likes. Each connection here
 * must send a whole request line and headers within the deadline, counted
 * from when it connected or finished its previous request; one that does not
 * is shut down.
 *
 * Wired into a libmicrohttpd daemon with MHD_OPTION_NOTIFY_CONNECTION and
 * MHD_OPTION_NOTIFY_COMPLETED (cls: the struct request_deadline), and
 * request_deadline_headers_in() from the access handler's first call. One
 * sd-event timer sweeps once a second while any connection is waiting. */

#include <microhttpd.h>
#include <systemd/sd-event.h>

struct request_deadline;

int request_deadline_new(sd_event *event, unsigned seconds, struct request_deadline **out);
/* After the libmicrohttpd daemons that use it have stopped. NULL is fine. */
void request_deadline_free(struct request_deadline *d);

void request_deadline_on_connection(void *cls, struct MHD_Connection *connection,
                                    void **socket_context, enum MHD_ConnectionNotificationCode code);
void request_deadline_on_completed(void *cls, struct MHD_Connection *connection, void **request,
                                   enum MHD_RequestTerminationCode code);
/* The connection's request line and headers are in. */
void request_deadline_headers_in(struct MHD_Connection *connection);

/* Connections waiting for their headers now; for tests and status. */
size_t request_deadline_waiting(const struct request_deadline *d);
