/* SPDX-License-Identifier: MIT */
/* The ledger files of a configuration, read by several threads at once: a
 * province's hundred county ledgers are a hundred files of a few hundred
 * kilobytes, each read on its own (conf-ledger.c), and a reload waits for
 * the last. What the load shares is only read, or taken under a lock: the
 * owners and their index, the holiday calendar, the list of files read.
 * Each file's messages are kept apart and reported in the files' order, so
 * that what is said is what one thread reading them in turn says. */

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
};

struct ledger_files {
        struct confread *cr;
        struct ledger_file *files;
        struct ledger *ledgers;
        size_t n;
        atomic_size_t next; /* the next file no thread has taken */
        pthread_mutex_t files_lock;
};

/* One thread's reading: its phrase memo lasts across the files it takes. */
struct ledger_reader {
        struct ledger_files *lf;
        struct confread cr;
        pthread_t thread;
        bool started;
};

static void read_one(struct ledger_reader *rd, size_t i) {
        struct ledger_file *f = &rd->lf->files[i];

        rd->cr.diags = &f->diags;
        f->r = confread_check_file(&rd->cr, f->ref, f->key, f->path);
        if (f->r >= 0)
                f->r = conf_ledger_load(&rd->cr, f->path, &rd->lf->ledgers[i]);
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
        size_t n_readers = readers_wanted(n), first_new;
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
        if (!cr->owners)
                (void) owner_index_build(cr->config, &cr->owners); /* without it, only slower */
        pthread_mutex_init(&lf.files_lock, NULL);
        if (r == 0)
                read_all(&lf, readers, n_readers);
        pthread_mutex_destroy(&lf.files_lock);
        confread_sort_files(cr, first_new);
        for (size_t i = 0; i < n; i++) {
                diag_append(cr->diags, &lf.files[i].diags);
                diag_clear(&lf.files[i].diags);
                if (r != -ENOMEM && lf.files[i].r < 0)
                        r = lf.files[i].r == -ENOMEM ? -ENOMEM : -EINVAL;
        }
        free(lf.files);
        free(readers);
        return r;
}
