/* SPDX-License-Identifier: MIT */
#pragma once

/* Work that would hold the event loop too long (rendering 100,000 events,
 * reading a large ledger) done on a thread of its own, its end told to the
 * loop: the loop goes on answering the bus and HTTP clients meanwhile. The
 * work must not touch what the loop changes; over() runs on the loop's
 * thread, after the work, and may free the job. */

#include <systemd/sd-event.h>

struct background;

typedef void (*background_fn)(void *userdata);

/* Starts work(userdata) on a thread; over(userdata) is called from the loop
 * once it is done. 0 and *out, or -errno (nothing started). */
int background_start(sd_event *event, const char *name, background_fn work, background_fn over,
                     void *userdata, struct background **out);
/* Waits for the work if it still runs (then over is not called), and frees
 * the job. NULL is fine. */
void background_free(struct background *b);
