/* SPDX-License-Identifier: MIT */
#pragma once

/* The links a reminder carries and the owner's page shows: 已完成 (done),
 * 推迟 1, 3 or 7 days (snooze), and 查看 (the owner's page), each a signed
 * token (http/link.h) under feed.base_url:
 *
 *     <base_url>/act/<token>   a page that says what will happen, with one
 *                              button; only its POST changes anything
 *     <base_url>/me/<token>    the owner's page
 *
 * A link for a milestone lasts until the end of its overdue notices for
 * that owner (or a week after the due date when it has none), and stops
 * working once the milestone is marked done or reopened after it was made:
 * its generation (link_generation()) is part of what is signed. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http/link.h"

struct config;
struct marks;
struct milestone;
struct owner;

/* Where the links point and what signs them. */
struct links {
        const struct config *config;
        const struct marks *marks;
        const uint8_t *key;   /* LINK_KEY_SIZE bytes */
        /* The same made ready, for the many tokens of a burst; NULL: key. */
        const struct hmac_sha256_key *ready;
        const char *base_url; /* feed.base_url; NULL: no links at all */
};

#define LINKS_URL_MAX (LINK_TOKEN_MAX + 256)

/* The links of one milestone for one owner. */
struct milestone_links {
        char done[LINKS_URL_MAX];
        char snooze[3][LINKS_URL_MAX]; /* 1, 3, 7 days */
        char page[LINKS_URL_MAX];      /* the owner's page */
        const struct owner *owner;     /* whose links these are */
        time_t expires;                /* when they stop working */
};

/* The days of the snooze links, in order. */
extern const unsigned links_snooze_days[3];

/* What a link for the milestone checks against now: the number of its
 * last done or reopen mark (state_mark.event); 0 when it never had one. */
int64_t link_generation(const struct marks *mk, const struct milestone *ms);

/* When the links of ms for o stop working. */
time_t links_expiry(const struct config *c, const struct milestone *ms, const struct owner *o);

/* 0 and *out; -ENODATA without a base_url (no links); -errno. before, when
 * not NULL, holds links made earlier: its page link is taken when it is the
 * same owner's until the same time, as in most of a digest's items, rather
 * than signed again. */
int links_for_milestone(const struct links *l, const struct milestone *ms, const struct owner *o,
                        const struct milestone_links *before, struct milestone_links *out);
/* The owner's page, valid until expires. */
int links_page(const struct links *l, const struct owner *o, time_t expires,
               char out[LINKS_URL_MAX]);
/* The token part of a URL made here, for tests and logs: "<base>/act/T". */
const char *links_token_of(const char *url);
