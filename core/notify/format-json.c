/* SPDX-License-Identifier: MIT */
/* The json format: a Standard Webhooks payload whose data carries every
 * item with its action URLs, as man/ledgerd-webhook.schema.json says.
 * Written straight into its buffer (notify/jsonw.h), not built as a json-c
 * tree: a digest of a few dozen items is some 100 KB, and the tree and its
 * serialization were most of the time of a 09:30 burst's messages. The
 * bytes are json-c's all the same. */
#include "notify/formats.h"

#include <stdio.h>
#include <time.h>

#include "ledger/schedule.h"
#include "notify/jsonw.h"

static void iso_instant(time_t t, char buf[32]) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                buf[0] = '\0';
}

static void owner_list(struct jsonw *w, const struct owner *const *owners, size_t n, bool ids_only) {
        jsonw_open(w, '[');
        for (size_t i = 0; i < n; i++) {
                if (ids_only) {
                        jsonw_string(w, owners[i]->id);
                        continue;
                }
                jsonw_open(w, '{');
                jsonw_key(w, "id");
                jsonw_string(w, owners[i]->id);
                jsonw_key(w, "name");
                jsonw_string(w, owners[i]->name);
                jsonw_close(w, '}');
        }
        jsonw_close(w, ']');
}

static void actions(struct jsonw *w, const struct message_links *l) {
        const char *const keys[] = { "done", "snooze_1d", "snooze_3d", "snooze_7d", "page" };
        const char *const urls[] = { l->done, l->snooze1, l->snooze3, l->snooze7, l->page };

        jsonw_open(w, '{');
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
                jsonw_key(w, keys[i]);
                jsonw_nullable(w, urls[i]);
        }
        jsonw_close(w, '}');
}

/* The strings of an item, in the schema's order, up to "days_left". */
static void item_head(struct jsonw *w, const struct reminder *r) {
        const struct milestone *m = r->milestone;
        const struct task *t = m->task;
        char at[32], day[DATE_ISO_LEN], due[DATE_ISO_LEN];
        const char *const keys[] = { "kind", "at", "day", "ledger", "ledger_title",
                                     "task", "milestone", "item", "label", "due" };
        const char *const values[] = { reminder_kind_name(r->kind), at, day, t->ledger->id,
                                       t->ledger->title, t->id, m->id, t->item, m->label, due };

        iso_instant(r->at, at);
        date_format_iso(r->day, day);
        date_format_iso(m->due, due);
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
                jsonw_key(w, keys[i]);
                jsonw_string(w, values[i]);
        }
}

static void item(struct jsonw *w, const struct card_row *row) {
        const struct reminder *r = row->reminder;
        const struct task *t = r->milestone->task;

        jsonw_open(w, '{');
        item_head(w, r);
        jsonw_key(w, "days_left");
        jsonw_int(w, r->milestone->due - r->day);
        jsonw_key(w, "deadline");
        jsonw_string(w, t->deadline);
        jsonw_key(w, "holiday");
        jsonw_nullable(w, row->note[0] ? row->note : NULL);
        jsonw_key(w, "owners");
        owner_list(w, t->owners, t->n_owners, false);
        jsonw_key(w, "recipients");
        owner_list(w, r->owners, r->n_owners, true);
        jsonw_key(w, "actions");
        actions(w, &row->links);
        jsonw_close(w, '}');
}

static void data(struct jsonw *w, const struct webhook_input *in) {
        const struct card *c = in->card;

        jsonw_open(w, '{');
        jsonw_key(w, "id");
        jsonw_string(w, in->id);
        jsonw_key(w, "late");
        jsonw_bool(w, c->late);
        jsonw_key(w, "part");
        jsonw_int(w, in->parts ? (int) in->part : 1);
        jsonw_key(w, "parts");
        jsonw_int(w, in->parts ? (int) in->parts : 1);
        jsonw_key(w, "subject");
        jsonw_string(w, c->title);
        jsonw_key(w, "text");
        jsonw_string(w, in->text ? in->text : c->text);
        jsonw_key(w, "feed_url");
        jsonw_nullable(w, c->feed_url);
        jsonw_key(w, "page_url");
        jsonw_nullable(w, c->page_url);
        jsonw_key(w, "mobiles");
        jsonw_strings(w, in->mobiles, in->n_mobiles);
        jsonw_key(w, "reminders");
        jsonw_open(w, '[');
        for (size_t i = 0; i < c->n_rows; i++)
                item(w, &c->rows[i]);
        jsonw_close(w, ']');
        jsonw_close(w, '}');
}

int json_payload(const struct webhook_input *in, char **body, size_t *size) {
        struct jsonw w = {};
        char ts[32];

        iso_instant((time_t) (in->now_ms / 1000), ts);
        jsonw_open(&w, '{');
        jsonw_key(&w, "type");
        jsonw_string(&w, "ledger.reminder");
        jsonw_key(&w, "timestamp");
        jsonw_string(&w, ts);
        jsonw_key(&w, "data");
        data(&w, in);
        jsonw_close(&w, '}');
        return jsonw_finish(&w, body, size);
}
