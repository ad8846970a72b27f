/* SPDX-License-Identifier: MIT */
#include "courier/curl-loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "basic/list.h"
#include "courier/smtp-worker.h"

/* curl's timeouts are in milliseconds; sd-event may fire this much late to
 * wake once for several sources. It never fires early. */
#define TIMER_ACCURACY_USEC 1000

struct transfer {
        CURL *easy;
        curl_done_fn done;
        curl_abort_fn abort_fn;
        void *userdata;
        struct transfer *prev, *next;
};

/* A socket curl asked us to watch; curl_multi_assign() ties it to the
 * socket, so that curl hands it back with every change. */
struct watch {
        sd_event_source *source;
        struct watch *prev, *next;
};

struct curl_loop {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer; /* made on first use, then re-armed */
        struct transfer *transfers;
        size_t n_transfers;
        struct watch *watches;
        struct smtp_worker *worker; /* made on first use */
        unsigned worker_idle_ms;    /* 0: the worker's default */
};

static bool curl_ready;

static void transfer_unlink(struct curl_loop *l, struct transfer *t) {
        LIST_REMOVE(l->transfers, t);
        l->n_transfers--;
}

static void watch_free(struct curl_loop *l, struct watch *w) {
        LIST_REMOVE(l->watches, w);
        sd_event_source_disable_unref(w->source);
        free(w);
}

/* Hands every finished transfer to its callback. Done here, after
 * curl_multi_socket_action() returned, because libcurl forbids removing a
 * handle from inside its own callbacks, and a done callback may well start
 * the next transfer. */
static void finish(struct curl_loop *l) {
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(l->multi, &left))) {
                CURL *easy = msg->easy_handle;
                CURLcode result = msg->data.result;
                struct transfer *t;
                char *p = NULL;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
                t = (struct transfer *) p;
                /* msg belongs to the handle: not to be read after this. */
                curl_multi_remove_handle(l->multi, easy);
                if (!t) {
                        curl_easy_cleanup(easy); /* not ours: cannot happen */
                        continue;
                }
                transfer_unlink(l, t);
                curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
                t->done(easy, result, t->userdata);
                free(t);
        }
}

static void act(struct curl_loop *l, curl_socket_t s, int mask) {
        int running;

        /* An error here is libcurl's own (out of memory); the transfers it
         * hit end with it and are reported by finish(). */
        (void) curl_multi_socket_action(l->multi, s, mask, &running);
        finish(l);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        int mask = 0;

        (void) s;
        if (revents & EPOLLIN)
                mask |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                mask |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                mask |= CURL_CSELECT_ERR;
        /* This very source may be freed inside: sd-event allows that. */
        act(userdata, fd, mask);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s;
        (void) usec;
        /* The source is one-shot and disabled now; curl re-arms it through
         * on_timer_change() when it still has a timeout, even the same one
         * (it forgets its last one when asked to run on a timeout). */
        act(userdata, CURL_SOCKET_TIMEOUT, 0);
        return 0;
}

static uint32_t epoll_events(int what) {
        return (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
}

static int watch_add(struct curl_loop *l, curl_socket_t s, uint32_t events) {
        struct watch *w = calloc(1, sizeof *w);

        if (!w)
                return -ENOMEM;
        /* curl closes the socket itself, after telling us CURL_POLL_REMOVE:
         * the source does not own the fd. */
        if (sd_event_add_io(l->event, &w->source, s, events, on_io, l) < 0 ||
            curl_multi_assign(l->multi, s, w) != CURLM_OK) {
                sd_event_source_disable_unref(w->source);
                free(w);
                return -ENOMEM;
        }
        LIST_PREPEND(l->watches, w);
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what from now on. */
static int on_socket_change(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
        struct curl_loop *l = userp;
        struct watch *w = socketp;
        uint32_t events = epoll_events(what);

        (void) easy;
        if (what == CURL_POLL_REMOVE) {
                if (w) {
                        curl_multi_assign(l->multi, s, NULL);
                        watch_free(l, w);
                }
                return 0;
        }
        if (!w)
                return watch_add(l, s, events) < 0 ? -1 : 0;
        if (events == 0)
                return sd_event_source_set_enabled(w->source, SD_EVENT_OFF) < 0 ? -1 : 0;
        if (sd_event_source_set_io_events(w->source, events) < 0 ||
            sd_event_source_set_enabled(w->source, SD_EVENT_ON) < 0)
                return -1;
        return 0;
}

static uint64_t monotonic_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* CURLMOPT_TIMERFUNCTION: call curl_multi_socket_action(CURL_SOCKET_TIMEOUT)
 * in timeout_ms (0: on the next turn of the loop), or never (-1). Not from
 * here: libcurl does not allow it from inside its callbacks. */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp) {
        struct curl_loop *l = userp;
        uint64_t when;

        (void) multi;
        if (timeout_ms < 0)
                return l->timer && sd_event_source_set_enabled(l->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        when = monotonic_usec() + (uint64_t) timeout_ms * 1000;
        if (!l->timer)
                return sd_event_add_time(l->event, &l->timer, CLOCK_MONOTONIC, when,
                                         TIMER_ACCURACY_USEC, on_timer, l) < 0
                               ? -1
                               : 0;
        if (sd_event_source_set_time(l->timer, when) < 0 ||
            sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

int curl_loop_new(sd_event *event, struct curl_loop **out) {
        struct curl_loop *l;

        *out = NULL;
        /* Once per process, here, before the first handle is made. */
        if (!curl_ready) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -EIO;
                curl_ready = true;
        }
        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->multi = curl_multi_init();
        if (!l->multi) {
                free(l);
                return -ENOMEM;
        }
        l->event = sd_event_ref(event);
        curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket_change);
        curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
        curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
        curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
        *out = l;
        return 0;
}

void curl_loop_free(struct curl_loop *l) {
        if (!l)
                return;
        smtp_worker_free(l->worker);
        /* The sockets watched are those of running transfers (curl stops
         * watching a connection once it idles in the cache). Cut them first:
         * libcurl ends a removed SMTP upload by sending the end of the
         * message and waiting for the answer, blocking, which would deliver
         * a message cut short, or hang on a server that does not answer (mail
         * runs on the worker, but an SMTP transfer added here would). On a
         * dead socket that fails at once. curl still closes the fds. */
        for (struct watch *w = l->watches; w; w = w->next)
                shutdown(sd_event_source_get_io_fd(w->source), SHUT_RDWR);
        while (l->transfers) {
                struct transfer *t = l->transfers;

                transfer_unlink(l, t);
                curl_multi_remove_handle(l->multi, t->easy);
                curl_easy_cleanup(t->easy);
                if (t->abort_fn)
                        t->abort_fn(t->userdata);
                free(t);
        }
        /* Closes the cached connections (SMTP says QUIT); the callbacks may
         * still run meanwhile, so l lives on until it returns. */
        curl_multi_cleanup(l->multi);
        while (l->watches)
                watch_free(l, l->watches);
        sd_event_source_disable_unref(l->timer);
        sd_event_unref(l->event);
        free(l);
}

int curl_loop_add_full(struct curl_loop *l, CURL *easy, curl_done_fn done,
                       curl_abort_fn abort_fn, void *userdata) {
        struct transfer *t = calloc(1, sizeof *t);

        if (!t)
                return -ENOMEM;
        *t = (struct transfer) { .easy = easy, .done = done, .abort_fn = abort_fn,
                                 .userdata = userdata };
        curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
        /* Starts nothing yet: libcurl asks for a timeout of 0 and the
         * transfer begins on the next turn of the loop. */
        if (curl_multi_add_handle(l->multi, easy) != CURLM_OK) {
                curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
                free(t);
                return -ENOMEM;
        }
        LIST_PREPEND(l->transfers, t);
        l->n_transfers++;
        return 0;
}

int curl_loop_add(struct curl_loop *l, CURL *easy, curl_done_fn done, void *userdata) {
        return curl_loop_add_full(l, easy, done, NULL, userdata);
}

int curl_loop_add_blocking(struct curl_loop *l, CURL *easy, curl_done_fn done,
                           curl_abort_fn abort_fn, void *userdata) {
        if (!l->worker) {
                int r = smtp_worker_new(l->event, &l->worker);

                if (r < 0)
                        return r;
                if (l->worker_idle_ms)
                        smtp_worker_set_idle(l->worker, l->worker_idle_ms);
        }
        return smtp_worker_add(l->worker, easy, done, abort_fn, userdata);
}

size_t curl_loop_running(const struct curl_loop *l) {
        return l->n_transfers + (l->worker ? smtp_worker_pending(l->worker) : 0);
}

void curl_loop_set_worker_idle(struct curl_loop *l, unsigned ms) {
        l->worker_idle_ms = ms;
        if (l->worker)
                smtp_worker_set_idle(l->worker, ms);
}
