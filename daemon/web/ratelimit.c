/* SPDX-License-Identifier: MIT */
#include "web/ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define ADDRESS_MAX 64

struct bucket {
        char address[ADDRESS_MAX]; /* "" when free */
        double tokens;
        time_t seen;
};

struct ratelimit {
        struct bucket buckets[RATELIMIT_ADDRESSES];
};

struct ratelimit *ratelimit_new(void) {
        return calloc(1, sizeof(struct ratelimit));
}

void ratelimit_free(struct ratelimit *r) {
        free(r);
}

/* The address's bucket, or the one to give it: a free one, else the one
 * seen longest ago. A linear pass over a thousand: cheap next to a page. */
static struct bucket *bucket_of(struct ratelimit *r, const char *address, bool *fresh) {
        struct bucket *oldest = &r->buckets[0];

        for (size_t i = 0; i < RATELIMIT_ADDRESSES; i++) {
                struct bucket *b = &r->buckets[i];

                if (strcmp(b->address, address) == 0) {
                        *fresh = false;
                        return b;
                }
                if (!b->address[0] || (oldest->address[0] && b->seen < oldest->seen))
                        oldest = b;
        }
        *fresh = true;
        return oldest;
}

bool ratelimit_take(struct ratelimit *r, const char *address, time_t now) {
        bool fresh;
        struct bucket *b = bucket_of(r, address, &fresh);

        if (fresh) {
                strncpy(b->address, address, ADDRESS_MAX - 1);
                b->address[ADDRESS_MAX - 1] = '\0';
                b->tokens = RATELIMIT_BURST;
        } else if (now > b->seen) {
                b->tokens += (double) (now - b->seen) * RATELIMIT_PER_MINUTE / 60.0;
                if (b->tokens > RATELIMIT_BURST)
                        b->tokens = RATELIMIT_BURST;
        }
        b->seen = now > b->seen ? now : b->seen;
        if (b->tokens < 1.0)
                return false;
        b->tokens -= 1.0;
        return true;
}
