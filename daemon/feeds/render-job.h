/* SPDX-License-Identifier: MIT */
#pragma once

/* One render of every feed, on a thread of its own, so that the event loop
 * goes on answering the bus and the HTTP clients meanwhile (100,000
 * milestones take seconds). What the render reads is its own for its whole
 * life: a reference to the configuration (a reload may replace the
 * service's meanwhile), the marks frozen at its start, copies of its
 * strings, and a reference to the previous snapshot. When it is over, done
 * is called from the event loop. */

#include <systemd/sd-event.h>

#include "feeds/feed-snapshot.h"

struct config;
struct marks_frozen;
struct render_job;

/* snap: the new snapshot (one reference, the callee's), or NULL with r < 0
 * (the reason logged). job may be freed from here. */
typedef void (*render_done_fn)(struct render_job *job, struct feed_snapshot *snap, int r,
                               void *userdata);

/* Starts rendering what b says. The job takes a reference to config (b's),
 * takes marks (freed with the job), and copies b's strings; b->stamps must
 * live until done. 0 and *out, or -errno (then nothing was taken: the
 * caller still frees marks). */
int render_job_start(sd_event *event, const struct feed_build *b, const struct config *config,
                     struct marks_frozen *marks, render_done_fn done, void *userdata,
                     struct render_job **out);
/* Waits for the thread if it still runs (its result is dropped), and frees
 * the job. NULL is fine. */
void render_job_free(struct render_job *job);
