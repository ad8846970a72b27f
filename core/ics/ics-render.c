/* SPDX-License-Identifier: MIT */
/* Events rendered in chunks, by as many threads as there are processors,
 * and written in order, each with the revision lines its hash calls for;
 * a feed's ledgers whose bytes are known already copied instead. */
#include <endian.h>
#include <errno.h>

#include "ics/ics-internal.h"
#include "basic/threads.h"
#include "ledger/model.h"

/* Events are rendered in chunks of this many, by as many threads as there
 * are processors (ICS_MAX_THREADS at most), and written in order. */
#define ICS_CHUNK 256
#define ICS_MAX_THREADS 4
/* Output is handed to stdio in pieces this large: one write(2) each. */
#define ICS_PAGE (256 * 1024)

/* One event of a chunk: its folded text lacks only the revision lines, which
 * go after its UID line once the revision is known. */
struct ics_event {
        char uid[ICS_UID_MAX];
        uint64_t hash;
        size_t head_end; /* BEGIN and UID lines: out[start, head_end) */
        size_t end;      /* the rest: out[head_end, end) */
};

struct ics_chunk {
        size_t first, n;    /* the job's milestones [first, first + n) */
        size_t n_done;      /* events rendered; fewer than n after an error */
        int error;          /* why rendering stopped at n_done, or 0 */
        bool ready;         /* rendered, not yet written */
        struct ics_buf out; /* folded events */
        struct ics_event events[ICS_CHUNK];
};

/* Writes n octets to the output and counts them. 0 or -EIO. */
static int ics_write_out(struct ics_job *j, const char *data, size_t n) {
        if (n > 0 && fwrite(data, 1, n, j->out) != n)
                return -EIO;
        j->written += n;
        return 0;
}

/* Writes the page. 0, -ENOMEM or -EIO. */
int ics_flush(struct ics_job *j) {
        int r = j->page.failed ? -ENOMEM : ics_write_out(j, j->page.data, j->page.len);

        buf_clear(&j->page);
        return r;
}

/* ---- one chunk ---------------------------------------------------------------- */

static uint64_t rotl64(uint64_t x, int r) {
        return (x << r) | (x >> (64 - r));
}

/* A 64-bit hash of everything an event says, eight bytes at a time (FNV-1a,
 * a byte at a time, took a seventh of the render), read little-endian so
 * that it is the same on every host: stored revisions outlive the process. */
static uint64_t ics_hash(const char *s, size_t n) {
        const uint64_t p1 = UINT64_C(0x9e3779b185ebca87), p2 = UINT64_C(0xc2b2ae3d27d4eb4f);
        uint64_t h = UINT64_C(14695981039346656037) ^ (n * p1), w;
        size_t i = 0;

        for (; i + 8 <= n; i += 8) {
                memcpy(&w, s + i, 8);
                h = rotl64(h ^ (le64toh(w) * p2), 31) * p1;
        }
        if (i < n) {
                w = 0;
                for (size_t k = n; k-- > i;)
                        w = (w << 8) | (unsigned char) s[k];
                h = rotl64(h ^ (w * p2), 31) * p1;
        }
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        return h;
}

/* Renders chunk c's events, folded, into its buffer. */
static int ics_render_chunk(struct ics_worker *w, struct ics_chunk *c) {
        const struct ics_job *j = w->job;

        buf_clear(&c->out);
        for (c->n_done = 0; c->n_done < c->n; c->n_done++) {
                const struct milestone *m = j->ms[c->first + c->n_done];
                struct ics_event *e = &c->events[c->n_done];
                size_t uid_end;
                int r = ics_milestone_uid(m, e->uid);

                if (r >= 0)
                        r = ics_event_text(w, m, e->uid, &uid_end);
                if (r < 0)
                        return r;
                e->hash = ics_hash(w->text.data, w->text.len);
                ics_fold_text(&c->out, w->text.data, uid_end);
                e->head_end = c->out.len;
                ics_fold_text(&c->out, w->text.data + uid_end, w->text.len - uid_end);
                e->end = c->out.len;
                if (c->out.failed)
                        return -ENOMEM;
        }
        return 0;
}

/* "DTSTAMP:…\r\nLAST-MODIFIED:…\r\nSEQUENCE:…\r\n": short lines, never folded.
 * Events mostly share their time of change: the last one formatted is kept. */
static int ics_put_revision(struct ics_job *j, const struct ics_revision *rev) {
        struct ics_buf *b = &j->page;
        char seq[12], *p = seq + sizeof seq;
        const char *stamp = j->stamp;
        uint32_t v = rev->sequence;

        if (!j->stamp_valid || j->stamp_of != rev->modified) {
                j->stamp_valid = false;
                if (ics_format_utc(rev->modified, j->stamp) < 0)
                        return -EINVAL;
                j->stamp_of = rev->modified;
                j->stamp_valid = true;
        }
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        buf_put(b, "DTSTAMP:", 8);
        buf_put(b, stamp, 16);
        buf_put(b, "\r\nLAST-MODIFIED:", 16);
        buf_put(b, stamp, 16);
        buf_put(b, "\r\nSEQUENCE:", 11);
        buf_put(b, p, (size_t) (seq + sizeof seq - p));
        buf_put(b, "\r\n", 2);
        return 0;
}

/* Where the events of m's ledger are in the output, with this one, which
 * lies at [from, to): a ledger's events are written one after another. */
static void ics_note_piece(const struct ics_job *j, const struct milestone *m, size_t from,
                           size_t to) {
        struct ics_piece *p = &j->opts->pieces[m->task->ledger - j->opts->config->ledgers];

        if (p->size == 0)
                p->start = from;
        p->size = to - p->start;
}

/* Writes chunk c's events in order, each with its revision after its UID:
 * the hash, and so the revision, covers everything else the event says. The
 * revision callback is only ever called here, by the calling thread. */
static int ics_emit_chunk(struct ics_job *j, const struct ics_chunk *c) {
        const struct ics_options *o = j->opts;
        size_t start = 0;

        for (size_t i = 0; i < c->n_done; i++) {
                const struct ics_event *e = &c->events[i];
                struct ics_revision rev = { .sequence = 0, .modified = o->fallback_modified };
                size_t at = j->written + j->page.len;
                int r;

                if (o->revision)
                        rev = o->revision(e->uid, e->hash, o->userdata);
                buf_put(&j->page, c->out.data + start, e->head_end - start);
                if ((r = ics_put_revision(j, &rev)) < 0)
                        return r;
                buf_put(&j->page, c->out.data + e->head_end, e->end - e->head_end);
                start = e->end;
                if (o->pieces)
                        ics_note_piece(j, j->ms[c->first + i], at, j->written + j->page.len);
                if (j->page.len >= ICS_PAGE && (r = ics_flush(j)) < 0)
                        return r;
        }
        return c->error ? c->error : j->page.failed ? -ENOMEM : 0;
}

/* ---- chunks among threads ------------------------------------------------------ */

static struct ics_chunk *ics_slot(const struct ics_job *j, size_t k) {
        return &j->ring[k % j->ring_size];
}

/* Under the lock: takes the next chunk if there is one and its slot is free
 * (the chunk ring_size before it is written). */
static bool ics_claim(struct ics_job *j, size_t *k) {
        struct ics_chunk *c;

        if (j->stop || j->next_claim >= j->n_chunks || j->next_claim >= j->next_emit + j->ring_size)
                return false;
        *k = j->next_claim++;
        c = ics_slot(j, *k);
        c->first = *k * ICS_CHUNK;
        c->n = j->n_ms - c->first < ICS_CHUNK ? j->n_ms - c->first : ICS_CHUNK;
        c->ready = false;
        return true;
}

/* Called with the lock held; renders chunk k without it. */
static void ics_work_on(struct ics_worker *w, size_t k) {
        struct ics_job *j = w->job;
        struct ics_chunk *c = ics_slot(j, k);
        int r;

        pthread_mutex_unlock(&j->lock);
        r = ics_render_chunk(w, c);
        pthread_mutex_lock(&j->lock);
        c->error = r;
        c->ready = true;
        pthread_cond_broadcast(&j->changed);
}

static void *ics_helper(void *arg) {
        struct ics_worker *w = arg;
        struct ics_job *j = w->job;
        size_t k;

        pthread_mutex_lock(&j->lock);
        for (;;) {
                if (ics_claim(j, &k))
                        ics_work_on(w, k);
                else if (j->stop || j->next_claim >= j->n_chunks)
                        break;
                else
                        pthread_cond_wait(&j->changed, &j->lock);
        }
        pthread_mutex_unlock(&j->lock);
        return NULL;
}

/* The calling thread writes the chunks in order and, while the next one is
 * not ready, renders one itself. */
static int ics_write_chunks(struct ics_worker *w) {
        struct ics_job *j = w->job;
        int r = 0;

        for (size_t k = 0, mine; r >= 0 && k < j->n_chunks; k++) {
                pthread_mutex_lock(&j->lock);
                while (!(ics_slot(j, k)->ready && j->next_claim > k)) {
                        if (ics_claim(j, &mine))
                                ics_work_on(w, mine);
                        else
                                pthread_cond_wait(&j->changed, &j->lock);
                }
                pthread_mutex_unlock(&j->lock);
                r = ics_emit_chunk(j, ics_slot(j, k));
                pthread_mutex_lock(&j->lock);
                ics_slot(j, k)->ready = false;
                j->next_emit = k + 1;
                j->stop = r < 0;
                pthread_cond_broadcast(&j->changed);
                pthread_mutex_unlock(&j->lock);
        }
        return r;
}

/* Threads besides the caller's: one per further processor it may run on. */
static size_t ics_helpers_wanted(size_t n_chunks) {
        size_t n = threads_cpus() - 1;

        if (n > ICS_MAX_THREADS - 1)
                n = ICS_MAX_THREADS - 1;
        return n < n_chunks ? n : n_chunks - 1;
}

/* Starts up to n helpers, with every signal blocked: they are the caller's to
 * handle. Returns how many started; fewer only make the render slower. */
static size_t ics_start_helpers(struct ics_worker *helpers, pthread_t *threads, size_t n) {
        size_t started = 0;

        for (; started < n; started++)
                if (ics_worker_init(&helpers[started], helpers[0].job) < 0 ||
                    threads_start(&threads[started], ics_helper, &helpers[started]) < 0) {
                        ics_worker_free(&helpers[started]);
                        break;
                }
        return started;
}

int ics_render_events_of(struct ics_job *j) {
        struct ics_worker self, helpers[ICS_MAX_THREADS - 1];
        pthread_t threads[ICS_MAX_THREADS - 1];
        size_t n_helpers = 0, wanted;
        int r;

        j->n_chunks = (j->n_ms + ICS_CHUNK - 1) / ICS_CHUNK;
        j->next_claim = j->next_emit = 0;
        j->stop = false;
        if (j->n_chunks == 0)
                return 0;
        if ((r = ics_worker_init(&self, j)) < 0) {
                ics_worker_free(&self);
                return r;
        }
        for (size_t i = 0; i < ICS_MAX_THREADS - 1; i++)
                helpers[i].job = j;
        wanted = ics_helpers_wanted(j->n_chunks);
        /* Four chunks a thread: slack for the helpers while the caller is
         * busy writing or reading the revisions in. */
        j->ring_size = 4 * (wanted + 1);
        j->ring = calloc(j->ring_size, sizeof *j->ring);
        if (!j->ring) {
                ics_worker_free(&self);
                return -ENOMEM;
        }
        pthread_mutex_init(&j->lock, NULL);
        pthread_cond_init(&j->changed, NULL);
        n_helpers = ics_start_helpers(helpers, threads, wanted);
        r = ics_write_chunks(&self);
        for (size_t i = 0; i < n_helpers; i++) {
                pthread_join(threads[i], NULL);
                ics_worker_free(&helpers[i]);
        }
        pthread_cond_destroy(&j->changed);
        pthread_mutex_destroy(&j->lock);
        for (size_t i = 0; i < j->ring_size; i++)
                buf_free(&j->ring[i].out);
        free(j->ring);
        ics_worker_free(&self);
        return r;
}

/* ---- ledgers copied ------------------------------------------------------------ */

static bool ics_copied(const struct ics_options *o, size_t ledger) {
        return o->reuse && o->reuse[ledger].data;
}

/* Writes the bytes given for the ledger's events. */
static int ics_copy_ledger(struct ics_job *j, size_t ledger) {
        const struct ics_text *t = &j->opts->reuse[ledger];
        int r = ics_flush(j);

        if (r < 0)
                return r;
        if (j->opts->pieces)
                j->opts->pieces[ledger] = (struct ics_piece) { j->written, t->size };
        return ics_write_out(j, t->data, t->size);
}

/* Each run of ledgers to render goes through the chunks as one, so that
 * the threads stay busy across ledgers of a few events each. */
int ics_render_ledgers(struct ics_job *j) {
        const struct ics_options *o = j->opts;
        const struct milestone *const *all = j->ms;
        size_t n_ledgers = o->config->n_ledgers;
        int r = 0;

        if (o->pieces)
                memset(o->pieces, 0, n_ledgers * sizeof *o->pieces);
        for (size_t i = 0, k; r >= 0 && i < n_ledgers; i = k) {
                if (ics_copied(o, i)) {
                        r = ics_copy_ledger(j, i);
                        k = i + 1;
                        continue;
                }
                for (k = i + 1; k < n_ledgers && !ics_copied(o, k); k++)
                        ;
                j->ms = all + j->ledger_start[i];
                j->n_ms = j->ledger_start[k] - j->ledger_start[i];
                r = ics_render_events_of(j);
        }
        j->ms = all;
        j->n_ms = j->ledger_start[n_ledgers];
        return r;
}
