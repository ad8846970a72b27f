/* SPDX-License-Identifier: MIT */
#pragma once

/* A feed's gzip copy (RFC 1952, with zlib), made of segments deflated each
 * on its own: a raw deflate stream ended by a sync flush, which leaves it
 * on a byte boundary, so that the segments join into one stream as pigz
 * joins its blocks. As in pigz, each segment is deflated with the bytes
 * before it as its dictionary: the reader has those already, and a segment
 * may refer back into them, so that segments as small as 20 KB compress as
 * well as one stream does. A segment whose bytes, and its dictionary, did
 * not change since the last render is copied, deflated,
 * from the last gzip rather than deflated again: after one ledger of a
 * province's hundred changed, /ledger.ics (14 MB) deflates that ledger and
 * the one after it. */

#include <stddef.h>
#include <stdint.h>

struct gzip_segment {
        const char *data; /* its bytes */
        size_t size;
        /* In: when not NULL, the segment's bytes deflated as here before
         * (packed_size of them) and their CRC-32, copied as they are: only
         * right when the GZIP_DICTIONARY bytes before it are also the same. Out:
         * where its deflated bytes lie in the gzip, and their CRC-32. */
        const char *packed;
        size_t packed_start, packed_size;
        uint32_t crc;
};

/* The gzip of the segments' bytes, in order, into *out (free() it) of
 * *out_size bytes: each segment deflated at level (zlib's 1 to 9) unless it
 * is given packed. The same segments give the same bytes. 0 or -ENOMEM. */
/* The bytes before a segment that are its dictionary: 16 KB, half of
 * deflate's window, compresses a province's /ledger.ics cut in 100 segments
 * within 0.3% of one stream, and loads in half the time (50 us a segment at
 * 32 KB, which a start-up's thousand segments felt). */
#define GZIP_DICTIONARY 16384

int gzip_segments(struct gzip_segment *segs, size_t n, int level, char **out, size_t *out_size);
