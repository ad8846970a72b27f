/* SPDX-License-Identifier: MIT */
#include "feeds/render-job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "common/background.h"
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
        struct background *thread;
        struct feed_snapshot *result; /* the thread's, until it is over */
        int r;
};

static void render(void *userdata) {
        struct render_job *j = userdata;

        j->r = feed_snapshot_build(&j->build, &j->result);
}

static void rendered(void *userdata) {
        struct render_job *j = userdata;
        struct feed_snapshot *snap = j->result;

        j->result = NULL;
        if (snap)
                feed_snapshot_hold_config(snap, j->config); /* here, on the loop */
        j->done(j, snap, snap ? 0 : j->r < 0 ? j->r : -EIO, j->userdata);
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

DEFINE_CLEANUP_FUNC(struct render_job, render_job_free)

int render_job_start(sd_event *event, const struct feed_build *b, const struct config *config,
                     struct marks_frozen *marks, render_done_fn done, void *userdata,
                     struct render_job **out) {
        _cleanup_(render_job_freep) struct render_job *j = calloc(1, sizeof *j);
        int r;

        if (!j)
                return -ENOMEM;
        *j = (struct render_job) { .done = done, .userdata = userdata };
        r = copy_inputs(j, b);
        if (r < 0)
                return r;
        /* All the thread reads is in place before it starts. */
        j->config = config_ref(config);
        j->marks = marks;
        j->build.marks = marks;
        r = background_start(event, "feed-render", render, rendered, j, &j->thread);
        if (r < 0) {
                j->marks = NULL; /* the caller's again */
                return r;
        }
        *out = TAKE_PTR(j);
        return 0;
}

void render_job_free(struct render_job *j) {
        if (!j)
                return;
        background_free(j->thread); /* waits for a render under way */
        feed_snapshot_unref(j->result);
        feed_snapshot_unref(j->previous);
        marks_frozen_free(j->marks);
        config_unref(j->config);
        free(j->state_path);
        free(j->base_url);
        free(j);
}
