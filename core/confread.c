/* SPDX-License-Identifier: MIT */
#include "confread.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interns path in config->files, so struct source can point at it for as
 * long as the configuration lives. */
static const char *intern_file(struct confread *r, const char *path) {
        struct config *c = r->config;
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

struct source confread_source(struct confread *r, const config_setting_t *s) {
        return (struct source) {
                .file = intern_file(r, config_setting_source_file(s)),
                .line = (int) config_setting_source_line(s),
        };
}

static void report(struct confread *r, enum diag_level level, const config_setting_t *s,
                   const char *fmt, va_list ap) {
        struct source src = confread_source(r, s);

        diag_addv(r->diags, level, src.file, src.line, fmt, ap);
}

void confread_error(struct confread *r, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        report(r, DIAG_ERROR, s, fmt, ap);
        va_end(ap);
}

void confread_warning(struct confread *r, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        report(r, DIAG_WARNING, s, fmt, ap);
        va_end(ap);
}

/* Edit distance, to suggest "deadline" for "deadlin". Keys are short ASCII. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), row[33];

        if (la > 32 || lb > 32)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        diag = up;
                        row[j] = best;
                }
        }
        return row[lb];
}

static const char *closest_key(const char *name, const char *const *known) {
        const char *best = NULL;
        size_t best_distance = 3; /* suggest only near misses */

        for (; *known; known++) {
                size_t d = edit_distance(name, *known);

                if (d < best_distance) {
                        best = *known;
                        best_distance = d;
                }
        }
        return best;
}

static bool key_known(const char *name, const char *const *known) {
        for (; *known; known++)
                if (strcmp(name, *known) == 0)
                        return true;
        return false;
}

bool confread_known_keys(struct confread *r, const config_setting_t *group, const char *what,
                         const char *const *known) {
        bool ok = true;

        for (int i = 0; i < config_setting_length(group); i++) {
                const config_setting_t *s = config_setting_get_elem(group, (unsigned) i);
                const char *name = config_setting_name(s), *hint;

                if (!name || key_known(name, known))
                        continue;
                hint = closest_key(name, known);
                if (hint)
                        confread_error(r, s, "unknown key '%s' in %s (did you mean '%s'?)", name,
                                       what, hint);
                else
                        confread_error(r, s, "unknown key '%s' in %s", name, what);
                ok = false;
        }
        return ok;
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

/* Finds key in group and checks its type; see the getters' contract. */
static int lookup(struct confread *r, const config_setting_t *group, const char *key,
                  bool required, int type, const config_setting_t **out) {
        const config_setting_t *s = config_setting_get_member(group, key);
        int actual;

        if (!s) {
                if (required)
                        confread_error(r, group, "missing '%s'", key);
                return 0;
        }
        actual = config_setting_type(s);
        if (actual == CONFIG_TYPE_INT64)
                actual = CONFIG_TYPE_INT;
        if (actual != type) {
                confread_error(r, s, "'%s' must be %s, not %s", key, type_name(type),
                               type_name(actual));
                return -EINVAL;
        }
        *out = s;
        return 1;
}

int confread_string(struct confread *r, const config_setting_t *group, const char *key,
                    bool required, char **out) {
        const config_setting_t *s;
        int k = lookup(r, group, key, required, CONFIG_TYPE_STRING, &s);

        if (k <= 0)
                return k;
        *out = strdup(config_setting_get_string(s));
        return *out ? 1 : -ENOMEM;
}

int confread_int(struct confread *r, const config_setting_t *group, const char *key,
                 bool required, int *out) {
        const config_setting_t *s;
        int k = lookup(r, group, key, required, CONFIG_TYPE_INT, &s);
        long long v;

        if (k <= 0)
                return k;
        v = config_setting_get_int64(s);
        if (config_setting_type(s) == CONFIG_TYPE_INT)
                v = config_setting_get_int(s);
        if (v < -1000000 || v > 1000000) {
                confread_error(r, s, "'%s' is out of range: %lld", key, v);
                return -EINVAL;
        }
        *out = (int) v;
        return 1;
}

int confread_bool(struct confread *r, const config_setting_t *group, const char *key,
                  bool required, bool *out) {
        const config_setting_t *s;
        int k = lookup(r, group, key, required, CONFIG_TYPE_BOOL, &s);

        if (k <= 0)
                return k;
        *out = config_setting_get_bool(s);
        return 1;
}

static int collection(struct confread *r, const config_setting_t *group, const char *key,
                      bool required, const config_setting_t **out) {
        const config_setting_t *s = config_setting_get_member(group, key);

        if (s && config_setting_type(s) == CONFIG_TYPE_LIST)
                return lookup(r, group, key, required, CONFIG_TYPE_LIST, out);
        return lookup(r, group, key, required, CONFIG_TYPE_ARRAY, out);
}

int confread_strings(struct confread *r, const config_setting_t *group, const char *key,
                     bool required, char ***out, size_t *n) {
        const config_setting_t *s;
        int k = collection(r, group, key, required, &s);
        unsigned len;

        *out = NULL;
        *n = 0;
        if (k <= 0)
                return k;
        len = (unsigned) config_setting_length(s);
        *out = calloc(len + 1, sizeof **out);
        if (!*out)
                return -ENOMEM;
        for (unsigned i = 0; i < len; i++) {
                const config_setting_t *e = config_setting_get_elem(s, i);

                if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                        confread_error(r, e, "'%s' must hold only strings, not %s", key,
                                       type_name(config_setting_type(e)));
                        return -EINVAL;
                }
                (*out)[i] = strdup(config_setting_get_string(e));
                if (!(*out)[i])
                        return -ENOMEM;
                *n = i + 1;
        }
        return 1;
}

int confread_group(struct confread *r, const config_setting_t *group, const char *key,
                   bool required, const config_setting_t **out) {
        return lookup(r, group, key, required, CONFIG_TYPE_GROUP, out);
}

int confread_list(struct confread *r, const config_setting_t *group, const char *key,
                  bool required, const config_setting_t **out) {
        const config_setting_t *s;
        int k = lookup(r, group, key, required, CONFIG_TYPE_LIST, &s);

        if (k <= 0)
                return k;
        for (int i = 0; i < config_setting_length(s); i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);

                if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
                        confread_error(r, e, "'%s' must hold only groups { … }, not %s", key,
                                       type_name(config_setting_type(e)));
                        return -EINVAL;
                }
        }
        *out = s;
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

int confread_id(struct confread *r, const config_setting_t *group, const char *key,
                size_t max_len, char **out) {
        int k = confread_string(r, group, key, true, out);

        if (k <= 0)
                return k;
        if (!confread_id_valid(*out, max_len)) {
                confread_error(r, config_setting_get_member(group, key),
                               "'%s' must be 1 to %zu ASCII letters, digits, '_' or '-', "
                               "not \"%s\"", key, max_len, *out);
                return -EINVAL;
        }
        return 1;
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

int confread_file(struct confread *r, config_t *cfg, const char *path) {
        FILE *f = fopen(path, "re");
        char *dir;
        int ok;

        /* libconfig says only "file I/O error"; find the real reason first. */
        if (!f) {
                int err = errno;

                diag_add(r->diags, DIAG_ERROR, path, 0, "cannot read: %s", strerror(err));
                return -err;
        }
        fclose(f);
        dir = confread_resolve_path(path, ".");
        if (!dir)
                return -ENOMEM;
        config_set_include_dir(cfg, dir);
        /* config_read_file, not config_read(FILE *): only then does libconfig
         * remember which file each setting came from. */
        ok = config_read_file(cfg, path);
        free(dir);
        if (!ok) {
                const char *file = config_error_file(cfg);

                diag_add(r->diags, DIAG_ERROR, file ? file : path, config_error_line(cfg), "%s",
                         config_error_text(cfg));
                return -EINVAL;
        }
        return 0;
}
