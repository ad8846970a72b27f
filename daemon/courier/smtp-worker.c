/* SPDX-License-Identifier: MIT */
#include "courier/smtp-worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "basic/threads.h"

struct job {
        CURL *easy;
        curl_done_fn done;
        curl_abort_fn abort_fn;
        void *userdata;
        CURLcode result;
        struct job *next;
};

struct list {
        struct job *first, **end;
};

struct smtp_worker {
        /* The loop's thread only. */
        sd_event_source *source; /* the eventfd: results are waiting */
        int efd;
        size_t pending;
        bool started;
        pthread_t thread;

        /* The worker's thread only. */
        CURLSH *share; /* the connection cache; NULL: no connection kept */

        pthread_mutex_t lock; /* guards everything below */
        pthread_cond_t wake;  /* to the worker: a job, or stop */
        pthread_cond_t gone;  /* to the loop: the worker is done */
        struct list queue, finished;
        bool running, stopping, exited;
        unsigned idle_ms;
        struct timespec idle_until; /* when the connection kept is closed */
        /* The worker's sockets, for cut(): opened and closed under the
         * lock, so that a shutdown() never hits an fd number reused. */
        curl_socket_t *sockets;
        size_t n_sockets, cap_sockets;
        atomic_bool cut; /* read by the progress callback without the lock */
};

static void list_init(struct list *l) {
        l->first = NULL;
        l->end = &l->first;
}

static void list_push(struct list *l, struct job *j) {
        j->next = NULL;
        *l->end = j;
        l->end = &j->next;
}

static struct job *list_pop(struct list *l) {
        struct job *j = l->first;

        if (j) {
                l->first = j->next;
                if (!l->first)
                        l->end = &l->first;
        }
        return j;
}

static struct timespec deadline_in(unsigned ms) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_sec += ms / 1000;
        t.tv_nsec += (long) (ms % 1000) * 1000000;
        if (t.tv_nsec >= 1000000000) {
                t.tv_sec++;
                t.tv_nsec -= 1000000000;
        }
        return t;
}

/* With the lock held. Makes whatever the worker does with the network end
 * now: the blocking waits of libcurl's SMTP client poll the socket and call
 * the progress callback only once a second; a socket shut down wakes them at
 * once, and a new one is refused. */
static void cut(struct smtp_worker *w) {
        atomic_store(&w->cut, true);
        for (size_t i = 0; i < w->n_sockets; i++)
                shutdown(w->sockets[i], SHUT_RDWR);
}

static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        struct smtp_worker *w = clientp;

        (void) dltotal;
        (void) dlnow;
        (void) ultotal;
        (void) ulnow;
        return atomic_load(&w->cut) ? 1 : 0;
}

static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a) {
        struct smtp_worker *w = clientp;
        curl_socket_t s = CURL_SOCKET_BAD;

        (void) purpose;
        pthread_mutex_lock(&w->lock);
        if (w->n_sockets == w->cap_sockets) {
                size_t cap = w->cap_sockets ? 2 * w->cap_sockets : 4;
                curl_socket_t *b = realloc(w->sockets, cap * sizeof *b);

                if (b)
                        w->sockets = b, w->cap_sockets = cap;
        }
        if (!atomic_load(&w->cut) && w->n_sockets < w->cap_sockets) {
                s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
                if (s != CURL_SOCKET_BAD)
                        w->sockets[w->n_sockets++] = s;
        }
        pthread_mutex_unlock(&w->lock);
        return s;
}

static int on_close_socket(void *clientp, curl_socket_t s) {
        struct smtp_worker *w = clientp;
        int r;

        pthread_mutex_lock(&w->lock);
        for (size_t i = 0; i < w->n_sockets; i++)
                if (w->sockets[i] == s) {
                        w->sockets[i] = w->sockets[--w->n_sockets];
                        break;
                }
        r = close(s);
        pthread_mutex_unlock(&w->lock);
        return r < 0 ? 1 : 0;
}

/* The DNS cache and TLS sessions too: a reconnection resumes its session.
 * No lock functions: only the worker's thread ever uses it. */
static CURLSH *share_new(void) {
        static const curl_lock_data shared[] = { CURL_LOCK_DATA_CONNECT, CURL_LOCK_DATA_DNS,
                                                 CURL_LOCK_DATA_SSL_SESSION };
        CURLSH *s = curl_share_init();

        for (size_t i = 0; s && i < sizeof shared / sizeof *shared; i++)
                if (curl_share_setopt(s, CURLSHOPT_SHARE, shared[i]) != CURLSHE_OK) {
                        curl_share_cleanup(s);
                        s = NULL;
                }
        return s;
}

/* On the worker's thread, with the lock released. Closes the connection
 * kept, saying QUIT and waiting for the answer: libcurl does, blocking, for
 * at most the server response timeout the transfers gave, unless cut() is
 * called meanwhile. */
static void close_connections(struct smtp_worker *w) {
        if (!w->share)
                return;
        curl_share_cleanup(w->share);
        w->share = NULL;
}

/* On the worker's thread, with the lock released. Without a share (out of
 * memory) the transfer runs all the same, with a connection of its own. */
static CURLcode perform(struct smtp_worker *w, CURL *e) {
        CURLcode r;

        if (!w->share)
                w->share = share_new();
        curl_easy_setopt(e, CURLOPT_SHARE, w->share);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, w);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, w);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, w);
        r = curl_easy_perform(e);
        /* The connection stays in the share; the handle, going back to the
         * loop's thread, must not reach it from there. */
        curl_easy_setopt(e, CURLOPT_SHARE, NULL);
        return r;
}

/* With the lock held: waits for a job or the order to stop, closing the
 * connection kept once it has idled long enough. */
static void wait_for_work(struct smtp_worker *w) {
        if (!w->share) {
                pthread_cond_wait(&w->wake, &w->lock);
                return;
        }
        if (pthread_cond_timedwait(&w->wake, &w->lock, &w->idle_until) != ETIMEDOUT ||
            w->queue.first || w->stopping)
                return;
        pthread_mutex_unlock(&w->lock);
        close_connections(w);
        pthread_mutex_lock(&w->lock);
}

static void notify(struct smtp_worker *w) {
        uint64_t one = 1;

        /* Cannot fail short of a counter near 2^64: the loop reads it. */
        (void) !write(w->efd, &one, sizeof one);
}

static void *worker_main(void *userdata) {
        struct smtp_worker *w = userdata;

        pthread_mutex_lock(&w->lock);
        while (!w->stopping) {
                struct job *j = list_pop(&w->queue);

                if (!j) {
                        wait_for_work(w);
                        continue;
                }
                w->running = true;
                pthread_mutex_unlock(&w->lock);
                j->result = perform(w, j->easy);
                pthread_mutex_lock(&w->lock);
                w->running = false;
                w->idle_until = deadline_in(w->idle_ms);
                list_push(&w->finished, j);
                notify(w);
        }
        pthread_mutex_unlock(&w->lock);
        close_connections(w);
        pthread_mutex_lock(&w->lock);
        w->exited = true;
        pthread_cond_signal(&w->gone);
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* On the loop's thread: hands the finished transfers to their callbacks,
 * without the lock (a callback may well add the next transfer). */
static int on_results(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct smtp_worker *w = userdata;
        struct list done;
        uint64_t n;
        struct job *j;

        (void) s;
        (void) revents;
        (void) !read(fd, &n, sizeof n);
        pthread_mutex_lock(&w->lock);
        done = w->finished;
        list_init(&w->finished);
        pthread_mutex_unlock(&w->lock);
        while ((j = list_pop(&done))) {
                w->pending--;
                j->done(j->easy, j->result, j->userdata);
                free(j);
        }
        return 0;
}

int smtp_worker_new(sd_event *event, struct smtp_worker **out) {
        struct smtp_worker *w = calloc(1, sizeof *w);
        pthread_condattr_t attr;
        int r;

        *out = NULL;
        if (!w)
                return -ENOMEM;
        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->efd < 0) {
                r = -errno;
                free(w);
                return r;
        }
        r = sd_event_add_io(event, &w->source, w->efd, EPOLLIN, on_results, w);
        if (r < 0) {
                close(w->efd);
                free(w);
                return r;
        }
        sd_event_source_set_io_fd_own(w->source, 1);
        /* The idle deadline is on the monotonic clock, like the loop's. */
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&w->wake, &attr);
        pthread_cond_init(&w->gone, &attr);
        pthread_condattr_destroy(&attr);
        pthread_mutex_init(&w->lock, NULL);
        list_init(&w->queue);
        list_init(&w->finished);
        w->idle_ms = SMTP_WORKER_IDLE_MS;
        atomic_init(&w->cut, false);
        *out = w;
        return 0;
}

/* With every signal blocked: a signal for the daemon must reach its loop's
 * signalfd, not end the process from here. */
static int start(struct smtp_worker *w) {
        int r = threads_start(&w->thread, worker_main, w);

        if (r < 0)
                return r;
        w->started = true;
        return 0;
}

int smtp_worker_add(struct smtp_worker *w, CURL *easy, curl_done_fn done, curl_abort_fn abort_fn,
                    void *userdata) {
        struct job *j = calloc(1, sizeof *j);
        int r;

        if (!j)
                return -ENOMEM;
        *j = (struct job) { .easy = easy, .done = done, .abort_fn = abort_fn,
                            .userdata = userdata };
        if (!w->started) {
                r = start(w);
                if (r < 0) {
                        free(j);
                        return r;
                }
        }
        pthread_mutex_lock(&w->lock);
        list_push(&w->queue, j);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        w->pending++;
        return 0;
}

/* A running transfer is cut at once: it has to end without its answer
 * anyway. An idle connection gets a moment for its QUIT. */
static void stop(struct smtp_worker *w) {
        struct timespec grace = deadline_in(SMTP_WORKER_QUIT_GRACE_MS);

        pthread_mutex_lock(&w->lock);
        w->stopping = true;
        pthread_cond_signal(&w->wake);
        if (w->running)
                cut(w);
        while (!w->exited && !atomic_load(&w->cut))
                if (pthread_cond_timedwait(&w->gone, &w->lock, &grace) == ETIMEDOUT)
                        cut(w);
        while (!w->exited)
                pthread_cond_wait(&w->gone, &w->lock);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
}

static void abort_all(struct list *l) {
        struct job *j;

        while ((j = list_pop(l))) {
                curl_easy_cleanup(j->easy);
                if (j->abort_fn)
                        j->abort_fn(j->userdata);
                free(j);
        }
}

void smtp_worker_free(struct smtp_worker *w) {
        if (!w)
                return;
        if (w->started)
                stop(w);
        /* The thread is gone: what it never started, and what it finished
         * that the loop did not see yet. */
        abort_all(&w->queue);
        abort_all(&w->finished);
        sd_event_source_disable_unref(w->source);
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->gone);
        pthread_mutex_destroy(&w->lock);
        free(w->sockets);
        free(w);
}

size_t smtp_worker_pending(const struct smtp_worker *w) {
        return w->pending;
}

void smtp_worker_set_idle(struct smtp_worker *w, unsigned ms) {
        pthread_mutex_lock(&w->lock);
        w->idle_ms = ms;
        pthread_mutex_unlock(&w->lock);
}
