/* SPDX-License-Identifier: MIT */
#pragma once

/* Remembers, per calendar event, a hash of what it said, its SEQUENCE and
 * when it last changed, in the state database (SQLite), so that a feed's
 * DTSTAMP, LAST-MODIFIED and SEQUENCE move only when that event changes. */

#include <stdint.h>
#include <time.h>

#include "ics/ics.h"

struct revisions;

/* Opens (creating) the table in the SQLite database at path. now is the time
 * recorded for events that are new or changed. 0 or -errno; *error gets
 * SQLite's message (free it) when there is one. */
int revisions_open(const char *path, time_t now, struct revisions **out, char **error);
/* Commits what the renders recorded. 0 or -EIO. */
int revisions_commit(struct revisions *r);
void revisions_close(struct revisions *r);

/* An ics_revision_fn: pass the struct revisions as userdata. */
struct ics_revision revisions_lookup(const char *uid, uint64_t content_hash, void *userdata);

/* The revisions of one feed of several: an owner's feed says more of an
 * event than the feed of everyone (that owner's own alarms), so each keeps
 * its own SEQUENCE, under "<scope> <uid>"; scope NULL is the feed of
 * everyone, under the bare uid. An ics_revision_fn: pass the struct
 * revisions_scope as userdata. */
struct revisions_scope {
        struct revisions *revisions;
        const char *scope; /* the owner's id, or NULL */
};
struct ics_revision revisions_lookup_scoped(const char *uid, uint64_t content_hash, void *userdata);
