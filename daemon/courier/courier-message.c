/* SPDX-License-Identifier: MIT */
/* The bytes of a message: a delivery from the log, its reminders found again
 * in the configuration in force, rendered with the configured templates into
 * an e-mail (with the milestones' events attached) or a webhook request.
 * Rendered anew on every try, so a retry after a reload uses the new
 * addresses and secrets; the key, hence Message-ID and webhook-id, stays. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "courier/courier-internal.h"
#include "courier/curl-loop.h"
#include "web/links.h"
#include "web/web.h"
#include "feeds/feeds.h"
#include "ics/ics.h"
#include "common/log.h"
#include "notify/mail.h"
#include "notify/maildir.h"
#include "marks/marks.h"
#include "notify/message.h"
#include "ledger/schedule.h"
#include "notify/secret.h"
#include "ledger/zone.h"

/* ---- secrets ------------------------------------------------------------------ */

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

/* ---- targets and peers ------------------------------------------------------ */

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
        t[k - 1] = NULL;
        for (size_t i = 0; i < k; i++)
                free(t[i]);
        free(t);
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

static const struct channel *target_channel(const struct config *cf, const char *target) {
        const char *id = target_channel_id(target);

        return id ? config_find_channel(cf, id) : NULL;
}

/* scheme://host[:port] of a URL: transfers to one host share a queue. */
char *courier_peer_of(const struct courier *c, const char *target) {
        const struct channel *ch = target_channel(c->config, target);
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

/* ---- the reminders of a delivery, found again ----------------------------------- */

struct found {
        struct reminder *reminders;
        const struct reminder **list;
        const struct milestone **milestones;
        struct milestone_links *urls;  /* each reminder's buttons, for its first recipient */
        struct message_links *links;   /* pointing into urls; NULL: no links */
        size_t n;
};

static void found_free(struct found *f) {
        for (size_t i = 0; f->reminders && i < f->n; i++)
                free(f->reminders[i].owners);
        free(f->reminders);
        free(f->list);
        free(f->milestones);
        free(f->urls);
        free(f->links);
}

/* The buttons of each reminder, for the first owner it reaches at the
 * target: without feed.base_url there are none. */
static int make_links(const struct courier *c, struct found *f) {
        const struct links *l = c->web ? web_links(c->web) : NULL;

        if (!l || !l->base_url || f->n == 0)
                return 0;
        f->urls = calloc(f->n, sizeof *f->urls);
        f->links = calloc(f->n, sizeof *f->links);
        if (!f->urls || !f->links)
                return -ENOMEM;
        for (size_t i = 0; i < f->n; i++) {
                const struct reminder *r = &f->reminders[i];
                struct milestone_links *u = &f->urls[i];
                int e;

                if (r->n_owners == 0)
                        continue;
                e = links_for_milestone(l, r->milestone, r->owners[0], u);
                if (e < 0)
                        return e;
                f->links[i] = (struct message_links) { u->done, u->snooze[0], u->snooze[1],
                                                       u->snooze[2], u->page };
        }
        return 0;
}

static bool owner_has_target(const struct owner *o, const char *target) {
        const char *addr = target_address(target), *id = target_channel_id(target);

        for (size_t i = 0; addr && i < o->n_emails; i++)
                if (strcmp(o->emails[i], addr) == 0)
                        return true;
        for (size_t i = 0; id && i < o->n_channels; i++)
                if (strcmp(o->channels[i]->id, id) == 0)
                        return true;
        return false;
}

/* The recipients of a reminder behind target: the owners that answer for
 * the task (or, for an escalation, any owner) and are reached there. */
static int find_recipients(const struct config *cf, struct reminder *r, const char *target) {
        const struct task *t = r->milestone->task;

        r->owners = calloc(cf->n_owners ? cf->n_owners : 1, sizeof *r->owners);
        if (!r->owners)
                return -ENOMEM;
        for (size_t i = 0; i < cf->n_owners; i++) {
                const struct owner *o = &cf->owners[i];

                if (owner_has_target(o, target) &&
                    (r->kind == REMINDER_ESCALATION || task_has_owner(t, o)))
                        r->owners[r->n_owners++] = o;
        }
        return 0;
}

static int find_item(const struct config *cf, const struct delivery_item *it, const char *target,
                     struct reminder *r, char **why) {
        const struct ledger *l = config_find_ledger(cf, it->ledger);
        const struct milestone *ms = l ? ledger_find_milestone(l, it->milestone) : NULL;

        if (!ms)
                return asprintf(why, "%s/%s is no longer in the ledger", it->ledger, it->milestone) < 0
                               ? -ENOMEM : 1;
        if (reminder_kind_from_name(it->kind, &r->kind) < 0 || offset_parse(it->offset, &r->offset) < 0)
                return asprintf(why, "unknown reminder %s %s", it->kind, it->offset) < 0 ? -ENOMEM : 1;
        r->milestone = ms;
        r->at = it->at;
        if (zone_utc_to_local(cf->timezone, it->at, &r->day, NULL) < 0)
                return -ENOENT;
        return find_recipients(cf, r, target);
}

/* 0; 1 with *why when the message must not go out any more. */
static int find_reminders(struct courier *c, const struct delivery *d, struct found *f, char **why) {
        size_t open = 0;
        int r = 0;

        f->reminders = calloc(d->n_items, sizeof *f->reminders);
        f->list = calloc(d->n_items, sizeof *f->list);
        f->milestones = calloc(d->n_items, sizeof *f->milestones);
        if (!f->reminders || !f->list || !f->milestones)
                return -ENOMEM;
        for (size_t i = 0; r == 0 && i < d->n_items; i++) {
                r = find_item(c->config, &d->items[i], d->target, &f->reminders[i], why);
                f->n = i + 1;
                if (r == 0) {
                        f->list[i] = &f->reminders[i];
                        f->milestones[i] = f->reminders[i].milestone;
                        open += !marks_is_done(c->marks, f->milestones[i]);
                }
        }
        if (r == 0 && open == 0)
                return asprintf(why, "done before it was sent") < 0 ? -ENOMEM : 1;
        return r;
}

/* ---- e-mail ------------------------------------------------------------------------ */

/* Seconds east of UTC of the configured zone at t, for the Date header. */
static int utc_offset(const char *tz, time_t t) {
        day_t day = 0;
        int minute = 0;

        if (zone_utc_to_local(tz, t, &day, &minute) < 0)
                return 0;
        return (int) ((time_t) day * 86400 + minute * 60 - (t - t % 60));
}

/* The name of the first owner reached at target, for the To header. */
static const char *owner_name_of(const struct config *cf, const char *target) {
        for (size_t i = 0; i < cf->n_owners; i++)
                if (owner_has_target(&cf->owners[i], target))
                        return cf->owners[i].name;
        return NULL;
}

/* The events of the milestones, METHOD:PUBLISH, for the attachment. */
static char *render_calendar(const struct config *cf, const struct found *f, time_t stamp) {
        char *text = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&text, &size);
        int r;

        if (!out)
                return NULL;
        r = ics_render_events(cf, f->milestones, f->n, "PUBLISH", stamp, out);
        if (fclose(out) != 0 || r < 0) {
                free(text);
                return NULL;
        }
        return text;
}

static int build_mail(struct courier *c, const char *target, const char *key, const struct message *msg,
                      const char *calendar, const char *calendar_name, struct outgoing *out) {
        const struct config *cf = c->config;
        const char *addr = target_address(target);
        time_t now = clock_now(c->clock);
        struct mail_address to = { owner_name_of(cf, target), addr };
        struct mail_input in = {
                .date = now,
                .utc_offset = utc_offset(cf->timezone, now),
                .from = { cf->delivery.smtp.from_name, cf->delivery.smtp.from },
                .to = &to,
                .n_to = 1,
                .subject = msg->subject,
                .body = msg->body,
                .key = key,
                .calendar = calendar,
                .calendar_name = calendar_name,
        };

        out->via = cf->delivery.smtp.url ? "smtp" : "maildir";
        out->rcpt = strdup(addr);
        if (!out->rcpt)
                return -ENOMEM;
        return mail_build(&in, &out->mail, &out->mail_size);
}

/* ---- webhooks ------------------------------------------------------------------- */

/* The mobiles of the recipients, to @mention. */
static int collect_mobiles(const struct found *f, const char ***out, size_t *n) {
        size_t total = 0, k = 0;
        const char **m;

        for (size_t i = 0; i < f->n; i++)
                for (size_t j = 0; j < f->reminders[i].n_owners; j++)
                        total += f->reminders[i].owners[j]->n_mobiles;
        m = calloc(total ? total : 1, sizeof *m);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < f->n; i++)
                for (size_t j = 0; j < f->reminders[i].n_owners; j++) {
                        const struct owner *o = f->reminders[i].owners[j];

                        for (size_t x = 0; x < o->n_mobiles; x++) {
                                size_t y = 0;

                                while (y < k && strcmp(m[y], o->mobiles[x]) != 0)
                                        y++;
                                if (y == k)
                                        m[k++] = o->mobiles[x];
                        }
                }
        *out = m;
        *n = k;
        return 0;
}

static int build_webhook(struct courier *c, const struct channel *ch, const char *key,
                         const struct message *msg, const char *link, const struct found *f,
                         bool late, struct outgoing *out) {
        const char **mobiles = NULL;
        size_t n_mobiles = 0;
        int r = f ? collect_mobiles(f, &mobiles, &n_mobiles) : 0;
        struct webhook_input in = {
                .channel = ch,
                .secret = courier_secret(c, ch->id),
                .id = key,
                .now_ms = (int64_t) clock_now(c->clock) * 1000,
                .subject = msg->subject,
                .body = msg->body,
                .link = link,
                .reminders = f ? f->list : NULL,
                .n_reminders = f ? f->n : 0,
                .late = late,
        };

        if (r < 0)
                return r;
        in.mobiles = mobiles;
        in.n_mobiles = n_mobiles;
        out->via = "webhook";
        out->webhook = true;
        out->format = ch->format;
        r = webhook_build(&in, &out->request);
        free(mobiles);
        return r;
}

/* ---- building --------------------------------------------------------------------- */

static int render_for(struct courier *c, const struct delivery *d, const struct found *f,
                      const char *link, struct outgoing *out, char **why) {
        const struct config *cf = c->config;
        const struct channel *ch = target_channel(cf, d->target);
        struct message_input in = {
                .templates = cf->delivery.templates,
                .calendar = cf->calendar,
                .reminders = f->list,
                .n_reminders = f->n,
                .links = f->links,
                .feed_url = link,
                .late = d->late,
        };
        struct message msg = {};
        char *calendar = NULL, name[80];
        int r;

        if (!ch && !target_address(d->target))
                return asprintf(why, "%s is no longer configured", d->target) < 0 ? -ENOMEM : 1;
        r = message_render(&in, &msg);
        if (r < 0)
                return r;
        if (ch)
                r = build_webhook(c, ch, d->key, &msg, link, f, d->late, out);
        else {
                calendar = render_calendar(cf, f, d->created);
                snprintf(name, sizeof name, "%s.ics", f->n == 1 ? f->milestones[0]->id : "reminders");
                r = calendar ? build_mail(c, d->target, d->key, &msg, calendar, name, out) : -ENOMEM;
        }
        free(calendar);
        message_free(&msg);
        return r;
}

int courier_build(struct courier *c, const struct delivery *d, struct outgoing *out, char **why) {
        struct found f = {};
        char *link = NULL;
        int r;

        *out = (struct outgoing) {};
        *why = NULL;
        r = find_reminders(c, d, &f, why);
        if (r == 0)
                r = make_links(c, &f);
        if (r == 0) {
                link = c->feeds ? feeds_url_ledger(c->feeds) : NULL;
                r = render_for(c, d, &f, link, out, why);
        }
        if (r < 0 && !*why && asprintf(why, "cannot build the message: %s", strerror(-r)) < 0)
                *why = NULL;
        free(link);
        found_free(&f);
        return r;
}

int courier_build_test(struct courier *c, const char *target, struct outgoing *out, char **why) {
        const struct config *cf = c->config;
        const struct channel *ch = target_channel(cf, target);
        char when[64], key[64];
        time_t now = clock_now(c->clock);
        struct message msg = { .subject = "【台账提醒】测试消息" };
        int r;

        *out = (struct outgoing) {};
        *why = NULL;
        zone_format_local(cf->timezone, now, when, sizeof when);
        snprintf(key, sizeof key, "test-%lld-%ld", (long long) now, random());
        if (asprintf(&msg.body, "这是 ledgerd 发出的测试消息，用于确认提醒能送达。\n发送时间：%s\n", when) < 0)
                return -ENOMEM;
        if (ch)
                r = build_webhook(c, ch, key, &msg, NULL, NULL, false, out);
        else if (target_address(target))
                r = build_mail(c, target, key, &msg, NULL, NULL, out);
        else
                r = -ENOENT;
        free(msg.body);
        if (r < 0 && asprintf(why, "cannot build the message: %s", strerror(-r)) < 0)
                *why = NULL;
        return r;
}

void outgoing_free(struct outgoing *o) {
        free(o->mail);
        free(o->rcpt);
        webhook_request_free(&o->request);
        *o = (struct outgoing) {};
}

/* ---- sending ---------------------------------------------------------------------- */

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
