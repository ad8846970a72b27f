/* SPDX-License-Identifier: MIT */
#include "common/background.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "basic/threads.h"

struct background {
        background_fn work, over;
        void *userdata;
        pthread_t thread;
        bool running;
        int efd; /* written by the thread when the work is done */
        sd_event_source *done;
};

static void *run(void *arg) {
        struct background *b = arg;
        uint64_t one = 1;

        threads_yield_to_loop();
        b->work(b->userdata);
        /* What the work wrote is visible to the loop after this write. */
        if (write(b->efd, &one, sizeof one) < 0)
                abort(); /* one write cannot overflow an eventfd's counter */
        return NULL;
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct background *b = userdata;
        uint64_t n;

        (void) s, (void) revents;
        if (read(fd, &n, sizeof n) < 0)
                return 0; /* not yet */
        pthread_join(b->thread, NULL);
        b->running = false;
        sd_event_source_set_enabled(b->done, SD_EVENT_OFF);
        b->over(b->userdata); /* may free b */
        return 0;
}

int background_start(sd_event *event, const char *name, background_fn work, background_fn over,
                     void *userdata, struct background **out) {
        struct background *b = calloc(1, sizeof *b);
        int r;

        if (!b)
                return -ENOMEM;
        *b = (struct background) { .work = work, .over = over, .userdata = userdata };
        b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        r = b->efd < 0 ? -errno : sd_event_add_io(event, &b->done, b->efd, EPOLLIN, on_done, b);
        if (r >= 0) {
                sd_event_source_set_description(b->done, name);
                r = threads_start(&b->thread, run, b);
        }
        if (r < 0) {
                background_free(b);
                return r;
        }
        b->running = true;
        *out = b;
        return 0;
}

void background_free(struct background *b) {
        if (!b)
                return;
        if (b->running)
                pthread_join(b->thread, NULL);
        sd_event_source_disable_unref(b->done);
        if (b->efd >= 0)
                close(b->efd);
        free(b);
}
