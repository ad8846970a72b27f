/* SPDX-License-Identifier: MIT */
#pragma once

/* Which owners' feeds a new render may take over from the previous snapshot
 * without rendering them: after a reload that changed one ledger of a
 * hundred, the owners of that ledger alone (feed-reuse.c says why that is
 * safe). Only the configurations are compared here; whether the marks
 * changed is the caller's to tell. */

#include <stdbool.h>

struct config;

/* For each owner of fresh (fresh->n_owners entries of reuse): whether its
 * feed, rendered from fresh, would read nothing that differs from what it
 * read when rendered from old. All false when in any doubt. 0, or -ENOMEM
 * (then all false too). */
int feed_reuse_owners(const struct config *old, const struct config *fresh, bool *reuse);
