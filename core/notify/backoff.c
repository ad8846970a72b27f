/* SPDX-License-Identifier: MIT */
#include "notify/backoff.h"

/* min(cap, base·2^(tries-1)), without overflowing for many tries. */
static long ceiling(const struct backoff_policy *p, unsigned tries) {
        long c = p->base > 0 ? p->base : 1;

        for (unsigned i = 1; i < tries && c < p->cap; i++)
                c = c > p->cap / 2 ? p->cap : c * 2;
        return c < p->cap ? c : p->cap > 0 ? p->cap : 1;
}

/* Full jitter spreads the retries of many deliveries that failed together
 * over the whole window, so they do not hit the peer again all at once; at
 * least one second, so a failing peer is never hammered in a loop. */
long backoff_delay(const struct backoff_policy *p, unsigned tries, long hint, uint64_t random) {
        long c = ceiling(p, tries), d = 1 + (long) (random % (uint64_t) c);

        return hint > d ? hint : d;
}

bool backoff_next(const struct backoff_policy *p, unsigned tries, long hint, time_t first,
                  time_t now, uint64_t random, time_t *next) {
        time_t deadline = first + p->max_age;
        long d = backoff_delay(p, tries, hint, random);

        if (now >= deadline || hint > deadline - now)
                return false;
        *next = d < deadline - now ? now + d : deadline;
        return true;
}
