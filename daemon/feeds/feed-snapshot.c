/* SPDX-License-Identifier: MIT */
#include "feeds/feed-snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "feeds/feed-gzip.h"
#include "feeds/feed-index.h"
#include "feeds/feed-reuse.h"
#include "marks/marks.h"
#include "http/http.h"
#include "http/qrsvg.h"
#include "ics/ics.h"
#include "ledger/zone.h"
#include "common/log.h"
#include "basic/threads.h"
#include "store/revisions.h"

#define CALENDAR_TYPE "text/calendar; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"

/* ---- sealed bytes ------------------------------------------------------------------ */

/* A feed's bytes live in a sealed memfd, mapped read-only: libmicrohttpd
 * sends them with sendfile(2), so a 200 costs no copy into the kernel (the
 * copy was most of the time of each request), and every response in flight
 * holds its own descriptor of the memfd, so the bytes outlive the snapshot
 * for as long as a response still sends them. Small bodies are the
 * exception: copied into their responses (FEED_INLINE_MAX). */
struct feed_blob {
        int fd; /* until the responses have their own; then -1 */
        size_t size;
        char *data; /* PROT_READ, MAP_SHARED; NULL when size is 0 */
};

static void blob_free(struct feed_blob *b) {
        if (!b)
                return;
        if (b->data)
                munmap(b->data, b->size);
        if (b->fd >= 0)
                close(b->fd);
        free(b);
}

/* Seals what was written to fd (taken over) and maps it. */
static struct feed_blob *blob_seal(int fd) {
        struct feed_blob *b = calloc(1, sizeof *b);
        struct stat st;

        if (!b || fstat(fd, &st) < 0 ||
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
                close(fd);
                free(b);
                return NULL;
        }
        b->fd = fd;
        b->size = (size_t) st.st_size;
        if (b->size > 0) {
                b->data = mmap(NULL, b->size, PROT_READ, MAP_SHARED, fd, 0);
                if (b->data == MAP_FAILED) {
                        b->data = NULL;
                        blob_free(b);
                        return NULL;
                }
        }
        return b;
}

static int blob_fd(void) {
        return memfd_create("ledgerd-feed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

static struct feed_blob *blob_from(const char *data, size_t size) {
        int fd = blob_fd();

        if (fd < 0)
                return NULL;
        for (size_t done = 0; done < size;) {
                ssize_t n = write(fd, data + done, size - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        close(fd);
                        return NULL;
                }
                done += (size_t) n;
        }
        return blob_seal(fd);
}

const char *feed_doc_data(const struct feed_doc *d, enum feed_coding c) {
        return d->body[c] ? d->body[c]->data : NULL;
}

size_t feed_doc_size(const struct feed_doc *d, enum feed_coding c) {
        return d->body[c] ? d->body[c]->size : 0;
}

bool feed_doc_sendfile(const struct feed_doc *d, enum feed_coding c) {
        return feed_doc_size(d, c) > FEED_INLINE_MAX;
}

/* ---- documents ---------------------------------------------------------------- */

static void pieces_free(struct feed_piece *p, size_t n) {
        for (size_t i = 0; p && i < n; i++)
                free(p[i].ledger);
        free(p);
}

static void doc_unref(struct feed_doc *d) {
        if (!d || --d->refs > 0)
                return;
        for (int c = 0; c < FEED_CODINGS; c++) {
                if (d->ok[c])
                        MHD_destroy_response(d->ok[c]);
                if (d->not_modified[c])
                        MHD_destroy_response(d->not_modified[c]);
                blob_free(d->body[c]);
        }
        pieces_free(d->pieces, d->n_pieces);
        free(d->path);
        free(d->token);
        free(d->file);
        free(d);
}

/* A document's bytes as rendered, before they are one; all of it is taken
 * over by add_doc(), which hashes and gzips them unless hashed says it is
 * done. */
struct rendered {
        struct feed_blob *body;
        struct feed_blob *gzip; /* when hashed: NULL if gzip would not pay */
        uint8_t digest[SHA256_DIGEST_SIZE];
        bool hashed;
        struct feed_piece *pieces; /* a calendar's: where each ledger's events lie */
        size_t n_pieces;
        /* The previous document at its path, and per ledger the piece of it
         * whose bytes were copied (NULL: rendered): their deflated bytes
         * are copied too. */
        const struct feed_doc *previous;
        const struct feed_piece **from;
};

static void rendered_free(struct rendered *x) {
        blob_free(x->body);
        blob_free(x->gzip);
        pieces_free(x->pieces, x->n_pieces);
        free(x->from);
        *x = (struct rendered) { 0 };
}

/* gzip (feed-gzip.h), once per change, at zlib's level 1: feeds are
 * rendered again on every change, and level 6 takes twice the time or more
 * for a quarter fewer bytes (an owner's feed of 260 KB: 0.7 ms and 21 KB
 * against 1.7 ms and 16 KB; a province's /ledger.ics of 14 MB: 45 ms and
 * 1.15 MB against 100 ms and 0.86 MB). A calendar of GZIP_PIECES_OVER or
 * more, whose ledgers' events are GZIP_PIECE_MIN a ledger or more, is
 * deflated ledger by ledger: after a reload, the ledgers that did not
 * change (nor the 16 KB before them, their dictionary) are copied,
 * deflated, from its previous gzip. Smaller pieces are not worth their
 * dictionary (each one's is 16 KB to load). How a document is cut depends
 * only on its bytes (where one ledger's events end and the next one's
 * begin), so the same bytes always give the same gzip, as their shared ETag
 * says. */
#define GZIP_PIECES_OVER (64 * 1024)
#define GZIP_PIECE_MIN (16 * 1024)

static bool deflate_by_pieces(const struct rendered *x) {
        size_t n = 0;

        for (size_t i = 0; i < x->n_pieces; i++)
                n += x->pieces[i].size > 0;
        return n > 0 && x->body->size >= GZIP_PIECES_OVER && x->body->size / n >= GZIP_PIECE_MIN;
}

/* Whether the bytes a segment at start of data may refer back to are those
 * before old_start of old_data. */
static bool same_window(const char *data, size_t start, const char *old_data, size_t old_start) {
        size_t w = start < GZIP_DICTIONARY ? start : GZIP_DICTIONARY;

        if (w != (old_start < GZIP_DICTIONARY ? old_start : GZIP_DICTIONARY))
                return false;
        return memcmp(data + start - w, old_data + old_start - w, w) == 0;
}

/* The previous document's deflated bytes of piece i of x, which x copied,
 * when the bytes before it are the same too. */
static bool packed_before(const struct rendered *x, size_t i, struct gzip_segment *seg) {
        const struct feed_piece *old = x->from ? x->from[i] : NULL;
        const struct feed_blob *gz = x->previous ? x->previous->body[FEED_GZIP] : NULL;

        if (!old || !gz || old->packed_size == 0 || old->packed_start > gz->size ||
            old->packed_size > gz->size - old->packed_start ||
            !same_window(x->body->data, x->pieces[i].start,
                         x->previous->body[FEED_IDENTITY]->data, old->start))
                return false;
        seg->packed = gz->data + old->packed_start;
        seg->packed_size = old->packed_size;
        seg->crc = old->crc;
        return true;
}

/* x's bytes as segments: each ledger's events, and what lies between
 * (the calendar's head and tail); at[i], the segment of piece i. */
static size_t cut_segments(const struct rendered *x, struct gzip_segment *segs, size_t *at) {
        const char *data = x->body->data;
        size_t n = 0, done = 0;

        for (size_t i = 0; i < x->n_pieces; i++) {
                const struct feed_piece *p = &x->pieces[i];

                at[i] = SIZE_MAX;
                if (p->size == 0)
                        continue;
                if (p->start > done)
                        segs[n++] = (struct gzip_segment) { .data = data + done, .size = p->start - done };
                segs[n] = (struct gzip_segment) { .data = data + p->start, .size = p->size };
                (void) packed_before(x, i, &segs[n]);
                at[i] = n++;
                done = p->start + p->size;
        }
        if (done < x->body->size)
                segs[n++] = (struct gzip_segment) { .data = data + done, .size = x->body->size - done };
        return n;
}

/* Deflates x's body: by pieces when it is a large calendar, which then say
 * where each piece's deflated bytes went; else whole. 0 and *out, *size. */
static int deflate_rendered(struct rendered *x, char **out, size_t *size) {
        bool by_pieces = deflate_by_pieces(x);
        size_t n_segs = by_pieces ? 2 * x->n_pieces + 1 : 1;
        struct gzip_segment *segs = calloc(n_segs, sizeof *segs);
        size_t *at = calloc(x->n_pieces + 1, sizeof *at);
        int r = -ENOMEM;

        if (segs && at) {
                if (by_pieces)
                        n_segs = cut_segments(x, segs, at);
                else
                        segs[0] = (struct gzip_segment) { .data = x->body->data, .size = x->body->size };
                r = gzip_segments(segs, n_segs, 1, out, size);
        }
        for (size_t i = 0; r >= 0 && by_pieces && i < x->n_pieces; i++)
                if (at[i] != SIZE_MAX) {
                        x->pieces[i].packed_start = segs[at[i]].packed_start;
                        x->pieces[i].packed_size = segs[at[i]].packed_size;
                        x->pieces[i].crc = segs[at[i]].crc;
                }
        free(segs);
        free(at);
        return r;
}

/* x's gzip copy; NULL when compressing does not pay or cannot be done
 * (then no piece says it was deflated). */
static struct feed_blob *gzip_rendered(struct rendered *x) {
        struct feed_blob *b = NULL;
        char *out = NULL;
        size_t n = 0;

        if (x->body->size >= 64 && deflate_rendered(x, &out, &n) >= 0 && n < x->body->size)
                b = blob_from(out, n);
        free(out);
        for (size_t i = 0; !b && i < x->n_pieces; i++)
                x->pieces[i].packed_size = 0;
        return b;
}

/* The headers every answer about this document carries; full: those of a
 * 200 too (a 304 repeats only what caches need, RFC 9110 15.4.5). The feed
 * is fresh for no time at all: caches must ask again (cheaply, with its
 * ETag), so that a milestone done shows at the next poll; calendar apps
 * keep their own polling interval (REFRESH-INTERVAL) anyway. */
static bool add_headers(struct MHD_Response *r, const struct feed_doc *d, enum feed_coding c,
                        bool full) {
        char date[HTTP_DATE_MAX];
        bool ok = MHD_add_response_header(r, "ETag", d->etag[c]) == MHD_YES &&
                  MHD_add_response_header(r, "Cache-Control",
                                          d->token ? "private, no-cache" : "no-cache") == MHD_YES &&
                  MHD_add_response_header(r, "Vary", "Accept-Encoding") == MHD_YES;

        if (!ok || !full)
                return ok;
        if (http_date_format(d->modified, date) < 0)
                return false;
        return MHD_add_response_header(r, "Content-Type", d->content_type) == MHD_YES &&
               MHD_add_response_header(r, "Last-Modified", date) == MHD_YES &&
               MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
               (c != FEED_GZIP || MHD_add_response_header(r, "Content-Encoding", "gzip") == MHD_YES);
}

/* Sent with sendfile(2) from its own descriptor of the memfd, which
 * libmicrohttpd closes when it frees the response: after the last byte. */
static struct MHD_Response *sendfile_body(const struct feed_blob *b) {
        int fd = fcntl(b->fd, F_DUPFD_CLOEXEC, 3);
        struct MHD_Response *r;

        if (fd < 0)
                return NULL;
        r = MHD_create_response_from_fd64(b->size, fd);
        if (!r)
                close(fd);
        return r;
}

static struct MHD_Response *response_ok(struct feed_doc *d, enum feed_coding c) {
        struct MHD_Response *r = feed_doc_sendfile(d, c)
                ? sendfile_body(d->body[c])
                : MHD_create_response_from_buffer(d->body[c]->size, d->body[c]->data,
                                                  MHD_RESPMEM_MUST_COPY);

        if (!r)
                return NULL;
        if (!add_headers(r, d, c, true)) {
                MHD_destroy_response(r);
                return NULL;
        }
        return r;
}

/* libmicrohttpd 0.9.75 gives every 304 a Content-Length, of its buffer. The
 * length of the 200 would be right by RFC 9110 8.6, but clients built on
 * http-parser (wrk, older Node) then wait for a body that never comes; 0
 * they read correctly, and caches never take a 304's Content-Length for the
 * stored response's (RFC 9111 3.2). So: an empty buffer. */
static struct MHD_Response *response_not_modified(const struct feed_doc *d, enum feed_coding c) {
        struct MHD_Response *r =
                MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);

        if (r && !add_headers(r, d, c, false)) {
                MHD_destroy_response(r);
                return NULL;
        }
        return r;
}

static void set_etags(struct feed_doc *d) {
        char hex[33];

        for (int i = 0; i < 16; i++)
                snprintf(hex + 2 * i, 3, "%02x", d->digest[i]);
        snprintf(d->etag[FEED_IDENTITY], FEED_ETAG_MAX, "\"%s\"", hex);
        snprintf(d->etag[FEED_GZIP], FEED_ETAG_MAX, "\"%s-gz\"", hex);
}

/* The responses hold their own descriptors or copies: the blobs give theirs
 * back, so a snapshot costs one descriptor per large response, not two. */
static int make_responses(struct feed_doc *d) {
        for (int c = 0; c < FEED_CODINGS; c++) {
                if (!d->body[c])
                        continue;
                d->ok[c] = response_ok(d, c);
                d->not_modified[c] = response_not_modified(d, c);
                if (!d->ok[c] || !d->not_modified[c])
                        return -ENOMEM;
                close(d->body[c]->fd);
                d->body[c]->fd = -1;
        }
        return 0;
}

/* When these bytes at this path were first served: before a restart, or now. */
static time_t first_seen(const struct feed_build *b, const char *path, const uint8_t *digest) {
        for (size_t i = 0; i < b->n_stamps; i++)
                if (strcmp(b->stamps[i].path, path) == 0 &&
                    memcmp(b->stamps[i].digest, digest, SHA256_DIGEST_SIZE) == 0)
                        return b->stamps[i].modified;
        return b->now;
}

struct doc_spec {
        const char *path, *token, *file, *content_type;
};

/* A new document of x, taken over, also on failure. */
static int doc_new(const struct feed_build *b, const struct doc_spec *spec, struct rendered *x,
                   struct feed_doc **out) {
        struct feed_doc *d = calloc(1, sizeof *d);

        if (!d) {
                rendered_free(x);
                return -ENOMEM;
        }
        d->refs = 1;
        d->body[FEED_IDENTITY] = x->body;
        d->body[FEED_GZIP] = x->hashed ? x->gzip : gzip_rendered(x);
        d->pieces = x->pieces;
        d->n_pieces = x->n_pieces;
        d->content_type = spec->content_type;
        memcpy(d->digest, x->digest, SHA256_DIGEST_SIZE);
        d->modified = first_seen(b, spec->path, x->digest);
        d->path = strdup(spec->path);
        d->file = strdup(spec->file);
        d->token = spec->token ? strdup(spec->token) : NULL;
        free(x->from);
        *x = (struct rendered) { 0 };
        set_etags(d);
        if (!d->path || !d->file || (spec->token && !d->token) || make_responses(d) < 0) {
                doc_unref(d);
                return -ENOMEM;
        }
        *out = d;
        return 0;
}

static bool same_token(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

/* The previous snapshot's document when nothing about it changed. */
static struct feed_doc *unchanged(const struct feed_build *b, const struct doc_spec *spec,
                                  const struct feed_blob *body, const uint8_t *digest) {
        for (size_t i = 0; b->previous && i < b->previous->n_docs; i++) {
                struct feed_doc *d = b->previous->docs[i];

                const struct feed_blob *old = d->body[FEED_IDENTITY];

                if (strcmp(d->path, spec->path) == 0 && same_token(d->token, spec->token) &&
                    strcmp(d->file, spec->file) == 0 &&
                    memcmp(d->digest, digest, sizeof d->digest) == 0 && old->size == body->size &&
                    (body->size == 0 || memcmp(old->data, body->data, body->size) == 0))
                        return d;
        }
        return NULL;
}

/* Adds the document of x (taken over) to s: the previous snapshot's when it
 * has the same bytes (its pieces, by ledger id, then say the same). */
static int add_doc(const struct feed_build *b, struct feed_snapshot *s, const struct doc_spec *spec,
                   struct rendered *x) {
        struct feed_doc *d;

        if (!x->hashed)
                sha256(x->body->data, x->body->size, x->digest);
        d = unchanged(b, spec, x->body, x->digest);
        if (d) {
                d->refs++;
                rendered_free(x);
        } else if (doc_new(b, spec, x, &d) < 0)
                return -ENOMEM;
        s->docs[s->n_docs++] = d;
        return 0;
}

/* The feed of everyone, its SHA-256 and gzip copy each made on a thread of
 * its own while the owners' feeds and the index page render: for a
 * province's /ledger.ics (14 MB), rendered again after any ledger's reload,
 * 10 ms of SHA-256 and 21 ms of deflate that the rest need not wait for,
 * nor each other. */
struct hashing {
        struct rendered doc; /* body NULL: nothing rendered */
        pthread_t threads[2];
        bool threaded[2];
};

static void *hashing_digest(void *userdata) {
        struct hashing *h = userdata;

        sha256(h->doc.body->data, h->doc.body->size, h->doc.digest);
        return NULL;
}

static void *hashing_gzip(void *userdata) {
        struct hashing *h = userdata;

        h->doc.gzip = gzip_rendered(&h->doc);
        return NULL;
}

/* Starts on x (taken over); inline what no thread can be had for. */
static void hashing_start(struct hashing *h, struct rendered *x) {
        void *(*const run[2])(void *) = { hashing_digest, hashing_gzip };

        h->doc = *x;
        *x = (struct rendered) { 0 };
        for (int i = 0; i < 2; i++) {
                h->threaded[i] = threads_start(&h->threads[i], run[i], h) >= 0;
                if (!h->threaded[i])
                        run[i](h);
        }
}

/* Waits for it, and adds its document to s when r says all went well;
 * else drops it. r, or the failure to add it. */
static int hashing_finish(const struct feed_build *b, struct feed_snapshot *s, struct hashing *h,
                          const struct doc_spec *spec, int r) {
        for (int i = 0; i < 2; i++)
                if (h->threaded[i])
                        pthread_join(h->threads[i], NULL);
        if (!h->doc.body)
                return r;
        h->doc.hashed = true;
        if (r >= 0)
                return add_doc(b, s, spec, &h->doc);
        rendered_free(&h->doc);
        return r;
}

/* A stream into a new memfd, and the memfd (*fd) to seal once it is closed. */
static FILE *blob_stream(int *fd) {
        FILE *f;
        int copy;

        *fd = blob_fd();
        if (*fd < 0)
                return NULL;
        copy = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
        f = copy >= 0 ? fdopen(copy, "w") : NULL;
        if (!f) {
                if (copy >= 0)
                        close(copy);
                close(*fd);
                return NULL;
        }
        return f;
}

/* Closes f; on success seals the memfd into *out. */
static int blob_finish(FILE *f, int fd, int r, struct feed_blob **out) {
        if (fclose(f) != 0 && r >= 0)
                r = -EIO;
        if (r < 0) {
                close(fd);
                return r;
        }
        *out = blob_seal(fd);
        return *out ? 0 : -ENOMEM;
}

/* The document at path exactly (docs are sorted by it), whatever its token. */
static struct feed_doc *lookup(const struct feed_snapshot *s, const char *path) {
        size_t lo = 0, hi = s->n_docs;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(path, s->docs[mid]->path);

                if (c == 0)
                        return s->docs[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/* ---- rendering ------------------------------------------------------------------ */

/* Where the calendar of o (NULL: everyone's) is served: path and file. */
static struct doc_spec calendar_spec(const struct owner *o, char *path, size_t path_size,
                                     char *file, size_t file_size) {
        const char *slug = o ? o->feed_slug : "ledger", *token = o ? o->feed_token : NULL;

        snprintf(path, path_size, "/%s.ics", slug);
        snprintf(file, file_size, "%s%s%s.ics", token ? token : "", token ? "/" : "", slug);
        return (struct doc_spec) { path, token, file, CALENDAR_TYPE };
}

/* What the calendars of one build share. */
struct calendars {
        const struct feed_build *b;
        struct feed_snapshot *s;
        struct revisions *rev;
        const bool *carry; /* per owner: its feed carries over unrendered */
        bool *same;        /* per ledger: its events may be copied from the previous feed */
};

/* The piece of ledger i (whose id is id) in d: most often at i itself. */
static const struct feed_piece *find_piece(const struct feed_doc *d, size_t i, const char *id) {
        if (i < d->n_pieces && strcmp(d->pieces[i].ledger, id) == 0)
                return &d->pieces[i];
        for (size_t k = 0; k < d->n_pieces; k++)
                if (strcmp(d->pieces[k].ledger, id) == 0)
                        return &d->pieces[k];
        return NULL;
}

/* The events of the calendar at path to copy from the previous snapshot's
 * document there, ledger by ledger (ics_options.reuse), noted in x for the
 * gzip to copy theirs too; NULL: render all. */
static struct ics_text *plan_copies(const struct calendars *c, const char *path,
                                    struct rendered *x) {
        const struct config *config = c->b->config;
        const struct feed_doc *d = c->b->previous ? lookup(c->b->previous, path) : NULL;
        struct ics_text *copy;

        if (!d || !d->pieces)
                return NULL;
        copy = calloc(config->n_ledgers + 1, sizeof *copy);
        x->from = calloc(config->n_ledgers + 1, sizeof *x->from);
        if (!copy || !x->from) {
                free(copy);
                free(x->from);
                x->from = NULL;
                return NULL;
        }
        x->previous = d;
        for (size_t i = 0; i < config->n_ledgers; i++) {
                const struct feed_blob *old = d->body[FEED_IDENTITY];
                const struct feed_piece *p = c->same[i] ? find_piece(d, i, config->ledgers[i].id) : NULL;

                if (p && p->start <= old->size && p->size <= old->size - p->start) {
                        copy[i] = (struct ics_text) { old->data + p->start, p->size };
                        x->from[i] = p;
                        c->s->n_copied++;
                }
        }
        return copy;
}

/* The pieces of a render, by ledger id: they outlive the configuration. */
static int name_pieces(const struct config *config, const struct ics_piece *at, struct rendered *x) {
        x->pieces = calloc(config->n_ledgers + 1, sizeof *x->pieces);
        if (!x->pieces)
                return -ENOMEM;
        for (x->n_pieces = 0; x->n_pieces < config->n_ledgers; x->n_pieces++) {
                struct feed_piece *p = &x->pieces[x->n_pieces];

                p->ledger = strdup(config->ledgers[x->n_pieces].id);
                if (!p->ledger)
                        return -ENOMEM;
                p->start = at[x->n_pieces].start;
                p->size = at[x->n_pieces].size;
        }
        return 0;
}

/* Rendered straight into the memfd it will be served from, copying the
 * events of the ledgers that did not change. */
static int render_calendar(const struct calendars *c, const struct owner *o, const char *path,
                           struct rendered *x) {
        const struct feed_build *b = c->b;
        struct revisions_scope scope = { c->rev, o ? o->id : NULL };
        struct ics_piece *at = calloc(b->config->n_ledgers + 1, sizeof *at);
        struct ics_text *copy = plan_copies(c, path, x);
        struct ics_options io = {
                .config = b->config, .owner = o, .revision = revisions_lookup_scoped,
                .userdata = &scope, .state = b->marks ? marks_ics_state : NULL,
                .state_userdata = (void *) b->marks, .pieces = at, .reuse = copy,
        };
        int fd, r = -ENOMEM;
        FILE *f = at ? blob_stream(&fd) : NULL;

        if (f)
                r = blob_finish(f, fd, ics_render(&io, f), &x->body);
        if (r >= 0)
                r = name_pieces(b->config, at, x);
        if (r < 0) {
                rendered_free(x);
                log_error_errno(r, "cannot render the feed %s: %m", o ? o->feed_slug : "ledger");
        } else
                c->s->n_rendered++;
        free(at);
        free(copy);
        return r;
}

static int add_calendar(const struct calendars *c, const struct owner *o) {
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(o, path, sizeof path, file, sizeof file);
        struct rendered x = { 0 };
        int r = render_calendar(c, o, path, &x);

        return r < 0 ? r : add_doc(c->b, c->s, &spec, &x);
}

/* The owner's document of the previous snapshot, taken over unrendered
 * (feed-reuse.h says when that is right); rendered when it has none. */
static int carry_calendar(const struct calendars *c, const struct owner *o) {
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(o, path, sizeof path, file, sizeof file);
        struct feed_doc *d = lookup(c->b->previous, path);

        if (!d || !same_token(d->token, spec.token) || strcmp(d->file, spec.file) != 0)
                return add_calendar(c, o);
        d->refs++;
        c->s->docs[c->s->n_docs++] = d;
        return 0;
}

/* The local date of the render, for the days left on the index page. */
static day_t index_today(const struct feed_build *b) {
        day_t today = 0;

        zone_utc_to_local(b->config->timezone, b->now, &today, NULL);
        return today;
}

static int add_index(const struct feed_build *b, struct feed_snapshot *s) {
        struct doc_spec spec = { "/", NULL, "index.html", HTML_TYPE };
        struct rendered x = { 0 };
        int fd, r;
        FILE *f = blob_stream(&fd);

        if (!f)
                return -ENOMEM;
        r = feed_index_render(b->config, b->marks, b->base_url, index_today(b),
                              b->previous ? b->previous->codes : NULL, &s->codes, f);
        r = blob_finish(f, fd, r, &x.body);
        s->n_rendered++;
        return r < 0 ? r : add_doc(b, s, &spec, &x);
}

/* Every calendar with the revisions open, then committed: the revisions hold
 * a write transaction, so they stay open only while rendering. The feed of
 * everyone, the largest, is hashed and gzipped while the others render. */
static int add_calendars(struct calendars *c, struct hashing *everyone) {
        const struct feed_build *b = c->b;
        struct rendered x = { 0 };
        char *error = NULL;
        int r = revisions_open(b->state_path, b->now, &c->rev, &error);

        if (r < 0) {
                log_error_errno(r, "%s: cannot read the event revisions: %s", b->state_path,
                                error ? error : strerror(-r));
                free(error);
                return r;
        }
        r = render_calendar(c, NULL, "/ledger.ics", &x);
        if (r >= 0)
                hashing_start(everyone, &x);
        for (size_t i = 0; r >= 0 && i < b->config->n_owners; i++)
                r = c->carry[i] ? carry_calendar(c, &b->config->owners[i])
                                : add_calendar(c, &b->config->owners[i]);
        if (r >= 0 && (r = revisions_commit(c->rev)) < 0)
                log_error_errno(r, "%s: cannot save the event revisions: %m", b->state_path);
        revisions_close(c->rev);
        return r;
}

static int compare_docs(const void *a, const void *b) {
        return strcmp((*(struct feed_doc *const *) a)->path, (*(struct feed_doc *const *) b)->path);
}

/* Whether the previous snapshot says what it was rendered from, and was
 * rendered with the same marks as s will be: only then is any of it
 * carried over or copied. */
static bool previous_comparable(const struct feed_build *b, const struct feed_snapshot *s) {
        const struct feed_snapshot *p = b->previous;

        return p && p->config && p->marks_known && s->marks_known &&
               memcmp(p->marks_digest, s->marks_digest, sizeof s->marks_digest) == 0;
}

/* Which owners' feeds carry over unrendered, and which ledgers' events the
 * calendars rendered copy (feeds/feed-reuse.h). */
static int plan_reuse(const struct feed_build *b, const struct feed_snapshot *s, bool *carry,
                      bool *same) {
        if (!previous_comparable(b, s))
                return 0; /* all false */
        feed_reuse_ledgers(b->previous->config, b->config, same);
        return feed_reuse_owners(b->previous->config, b->config, carry);
}

static int build_docs(const struct feed_build *b, struct feed_snapshot *s) {
        bool *carry = calloc(b->config->n_owners + 1, sizeof *carry);
        bool *same = calloc(b->config->n_ledgers + 1, sizeof *same);
        struct calendars c = { .b = b, .s = s, .carry = carry, .same = same };
        int r = carry && same ? plan_reuse(b, s, carry, same) : -ENOMEM;
        struct hashing everyone = {};
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(NULL, path, sizeof path, file, sizeof file);

        if (r >= 0)
                r = add_calendars(&c, &everyone);
        if (r >= 0)
                r = add_index(b, s);
        free(carry);
        free(same);
        return hashing_finish(b, s, &everyone, &spec, r);
}

int feed_snapshot_build(const struct feed_build *b, struct feed_snapshot **out) {
        struct feed_snapshot *s = calloc(1, sizeof *s);
        int r;

        if (!s)
                return -ENOMEM;
        s->refs = 1;
        s->marks_known = marks_frozen_digest(b->marks, s->marks_digest) >= 0;
        s->docs = calloc(b->config->n_owners + 2, sizeof *s->docs);
        r = s->docs ? build_docs(b, s) : -ENOMEM;
        if (r < 0) {
                feed_snapshot_unref(s);
                return r;
        }
        qsort(s->docs, s->n_docs, sizeof *s->docs, compare_docs);
        *out = s;
        return 0;
}

struct feed_snapshot *feed_snapshot_ref(struct feed_snapshot *s) {
        if (s)
                s->refs++;
        return s;
}

void feed_snapshot_unref(struct feed_snapshot *s) {
        if (!s || --s->refs > 0)
                return;
        for (size_t i = 0; i < s->n_docs; i++)
                doc_unref(s->docs[i]);
        free(s->docs);
        qrsvg_memo_free(s->codes);
        config_unref(s->config);
        free(s);
}

void feed_snapshot_hold_config(struct feed_snapshot *s, const struct config *config) {
        const struct config *old = s->config;

        s->config = config_ref(config);
        config_unref(old);
}

/* ---- lookup --------------------------------------------------------------------- */

const struct feed_doc *feed_snapshot_find(const struct feed_snapshot *s, const char *path) {
        const struct feed_doc *d;
        const char *slash;

        if (!s || path[0] != '/')
                return NULL;
        slash = strchr(path + 1, '/');
        if (!slash) {
                d = lookup(s, path);
                return d && !d->token ? d : NULL;
        }
        /* "/<token>/<slug>.ics": the slug's feed, if it is private and the token is its own. */
        d = lookup(s, slash);
        if (!d || !d->token)
                return NULL;
        return http_token_equal(path + 1, (size_t) (slash - path - 1), d->token) ? d : NULL;
}
