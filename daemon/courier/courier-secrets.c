/* SPDX-License-Identifier: MIT */
/* The secrets the courier signs and logs in with: the SMTP password and
 * each channel's secret, read from their files at start and on reload, and
 * wiped when dropped. */

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "courier/courier-internal.h"
#include "notify/secret.h"

void courier_free_secrets(struct courier *c) {
        for (size_t i = 0; i < c->n_secrets; i++) {
                free(c->secrets[i].channel);
                if (c->secrets[i].value)
                        explicit_bzero(c->secrets[i].value, strlen(c->secrets[i].value));
                free(c->secrets[i].value);
        }
        free(c->secrets);
        c->secrets = NULL;
        c->n_secrets = 0;
}

static void add_secret(struct courier *c, const char *channel, const char *spec, const char *what) {
        char error[256] = "", *value = NULL, *id = NULL;
        struct secret *s;

        if (secret_read(spec, &value, error, sizeof error) < 0) {
                log_error("%s: cannot read the secret: %s", what, error);
                return;
        }
        s = realloc(c->secrets, (c->n_secrets + 1) * sizeof *s);
        if (s)
                c->secrets = s;
        if (!s || (channel && !(id = strdup(channel)))) {
                explicit_bzero(value, strlen(value));
                free(value);
                log_oom();
                return;
        }
        c->secrets[c->n_secrets++] = (struct secret) { .channel = id, .value = value };
}

void courier_read_secrets(struct courier *c) {
        const struct config *cf = c->config;
        const struct smtp_settings *smtp = &cf->delivery.smtp;

        courier_free_secrets(c);
        if (smtp->url && smtp->password_file)
                add_secret(c, NULL, smtp->password_file, "delivery.smtp.password_file");
        for (size_t i = 0; i < cf->n_channels; i++)
                if (cf->channels[i].secret_file)
                        add_secret(c, cf->channels[i].id, cf->channels[i].secret_file,
                                   cf->channels[i].id);
}

const char *courier_secret(const struct courier *c, const char *channel) {
        if (!channel && c->config->delivery.smtp.password)
                return c->config->delivery.smtp.password; /* inline, when allowed */
        for (size_t i = 0; i < c->n_secrets; i++)
                if (channel ? c->secrets[i].channel && strcmp(c->secrets[i].channel, channel) == 0
                            : !c->secrets[i].channel)
                        return c->secrets[i].value;
        return NULL;
}
