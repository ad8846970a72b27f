/* SPDX-License-Identifier: MIT */
#include "conf/confread.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/sha256.h"
#include "basic/text.h"

/* Interns path in config->files, so struct source can point at it for as
 * long as the configuration lives; its digest, none yet, alongside. */
static const char *intern_locked(struct config *c, const char *path) {
        struct file_digest *digests;
        char **files, *copy;

        for (size_t i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i], path) == 0)
                        return c->files[i];
        files = realloc(c->files, (c->n_files + 1) * sizeof *files);
        if (!files)
                return NULL;
        c->files = files;
        digests = realloc(c->file_digests, (c->n_files + 1) * sizeof *digests);
        if (!digests)
                return NULL;
        c->file_digests = digests;
        digests[c->n_files] = (struct file_digest) { .state = FILE_DIGEST_NONE };
        copy = strdup(path);
        if (!copy)
                return NULL;
        c->files[c->n_files++] = copy;
        return copy;
}

const char *confread_intern_file(struct confread *cr, const char *path) {
        const char *interned;

        if (!path)
                return NULL;
        if (cr->files_lock)
                pthread_mutex_lock(cr->files_lock);
        interned = intern_locked(cr->config, path);
        if (cr->files_lock)
                pthread_mutex_unlock(cr->files_lock);
        return interned;
}

static int compare_file_entries(const void *a, const void *b, void *userdata) {
        const struct config *c = userdata;
        size_t i = *(const size_t *) a, j = *(const size_t *) b;

        return strcmp(c->files[i], c->files[j]);
}

void confread_sort_files(struct confread *cr, size_t first) {
        struct config *c = cr->config;
        size_t n = c->n_files > first ? c->n_files - first : 0, *order;
        char **files;
        struct file_digest *digests;

        if (n < 2 || !c->file_digests)
                return;
        order = calloc(n, sizeof *order);
        files = calloc(n, sizeof *files);
        digests = calloc(n, sizeof *digests);
        for (size_t i = 0; order && i < n; i++)
                order[i] = first + i;
        if (order && files && digests) {
                qsort_r(order, n, sizeof *order, compare_file_entries, c);
                for (size_t i = 0; i < n; i++) {
                        files[i] = c->files[order[i]];
                        digests[i] = c->file_digests[order[i]];
                }
                memcpy(c->files + first, files, n * sizeof *files);
                memcpy(c->file_digests + first, digests, n * sizeof *digests);
        }
        /* Out of memory, the order stays: the feeds only render more. */
        free(order);
        free(files);
        free(digests);
}

void confread_file_read(struct confread *cr, const char *file, const char *text, size_t len) {
        uint8_t digest[SHA256_DIGEST_SIZE];

        confread_file_digest(cr, file, sha256(text, len, digest) == 0 ? digest : NULL, len);
}

static void digest_locked(struct config *c, const char *file, const uint8_t *sha256,
                          size_t size) {
        for (size_t i = 0; i < c->n_files; i++) {
                struct file_digest *d = &c->file_digests[i];

                if (c->files[i] != file)
                        continue;
                if (!sha256)
                        d->state = FILE_DIGEST_MIXED;
                else if (d->state == FILE_DIGEST_NONE) {
                        memcpy(d->sha256, sha256, sizeof d->sha256);
                        d->size = size;
                        d->state = FILE_DIGEST_SET;
                } else if (memcmp(d->sha256, sha256, sizeof d->sha256) != 0)
                        d->state = FILE_DIGEST_MIXED;
                return;
        }
}

void confread_file_digest(struct confread *cr, const char *file, const uint8_t *sha256,
                          size_t size) {
        if (cr->files_lock)
                pthread_mutex_lock(cr->files_lock);
        digest_locked(cr->config, file, sha256, size);
        if (cr->files_lock)
                pthread_mutex_unlock(cr->files_lock);
}

/* A setting read from a string has no file, and its line counts from the
 * string's start: its configuration's origin says where it really is. */
struct source confread_source(struct confread *cr, const config_setting_t *s) {
        const char *file = config_setting_source_file(s);
        int line = (int) config_setting_source_line(s);
        const struct confread_origin *o;

        if (!file && s->config && (o = config_setting_get_hook(config_root_setting(s->config)))) {
                if (o->n_spans)
                        return confread_span_source(o->spans, o->n_spans, line);
                /* Interned already: no walk of the file list for each setting. */
                return (struct source) { .file = o->file, .line = line + o->line_offset };
        }
        return (struct source) { .file = file ? confread_intern_file(cr, file) : NULL,
                                 .line = line };
}

struct source confread_span_source(const struct confread_span *spans, size_t n, int line) {
        size_t lo = 0, hi = n; /* the last span that starts at or before line */

        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;

                if (spans[mid].first <= line)
                        lo = mid;
                else
                        hi = mid;
        }
        return (struct source) { .file = spans[lo].file,
                                 .line = spans[lo].line + (line - spans[lo].first) };
}

static void report(struct confread *cr, enum diag_level level, const config_setting_t *s,
                   const char *fmt, va_list ap) {
        struct source src = confread_source(cr, s);

        diag_addv(cr->diags, level, src.file, src.line, fmt, ap);
}

void confread_error(struct confread *cr, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        report(cr, DIAG_ERROR, s, fmt, ap);
        va_end(ap);
}

void confread_warning(struct confread *cr, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        report(cr, DIAG_WARNING, s, fmt, ap);
        va_end(ap);
}

static const char *type_name(int type) {
        switch (type) {
        case CONFIG_TYPE_GROUP: return "a group { … }";
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64: return "a whole number";
        case CONFIG_TYPE_FLOAT: return "a number";
        case CONFIG_TYPE_STRING: return "a string in double quotes";
        case CONFIG_TYPE_BOOL: return "true or false";
        case CONFIG_TYPE_ARRAY: return "an array [ … ]";
        case CONFIG_TYPE_LIST: return "a list ( … )";
        default: return "something else";
        }
}

int confread_expect(struct confread *cr, const char *key, const config_setting_t *s, int type) {
        int actual = config_setting_type(s);

        if (actual == CONFIG_TYPE_INT64)
                actual = CONFIG_TYPE_INT;
        if (actual != type) {
                confread_error(cr, s, "'%s' must be %s, not %s", key, type_name(type),
                               type_name(actual));
                return -EINVAL;
        }
        return 0;
}

int confread_expect_groups(struct confread *cr, const char *key, const config_setting_t *s) {
        if (confread_expect(cr, key, s, CONFIG_TYPE_LIST) < 0)
                return -EINVAL;
        for (int i = 0; i < config_setting_length(s); i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);

                if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
                        confread_error(cr, e, "'%s' must hold only groups { … }, not %s", key,
                                       type_name(config_setting_type(e)));
                        return -EINVAL;
                }
        }
        return 0;
}

int confread_string_elem(struct confread *cr, const config_setting_t *collection,
                         const char *key, unsigned i, const char **out) {
        const config_setting_t *e = config_setting_get_elem(collection, i);

        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                confread_error(cr, e, "'%s' must hold only strings, not %s", key,
                               type_name(config_setting_type(e)));
                return -EINVAL;
        }
        *out = config_setting_get_string(e);
        return 1;
}

/* An array, or a list (the same to a person). */
static int expect_collection(struct confread *cr, const char *key, const config_setting_t *s) {
        return confread_expect(cr, key, s,
                               config_setting_type(s) == CONFIG_TYPE_LIST ? CONFIG_TYPE_LIST
                                                                          : CONFIG_TYPE_ARRAY);
}

int confread_strings(struct confread *cr, const char *key, const config_setting_t *s,
                     char ***out, size_t *n) {
        unsigned len;

        *out = NULL;
        *n = 0;
        if (!s)
                return 0;
        if (expect_collection(cr, key, s) < 0)
                return -EINVAL;
        len = (unsigned) config_setting_length(s);
        *out = calloc(len + 1, sizeof **out);
        if (!*out)
                return -ENOMEM;
        for (unsigned i = 0; i < len; i++) {
                const char *v;

                if (confread_string_elem(cr, s, key, i, &v) < 0)
                        return -EINVAL;
                (*out)[i] = strdup(v);
                if (!(*out)[i])
                        return -ENOMEM;
                *n = i + 1;
        }
        return 1;
}

int confread_count_strings(struct confread *cr, const char *key, const config_setting_t *s,
                           size_t *n) {
        const char *v;

        *n = 0;
        if (expect_collection(cr, key, s) < 0)
                return -EINVAL;
        for (unsigned i = 0; i < (unsigned) config_setting_length(s); i++, ++*n)
                if (confread_string_elem(cr, s, key, i, &v) < 0)
                        return -EINVAL;
        return 1;
}

bool confread_id_valid(const char *id, size_t max_len) {
        size_t n = strlen(id);

        return n > 0 && n <= max_len && text_ascii_word(id, "_-");
}

char *confread_resolve_path(const char *base, const char *path) {
        char *copy, *dir, *out = NULL;

        if (path[0] == '/')
                return strdup(path);
        copy = strdup(base);
        if (!copy)
                return NULL;
        dir = dirname(copy);
        if (asprintf(&out, "%s/%s", dir, path) < 0)
                out = NULL;
        free(copy);
        return out;
}
