/* SPDX-License-Identifier: MIT */
#include "conf/confread.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Interns path in config->files, so struct source can point at it for as
 * long as the configuration lives. */
const char *confread_intern_file(struct confread *cr, const char *path) {
        struct config *c = cr->config;
        char **files, *copy;

        if (!path)
                return NULL;
        for (size_t i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i], path) == 0)
                        return c->files[i];
        files = realloc(c->files, (c->n_files + 1) * sizeof *files);
        if (!files)
                return NULL;
        c->files = files;
        copy = strdup(path);
        if (!copy)
                return NULL;
        c->files[c->n_files++] = copy;
        return copy;
}

/* A setting read from a string has no file, and its line counts from the
 * string's start: its configuration's origin says where it really is. */
struct source confread_source(struct confread *cr, const config_setting_t *s) {
        const char *file = config_setting_source_file(s);
        int line = (int) config_setting_source_line(s);
        const struct confread_origin *o;

        if (!file && s->config && (o = config_setting_get_hook(config_root_setting(s->config)))) {
                file = o->file;
                line += o->line_offset;
        }
        return (struct source) { .file = file ? confread_intern_file(cr, file) : NULL,
                                 .line = line };
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

void confread_strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
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

        if (n == 0 || n > max_len)
                return false;
        for (const char *p = id; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                        return false;
        return true;
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

/* libconfig 1.5 reads an @include'd file with its flex scanner, which
 * exits the whole process ("input in flex scanner failed") when the file is
 * a directory, and would block on a FIFO: the daemon would die on a reload.
 * So every @include, at any depth, is looked at first. libconfig's rule: the
 * directive starts a line, the name is relative to the include directory. */
#define INCLUDE_DEPTH_MAX 10

static int check_include(struct confread *cr, const char *file, int line, const char *dir,
                         const char *name, int depth);

static int check_includes(struct confread *cr, const char *path, const char *dir, int depth) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;
        int line = 0, r = 0;

        if (!f)
                return 0; /* libconfig says why, with the line that names it */
        while (r == 0 && getline(&buf, &size, f) >= 0) {
                const char *p = buf + strspn(buf, " \t"), *end;
                char *name;

                line++;
                if (strncmp(p, "@include", 8) != 0 || !strchr(" \t", p[8]))
                        continue;
                p += 8 + strspn(p + 8, " \t");
                if (*p != '"' || !(end = strchr(p + 1, '"')))
                        continue; /* not an include libconfig reads: its error */
                name = strndup(p + 1, (size_t) (end - p - 1));
                r = name ? check_include(cr, path, line, dir, name, depth) : -ENOMEM;
                free(name);
        }
        free(buf);
        fclose(f);
        return r;
}

static int check_include(struct confread *cr, const char *file, int line, const char *dir,
                         const char *name, int depth) {
        char *path = confread_resolve_path(dir, name);
        struct stat st;
        int r = 0;

        if (!path)
                return -ENOMEM;
        if (stat(path, &st) < 0)
                r = 0; /* libconfig says it cannot open it, with the line */
        else if (!S_ISREG(st.st_mode)) {
                diag_add(cr->diags, DIAG_ERROR, file, line, "@include \"%s\": %s is not a file",
                         name, path);
                r = -EINVAL;
        } else if (depth < INCLUDE_DEPTH_MAX)
                r = check_includes(cr, path, dir, depth + 1);
        free(path);
        return r;
}

int confread_file(struct confread *cr, config_t *cfg, const char *path) {
        FILE *f = fopen(path, "re");
        struct stat st;
        char *dir;
        int ok;

        /* libconfig says only "file I/O error"; find the real reason first. A
         * directory opens, but libconfig's scanner exits the process when it
         * cannot read it. */
        if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
                fclose(f);
                f = NULL;
                errno = EISDIR;
        }
        if (!f) {
                int err = errno;

                diag_add(cr->diags, DIAG_ERROR, path, 0, "cannot read: %s", strerror(err));
                return -err;
        }
        fclose(f);
        dir = confread_resolve_path(path, ".");
        if (!dir)
                return -ENOMEM;
        ok = check_includes(cr, path, dir, 0);
        if (ok < 0) {
                free(dir);
                return ok;
        }
        config_set_include_dir(cfg, dir);
        /* config_read_file, not config_read(FILE *): only then does libconfig
         * remember which file each setting came from. */
        ok = config_read_file(cfg, path);
        free(dir);
        if (!ok) {
                const char *file = config_error_file(cfg);

                diag_add(cr->diags, DIAG_ERROR, file ? file : path, config_error_line(cfg), "%s",
                         config_error_text(cfg));
                return -EINVAL;
        }
        return 0;
}
