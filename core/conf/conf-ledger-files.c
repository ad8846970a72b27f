/* SPDX-License-Identifier: MIT */
/* The ledger files of a configuration, read by several threads at once: a
 * province's hundred county ledgers are a hundred files, each read on its
 * own (conf-ledger.c), and a reload waits for the last. What the load
 * shares is only read, or taken under a lock: the owners and their index,
 * the holiday calendar, the list of files read. Each file's messages are
 * kept apart and reported in the files' order, so that what is said is what
 * one thread reading them in turn says.
 *
 * A reload reads only what changed: when the files the ledgers are read
 * against (the main file and what it includes, the holidays) have the bytes
 * they had, a ledger whose own file has its bytes too is copied from the
 * configuration in force (ledger_copy()), its warnings said again. Reading
 * a county's ledger takes a hundred times as long as copying it. */

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/sha256.h"
#include "basic/threads.h"
#include "conf/conf-internal.h"
#include "ledger/model-index.h"

/* More threads than this gain little against what they cost in memory
 * (each thread's allocations come from a heap of its own). */
#define LEDGER_MAX_THREADS 4
size_t conf_ledger_threads = LEDGER_MAX_THREADS;

struct ledger_file {
        const char *path;
        const config_setting_t *ref; /* the setting that names it */
        const char *key;
        struct diagnostics diags;
        int r;
        bool copied; /* from the configuration reloaded, unread */
};

struct ledger_files {
        struct confread *cr;
        struct ledger_file *files;
        struct ledger *ledgers;
        size_t n;
        atomic_size_t next; /* the next file no thread has taken */
        pthread_mutex_t files_lock;
        const struct config *previous; /* to copy unchanged ledgers from; NULL: none */
};

/* One thread's reading: its phrase memo lasts across the files it takes. */
struct ledger_reader {
        struct ledger_files *lf;
        struct confread cr;
        pthread_t thread;
        bool started;
};

/* ---- the ledgers a reload need not read ---------------------------------------- */

static const struct file_digest *digest_of(const struct config *c, const char *path) {
        for (size_t i = 0; c->file_digests && i < c->n_files; i++)
                if (strcmp(c->files[i], path) == 0)
                        return c->file_digests[i].state == FILE_DIGEST_SET ? &c->file_digests[i]
                                                                           : NULL;
        return NULL;
}

/* Whether every file of fresh read so far (the first n) has the bytes it
 * had when previous was read. */
static bool context_unchanged(const struct config *previous, const struct config *fresh,
                              size_t n) {
        for (size_t i = 0; i < n; i++) {
                const struct file_digest *was = digest_of(previous, fresh->files[i]);

                if (!was || fresh->file_digests[i].state != FILE_DIGEST_SET ||
                    memcmp(was->sha256, fresh->file_digests[i].sha256, sizeof was->sha256) != 0)
                        return false;
        }
        return n > 0;
}

static bool read_from(const struct ledger *l, const char *path) {
        return l->source.file && strcmp(l->source.file, path) == 0;
}

/* The ledger of previous read from path: the i-th, as a rule. */
static const struct ledger *ledger_of(const struct config *previous, size_t i, const char *path) {
        if (i < previous->n_ledgers && read_from(&previous->ledgers[i], path))
                return &previous->ledgers[i];
        for (size_t k = 0; k < previous->n_ledgers; k++)
                if (read_from(&previous->ledgers[k], path))
                        return &previous->ledgers[k];
        return NULL;
}

/* Whether path's bytes now have the digest was: *digest, theirs. A file of
 * another length is not read twice, nor hashed (a 100,000-task ledger takes
 * 15 ms); one that cannot be read is read as usual, which says why. */
static int same_bytes(const char *path, const struct file_digest *was, uint8_t *digest) {
        struct stat st;
        char *text = NULL;
        size_t len = 0;
        int r;

        if (stat(path, &st) < 0 || (uint64_t) st.st_size != was->size)
                return 0;
        r = confread_text(path, &text, &len);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        r = sha256(text, len, digest);
        free(text);
        if (r < 0)
                return r;
        return memcmp(digest, was->sha256, SHA256_DIGEST_SIZE) == 0;
}

/* Ledger i copied from the configuration in force, when its file did not
 * change: 1; 0: read it; -ENOMEM. */
static int take_unchanged(struct ledger_reader *rd, size_t i) {
        const struct config *previous = rd->lf->previous;
        struct ledger_file *f = &rd->lf->files[i];
        struct ledger *out = &rd->lf->ledgers[i];
        const struct ledger *old = ledger_of(previous, i, f->path);
        const struct file_digest *was = digest_of(previous, f->path);
        uint8_t digest[SHA256_DIGEST_SIZE];
        const char *file;
        int r;

        if (!old || !old->self_contained || !was)
                return 0;
        r = same_bytes(f->path, was, digest);
        if (r <= 0)
                return r;
        file = confread_intern_file(&rd->cr, f->path);
        r = file ? ledger_copy(old, previous->owners, rd->cr.config->owners, file, out) : -ENOMEM;
        if (r < 0) {
                conf_ledger_free(out);
                *out = (struct ledger) { 0 };
                return r;
        }
        confread_file_digest(&rd->cr, file, digest, was->size);
        diag_append(&f->diags, &old->said);
        return 1;
}

/* ---- reading --------------------------------------------------------------------- */

/* What reading a ledger said is kept with it, for a reload to say again. */
static void read_one(struct ledger_reader *rd, size_t i) {
        struct ledger_file *f = &rd->lf->files[i];
        struct ledger *l = &rd->lf->ledgers[i];

        rd->cr.diags = &f->diags;
        f->r = confread_check_file(&rd->cr, f->ref, f->key, f->path);
        if (f->r >= 0 && rd->lf->previous && (f->r = take_unchanged(rd, i)) != 0) {
                f->copied = f->r > 0;
                f->r = f->r > 0 ? 0 : f->r;
                return;
        }
        if (f->r >= 0)
                f->r = conf_ledger_load(&rd->cr, f->path, l);
        if (f->r >= 0)
                diag_append(&l->said, &f->diags);
}

static void *reader_run(void *userdata) {
        struct ledger_reader *rd = userdata;
        size_t i;

        while ((i = atomic_fetch_add(&rd->lf->next, 1)) < rd->lf->n)
                read_one(rd, i);
        return NULL;
}

/* What a reader kept for itself: its memo, and an index of the owners if it
 * had to make its own. */
static void reader_done(struct ledger_reader *rd, const struct owner_index *shared) {
        if (rd->cr.owners == shared)
                rd->cr.owners = NULL;
        conf_ledger_load_done(&rd->cr);
}

static size_t readers_wanted(size_t n_files) {
        size_t n = threads_cpus();

        if (n > conf_ledger_threads)
                n = conf_ledger_threads;
        if (n > n_files)
                n = n_files;
        return n > 0 ? n : 1;
}

/* The caller reads too, as reader 0; a thread that cannot start leaves its
 * share to the others. */
static void read_all(struct ledger_files *lf, struct ledger_reader *readers, size_t n_readers) {
        for (size_t k = 0; k < n_readers; k++)
                readers[k] = (struct ledger_reader) {
                        .lf = lf,
                        .cr = { .config = lf->cr->config, .owners = lf->cr->owners,
                                .files_lock = n_readers > 1 ? &lf->files_lock : NULL },
                };
        for (size_t k = 1; k < n_readers; k++)
                readers[k].started = threads_start(&readers[k].thread, reader_run, &readers[k]) >= 0;
        reader_run(&readers[0]);
        for (size_t k = 1; k < n_readers; k++)
                if (readers[k].started)
                        pthread_join(readers[k].thread, NULL);
        for (size_t k = 0; k < n_readers; k++)
                reader_done(&readers[k], lf->cr->owners);
}

int conf_ledger_files_load(struct confread *cr, const config_setting_t *ref, const char *key,
                           char **paths, size_t n, struct ledger *ledgers) {
        struct ledger_files lf = { .cr = cr, .ledgers = ledgers, .n = n };
        size_t n_readers = readers_wanted(n), first_new, n_context = cr->config->n_files;
        struct ledger_reader *readers = calloc(n_readers, sizeof *readers);
        int r = 0;

        lf.files = calloc(n + 1, sizeof *lf.files);
        if (!readers || !lf.files) {
                free(readers);
                free(lf.files);
                return -ENOMEM;
        }
        /* The ledgers' own files first, in the order named; what they
         * include after them, in an order of its own (confread_sort_files). */
        for (size_t i = 0; i < n; i++) {
                lf.files[i] = (struct ledger_file) { .path = paths[i], .ref = ref, .key = key };
                if (!confread_intern_file(cr, paths[i]))
                        r = -ENOMEM;
        }
        first_new = cr->config->n_files;
        if (cr->previous && context_unchanged(cr->previous, cr->config, n_context))
                lf.previous = cr->previous;
        if (!cr->owners)
                (void) owner_index_build(cr->config, &cr->owners); /* without it, only slower */
        pthread_mutex_init(&lf.files_lock, NULL);
        if (r == 0)
                read_all(&lf, readers, n_readers);
        pthread_mutex_destroy(&lf.files_lock);
        confread_sort_files(cr, first_new);
        for (size_t i = 0; i < n; i++) {
                cr->config->n_ledgers_copied += lf.files[i].copied;
                diag_append(cr->diags, &lf.files[i].diags);
                diag_clear(&lf.files[i].diags);
                if (r != -ENOMEM && lf.files[i].r < 0)
                        r = lf.files[i].r == -ENOMEM ? -ENOMEM : -EINVAL;
        }
        free(lf.files);
        free(readers);
        return r;
}
