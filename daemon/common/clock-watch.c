/* SPDX-License-Identifier: MIT */
#include "common/clock-watch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct clock_watch {
        clock_changed_fn fn;
        void *userdata;
};

static int arm(int fd) {
        /* Far in the future: it never fires, it only gets cancelled. */
        struct itimerspec its = { .it_value = { .tv_sec = (time_t) INT32_MAX * 2 } };

        return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0
                       ? -errno
                       : 0;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct clock_watch *w = userdata;
        uint64_t expirations;
        int r;

        (void) s;
        (void) revents;
        if (read(fd, &expirations, sizeof expirations) >= 0 || errno != ECANCELED)
                return 0;
        r = arm(fd);
        return r < 0 ? r : w->fn(w->userdata);
}

static void free_watch(void *userdata) {
        free(userdata);
}

int clock_watch_start(sd_event *e, clock_changed_fn fn, void *userdata) {
        struct clock_watch *w = calloc(1, sizeof *w);
        sd_event_source *s = NULL;
        int fd, r;

        if (!w)
                return -ENOMEM;
        *w = (struct clock_watch) { fn, userdata };
        fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0) {
                free(w);
                return -errno;
        }
        r = arm(fd);
        if (r >= 0)
                r = sd_event_add_io(e, &s, fd, EPOLLIN, on_readable, w);
        if (r < 0) {
                close(fd);
                free(w);
                return r;
        }
        /* The event loop owns the source, its fd and its state from here on. */
        sd_event_source_set_io_fd_own(s, true);
        sd_event_source_set_destroy_callback(s, free_watch);
        sd_event_source_set_floating(s, true);
        sd_event_source_unref(s);
        return 0;
}
