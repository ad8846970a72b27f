/* SPDX-License-Identifier: MIT */
#pragma once

/* Tells when the wall clock is set (by an administrator, NTP stepping it, or
 * a resume that corrects it): a timerfd armed with TFD_TIMER_CANCEL_ON_SET
 * at the end of time reads ECANCELED whenever CLOCK_REALTIME jumps. The
 * public sd-event of systemd 252 has no such source. */

#include <systemd/sd-event.h>

typedef int (*clock_changed_fn)(void *userdata);

int clock_watch_start(sd_event *e, clock_changed_fn fn, void *userdata);
