/* SPDX-License-Identifier: MIT */
/* Handing a built message to its peer: an SMTP server, a webhook, or the
 * Maildir outbox when no SMTP server is configured. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "courier/courier-internal.h"
#include "courier/curl-loop.h"
#include "notify/maildir.h"

/* A Maildir delivery is done at once; its answer still comes from the event
 * loop, like every other, so callers have one path. */
struct deferred {
        struct send_result result;
        send_done_fn done;
        void *userdata;
};

static int on_deferred(sd_event_source *s, void *userdata) {
        struct deferred *d = userdata;

        sd_event_source_disable_unref(s); /* sd-event allows this inside the callback */
        d->done(&d->result, d->userdata);
        free(d);
        return 0;
}

static int to_maildir(struct courier *c, struct outgoing *o, send_done_fn done, void *userdata) {
        struct deferred *d = calloc(1, sizeof *d);
        sd_event_source *source; /* unreferenced by on_deferred */
        char *name = NULL;
        int r;

        if (!d)
                return -ENOMEM;
        r = maildir_deliver(c->outbox, o->mail, o->mail_size, &name);
        d->result.verdict = r < 0 ? SEND_RETRY : SEND_DELIVERED;
        if (r < 0)
                snprintf(d->result.reason, sizeof d->result.reason, "cannot write to %s: %s",
                         c->outbox, strerror(-r));
        else
                snprintf(d->result.answer, sizeof d->result.answer, "%s/new/%s", c->outbox, name);
        free(name);
        d->done = done;
        d->userdata = userdata;
        r = sd_event_add_defer(c->event, &source, on_deferred, d);
        if (r < 0)
                free(d);
        return r;
}

int courier_transmit(struct courier *c, struct outgoing *o, send_done_fn done, void *userdata) {
        const struct smtp_settings *smtp = &c->config->delivery.smtp;
        struct mail_transport t = {
                .url = smtp->url,
                .tls_required = smtp->tls_required,
                .user = smtp->user,
                .password = courier_secret(c, NULL),
                .ca_file = smtp->ca_file,
                .timeout = c->config->delivery.timeout,
        };
        const char *rcpt[] = { o->rcpt };

        if (c->transport)
                return c->transport(o, done, userdata, c->transport_userdata);
        if (o->webhook)
                return send_webhook(c->curl, o->format, &o->request, c->config->delivery.timeout,
                                    done, userdata);
        if (!smtp->url)
                return to_maildir(c, o, done, userdata);
        return send_mail(c->curl, &t, smtp->from, rcpt, 1, o->mail, o->mail_size, done, userdata);
}
