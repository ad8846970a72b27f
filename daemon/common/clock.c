/* SPDX-License-Identifier: MIT */
#include "common/clock.h"

#include "ledger/zone.h"

int64_t clock_real_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

time_t clock_real_now(void) {
        return (time_t) (clock_real_usec() / 1000000);
}

time_t clock_now(const struct service_clock *c) {
        if (c->frozen)
                return c->frozen;
        if (c->offset_usec == 0)
                return time(NULL);
        return (time_t) ((clock_real_usec() + c->offset_usec) / 1000000);
}

void clock_start_at(struct service_clock *c, time_t t) {
        c->offset_usec = (int64_t) t * 1000000 - clock_real_usec();
        if (c->offset_usec == 0)
                c->offset_usec = 1; /* 0 means "not shifted" */
}

uint64_t clock_timer_usec(const struct service_clock *c, time_t t) {
        int64_t usec = (int64_t) t * 1000000 - c->offset_usec;

        if (c->frozen)
                return UINT64_MAX - 1; /* USEC_INFINITY would disable the source */
        return usec > 0 ? (uint64_t) usec : 1;
}

day_t clock_today(const struct service_clock *c, const char *tz) {
        day_t today = 0;

        zone_utc_to_local(tz, clock_now(c), &today, NULL);
        return today;
}
