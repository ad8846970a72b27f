/* SPDX-License-Identifier: MIT */
#pragma once

/* What the loaders in conf*.c share beneath their tables (conftable.h): the
 * diagnostics, each naming a setting's file and line, so that one run
 * reports every problem and goes on; type checks; ids; files read whole or
 * in slices. */

#include <libconfig.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "basic/diag.h"
#include "ledger/model.h"

struct owner_index;
struct phrase_memo;

struct confread {
        struct config *config; /* being built; its files list interns paths */
        struct diagnostics *diags;
        /* The deadline phrases read so far in this load and what they say
         * (conf-ledger.c): the same few hundred phrases recur across a
         * province's ledgers. Made on first use; conf_load() frees it. */
        struct phrase_memo *phrases;
        /* The owners by id and name for the tasks' owners, made when the
         * first task is read (the owners are all read by then): a province's
         * 5,000 tasks each named owners among a hundred. Freed with phrases. */
        struct owner_index *owners;
        /* Held around the configuration's file list (interning, digests)
         * when several threads read files into it (conf-ledger-files.c);
         * NULL when one does. */
        pthread_mutex_t *files_lock;
        /* The configuration in force when this one is a reload of it: its
         * ledgers whose files did not change are copied, not read again
         * (conf-ledger-files.c). NULL: read everything. */
        const struct config *previous;
};

void confread_error(struct confread *cr, const config_setting_t *s, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void confread_warning(struct confread *cr, const config_setting_t *s, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* path interned in the configuration's file list, for struct source to
 * point at as long as the configuration lives; NULL when out of memory. */
const char *confread_intern_file(struct confread *cr, const char *path);
/* Sorts the files interned from index first on by path: files interned by
 * several threads at once come in no fixed order, and the list's order must
 * not change from one load of the same files to the next (feed-reuse.c
 * compares two loads' lists). Not under files_lock: call it alone. */
void confread_sort_files(struct confread *cr, size_t first);
/* The bytes of file (interned) as they were parsed: their digest goes in
 * the configuration's file_digests. A file read twice with different bytes
 * (changed in between) gets no digest that compares equal to any. */
void confread_file_read(struct confread *cr, const char *file, const char *text, size_t len);
/* The same with the digest of its size bytes taken already (by a thread of
 * its own); NULL when it could not be. */
void confread_file_digest(struct confread *cr, const char *file, const uint8_t *sha256,
                          size_t size);

struct source confread_source(struct confread *cr, const config_setting_t *s);

/* The type checks the tables (conftable.h) and their custom readers make.
 * Each reports what is wrong at the setting and returns -EINVAL.
 *
 * confread_expect: 0 when s, key's setting, is of libconfig's type
 * (CONFIG_TYPE_*; a 64-bit int is an int).
 * confread_expect_groups: 0 when s is a list of groups.
 * confread_string_elem: 1 and the string element i of collection, borrowed
 * from the tree. */
int confread_expect(struct confread *cr, const char *key, const config_setting_t *s, int type);
int confread_expect_groups(struct confread *cr, const char *key, const config_setting_t *s);
int confread_string_elem(struct confread *cr, const config_setting_t *collection,
                         const char *key, unsigned i, const char **out);
/* The strings of s, an array or a list (NULL: absent, 0), copied into *out
 * (NULL-terminated, *n of them): 1, 0, -EINVAL or -ENOMEM. On -EINVAL *out
 * holds the strings before the first that is not one. Either way *out is
 * NULL-terminated: free it with strv_free(). */
int confread_strings(struct confread *cr, const char *key, const config_setting_t *s,
                     char ***out, size_t *n);
/* How many strings s begins with: 1 when it holds only strings, else
 * -EINVAL (reported) with *n those before the first that is not one. */
int confread_count_strings(struct confread *cr, const char *key, const config_setting_t *s,
                           size_t *n);

/* Ids people type: 1 to max_len of [A-Za-z0-9_-]. */
bool confread_id_valid(const char *id, size_t max_len);
/* Task ids and ledger ids are short: "<milestone>@<ledger>.ledgerd" must stay
 * within the 60 octets calendar apps accept in a UID. */
#define CONF_TASK_ID_MAX 16
#define CONF_LEDGER_ID_MAX 24
#define CONF_ID_MAX 32

/* Configuration files are read only when they are regular files, opened so
 * that nothing blocks (confread-file.c): a FIFO would freeze the service on
 * a reload, a directory makes libconfig's scanner exit the process. Their
 * text must be UTF-8 without NUL bytes; a UTF-8 byte order mark at the start
 * is dropped. Both readers, whole and in slices, get the text so checked.
 *
 * confread_file: a whole file into a libconfig object, its @include
 * directives (relative to the file's directory) replaced by the files they
 * name before libconfig sees the text, so that libconfig never opens a file.
 * Settings and messages name the file and line each came from. 0, or -errno
 * with the reason reported. */
int confread_file(struct confread *cr, config_t *cfg, const char *path);
/* The text of path, NUL-terminated, a byte order mark dropped, for the
 * slices to cut: 0, or -errno with nothing reported (confread_file() says
 * what is wrong). Not checked: confread_text_valid() says whether it is
 * UTF-8 without NUL bytes, which takes a while, so the slices ask it on a
 * thread of their own. */
int confread_text(const char *path, char **text, size_t *len);
bool confread_text_valid(const char *text, size_t len);
/* For a file named by a setting (ledgers, holidays): 0 when path is a
 * regular file; else -EINVAL, reported at ref as the value of key. */
int confread_check_file(struct confread *cr, const config_setting_t *ref, const char *key,
                        const char *path);

/* path relative to the directory of base, unless absolute. */
char *confread_resolve_path(const char *base, const char *path);

/* Where the settings of a configuration parsed from a string come from:
 * libconfig knows no file for them and counts lines from the string's
 * start. Hung on the root setting's hook, where confread_source() finds it. */
struct confread_origin {
        const char *file; /* interned */
        int line_offset;
        /* A text put together from several files (@include): n_spans > 0 and
         * file NULL. */
        const struct confread_span *spans;
        size_t n_spans;
};
/* From line first of the text on, the lines are file's from line on. */
struct confread_span {
        int first;
        const char *file; /* interned */
        int line;
};
/* Where line of a text of spans (sorted by first) comes from. */
struct source confread_span_source(const struct confread_span *spans, size_t n, int line);

/* A file whose one big list (a ledger's tasks) is parsed a slice of elements
 * at a time, by as many threads as there are processors, and handed over in
 * file order: libconfig's tree of a 100,000-task ledger takes 150 MB, a
 * slice's a megabyte. The settings are those a whole read gives, lines
 * included; a file that does not parse as slices is read whole, so that its
 * error is libconfig's own. */
struct confread_slices;

/* A slice ends at the first comma past this many bytes (256 KB: a tree of a
 * megabyte or two). 0: files are read whole. For tests, which make slices of
 * one element. */
extern size_t confread_slice_bytes;

/* Reads path; if it has the shape group = { … list = ( { … }, … ); … } with
 * groups only in the list and nothing the slicer cannot vouch for (such as
 * @include), parses it with the list left empty into skeleton (origin must
 * outlive it) and returns 1. 0: read the file whole with confread_file(),
 * which reports whatever is wrong with it. -ENOMEM. */
int confread_slices_open(struct confread *cr, const char *path, const char *group,
                         const char *list, config_t *skeleton, struct confread_origin *origin,
                         struct confread_slices **out);
/* How many elements the list has. */
size_t confread_slices_elements(const struct confread_slices *s);
/* The next slice in file order: *list holds its elements, the first of
 * which is element *first of the whole list; valid until the next call. 1,
 * 0 after the last, -EINVAL when a slice does not parse (read the file whole
 * for the message). */
int confread_slices_next(struct confread_slices *s, const config_setting_t **list,
                         size_t *first);
/* Parses the slices not taken: 0 when every one parses and the text is
 * UTF-8 without NUL bytes, else -EINVAL (read the file whole for the
 * message). A reader that stops early must still know the file is valid. */
int confread_slices_finish(struct confread_slices *s);
void confread_slices_close(struct confread_slices *s);
