/* SPDX-License-Identifier: MIT */
#pragma once

/* One rendering of every feed, made once per change in the event loop and
 * then only read: /ledger.ics (every milestone), /<slug>.ics per owner and
 * the index page "/", each with its gzip copy, strong entity tags (SHA-256
 * of the bytes), the time its content last changed, and the HTTP responses
 * that send them, built once here rather than per request.
 *
 * Lifetimes: a snapshot is refcounted (the feed server holds the current
 * one); a document is refcounted by the snapshots that hold it (a feed whose
 * bytes did not change carries over, with its Last-Modified); the bytes are
 * a sealed memfd, sent with sendfile(2), and each response holds its own
 * descriptor of it, so a response that started from an old snapshot
 * finishes from it, whole, however soon the snapshot is dropped. Bodies of
 * FEED_INLINE_MAX bytes or fewer are copied into their response instead,
 * which owns them as long.
 */

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ledger/model.h"
#include "basic/sha256.h"

enum feed_coding { FEED_IDENTITY, FEED_GZIP, FEED_CODINGS };

/* Bodies up to this size are copied into their response, which
 * libmicrohttpd sends with its headers in one sendmsg(2): copying a few
 * kilobytes costs less than sendfile(2) and the corking around it
 * (feed-server.c). Measured with wrk on loopback: at 7 KB the copy is
 * ahead, at 11 KB sendfile(2) is. */
#define FEED_INLINE_MAX (8 * 1024)

/* "\"" + 32 hex digits + "-gz\"" + NUL */
#define FEED_ETAG_MAX 40

struct qrsvg_memo;
struct feed_blob; /* a feed's bytes: a sealed memfd, mapped read-only */

/* Where one ledger's events lie in a calendar's bytes, and their deflated
 * bytes in its gzip copy (packed_size 0: not deflated on their own). */
struct feed_piece {
        char *ledger; /* its id */
        size_t start, size;
        size_t packed_start, packed_size;
        uint32_t crc; /* CRC-32 of the bytes, as gzip combines them */
};

struct feed_doc {
        unsigned refs;
        char *path;  /* "/", "/ledger.ics", "/czj.ics": without any token */
        char *token; /* NULL: public; else served only at /<token><path> */
        char *file;  /* under feed.directory: "ledger.ics", "<token>/czj.ics", "index.html" */
        const char *content_type;
        struct feed_blob *body[FEED_CODINGS]; /* body[FEED_GZIP]: NULL when gzip would not pay */
        uint8_t digest[SHA256_DIGEST_SIZE];   /* of the identity bytes */
        char etag[FEED_CODINGS][FEED_ETAG_MAX];
        time_t modified; /* when these bytes were first served */
        struct MHD_Response *ok[FEED_CODINGS], *not_modified[FEED_CODINGS];
        /* A calendar's, for the next render to copy the events of the
         * ledgers that did not change: one per ledger, by id, as true of the
         * bytes of any snapshot that holds the document. */
        struct feed_piece *pieces;
        size_t n_pieces;
};

struct feed_snapshot {
        unsigned refs;
        struct feed_doc **docs; /* sorted by path */
        size_t n_docs;
        size_t n_rendered; /* of them, rendered for it, not carried over unrendered */
        /* What it was rendered from, for the next render to tell which
         * owners' feeds it need not render again (feeds/feed-reuse.h): the
         * configuration, once feed_snapshot_hold_config() gave it; the
         * marks' digest (marks_frozen_digest()). */
        const struct config *config;
        uint8_t marks_digest[SHA256_DIGEST_SIZE];
        bool marks_known;
        /* How many ledgers' events its calendars copied from the previous
         * snapshot's, summed over the calendars rendered. */
        size_t n_copied;
        struct qrsvg_memo *codes; /* the index page's QR codes, for the next */
};

/* What the previous run knew: when the feed at path with these bytes first
 * appeared, so that Last-Modified survives a restart. */
struct feed_stamp {
        char *path;
        uint8_t digest[SHA256_DIGEST_SIZE];
        time_t modified;
};

struct marks_frozen;

/* What a render reads; nothing of it may change while it runs (it runs off
 * the event loop: feeds/render-job.h). */
struct feed_build {
        const struct config *config;
        const struct marks_frozen *marks; /* what the feeds show as done or snoozed; NULL: none */
        const char *state_path; /* state.db: the events' DTSTAMP and SEQUENCE */
        const char *base_url;   /* for the index page's links; NULL: relative */
        time_t now;
        const struct feed_snapshot *previous; /* unchanged documents carry over */
        const struct feed_stamp *stamps;
        size_t n_stamps;
};

/* Renders every feed. 0 and *out (one reference), or -errno with the reason
 * logged; the previous snapshot is untouched either way. */
int feed_snapshot_build(const struct feed_build *b, struct feed_snapshot **out);
struct feed_snapshot *feed_snapshot_ref(struct feed_snapshot *s);
/* On the event loop only, as config_ref() and config_unref() are not
 * atomic: the last unref drops the configuration held. */
void feed_snapshot_unref(struct feed_snapshot *s);
/* s was rendered from config (the build's): s holds a reference to it
 * from now on, for the next render to compare with. Without one, the next
 * render renders every feed. On the event loop only. */
void feed_snapshot_hold_config(struct feed_snapshot *s, const struct config *config);

/* The document a request path names, or NULL: "/", "/ledger.ics",
 * "/<slug>.ics" of a public feed, "/<token>/<slug>.ics" of a private one
 * (the token compared in constant time). */
const struct feed_doc *feed_snapshot_find(const struct feed_snapshot *s, const char *path);

const char *feed_doc_data(const struct feed_doc *d, enum feed_coding c);
/* Whether ok[c] sends its body with sendfile(2), after its headers. */
bool feed_doc_sendfile(const struct feed_doc *d, enum feed_coding c);
size_t feed_doc_size(const struct feed_doc *d, enum feed_coding c);
