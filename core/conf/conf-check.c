/* SPDX-License-Identifier: MIT */
/* Checks that tables of several groups share: ids, secrets' names, paths. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "notify/secret.h"

int conf_check_id(const struct conftable_value *v) {
        const char *id = conftable_text(v);
        size_t max = (size_t) v->key->max;

        if (confread_id_valid(id, max))
                return 0;
        confread_error(v->cr, v->setting,
                       "'%s' must be 1 to %zu ASCII letters, digits, '_' or '-', not \"%s\"",
                       v->key->key, max, id);
        return -EINVAL;
}

int conf_check_secret(const struct conftable_value *v) {
        char **spec = v->field, *path;

        if (!secret_spec_valid(*spec)) {
                confread_error(v->cr, v->setting,
                               "'%s' must name a file, or a systemd credential as "
                               "\"credential:NAME\" (NAME without '/'), not \"%s\"",
                               v->key->key, *spec);
                free(*spec);
                *spec = NULL; /* not kept */
                return -EINVAL;
        }
        if (strncmp(*spec, SECRET_CREDENTIAL_PREFIX, strlen(SECRET_CREDENTIAL_PREFIX)) == 0)
                return 0;
        path = confread_resolve_path(v->cr->config->path, *spec);
        if (!path)
                return -ENOMEM;
        free(*spec);
        *spec = path;
        return 0;
}

int conf_check_path(const struct conftable_value *v, const char *empty_message) {
        char **path = v->field, *resolved;

        if (!(*path)[0]) {
                confread_error(v->cr, v->setting, "%s", empty_message);
                free(*path);
                *path = NULL; /* not kept */
                return -EINVAL;
        }
        resolved = confread_resolve_path(v->cr->config->path, *path);
        if (!resolved)
                return -ENOMEM;
        free(*path);
        *path = resolved;
        return 0;
}

