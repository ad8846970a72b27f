/* SPDX-License-Identifier: MIT */
#include "feeds/feed-server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "feeds/request-deadline.h"
#include "web/web.h"
#include "http/http.h"
#include "http/netaddr.h"
#include "common/log.h"

struct listener {
        struct feed_server *server;
        struct MHD_Daemon *daemon;
        sd_event_source *io, *timer, *again;
        char address[NETADDR_MAX];
};

struct feed_server {
        sd_event *event;
        struct listener *listeners;
        size_t n_listeners;
        struct feed_snapshot *snapshot;
        struct request_deadline *deadline;
        struct web *web;
        struct MHD_Response *not_found, *not_allowed, *bad_request;
};

/* ---- answering a request ------------------------------------------------------ */

/* What *request holds for a feed's request (a page's holds web's own state):
 * its headers are in; or, its answer queued, its socket is corked until the
 * request completes. Only their addresses are used. */
static char feed_request, corked_request;

static const char *header(struct MHD_Connection *c, const char *name) {
        return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only
 * without it. Either entity tag of the document matches: both name the same
 * content, so the client's copy is current whichever coding it holds. A date
 * that cannot be read, or later than now, is ignored (13.1.3). */
static bool not_modified(struct MHD_Connection *c, const struct feed_doc *d) {
        const char *inm = header(c, "If-None-Match"), *ims;
        time_t since;

        if (inm)
                return http_etag_listed(inm, d->etag[FEED_IDENTITY]) ||
                       http_etag_listed(inm, d->etag[FEED_GZIP]);
        ims = header(c, "If-Modified-Since");
        return ims && http_date_parse(ims, &since) == 0 && since <= time(NULL) &&
               d->modified <= since;
}

/* libmicrohttpd sends a sendfile(2) response's headers on their own and
 * pushes them (TCP_NODELAY), then the body: two segments and two wake-ups of
 * the client for one answer, where nginx sends one (tcp_nopush). Corked,
 * the headers wait for the body; uncorking once the request has completed
 * pushes the last, partial segment. A socket that cannot be corked is merely
 * slower, and one left corked sends its tail within 200 ms anyway. */
static void set_cork(struct MHD_Connection *c, int on) {
        const union MHD_ConnectionInfo *info =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

        if (info)
                (void) setsockopt(info->connect_fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

/* A 200 to a GET carries a body (HEAD's has none); a small one leaves with
 * its headers anyway. */
static enum MHD_Result queue_ok(struct MHD_Connection *c, const char *method,
                                const struct feed_doc *d, enum feed_coding coding, void **request) {
        if (feed_doc_sendfile(d, coding) && strcmp(method, MHD_HTTP_METHOD_GET) == 0) {
                set_cork(c, 1);
                *request = &corked_request;
        }
        return MHD_queue_response(c, MHD_HTTP_OK, d->ok[coding]);
}

/* libmicrohttpd calls this once when the headers are in, again for each
 * piece of a body, and once more when the request is complete. A response
 * queued at the first call makes it close the connection (it will not read
 * a body it was not asked to), which suits refusals; feeds are answered at
 * the last call, so the connection stays open for the next request. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request) {
        struct feed_server *s = cls;
        const struct feed_doc *d;
        enum feed_coding coding = FEED_IDENTITY;

        (void) version;
        if (!*request) {
                request_deadline_headers_in(c);
                /* Both framings at once: a proxy in front may read the
                 * body otherwise than we do (request smuggling, RFC 9112
                 * 6.1). Refused, and the connection closed. */
                if (header(c, MHD_HTTP_HEADER_TRANSFER_ENCODING) &&
                    header(c, MHD_HTTP_HEADER_CONTENT_LENGTH))
                        return MHD_queue_response(c, MHD_HTTP_BAD_REQUEST, s->bad_request);
        }
        if (s->web && web_handles(url))
                return web_request(s->web, c, url, method, upload_data, upload_data_size, request);
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, s->not_allowed);
        if (!*request) {
                *request = &feed_request; /* headers in: wait for the end of the request */
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                *upload_data_size = 0; /* a body to a GET means nothing: drop it */
                return MHD_YES;
        }
        d = feed_snapshot_find(s->snapshot, url);
        if (!d)
                return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, s->not_found);
        if (d->ok[FEED_GZIP] && http_accepts_gzip(header(c, "Accept-Encoding")))
                coding = FEED_GZIP;
        if (not_modified(c, d))
                return MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, d->not_modified[coding]);
        return queue_ok(c, method, d, coding, request);
}

/* A short text answer, with one more header when name is not NULL. */
static struct MHD_Response *plain_response(const char *text, const char *name, const char *value) {
        struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *) text,
                                                                 MHD_RESPMEM_PERSISTENT);

        if (r && (MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8") != MHD_YES ||
                  (name && MHD_add_response_header(r, name, value) != MHD_YES))) {
                MHD_destroy_response(r);
                r = NULL;
        }
        return r;
}

/* ---- libmicrohttpd in the sd-event loop ---------------------------------------- */

/* Runs the daemon, then arms what must wake it next: libmicrohttpd's own
 * epoll fd is watched as one IO source; its timeout (idle connections to
 * close) is one timer; and "run again now" (data already buffered, which
 * edge-triggered epoll will not report again) is one deferred source. */
static int run(struct listener *l) {
        MHD_UNSIGNED_LONG_LONG ms;
        uint64_t now;

        MHD_run(l->daemon);
        if (MHD_get_timeout(l->daemon, &ms) != MHD_YES)
                return sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
        if (ms == 0)
                return sd_event_source_set_enabled(l->again, SD_EVENT_ONESHOT);
        if (sd_event_now(l->server->event, CLOCK_MONOTONIC, &now) < 0)
                return 0;
        if (sd_event_source_set_time(l->timer, now + (uint64_t) ms * 1000) < 0)
                return 0;
        return sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        (void) src, (void) fd, (void) revents;
        run(userdata);
        return 0;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        (void) src, (void) usec;
        run(userdata);
        return 0;
}

static int on_again(sd_event_source *src, void *userdata) {
        (void) src;
        run(userdata);
        return 0;
}

/* A request ended: its connection waits for the next one's headers, its
 * socket is uncorked, and a page's request frees what it kept (a feed's
 * request keeps nothing). */
static void on_completed(void *cls, struct MHD_Connection *c, void **request,
                         enum MHD_RequestTerminationCode code) {
        struct feed_server *s = cls;

        request_deadline_on_completed(s->deadline, c, request, code);
        if (*request == &corked_request)
                set_cork(c, 0);
        else if (*request && *request != &feed_request)
                web_request_done(*request);
        *request = NULL;
}

/* libmicrohttpd's own percent-decoding, except that a path with an encoded
 * NUL ("/ledger.ics%00.html") names nothing, rather than what comes before
 * the NUL. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
        (void) cls, (void) c;
        if (strstr(s, "%00")) {
                s[0] = '\0';
                return 0;
        }
        return MHD_http_unescape(s);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
        char line[512];
        size_t n;

        (void) cls;
        vsnprintf(line, sizeof line, fmt, ap);
        n = strlen(line);
        while (n > 0 && line[n - 1] == '\n')
                line[--n] = '\0';
        /* Bad requests from the network are no news: debug only. */
        log_debug("http: %s", line);
}

static int watch(struct listener *l) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_EPOLL_FD);
        sd_event *e = l->server->event;
        int r;

        if (!info)
                return -EINVAL;
        r = sd_event_add_io(e, &l->io, info->epoll_fd, EPOLLIN, on_io, l);
        if (r >= 0)
                r = sd_event_add_time(e, &l->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000 * 1000, on_timer,
                                      l);
        if (r >= 0)
                r = sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_defer(e, &l->again, on_again, l);
        if (r >= 0)
                r = sd_event_source_set_enabled(l->again, SD_EVENT_OFF);
        if (r >= 0) {
                sd_event_source_set_description(l->io, "http");
                sd_event_source_set_description(l->timer, "http-timeout");
        }
        return r;
}

/* fd: a listening socket, non-blocking; libmicrohttpd owns it from here. */
static int listener_start(struct feed_server *s, int fd, struct listener *l) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;

        l->server = s;
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0 ||
            netaddr_format((struct sockaddr *) &ss, l->address) < 0)
                snprintf(l->address, sizeof l->address, "fd %d", fd);
        l->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                     on_request, s,
                                     MHD_OPTION_LISTEN_SOCKET, fd,
                                     MHD_OPTION_NOTIFY_CONNECTION, request_deadline_on_connection,
                                     s->deadline,
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                     MHD_OPTION_CONNECTION_LIMIT, (unsigned) FEED_CONNECTIONS_MAX,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                     (unsigned) FEED_CONNECTIONS_PER_IP,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) FEED_CONNECTION_TIMEOUT,
                                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) FEED_REQUEST_MEMORY,
                                     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                     MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int) 1,
                                     MHD_OPTION_END);
        if (!l->daemon) {
                close(fd);
                return log_error_errno(EINVAL, "http: cannot serve on %s: libmicrohttpd refused the socket",
                                       l->address);
        }
        return watch(l);
}

static void listener_stop(struct listener *l) {
        l->io = sd_event_source_disable_unref(l->io);
        l->timer = sd_event_source_disable_unref(l->timer);
        l->again = sd_event_source_disable_unref(l->again);
        if (l->daemon)
                MHD_stop_daemon(l->daemon);
        l->daemon = NULL;
}

/* ---- sockets ------------------------------------------------------------------- */

static int bind_address(const char *address) {
        struct sockaddr_storage ss;
        socklen_t len;
        int fd, one = 1;

        if (netaddr_parse(address, &ss, &len) < 0)
                return -EINVAL;
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* [::]:8080 beside 0.0.0.0:8080: each only its own family. */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            (ss.ss_family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
            bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
                int err = errno;

                close(fd);
                return -err;
        }
        return fd;
}

/* The sockets of ledgerd.socket: every listening stream socket passed. */
static size_t activated_sockets(int *fds, size_t max) {
        int n = sd_listen_fds(1);
        size_t found = 0;

        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n && found < max; fd++) {
                if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
                        log_warning("http: passed file descriptor %d is not a listening stream "
                                    "socket: ignored", fd);
                        continue;
                }
                if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
                    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                        log_warning_errno(errno, "http: fd %d: cannot make it non-blocking: %m", fd);
                fds[found++] = fd;
        }
        return found;
}

/* Every address of feed.listen, or none: an address that cannot be bound
 * (taken, not ours) fails the start, as it does for nginx, rather than
 * leaving the feeds silently unserved. -errno with the reason logged. */
static int bound_sockets(char *const *listen, size_t n_listen, int *fds) {
        for (size_t i = 0; i < n_listen; i++) {
                int fd = bind_address(listen[i]);

                if (fd < 0) {
                        for (size_t j = 0; j < i; j++)
                                close(fds[j]);
                        return log_error_errno(fd, "http: cannot listen on %s (feed.listen): %m",
                                               listen[i]);
                }
                fds[i] = fd;
        }
        return (int) n_listen;
}

/* Each connection is a file descriptor, and each large feed's response
 * holds one: raise the soft limit (systemd's default is 1024) towards the
 * hard one. Nothing here uses select(), which such numbers would break. */
static void raise_fd_limit(void) {
        struct rlimit rl;
        rlim_t want = 65536;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
                return;
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning_errno(errno, "http: cannot raise the file descriptor limit: %m");
}

static int start_listeners(struct feed_server *s, const int *fds, size_t n) {
        s->listeners = calloc(n, sizeof *s->listeners);
        if (!s->listeners) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return -ENOMEM;
        }
        raise_fd_limit();
        for (size_t i = 0; i < n; i++) {
                int r = listener_start(s, fds[i], &s->listeners[s->n_listeners]);

                if (r < 0) {
                        listener_stop(&s->listeners[s->n_listeners]);
                        for (size_t j = i + 1; j < n; j++)
                                close(fds[j]);
                        return r;
                }
                log_info("serving calendar feeds on http://%s", s->listeners[s->n_listeners].address);
                s->n_listeners++;
        }
        return 0;
}

DEFINE_CLEANUP_FUNC(struct feed_server, feed_server_free)

int feed_server_start(sd_event *event, char *const *listen, size_t n_listen, struct web *web,
                      struct feed_server **out) {
        int fds[FEED_LISTEN_MAX];
        size_t n = activated_sockets(fds, FEED_LISTEN_MAX);
        _cleanup_(feed_server_freep) struct feed_server *s = NULL;
        int r;

        *out = NULL;
        if (n > 0 && n_listen > 0)
                log_info("http: listening on the %zu socket%s systemd passed; feed.listen is not "
                         "used", n, n == 1 ? "" : "s");
        if (n == 0 && n_listen > FEED_LISTEN_MAX)
                return log_error_errno(E2BIG, "http: feed.listen names more than %d addresses",
                                       FEED_LISTEN_MAX);
        if (n == 0 && (r = bound_sockets(listen, n_listen, fds)) < 0)
                return r;
        if (n == 0)
                n = n_listen;
        if (n == 0)
                return 0;
        s = calloc(1, sizeof *s);
        if (s) {
                s->event = sd_event_ref(event);
                s->web = web;
                s->not_found = plain_response("Not Found\n", NULL, NULL);
                s->not_allowed = plain_response("Method Not Allowed\n", MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
                s->bad_request = plain_response("Bad Request\n", MHD_HTTP_HEADER_CONNECTION, "close");
        }
        if (!s || !s->not_found || !s->not_allowed || !s->bad_request ||
            request_deadline_new(event, FEED_HEADERS_DEADLINE, &s->deadline) < 0) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return -ENOMEM;
        }
        /* sendfile(2) has no MSG_NOSIGNAL: a client that goes away mid-feed
         * must cost an EPIPE, not the process. libmicrohttpd uses sendfile
         * only when told SIGPIPE is taken care of. */
        signal(SIGPIPE, SIG_IGN);
        r = start_listeners(s, fds, n);
        if (r < 0)
                return r;
        *out = TAKE_PTR(s);
        return 0;
}

void feed_server_free(struct feed_server *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_listeners; i++)
                listener_stop(&s->listeners[i]);
        free(s->listeners);
        if (s->not_found)
                MHD_destroy_response(s->not_found);
        if (s->not_allowed)
                MHD_destroy_response(s->not_allowed);
        if (s->bad_request)
                MHD_destroy_response(s->bad_request);
        request_deadline_free(s->deadline);
        feed_snapshot_unref(s->snapshot);
        sd_event_unref(s->event);
        free(s);
}

void feed_server_set_snapshot(struct feed_server *s, struct feed_snapshot *snap) {
        struct feed_snapshot *old = s->snapshot;

        s->snapshot = feed_snapshot_ref(snap);
        feed_snapshot_unref(old);
}

const char *feed_server_address(const struct feed_server *s, size_t i) {
        return s && i < s->n_listeners ? s->listeners[i].address : NULL;
}
