/* SPDX-License-Identifier: MIT */
/* Where a message goes: an owner's targets ("mailto:…", "channel:…") and
 * the peer that carries each, whose transfers share a queue. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "courier/courier-internal.h"

int courier_owner_targets(const struct owner *o, char ***out, size_t *n) {
        size_t total = o->n_emails + o->n_channels, k = 0;
        char **t = calloc(total ? total : 1, sizeof *t);

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_emails; i++)
                if (asprintf(&t[k++], "mailto:%s", o->emails[i]) < 0)
                        goto oom;
        for (size_t i = 0; i < o->n_channels; i++)
                if (asprintf(&t[k++], "channel:%s", o->channels[i]->id) < 0)
                        goto oom;
        *out = t;
        *n = total;
        return 0;
oom:
        strv_free_n(t, k - 1); /* t[k - 1] is what the failed asprintf() left */
        return -ENOMEM;
}

static const char *after_prefix(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const char *target_address(const char *target) {
        return after_prefix(target, "mailto:");
}

const char *target_channel_id(const char *target) {
        return after_prefix(target, "channel:");
}

const struct channel *courier_target_channel(const struct config *cf, const char *target) {
        const char *id = target_channel_id(target);

        return id ? config_find_channel(cf, id) : NULL;
}

/* scheme://host[:port] of a URL: transfers to one host share a queue. */
char *courier_peer_of(const struct courier *c, const char *target) {
        const struct channel *ch = courier_target_channel(c->config, target);
        const char *host, *end;

        if (target_address(target))
                return strdup(c->config->delivery.smtp.url ? "smtp" : "maildir");
        if (!ch)
                return strdup(target);
        host = strstr(ch->url, "://");
        host = host ? host + 3 : ch->url;
        end = host + strcspn(host, "/?#");
        return strndup(ch->url, (size_t) (end - ch->url));
}
