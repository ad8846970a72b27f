/* SPDX-License-Identifier: MIT */
#pragma once

/* iCalendar feeds (RFC 5545, RFC 7986), built with libical one event at a
 * time and written to a stream: CRLF lines folded at <= 75 octets on UTF-8
 * character boundaries, one all-day VEVENT per dated milestone. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct config; /* ledger/model.h: only pointed to */
struct milestone;
struct owner;

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

/* Where a milestone stands, as people marked it: a feed shows it, so that
 * calendars stop ringing for finished work. */
struct ics_state {
        time_t done_at;        /* 0: not done */
        const char *done_by;   /* who marked it done */
        bool done_by_link;     /* with a reminder's button, not ledgerctl */
        time_t snoozed_until;  /* no alarm before it; 0: not snoozed */
};
/* Fills *out for m; false when nobody marked it (then *out is not used). */
typedef bool (*ics_state_fn)(const struct milestone *m, struct ics_state *out, void *userdata);

/* Where the events of one ledger lie in a rendered calendar, in bytes from
 * its first byte; size 0 when none of them is in it. */
struct ics_piece {
        size_t start, size;
};

/* Bytes to write in place of rendering; data NULL: render. */
struct ics_text {
        const char *data;
        size_t size;
};

struct ics_options {
        const struct config *config;
        /* NULL: every milestone but those of tasks whose owners all have a
         * private feed (task_is_private()); else only that owner's. */
        const struct owner *owner;
        ics_revision_fn revision;  /* NULL: sequence 0, modified = fallback_modified */
        void *userdata;
        /* NULL: nothing is marked. Called from the rendering threads: it must
         * only read what does not change while ics_render() runs. */
        ics_state_fn state;
        void *state_userdata;
        time_t fallback_modified;
        /* Optional, config->n_ledgers entries each. pieces: set to where each
         * ledger's events lie in the output. reuse: for each ledger whose
         * data is set, the bytes written for its events, copied rather than
         * rendered; the caller vouches that rendering would write the same,
         * as it would for a piece of an earlier render when the ledger, the
         * configuration around it, the marks and the revisions are the same
         * (daemon/feeds/feed-reuse.h). After a reload that changed one
         * ledger of a province's hundred, the feed of everyone renders one. */
        struct ics_piece *pieces;
        const struct ics_text *reuse;
};

/* 0, or -errno (-EIO on a write error, -ENOMEM, -ENOENT for an unknown zone). */
int ics_render(const struct ics_options *opts, FILE *out);

/* A calendar of just these milestones, their events exactly as the feed has
 * them (the same UID, the same alarms) with SEQUENCE 0 and DTSTAMP and
 * LAST-MODIFIED at stamp: the attachment of a reminder e-mail. method, when
 * not NULL, is the calendar's METHOD ("PUBLISH", which the MIME part's
 * method= must match); the attachment is no feed, so it has no
 * REFRESH-INTERVAL. Every milestone must be one of c's. 0, or -errno as
 * ics_render(); -EINVAL for a METHOD RFC 5546 does not know. */
int ics_render_events(const struct config *c, const struct milestone *const *ms, size_t n,
                      const char *method, time_t stamp, FILE *out);

/* "<milestone id>@<ledger id>.ledgerd", at most 60 octets (ICS_UID_MAX - 1),
 * the most some calendar apps keep. The configuration's id limits keep every
 * UID within it. */
#define ICS_UID_MAX 61
int ics_milestone_uid(const struct milestone *m, char uid[ICS_UID_MAX]);
