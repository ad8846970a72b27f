/* SPDX-License-Identifier: MIT */
#pragma once

/* How many requests one client address may make to the pages of links: a
 * bucket of RATELIMIT_BURST requests per address, refilled at
 * RATELIMIT_PER_MINUTE a minute. Enough for a person pressing buttons,
 * far too few to guess a token. The table holds RATELIMIT_ADDRESSES
 * addresses; a new one replaces the one seen longest ago. */

#include <stdbool.h>
#include <time.h>

#define RATELIMIT_BURST 30
#define RATELIMIT_PER_MINUTE 30
#define RATELIMIT_ADDRESSES 1024

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *r);
/* Takes one request for address at now: false when its bucket is empty. */
bool ratelimit_take(struct ratelimit *r, const char *address, time_t now);
