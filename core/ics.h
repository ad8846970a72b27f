/* SPDX-License-Identifier: MIT */
#pragma once

/* iCalendar feeds (RFC 5545, RFC 7986), built with libical one event at a
 * time and written to a stream: CRLF lines folded at <= 75 octets on UTF-8
 * character boundaries, one all-day VEVENT per dated milestone. */

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "model.h"

/* What the caller remembers about one event between renders. */
struct ics_revision {
        uint32_t sequence; /* rises on every change of the event */
        time_t modified;   /* when the event last changed: DTSTAMP, LAST-MODIFIED */
};

/* Called once per event with the event's uid and a hash of everything the
 * event says; returns the revision to write. A store that sees a new hash for
 * a uid bumps sequence and sets modified to now; an unchanged hash returns
 * the stored revision, so unchanged content renders to identical bytes. */
typedef struct ics_revision (*ics_revision_fn)(const char *uid, uint64_t content_hash,
                                               void *userdata);

struct ics_options {
        const struct config *config;
        const struct owner *owner; /* NULL: every milestone; else only that owner's */
        ics_revision_fn revision;  /* NULL: sequence 0, modified = fallback_modified */
        void *userdata;
        time_t fallback_modified;
};

/* 0, or -errno (-EIO on a write error, -ENOMEM, -ENOENT for an unknown zone). */
int ics_render(const struct ics_options *opts, FILE *out);

/* "<milestone id>@<ledger id>.ledgerd", at most 60 octets (ICS_UID_MAX - 1),
 * the most some calendar apps keep. The configuration's id limits keep every
 * UID within it. */
#define ICS_UID_MAX 61
int ics_milestone_uid(const struct milestone *m, char uid[ICS_UID_MAX]);
