/* SPDX-License-Identifier: MIT */
/* The bytes of a message: a delivery from the log, its reminders found again
 * in the configuration in force, laid out as a card (notify/card.h) and
 * rendered with the configured templates into an e-mail (text and HTML,
 * the milestones' events attached) or the channel's webhook request.
 * Rendered anew on every try, so a retry after a reload uses the new
 * addresses and secrets; the key, hence Message-ID and webhook-id, stays.
 *
 * Under --now the words and the schedule follow the shifted clock, but
 * what a peer checks against its own clock does not: the Date header and
 * the webhooks' timestamps and signatures use the real time. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "courier/courier-internal.h"
#include "feeds/feeds.h"
#include "ics/ics.h"
#include "ledger/schedule.h"
#include "ledger/zone.h"
#include "marks/marks.h"
#include "notify/card.h"
#include "notify/mail-html.h"
#include "notify/mail.h"
#include "notify/message.h"
#include "web/links.h"
#include "web/web.h"

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
                struct milestone_links *u = &f->urls[i], *before = i > 0 ? u - 1 : NULL;
                int e;

                if (r->n_owners == 0)
                        continue;
                e = links_for_milestone(l, r->milestone, r->owners[0], before, u);
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

/* The first owner reached at target: the To of an e-mail, whose page and
 * feed it links. */
static const struct owner *owner_reached(const struct config *cf, const char *target) {
        for (size_t i = 0; i < cf->n_owners; i++)
                if (owner_has_target(&cf->owners[i], target))
                        return &cf->owners[i];
        return NULL;
}

static int by_address(const void *a, const void *b) {
        const struct owner *x = *(const struct owner *const *) a, *y = *(const struct owner *const *) b;

        return (x > y) - (x < y);
}

/* Adds o to r's owners unless it is there. */
static void add_recipient(struct reminder *r, const struct owner *o) {
        for (size_t i = 0; i < r->n_owners; i++)
                if (r->owners[i] == o)
                        return;
        r->owners[r->n_owners++] = o;
}

/* The recipients of a reminder behind target, in the configuration's order
 * (their addresses' in its array): the owners of the task reached there;
 * for an escalation, whom the task's owners' policies escalate to after
 * that long, as the schedule made it. */
static int find_recipients(const struct config *cf, struct reminder *r, const char *target) {
        const struct task *t = r->milestone->task;

        r->owners = calloc(t->n_owners ? t->n_owners : 1, sizeof *r->owners);
        if (!r->owners)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_owners; i++) {
                const struct owner *o = t->owners[i];
                struct policy p;

                if (r->kind != REMINDER_ESCALATION) {
                        if (owner_has_target(o, target))
                                add_recipient(r, o);
                        continue;
                }
                policy_resolve(cf, t, o, &p);
                if (p.escalate_to && offset_cmp(&p.escalate_after, &r->offset) == 0 &&
                    owner_has_target(p.escalate_to, target))
                        add_recipient(r, p.escalate_to);
        }
        qsort(r->owners, r->n_owners, sizeof *r->owners, by_address);
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

/* 0; 1 with *why when the message must not go out any more. A reminder
 * whose milestone left the ledger is left out of a digest, not the others
 * with it: they were recorded once, and would never be sent again. */
static int find_reminders(struct courier *c, const struct delivery *d, struct found *f, char **why) {
        size_t open = 0;

        f->reminders = calloc(d->n_items, sizeof *f->reminders);
        f->list = calloc(d->n_items, sizeof *f->list);
        f->milestones = calloc(d->n_items, sizeof *f->milestones);
        if (!f->reminders || !f->list || !f->milestones)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_items; i++) {
                struct reminder *rm = &f->reminders[f->n];
                int r;

                free(*why);
                *why = NULL;
                r = find_item(c->config, &d->items[i], d->target, rm, why);
                if (r < 0)
                        return r;
                if (r > 0) {
                        if (d->n_items > 1)
                                log_info("delivery %lld to %s: left out: %s", (long long) d->id,
                                         d->target, *why);
                        continue;
                }
                f->list[f->n] = rm;
                f->milestones[f->n] = rm->milestone;
                open += !marks_is_done(c->marks, rm->milestone);
                f->n++;
        }
        if (f->n == 0 && *why)
                return 1; /* the last one left out says why */
        free(*why);
        *why = NULL;
        if (open == 0)
                return asprintf(why, "done before it was sent") < 0 ? -ENOMEM : 1;
        return 0;
}

/* ---- what the message says ------------------------------------------------------------ */

/* The words of a message: its text (subject and body, from the templates)
 * and the same laid out as a card, for the HTML and the chat formats. */
struct words {
        struct message text;
        struct card card;
        char *feed_url;
};

static void words_free(struct words *w) {
        message_free(&w->text);
        card_free(&w->card);
        free(w->feed_url);
}

/* An e-mail links its owner's own feed, as webcal://; a group's message
 * the page that shows every feed with its QR code. */
static char *feed_link(const struct courier *c, const char *target) {
        const struct owner *o = target_address(target) ? owner_reached(c->config, target) : NULL;

        if (!c->feeds)
                return NULL;
        return o ? feeds_url_owner(c->feeds, o) : feeds_url_index(c->feeds);
}

static int words_make(struct courier *c, const struct delivery *d, const struct found *f,
                      struct words *w) {
        const struct config *cf = c->config;
        struct message_input in = {
                .templates = cf->delivery.templates,
                .calendar = cf->calendar,
                .reminders = f->list,
                .n_reminders = f->n,
                .links = f->links,
                .late = d->late,
        };
        int r;

        *w = (struct words) { .feed_url = feed_link(c, d->target) };
        in.feed_url = w->feed_url;
        r = message_render(&in, &w->text);
        if (r == 0)
                r = card_build(&in, w->text.subject, d->part, d->parts, &w->card);
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

/* The events of the milestones, each once (an overdue notice and its
 * escalation may come together), METHOD:PUBLISH, for the attachment. */
static char *render_calendar(const struct config *cf, const struct found *f, time_t stamp) {
        const struct milestone **once = calloc(f->n ? f->n : 1, sizeof *once);
        char *text = NULL;
        size_t size = 0, n = 0;
        FILE *out = once ? open_memstream(&text, &size) : NULL;
        int r;

        if (!out) {
                free(once);
                return NULL;
        }
        for (size_t i = 0; i < f->n; i++) {
                size_t k = 0;

                while (k < n && once[k] != f->milestones[i])
                        k++;
                if (k == n)
                        once[n++] = f->milestones[i];
        }
        r = ics_render_events(cf, once, n, "PUBLISH", stamp, out);
        free(once);
        if (fclose(out) != 0 || r < 0) {
                free(text);
                return NULL;
        }
        return text;
}

/* What an e-mail says besides its words: which ledger it is from. */
struct mail_extras {
        const struct ledger *ledger; /* NULL: none (a test message) */
        const char *calendar, *calendar_name;
        char list_id[256];
};

/* "<ledger>.ledgerd.<domain of From>": List-Id wants a domain its sender
 * controls. */
static void mail_list_id(const struct config *cf, struct mail_extras *x) {
        const char *at = cf->delivery.smtp.from ? strrchr(cf->delivery.smtp.from, '@') : NULL;

        x->list_id[0] = '\0';
        if (x->ledger)
                snprintf(x->list_id, sizeof x->list_id, "%s.ledgerd.%s", x->ledger->id,
                         at && at[1] ? at + 1 : "localhost");
}

static int build_mail(struct courier *c, const char *target, const char *key,
                      const struct message *text, const char *html, struct mail_extras *x,
                      struct outgoing *out) {
        const struct config *cf = c->config;
        const char *addr = target_address(target);
        const struct owner *o = owner_reached(cf, target);
        time_t now = clock_real_now();
        struct mail_address to = { o ? o->name : NULL, addr };
        struct mail_input in = {
                .date = now,
                .utc_offset = utc_offset(cf->timezone, now),
                .from = { cf->delivery.smtp.from_name, cf->delivery.smtp.from },
                .to = &to,
                .n_to = 1,
                .subject = text->subject,
                .body = text->body,
                .html = html,
                .key = key,
                .calendar = x->calendar,
                .calendar_name = x->calendar_name,
        };

        mail_list_id(cf, x);
        if (x->ledger) {
                in.reply_to = (struct mail_address) { NULL, x->ledger->reply_to };
                in.list = (struct mail_address) { x->ledger->title, x->list_id };
        }
        out->via = cf->delivery.smtp.url ? "smtp" : "maildir";
        out->rcpt = strdup(addr);
        if (!out->rcpt)
                return -ENOMEM;
        return mail_build(&in, &out->mail, &out->mail_size);
}

static int build_reminder_mail(struct courier *c, const struct delivery *d, const struct found *f,
                               struct words *w, struct outgoing *out) {
        struct mail_extras x = { .ledger = f->milestones[0]->task->ledger };
        char *calendar = render_calendar(c->config, f, d->created), *html = mail_html(&w->card);
        char name[80];
        int r = calendar && html ? 0 : -ENOMEM;

        snprintf(name, sizeof name, "%s.ics", f->n == 1 ? f->milestones[0]->id : "reminders");
        x.calendar = calendar;
        x.calendar_name = name;
        if (r == 0)
                r = build_mail(c, d->target, d->key, &w->text, html, &x, out);
        free(calendar);
        free(html);
        return r;
}

/* ---- webhooks ------------------------------------------------------------------- */

/* The contacts of the recipients to @mention, each once: their mobiles, or
 * with feishu true their Feishu ids. */
static int collect_mentions(const struct found *f, bool feishu, const char ***out, size_t *n) {
        size_t total = 0, k = 0;
        const char **m;

        for (size_t i = 0; f && i < f->n; i++)
                for (size_t j = 0; j < f->reminders[i].n_owners; j++)
                        total += f->reminders[i].owners[j]->n_mobiles + 1;
        m = calloc(total ? total : 1, sizeof *m);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; f && i < f->n; i++)
                for (size_t j = 0; j < f->reminders[i].n_owners; j++) {
                        const struct owner *o = f->reminders[i].owners[j];
                        const char *const *v = feishu ? (const char *const *) &o->feishu_user_id
                                                      : (const char *const *) o->mobiles;
                        size_t nv = feishu ? o->feishu_user_id != NULL : o->n_mobiles;

                        for (size_t x = 0; x < nv; x++) {
                                size_t y = 0;

                                while (y < k && strcmp(m[y], v[x]) != 0)
                                        y++;
                                if (y == k)
                                        m[k++] = v[x];
                        }
                }
        *out = m;
        *n = k;
        return 0;
}

/* Shorter and shorter details for an item too large for its platform
 * alone; 0 ends the list. */
static const size_t shortenings[] = { 80, 30, 10, 0 };

/* Request step of the message to channel ch; an item too large for the
 * platform even alone has its details shortened until it fits. */
static int build_webhook(struct courier *c, const struct channel *ch, struct webhook_input *in,
                         struct card *card, const struct found *f, struct outgoing *out) {
        const char **mobiles = NULL, **ids = NULL;
        int r = collect_mentions(f, false, &mobiles, &in->n_mobiles);

        if (r == 0)
                r = collect_mentions(f, true, &ids, &in->n_feishu_ids);
        in->channel = ch;
        in->secret = courier_secret(c, ch->id);
        in->now_ms = clock_real_usec() / 1000;
        in->card = card;
        in->mobiles = mobiles;
        in->feishu_ids = ids;
        out->via = "webhook";
        out->webhook = true;
        out->format = ch->format;
        out->steps = webhook_steps(in);
        out->step = in->step;
        for (size_t i = 0; r == 0; i++) {
                r = webhook_build(in, &out->request);
                if (r != -EMSGSIZE || card->n_rows != 1 || !shortenings[i])
                        break;
                webhook_request_free(&out->request);
                r = card_shorten(card, shortenings[i]);
        }
        free(mobiles);
        free(ids);
        return r;
}

/* ---- building --------------------------------------------------------------------- */

static int render_for(struct courier *c, const struct delivery *d, const struct found *f,
                      struct outgoing *out, char **why) {
        const struct channel *ch = courier_target_channel(c->config, d->target);
        struct words w;
        int r;

        if (!ch && !target_address(d->target))
                return asprintf(why, "%s is no longer configured", d->target) < 0 ? -ENOMEM : 1;
        r = words_make(c, d, f, &w);
        if (r == 0 && ch) {
                struct webhook_input in = { .id = d->key, .text = w.text.body, .part = d->part,
                                            .parts = d->parts, .step = d->steps };

                r = build_webhook(c, ch, &in, &w.card, f, out);
        } else if (r == 0)
                r = build_reminder_mail(c, d, f, &w, out);
        words_free(&w);
        return r;
}

int courier_build(struct courier *c, const struct delivery *d, struct outgoing *out, char **why) {
        struct found f = {};
        int r;

        *out = (struct outgoing) {};
        *why = NULL;
        r = find_reminders(c, d, &f, why);
        if (r == 0)
                r = make_links(c, &f);
        if (r == 0)
                r = render_for(c, d, &f, out, why);
        if (r < 0 && !*why && asprintf(why, "cannot build the message: %s", strerror(-r)) < 0)
                *why = NULL;
        found_free(&f);
        return r;
}

int courier_fits(struct courier *c, const struct delivery *d, size_t headroom) {
        const struct channel *ch = courier_target_channel(c->config, d->target);
        struct outgoing out = {};
        struct found f = {};
        struct words w;
        char *why = NULL;
        int r;

        if (!ch || !webhook_limited(ch->format))
                return 1; /* e-mail and json take any size */
        r = find_reminders(c, d, &f, &why);
        if (r == 0)
                r = make_links(c, &f);
        if (r == 0)
                r = words_make(c, d, &f, &w);
        if (r == 0) {
                struct webhook_input in = { .id = d->key, .text = w.text.body, .part = d->part,
                                            .parts = d->parts, .headroom = headroom };

                r = build_webhook(c, ch, &in, &w.card, &f, &out);
                words_free(&w);
        }
        outgoing_free(&out);
        found_free(&f);
        free(why);
        /* Any other trouble (a bad secret, a channel gone) is the send's to
         * report: recording goes on. */
        return r == -EMSGSIZE ? 0 : r == -ENOMEM ? r : 1;
}

int courier_build_test(struct courier *c, const char *target, struct outgoing *out, char **why) {
        const struct config *cf = c->config;
        const struct channel *ch = courier_target_channel(cf, target);
        char when[64], key[64], *body = NULL;
        time_t now = clock_now(c->clock);
        struct message text = { .subject = "【台账提醒】测试消息" };
        struct card card = { .title = text.subject };
        int r;

        *out = (struct outgoing) {};
        *why = NULL;
        zone_format_local(cf->timezone, now, when, sizeof when);
        snprintf(key, sizeof key, "test-%lld-%ld", (long long) now, random());
        if (asprintf(&body, "这是 ledgerd 发出的测试消息，用于确认提醒能送达。\n发送时间：%s\n", when) < 0)
                return -ENOMEM;
        text.body = body;
        card.text = body;
        if (ch)
                r = build_webhook(c, ch, &(struct webhook_input) { .id = key, .text = body }, &card,
                                  NULL, out);
        else if (target_address(target))
                r = build_mail(c, target, key, &text, NULL, &(struct mail_extras) {}, out);
        else
                r = -ENOENT;
        free(body);
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
