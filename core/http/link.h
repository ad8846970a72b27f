/* SPDX-License-Identifier: MIT */
#pragma once

/* The signed links a reminder carries, so that the people reminded can
 * answer it where it reaches them: 已完成 (done), 推迟 (snooze 1, 3 or 7
 * days) for one milestone, and 查看 (the owner's page).
 *
 * A token says what it allows and for whom: the action, the ledger and the
 * milestone, the owner it was made for, when it expires, and the mark
 * generation it was made at (the number of the milestone's last done or
 * reopen, 0 when never): once the milestone is marked done, or done and
 * reopened, an older link for it no longer works. It is signed with
 * HMAC-SHA256 under a key only the service knows, so that a link for one
 * milestone or owner cannot be turned into one for another, and nobody can
 * make one.
 *
 *     token = base64url(claim) "." base64url(first 16 bytes of HMAC(key, claim))
 *     claim = "1" LF action LF ledger LF milestone LF owner LF expires LF generation
 *
 * base64url is RFC 4648's URL-safe alphabet without padding: a token is one
 * path segment, as is. Pure: the key and the time are the caller's. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "basic/hmac.h"

#define LINK_KEY_SIZE 32
/* A token and its NUL: ids are at most a few dozen bytes each. */
#define LINK_TOKEN_MAX 256
#define LINK_FIELD_MAX 64

enum link_action {
        LINK_DONE,
        LINK_SNOOZE_1,
        LINK_SNOOZE_3,
        LINK_SNOOZE_7,
        LINK_PAGE, /* the owner's page: no milestone */
        LINK_ACTION_MAX,
};

struct link_claim {
        enum link_action action;
        char ledger[LINK_FIELD_MAX], milestone[LINK_FIELD_MAX], owner[LINK_FIELD_MAX];
        time_t expires;
        int64_t generation;
};

/* Signs c into out. 0, or -EINVAL for a field with a line feed or longer
 * than LINK_FIELD_MAX - 1, or -ENOMEM. */
int link_token_make(const uint8_t key[LINK_KEY_SIZE], const struct link_claim *c,
                    char out[LINK_TOKEN_MAX]);
/* The same with the key made ready (hmac_sha256_key_init()), for many
 * tokens at once: a message's links. */
int link_token_make_keyed(const struct hmac_sha256_key *key, const struct link_claim *c,
                          char out[LINK_TOKEN_MAX]);

/* Reads and checks token: 0 and *out; -EBADMSG when it is not one of ours
 * (damaged, forged, made with another key); -ETIME when it has expired
 * (*out is filled, for the page that says so). The generation is the
 * caller's to compare. */
int link_token_read(const uint8_t key[LINK_KEY_SIZE], const char *token, time_t now,
                    struct link_claim *out);

/* "done", "snooze1", "snooze3", "snooze7", "page"; NULL for others. */
const char *link_action_name(enum link_action a);
/* The days a snooze action puts off the reminders; 0 for the others. */
unsigned link_snooze_days(enum link_action a);
