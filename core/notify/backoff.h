/* SPDX-License-Identifier: MIT */
#pragma once

/* When to try a failed delivery again: exponential backoff with full jitter
 * (a uniformly random wait up to base·2^(tries-1), capped), never sooner than
 * the peer asked, and no try later than max_age after the first. The random
 * number is passed in, so the schedule is a pure function and tests are
 * deterministic; the daemon passes getrandom() or random() bits. */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct backoff_policy {
        long base;    /* seconds: the longest first wait (5) */
        long cap;     /* seconds: the longest wait between two tries (1 h) */
        long max_age; /* seconds after the first try to give up (3 days) */
};

/* Up to 5 s, then up to 10 s, 20 s, … and at most an hour between tries, since
 * a reminder is worth less the later it comes; for up to 3 days, the default
 * catch-up window. */
#define BACKOFF_DEFAULTS \
        ((struct backoff_policy) { .base = 5, .cap = 3600, .max_age = 3 * 86400 })

/* tries: how many tries have failed so far (>= 1). hint: the seconds the peer
 * asked to wait (Retry-After, a rate-limit code), 0 for none. first: when the
 * first try was made. Sets *next to when to try again and returns true; or
 * returns false when the delivery should be given up: max_age has passed, or
 * the peer's hint reaches past it. A wait that would end past max_age is
 * shortened so that one last try comes exactly at first + max_age. */
bool backoff_next(const struct backoff_policy *p, unsigned tries, long hint, time_t first,
                  time_t now, uint64_t random, time_t *next);

/* The wait alone, without the age limit: a value in [1, min(cap, base·2^(tries-1))],
 * raised to the hint. */
long backoff_delay(const struct backoff_policy *p, unsigned tries, long hint, uint64_t random);
