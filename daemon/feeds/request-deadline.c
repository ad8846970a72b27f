/* SPDX-License-Identifier: MIT */
#include "feeds/request-deadline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "basic/cleanup.h"
#include "basic/list.h"
#include "common/log.h"

#define SWEEP_USEC 1000000

struct watched {
        struct watched *prev, *next;
        struct request_deadline *owner;
        int fd;
        uint64_t since; /* CLOCK_MONOTONIC µs: waiting for a request since */
        bool waiting;   /* its request line and headers are not all in */
};

struct request_deadline {
        sd_event *event;
        sd_event_source *sweep;
        uint64_t limit_usec;
        struct watched *list;
        size_t n_waiting;
};

static uint64_t now_usec(const struct request_deadline *d) {
        uint64_t now = 0;

        sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        return now;
}

static void arm(struct request_deadline *d) {
        sd_event_source_set_time(d->sweep, now_usec(d) + SWEEP_USEC);
        sd_event_source_set_enabled(d->sweep, d->n_waiting > 0 ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
}

static void set_waiting(struct watched *w, bool waiting) {
        struct request_deadline *d = w->owner;

        if (waiting)
                w->since = now_usec(d);
        if (w->waiting == waiting)
                return;
        w->waiting = waiting;
        d->n_waiting += waiting ? 1 : (size_t) -1;
        if (waiting && d->n_waiting == 1)
                arm(d);
}

/* Shuts down the connections past their deadline: libmicrohttpd then sees
 * the socket end and closes it. */
static int on_sweep(sd_event_source *s, uint64_t usec, void *userdata) {
        struct request_deadline *d = userdata;
        uint64_t now = now_usec(d);
        size_t dropped = 0;

        (void) s, (void) usec;
        for (struct watched *w = d->list; w; w = w->next)
                if (w->waiting && now - w->since >= d->limit_usec) {
                        shutdown(w->fd, SHUT_RDWR);
                        w->since = now; /* once is enough: it is on its way out */
                        dropped++;
                }
        if (dropped)
                log_debug("http: %zu connection%s too slow to send a request: closed", dropped,
                          dropped == 1 ? "" : "s");
        arm(d);
        return 0;
}

DEFINE_CLEANUP_FUNC(struct request_deadline, request_deadline_free)

int request_deadline_new(sd_event *event, unsigned seconds, struct request_deadline **out) {
        _cleanup_(request_deadline_freep) struct request_deadline *d = calloc(1, sizeof *d);
        int r;

        if (!d)
                return -ENOMEM;
        d->event = sd_event_ref(event);
        d->limit_usec = (uint64_t) seconds * 1000000;
        r = sd_event_add_time(event, &d->sweep, CLOCK_MONOTONIC, UINT64_MAX, SWEEP_USEC / 10,
                              on_sweep, d);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->sweep, SD_EVENT_OFF);
        if (r < 0)
                return r;
        sd_event_source_set_description(d->sweep, "http-deadline");
        *out = TAKE_PTR(d);
        return 0;
}

void request_deadline_free(struct request_deadline *d) {
        if (!d)
                return;
        sd_event_source_disable_unref(d->sweep);
        sd_event_unref(d->event);
        free(d); /* the daemons have stopped: every connection was closed */
}

static void watch(struct request_deadline *d, struct MHD_Connection *c, void **socket_context) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct watched *w = calloc(1, sizeof *w);

        if (!w || !info) {
                free(w);
                return; /* out of memory: this one goes without a deadline */
        }
        *w = (struct watched) { .owner = d, .fd = info->connect_fd };
        LIST_PREPEND(d->list, w);
        *socket_context = w;
        set_waiting(w, true);
}

static void unwatch(struct watched *w) {
        struct request_deadline *d = w->owner;

        set_waiting(w, false);
        LIST_REMOVE(d->list, w);
        free(w);
}

void request_deadline_on_connection(void *cls, struct MHD_Connection *connection,
                                    void **socket_context, enum MHD_ConnectionNotificationCode code) {
        if (code == MHD_CONNECTION_NOTIFY_STARTED)
                watch(cls, connection, socket_context);
        else if (*socket_context)
                unwatch(*socket_context);
}

static struct watched *watched_of(struct MHD_Connection *connection) {
        const union MHD_ConnectionInfo *info =
                MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

        return info ? info->socket_context : NULL;
}

void request_deadline_on_completed(void *cls, struct MHD_Connection *connection, void **request,
                                   enum MHD_RequestTerminationCode code) {
        struct watched *w = watched_of(connection);

        (void) cls, (void) request;
        /* Kept alive: the next request's headers have the deadline anew. */
        if (w && code == MHD_REQUEST_TERMINATED_COMPLETED_OK)
                set_waiting(w, true);
}

void request_deadline_headers_in(struct MHD_Connection *connection) {
        struct watched *w = watched_of(connection);

        if (w)
                set_waiting(w, false);
}

size_t request_deadline_waiting(const struct request_deadline *d) {
        return d ? d->n_waiting : 0;
}
