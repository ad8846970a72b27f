/* SPDX-License-Identifier: MIT */
/* The json format: a Standard Webhooks payload whose data carries every
 * item with its action URLs, as man/ledgerd-webhook.schema.json says. */
#include "notify/formats.h"

#include <stdio.h>
#include <time.h>

#include "ledger/schedule.h"
#include "notify/jsonb.h"

static void iso_instant(time_t t, char buf[32]) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                buf[0] = '\0';
}

static struct json_object *owner_list(const struct owner *const *owners, size_t n, bool ids_only) {
        struct json_object *a = json_object_new_array();
        bool ok = a != NULL;

        for (size_t i = 0; ok && i < n; i++) {
                struct json_object *o = ids_only ? jsonb_string(owners[i]->id) : json_object_new_object();

                ok = ids_only || (jsonb_add(o, "id", jsonb_string(owners[i]->id)) &&
                                  jsonb_add(o, "name", jsonb_string(owners[i]->name)));
                ok = jsonb_push(a, jsonb_done(o, ok));
        }
        return jsonb_done(a, ok);
}

static struct json_object *actions(const struct message_links *l) {
        struct json_object *o = json_object_new_object();

        return jsonb_done(o, jsonb_add_nullable(o, "done", l->done) &&
                                     jsonb_add_nullable(o, "snooze_1d", l->snooze1) &&
                                     jsonb_add_nullable(o, "snooze_3d", l->snooze3) &&
                                     jsonb_add_nullable(o, "snooze_7d", l->snooze7) &&
                                     jsonb_add_nullable(o, "page", l->page));
}

static struct json_object *item(const struct card_row *row) {
        const struct reminder *r = row->reminder;
        const struct milestone *m = r->milestone;
        const struct task *t = m->task;
        struct json_object *o = json_object_new_object();
        char at[32], day[DATE_ISO_LEN], due[DATE_ISO_LEN];

        iso_instant(r->at, at);
        date_format_iso(r->day, day);
        date_format_iso(m->due, due);
        return jsonb_done(o, jsonb_add(o, "kind", jsonb_string(reminder_kind_name(r->kind))) &&
                                     jsonb_add(o, "at", jsonb_string(at)) &&
                                     jsonb_add(o, "day", jsonb_string(day)) &&
                                     jsonb_add(o, "ledger", jsonb_string(t->ledger->id)) &&
                                     jsonb_add(o, "ledger_title", jsonb_string(t->ledger->title)) &&
                                     jsonb_add(o, "task", jsonb_string(t->id)) &&
                                     jsonb_add(o, "milestone", jsonb_string(m->id)) &&
                                     jsonb_add(o, "item", jsonb_string(t->item)) &&
                                     jsonb_add(o, "label", jsonb_string(m->label)) &&
                                     jsonb_add(o, "due", jsonb_string(due)) &&
                                     jsonb_add(o, "days_left", json_object_new_int(m->due - r->day)) &&
                                     jsonb_add(o, "deadline", jsonb_string(t->deadline)) &&
                                     jsonb_add_nullable(o, "holiday", row->note[0] ? row->note : NULL) &&
                                     jsonb_add(o, "owners", owner_list(t->owners, t->n_owners, false)) &&
                                     jsonb_add(o, "recipients", owner_list(r->owners, r->n_owners, true)) &&
                                     jsonb_add(o, "actions", actions(&row->links)));
}

static struct json_object *items(const struct card *c) {
        struct json_object *a = json_object_new_array();
        bool ok = a != NULL;

        for (size_t i = 0; ok && i < c->n_rows; i++)
                ok = jsonb_push(a, item(&c->rows[i]));
        return jsonb_done(a, ok);
}

static struct json_object *data(const struct webhook_input *in) {
        const struct card *c = in->card;
        struct json_object *d = json_object_new_object();

        return jsonb_done(d, jsonb_add(d, "id", jsonb_string(in->id)) &&
                                     jsonb_add(d, "late", json_object_new_boolean(c->late)) &&
                                     jsonb_add(d, "part", json_object_new_int(in->parts ? (int) in->part : 1)) &&
                                     jsonb_add(d, "parts", json_object_new_int(in->parts ? (int) in->parts : 1)) &&
                                     jsonb_add(d, "subject", jsonb_string(c->title)) &&
                                     jsonb_add(d, "text", jsonb_string(in->text ? in->text : c->text)) &&
                                     jsonb_add_nullable(d, "feed_url", c->feed_url) &&
                                     jsonb_add_nullable(d, "page_url", c->page_url) &&
                                     jsonb_add(d, "mobiles", jsonb_strings(in->mobiles, in->n_mobiles)) &&
                                     jsonb_add(d, "reminders", items(c)));
}

struct json_object *json_payload(const struct webhook_input *in, const uint8_t *key, size_t n) {
        struct json_object *o = json_object_new_object();
        char ts[32];

        (void) key, (void) n;
        iso_instant((time_t) (in->now_ms / 1000), ts);
        return jsonb_done(o, jsonb_add(o, "type", jsonb_string("ledger.reminder")) &&
                                     jsonb_add(o, "timestamp", jsonb_string(ts)) &&
                                     jsonb_add(o, "data", data(in)));
}
