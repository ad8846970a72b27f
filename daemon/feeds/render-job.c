/* SPDX-License-Identifier: MIT */
#include "feeds/render-job.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "basic/threads.h"
#include "conf/conf.h"
#include "marks/marks.h"

struct render_job {
        struct feed_build build;
        const struct config *config;
        struct marks_frozen *marks;
        char *state_path, *base_url;
        struct feed_snapshot *previous;
        render_done_fn done;
        void *userdata;

        pthread_t thread;
        bool running;
        int efd; /* written by the thread when it is over */
        sd_event_source *over;
        struct feed_snapshot *result; /* the thread's, until it is over */
        int r;
};

static void *render_thread(void *userdata) {
        struct render_job *j = userdata;
        uint64_t one = 1;

        j->r = feed_snapshot_build(&j->build, &j->result);
        /* The loop reads result and r after this write: eventfd orders them. */
        if (write(j->efd, &one, sizeof one) < 0)
                abort(); /* an eventfd counter cannot overflow from one write */
        return NULL;
}

static int on_over(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct render_job *j = userdata;
        struct feed_snapshot *snap;
        uint64_t n;

        (void) s, (void) revents;
        if (read(fd, &n, sizeof n) < 0)
                return 0; /* spurious: the thread has not written yet */
        pthread_join(j->thread, NULL);
        j->running = false;
        snap = j->result;
        j->result = NULL;
        j->done(j, snap, snap ? 0 : j->r < 0 ? j->r : -EIO, j->userdata);
        return 0;
}

static int copy_inputs(struct render_job *j, const struct feed_build *b) {
        j->build = *b;
        j->state_path = strdup(b->state_path);
        j->base_url = b->base_url ? strdup(b->base_url) : NULL;
        if (!j->state_path || (b->base_url && !j->base_url))
                return -ENOMEM;
        j->build.state_path = j->state_path;
        j->build.base_url = j->base_url;
        j->previous = feed_snapshot_ref((struct feed_snapshot *) b->previous);
        return 0;
}

int render_job_start(sd_event *event, const struct feed_build *b, const struct config *config,
                     struct marks_frozen *marks, render_done_fn done, void *userdata,
                     struct render_job **out) {
        struct render_job *j = calloc(1, sizeof *j);
        int r;

        if (!j)
                return -ENOMEM;
        *j = (struct render_job) { .done = done, .userdata = userdata, .efd = -1 };
        r = copy_inputs(j, b);
        j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (r >= 0 && j->efd < 0)
                r = -errno;
        if (r >= 0)
                r = sd_event_add_io(event, &j->over, j->efd, EPOLLIN, on_over, j);
        if (r < 0) {
                render_job_free(j);
                return r;
        }
        sd_event_source_set_description(j->over, "feed-render-over");
        /* All the thread reads is in place before it starts. */
        j->config = config_ref(config);
        j->marks = marks;
        j->build.marks = marks;
        r = threads_start(&j->thread, render_thread, j);
        if (r < 0) {
                j->marks = NULL; /* the caller's again */
                render_job_free(j);
                return r;
        }
        j->running = true;
        *out = j;
        return 0;
}

void render_job_free(struct render_job *j) {
        if (!j)
                return;
        if (j->running)
                pthread_join(j->thread, NULL);
        feed_snapshot_unref(j->result);
        sd_event_source_disable_unref(j->over);
        if (j->efd >= 0)
                close(j->efd);
        feed_snapshot_unref(j->previous);
        marks_frozen_free(j->marks);
        config_unref(j->config);
        free(j->state_path);
        free(j->base_url);
        free(j);
}
