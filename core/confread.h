/* SPDX-License-Identifier: MIT */
#pragma once

/* Typed, checked access to libconfig settings for the loaders in conf*.c.
 * Every problem becomes a diagnostic naming the setting's file and line, and
 * the reader goes on, so that one run reports all of them. */

#include <libconfig.h>
#include <stdbool.h>

#include "diag.h"
#include "model.h"

struct confread {
        struct config *config; /* being built; its files list interns paths */
        struct diagnostics *diags;
};

void confread_error(struct confread *r, const config_setting_t *s, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void confread_warning(struct confread *r, const config_setting_t *s, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
struct source confread_source(struct confread *r, const config_setting_t *s);

/* Reports every member of group whose name is not in known (NULL-terminated):
 * a typo must never silently drop a reminder. False if any. */
bool confread_known_keys(struct confread *r, const config_setting_t *group, const char *what,
                         const char *const *known);

/* The getters return 1 when the key is there and well-typed, 0 when it is
 * absent (an error too when required), -EINVAL when it has the wrong type
 * (reported). */
int confread_string(struct confread *r, const config_setting_t *group, const char *key,
                    bool required, char **out);
int confread_int(struct confread *r, const config_setting_t *group, const char *key,
                 bool required, int *out);
int confread_bool(struct confread *r, const config_setting_t *group, const char *key,
                  bool required, bool *out);
/* An array or list of strings. */
int confread_strings(struct confread *r, const config_setting_t *group, const char *key,
                     bool required, char ***out, size_t *n);
/* A group (type CONFIG_TYPE_GROUP) or a list of groups. */
int confread_group(struct confread *r, const config_setting_t *group, const char *key,
                   bool required, const config_setting_t **out);
int confread_list(struct confread *r, const config_setting_t *group, const char *key,
                  bool required, const config_setting_t **out);

/* Ids people type: 1 to max_len of [A-Za-z0-9_-]. */
bool confread_id_valid(const char *id, size_t max_len);
/* Task ids and ledger ids are short: "<milestone>@<ledger>.ledgerd" must stay
 * within the 60 octets calendar apps accept in a UID. */
#define CONF_TASK_ID_MAX 16
#define CONF_LEDGER_ID_MAX 24
#define CONF_ID_MAX 32
int confread_id(struct confread *r, const config_setting_t *group, const char *key,
                size_t max_len, char **out);

/* Reads a whole file into a libconfig object, with @include relative to the
 * file's directory. 0, or -errno with the reason reported. */
int confread_file(struct confread *r, config_t *cfg, const char *path);

/* path relative to the directory of base, unless absolute. */
char *confread_resolve_path(const char *base, const char *path);
