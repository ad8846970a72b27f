/* SPDX-License-Identifier: MIT */
#pragma once

/* The service's clock. Every part of the daemon reads the time here, so that
 * a rehearsal moves all of them at once: normally it is the system's
 * realtime clock; under --now it runs at a fixed offset from it; in unit
 * tests it may stand still, moved only by the test.
 *
 * Some times must stay real even in a rehearsal, because a peer checks
 * them against its own clock (a webhook's signature, a Date: header): those
 * read clock_real_now(). */

#include <stdint.h>
#include <time.h>

#include "ledger/date.h"

struct service_clock {
        /* --now: microseconds added to the system's clock; 0 normally. */
        int64_t offset_usec;
        /* Unit tests: the clock stands at this instant until the test moves
         * it; 0 for a clock that runs. */
        time_t frozen;
};

/* The system's realtime clock, in microseconds and in seconds. */
int64_t clock_real_usec(void);
time_t clock_real_now(void);

/* The service's time now. */
time_t clock_now(const struct service_clock *c);

/* Sets the service's clock to run from instant t on (--now). */
void clock_start_at(struct service_clock *c, time_t t);

/* The CLOCK_REALTIME microseconds at which the service's clock reaches t,
 * for an sd-event timer; kept to the microsecond, so that a shifted clock
 * reaches an instant when its second begins, as the real one does. A frozen
 * clock never reaches anything by itself: its timers are set to the end of
 * time, and the test drives the part instead. */
uint64_t clock_timer_usec(const struct service_clock *c, time_t t);

/* The local date now, in the Olson zone tz. */
day_t clock_today(const struct service_clock *c, const char *tz);
