/* SPDX-License-Identifier: MIT */
/* Checks that tables of several groups share: ids, secrets' names, paths,
 * URLs. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "basic/text.h"
#include "conf/conf-internal.h"
#include "notify/secret.h"

/* What conf_url_shown() keeps of a URL without "://". */
#define URL_SHOWN_MAX 32

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

/* The secret's file, looked at now rather than when the first message is
 * sent and fails for days: it exists, it is a regular file, others cannot
 * read it. A credential is looked at only where $CREDENTIALS_DIRECTORY is
 * set: in the service, not by --check from a shell. */
static int check_secret_file(const struct conftable_value *v, const char *spec) {
        char error[512];
        int r = secret_check(spec, error, sizeof error);

        if (r == 0 || r == -ENXIO)
                return 0;
        if (r == -ENOMEM)
                return r;
        confread_error(v->cr, v->setting, "'%s': %s", v->key->key, error);
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
        if (strncmp(*spec, SECRET_CREDENTIAL_PREFIX, strlen(SECRET_CREDENTIAL_PREFIX)) != 0) {
                path = confread_resolve_path(v->cr->config->path, *spec);
                if (!path)
                        return -ENOMEM;
                free(*spec);
                *spec = path;
        }
        return check_secret_file(v, *spec);
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


/* The text after scheme:// when url starts with one of schemes, else NULL. */
static const char *after_scheme(const char *url, const char *const *schemes) {
        for (; *schemes; schemes++) {
                size_t n = strlen(*schemes);

                if (strncasecmp(url, *schemes, n) == 0 && strncmp(url + n, "://", 3) == 0)
                        return url + n + 3;
        }
        return NULL;
}

int conf_url_check(const char *url, const char *const *schemes, const char **reason) {
        const char *rest = after_scheme(url, schemes);
        char *host = NULL;
        CURLUcode c;
        CURLU *u;
        int r = 0;

        if (!rest)
                return -EPROTONOSUPPORT;
        if (*rest == '/')
                return -EDESTADDRREQ;
        u = curl_url();
        if (!u)
                return -ENOMEM;
        c = curl_url_set(u, CURLUPART_URL, url, 0);
        if (c == CURLUE_OK)
                c = curl_url_get(u, CURLUPART_HOST, &host, 0);
        if (c == CURLUE_NO_HOST || (c == CURLUE_OK && !host[0]))
                r = -EDESTADDRREQ;
        else if (c == CURLUE_OUT_OF_MEMORY)
                r = -ENOMEM;
        else if (c != CURLUE_OK) {
                *reason = curl_url_strerror(c);
                r = -EINVAL;
        }
        curl_free(host);
        curl_url_cleanup(u);
        return r;
}

const char *conf_url_shown(const char *url, char *buf, size_t size) {
        const char *rest = strstr(url, "://"), *end, *at;
        size_t n;

        if (rest) {
                rest += 3;
                end = rest + strcspn(rest, "/?#");
                at = memchr(rest, '@', (size_t) (end - rest));
                snprintf(buf, size, "%.*s%s%.*s%s", (int) (rest - url), url, at ? "…@" : "",
                         (int) (end - (at ? at + 1 : rest)), at ? at + 1 : rest,
                         *end ? "/…" : "");
                return buf;
        }
        n = strcspn(url, "?#");
        n = text_utf8_prefix(url, n, URL_SHOWN_MAX);
        snprintf(buf, size, "%.*s%s", (int) n, url, url[n] ? "…" : "");
        return buf;
}
