/* SPDX-License-Identifier: MIT */
#include "feeds/feed-gzip.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "basic/greedy.h"

/* RFC 1952: deflate, no name, no time stamp (the same bytes always give
 * the same gzip), no extra flags, Unix. */
static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

struct output {
        char *data;
        size_t len, allocated;
};

static int put(struct output *o, const void *data, size_t size) {
        if (GREEDY_REALLOC(o->data, o->allocated, o->len + size) < 0)
                return -ENOMEM;
        memcpy(o->data + o->len, data, size);
        o->len += size;
        return 0;
}

/* Runs deflate with flush until it has taken all the input and said all it
 * has, growing o as it goes. */
static int run_deflate(z_stream *z, int flush, struct output *o) {
        for (;;) {
                size_t room;
                int ret;

                if (GREEDY_REALLOC(o->data, o->allocated, o->len + 4096) < 0)
                        return -ENOMEM;
                room = o->allocated - o->len;
                if (room > UINT_MAX)
                        room = UINT_MAX;
                z->next_out = (Bytef *) o->data + o->len;
                z->avail_out = (uInt) room;
                ret = deflate(z, flush);
                o->len += room - z->avail_out;
                if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
                        return -ENOMEM;
                /* Done when the input is taken and output room was left over. */
                if (z->avail_in == 0 && z->avail_out > 0)
                        return 0;
        }
}

/* The last GZIP_DICTIONARY bytes of the stream so far: the next segment's
 * dictionary. */
struct history {
        char bytes[GZIP_DICTIONARY];
        size_t size;
};

static void history_add(struct history *h, const char *data, size_t size) {
        size_t keep;

        if (size >= GZIP_DICTIONARY) {
                memcpy(h->bytes, data + size - GZIP_DICTIONARY, GZIP_DICTIONARY);
                h->size = GZIP_DICTIONARY;
                return;
        }
        keep = h->size + size > GZIP_DICTIONARY ? GZIP_DICTIONARY - size : h->size;
        memmove(h->bytes, h->bytes + h->size - keep, keep);
        memcpy(h->bytes + keep, data, size);
        h->size = keep + size;
}

/* One segment, from a fresh start but for the bytes before it, ended on a
 * byte boundary. */
static int deflate_segment(z_stream *z, struct gzip_segment *s, const struct history *h,
                           struct output *o) {
        int r = 0;

        if (deflateReset(z) != Z_OK ||
            (h->size > 0 && deflateSetDictionary(z, (const Bytef *) h->bytes, (uInt) h->size) != Z_OK) ||
            GREEDY_REALLOC(o->data, o->allocated, o->len + deflateBound(z, s->size) + 16) < 0)
                return -ENOMEM;
        s->crc = (uint32_t) crc32(0, (const Bytef *) s->data, 0);
        for (size_t done = 0; r == 0 && done < s->size;) {
                size_t n = s->size - done > UINT_MAX ? UINT_MAX : s->size - done;

                s->crc = (uint32_t) crc32(s->crc, (const Bytef *) s->data + done, (uInt) n);
                z->next_in = (Bytef *) s->data + done;
                z->avail_in = (uInt) n;
                done += n;
                r = run_deflate(z, done < s->size ? Z_NO_FLUSH : Z_SYNC_FLUSH, o);
        }
        return r;
}

static int put_le32(struct output *o, uint32_t v) {
        unsigned char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };

        return put(o, b, sizeof b);
}

/* The last block, empty and final, then the trailer: CRC-32, size mod 2^32. */
static int finish(z_stream *z, uint32_t crc, size_t size, struct output *o) {
        int r;

        if (deflateReset(z) != Z_OK)
                return -ENOMEM;
        z->next_in = NULL;
        z->avail_in = 0;
        r = run_deflate(z, Z_FINISH, o);
        if (r == 0)
                r = put_le32(o, crc);
        return r < 0 ? r : put_le32(o, (uint32_t) size);
}

static int write_segments(z_stream *z, struct gzip_segment *segs, size_t n, struct output *o) {
        struct history *h = calloc(1, sizeof *h);
        uLong crc = crc32(0, NULL, 0);
        size_t total = 0;
        int r = h ? put(o, header, sizeof header) : -ENOMEM;

        for (size_t i = 0; r == 0 && i < n; i++) {
                struct gzip_segment *s = &segs[i];
                size_t start = o->len;

                if (s->size == 0)
                        continue; /* nothing, not even an empty block */
                if (s->packed)
                        r = put(o, s->packed, s->packed_size);
                else
                        r = deflate_segment(z, s, h, o);
                history_add(h, s->data, s->size);
                s->packed_start = start;
                s->packed_size = o->len - start;
                crc = crc32_combine(crc, s->crc, (z_off_t) s->size);
                total += s->size;
        }
        free(h);
        return r < 0 ? r : finish(z, (uint32_t) crc, total, o);
}

int gzip_segments(struct gzip_segment *segs, size_t n, int level, char **out, size_t *out_size) {
        z_stream z = { 0 };
        struct output o = { 0 };
        int r;

        /* Raw deflate: the gzip framing is written here, once for all. */
        if (deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        r = write_segments(&z, segs, n, &o);
        deflateEnd(&z);
        if (r < 0) {
                free(o.data);
                return r;
        }
        *out = o.data;
        *out_size = o.len;
        return 0;
}
