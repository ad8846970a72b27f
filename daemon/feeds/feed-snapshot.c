/* SPDX-License-Identifier: MIT */
#include "feeds/feed-snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "feeds/feed-index.h"
#include "feeds/feed-reuse.h"
#include "marks/marks.h"
#include "http/http.h"
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
        free(d->path);
        free(d->token);
        free(d->file);
        free(d);
}

/* Bodies above this are deflated at level 1, not 6: they are rendered again
 * on every change (a province's /ledger.ics, 14 MB, after any ledger's
 * reload), and level 6 spends more than twice the time for a seventh fewer
 * bytes. Measured on that /ledger.ics, one core: libdeflate 1.14 level 1,
 * 1,014,335 bytes in 21 ms; level 6, 874,406 bytes in 51 ms (zlib 1.2.13:
 * level 1, 1,154,643 bytes in 37 ms; level 6, 860,391 bytes in 87 ms).
 * libdeflate compresses a whole buffer at once, which is what a feed is. An
 * owner's feed, some 140 KB, keeps level 6: it costs half a millisecond. */
#define GZIP_FAST_OVER (1024 * 1024)

/* gzip (RFC 1952), once per change. The header holds no time stamp and the
 * level depends only on the size, so the same bytes always compress to the
 * same bytes. NULL when compressing does not pay or cannot be done. */
static struct feed_blob *gzip_blob(const struct feed_blob *in) {
        struct libdeflate_compressor *z;
        struct feed_blob *b = NULL;
        size_t bound, n = 0;
        char *out;

        if (in->size < 64)
                return NULL;
        z = libdeflate_alloc_compressor(in->size > GZIP_FAST_OVER ? 1 : 6);
        if (!z)
                return NULL;
        bound = libdeflate_gzip_compress_bound(z, in->size);
        out = malloc(bound);
        if (out)
                n = libdeflate_gzip_compress(z, in->data, in->size, out, bound);
        if (n > 0 && n < in->size)
                b = blob_from(out, n);
        libdeflate_free_compressor(z);
        free(out);
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

/* A new document; takes body and gzip (its gzip copy, or NULL) over, also
 * on failure. */
static int doc_new(const struct feed_build *b, const struct doc_spec *spec, struct feed_blob *body,
                   struct feed_blob *gzip, const uint8_t *digest, struct feed_doc **out) {
        struct feed_doc *d = calloc(1, sizeof *d);

        if (!d) {
                blob_free(body);
                blob_free(gzip);
                return -ENOMEM;
        }
        d->refs = 1;
        d->body[FEED_IDENTITY] = body;
        d->body[FEED_GZIP] = gzip;
        d->content_type = spec->content_type;
        memcpy(d->digest, digest, SHA256_DIGEST_SIZE);
        d->modified = first_seen(b, spec->path, digest);
        d->path = strdup(spec->path);
        d->file = strdup(spec->file);
        d->token = spec->token ? strdup(spec->token) : NULL;
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

/* Adds the document of these bytes, whose digest is known and whose gzip
 * copy may be (gzipped), to s; body and gzip are taken over. */
static int add_doc_hashed(const struct feed_build *b, struct feed_snapshot *s,
                          const struct doc_spec *spec, struct feed_blob *body,
                          const uint8_t *digest, struct feed_blob *gzip, bool gzipped) {
        struct feed_doc *d = unchanged(b, spec, body, digest);

        if (d) {
                d->refs++;
                blob_free(body);
                blob_free(gzip);
        } else if (doc_new(b, spec, body, gzipped ? gzip : gzip_blob(body), digest, &d) < 0)
                return -ENOMEM;
        s->docs[s->n_docs++] = d;
        return 0;
}

/* Adds the document of these bytes (taken over) to s. */
static int add_doc(const struct feed_build *b, struct feed_snapshot *s, const struct doc_spec *spec,
                   struct feed_blob *body) {
        uint8_t digest[SHA256_DIGEST_SIZE];

        sha256(body->data, body->size, digest);
        return add_doc_hashed(b, s, spec, body, digest, NULL, false);
}

/* The feed of everyone, its SHA-256 and gzip copy each made on a thread of
 * its own while the owners' feeds and the index page render: for a
 * province's /ledger.ics (14 MB), rendered again after any ledger's reload,
 * 10 ms of SHA-256 and 21 ms of deflate that the rest need not wait for,
 * nor each other. */
struct hashing {
        struct feed_blob *body; /* NULL: nothing rendered */
        uint8_t digest[SHA256_DIGEST_SIZE];
        struct feed_blob *gzip;
        pthread_t threads[2];
        bool threaded[2];
};

static void *hashing_digest(void *userdata) {
        struct hashing *h = userdata;

        sha256(h->body->data, h->body->size, h->digest);
        return NULL;
}

static void *hashing_gzip(void *userdata) {
        struct hashing *h = userdata;

        h->gzip = gzip_blob(h->body);
        return NULL;
}

/* Starts on body (taken over); inline what no thread can be had for. */
static void hashing_start(struct hashing *h, struct feed_blob *body) {
        void *(*const run[2])(void *) = { hashing_digest, hashing_gzip };

        h->body = body;
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
        if (!h->body)
                return r;
        if (r >= 0)
                return add_doc_hashed(b, s, spec, h->body, h->digest, h->gzip, true);
        blob_free(h->body);
        blob_free(h->gzip);
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

/* Rendered straight into the memfd it will be served from. The feed of
 * everyone (o NULL) copies the events of the ledgers copy gives, and says
 * where each ledger's are in s->pieces. */
static int render_calendar(const struct feed_build *b, struct revisions *rev, const struct owner *o,
                           struct feed_snapshot *s, const struct ics_text *copy,
                           struct feed_blob **out) {
        struct revisions_scope scope = { rev, o ? o->id : NULL };
        struct ics_options io = {
                .config = b->config, .owner = o, .revision = revisions_lookup_scoped,
                .userdata = &scope, .state = b->marks ? marks_ics_state : NULL,
                .state_userdata = (void *) b->marks,
                .pieces = o ? NULL : s->pieces, .reuse = o ? NULL : copy,
        };
        int fd;
        FILE *f = blob_stream(&fd);

        if (!f)
                return errno > 0 ? -errno : -ENOMEM;
        return blob_finish(f, fd, ics_render(&io, f), out);
}

/* Where the calendar of o (NULL: everyone's) is served: path and file. */
static struct doc_spec calendar_spec(const struct owner *o, char *path, size_t path_size,
                                     char *file, size_t file_size) {
        const char *slug = o ? o->feed_slug : "ledger", *token = o ? o->feed_token : NULL;

        snprintf(path, path_size, "/%s.ics", slug);
        snprintf(file, file_size, "%s%s%s.ics", token ? token : "", token ? "/" : "", slug);
        return (struct doc_spec) { path, token, file, CALENDAR_TYPE };
}

static int add_calendar(const struct feed_build *b, struct feed_snapshot *s, struct revisions *rev,
                        const struct owner *o) {
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(o, path, sizeof path, file, sizeof file);
        struct feed_blob *body = NULL;
        int r = render_calendar(b, rev, o, s, NULL, &body);

        if (r < 0)
                return log_error_errno(r, "cannot render the feed %s: %m", o ? o->feed_slug : "ledger");
        s->n_rendered++;
        return add_doc(b, s, &spec, body);
}

/* The owner's document of the previous snapshot, taken over unrendered
 * (feed-reuse.h says when that is right); rendered when it has none. */
static int carry_calendar(const struct feed_build *b, struct feed_snapshot *s,
                          struct revisions *rev, const struct owner *o) {
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(o, path, sizeof path, file, sizeof file);
        struct feed_doc *d = lookup(b->previous, path);

        if (!d || !same_token(d->token, spec.token) || strcmp(d->file, spec.file) != 0)
                return add_calendar(b, s, rev, o);
        d->refs++;
        s->docs[s->n_docs++] = d;
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
        struct feed_blob *body = NULL;
        int fd, r;
        FILE *f = blob_stream(&fd);

        if (!f)
                return -ENOMEM;
        r = blob_finish(f, fd, feed_index_render(b->config, b->marks, b->base_url, index_today(b), f),
                        &body);
        s->n_rendered++;
        return r < 0 ? r : add_doc(b, s, &spec, body);
}

/* Every calendar with the revisions open, then committed: the revisions hold
 * a write transaction, so they stay open only while rendering. */
static int add_calendars(const struct feed_build *b, struct feed_snapshot *s, const bool *reuse,
                         const struct ics_text *copy, struct hashing *everyone) {
        struct feed_blob *body = NULL;
        struct revisions *rev = NULL;
        char *error = NULL;
        int r = revisions_open(b->state_path, b->now, &rev, &error);

        if (r < 0) {
                log_error_errno(r, "%s: cannot read the event revisions: %s", b->state_path,
                                error ? error : strerror(-r));
                free(error);
                return r;
        }
        r = render_calendar(b, rev, NULL, s, copy, &body);
        if (r < 0)
                log_error_errno(r, "cannot render the feed ledger: %m");
        else {
                s->n_rendered++;
                hashing_start(everyone, body);
        }
        for (size_t i = 0; r >= 0 && i < b->config->n_owners; i++)
                r = reuse[i] ? carry_calendar(b, s, rev, &b->config->owners[i])
                             : add_calendar(b, s, rev, &b->config->owners[i]);
        if (r >= 0 && (r = revisions_commit(rev)) < 0)
                log_error_errno(r, "%s: cannot save the event revisions: %m", b->state_path);
        revisions_close(rev);
        return r;
}

static int compare_docs(const void *a, const void *b) {
        return strcmp((*(struct feed_doc *const *) a)->path, (*(struct feed_doc *const *) b)->path);
}

/* Whether the previous snapshot says what it was rendered from, and was
 * rendered with the same marks as s will be. */
static bool previous_comparable(const struct feed_build *b, const struct feed_snapshot *s) {
        const struct feed_snapshot *p = b->previous;

        return p && p->config && p->marks_known && s->marks_known &&
               memcmp(p->marks_digest, s->marks_digest, sizeof s->marks_digest) == 0;
}

/* Which owners' feeds carry over unrendered: none unless the previous
 * snapshot is comparable. */
static int plan_reuse(const struct feed_build *b, const struct feed_snapshot *s, bool *reuse) {
        if (!previous_comparable(b, s))
                return 0; /* reuse is all false */
        return feed_reuse_owners(b->previous->config, b->config, reuse);
}

/* The events the feed of everyone copies from the previous one, ledger by
 * ledger (ics_options.reuse); NULL when it renders them all. */
static struct ics_text *plan_copies(const struct feed_build *b, struct feed_snapshot *s) {
        const struct feed_snapshot *p = b->previous;
        size_t n = b->config->n_ledgers;
        const struct feed_doc *d;
        const struct feed_blob *old;
        struct ics_text *copy;
        bool *same;

        if (!previous_comparable(b, s) || !p->pieces || !(d = lookup(p, "/ledger.ics")))
                return NULL;
        old = d->body[FEED_IDENTITY];
        same = calloc(n + 1, sizeof *same);
        copy = calloc(n + 1, sizeof *copy);
        if (same && copy) {
                feed_reuse_ledgers(p->config, b->config, same);
                for (size_t i = 0; i < n; i++)
                        if (same[i] && p->pieces[i].start <= old->size &&
                            p->pieces[i].size <= old->size - p->pieces[i].start) {
                                copy[i] = (struct ics_text) { old->data + p->pieces[i].start,
                                                              p->pieces[i].size };
                                s->n_copied++;
                        }
        }
        free(same);
        return copy;
}

static int build_docs(const struct feed_build *b, struct feed_snapshot *s) {
        bool *reuse = calloc(b->config->n_owners + 1, sizeof *reuse);
        int r = reuse ? plan_reuse(b, s, reuse) : -ENOMEM;
        struct ics_text *copy = plan_copies(b, s);
        struct hashing everyone = {};
        char path[128], file[256];
        struct doc_spec spec = calendar_spec(NULL, path, sizeof path, file, sizeof file);

        if (r >= 0)
                r = add_calendars(b, s, reuse, copy, &everyone);
        if (r >= 0)
                r = add_index(b, s);
        free(reuse);
        free(copy);
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
        s->pieces = calloc(b->config->n_ledgers + 1, sizeof *s->pieces);
        r = s->docs && s->pieces ? build_docs(b, s) : -ENOMEM;
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
        free(s->pieces);
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
