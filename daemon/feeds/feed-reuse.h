/* SPDX-License-Identifier: MIT */
#pragma once

/* Which owners' feeds a new render may take over from the previous snapshot
 * without rendering them, and which ledgers' events the feed of everyone
 * may copy from the previous one: after a reload that changed one ledger
 * of a hundred, all but that ledger's owners and that ledger (feed-reuse.c
 * says why that is safe). Only the configurations are compared here;
 * whether the marks changed is the caller's to tell. */

#include <stdbool.h>

struct config;

/* For each owner of fresh (fresh->n_owners entries of reuse): whether its
 * feed, rendered from fresh, would read nothing that differs from what it
 * read when rendered from old. All false when in any doubt. 0, or -ENOMEM
 * (then all false too). */
int feed_reuse_owners(const struct config *old, const struct config *fresh, bool *reuse);

/* For each ledger of fresh (fresh->n_ledgers entries of reuse): whether its
 * events in the feed of everyone, rendered from fresh, would be the bytes
 * they were when rendered from old, where it is the ledger at the same
 * position. All false when in any doubt. */
void feed_reuse_ledgers(const struct config *old, const struct config *fresh, bool *reuse);
