/* SPDX-License-Identifier: MIT */
/* ledgerd --print-schedule: the reminder plan between two dates, as a table
 * for people or as JSON for scripts. */

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerd.h"
#include "ledger/schedule.h"
#include "basic/text.h"
#include "ledger/zone.h"

/* The default window: the ledgers' years and the year after, which holds
 * 次年 deadlines and the overdue notices of December ones. */
static void default_window(const struct config *c, int *first_year, int *last_year) {
        *first_year = 9999;
        *last_year = 1970;
        for (size_t i = 0; i < c->n_ledgers; i++) {
                if (c->ledgers[i].year < *first_year)
                        *first_year = c->ledgers[i].year;
                if (c->ledgers[i].year + 1 > *last_year)
                        *last_year = c->ledgers[i].year + 1;
        }
}

static int parse_day(const char *option, const char *s, day_t *out) {
        if (date_parse_iso(s, out) < 0) {
                fprintf(stderr, "ledgerd: %s: \"%s\" is not a date (YYYY-MM-DD)\n", option, s);
                return -1;
        }
        return 0;
}

/* [from, to) in UTC for the inclusive local dates --from and --to. */
static int window(const struct config *c, const struct options *o, time_t *from, time_t *to) {
        int first_year, last_year;
        day_t a, b;

        default_window(c, &first_year, &last_year);
        a = date_from_ymd(first_year, 1, 1);
        b = date_from_ymd(last_year, 12, 31);
        if ((o->from && parse_day("--from", o->from, &a) < 0) ||
            (o->to && parse_day("--to", o->to, &b) < 0))
                return -1;
        if (b < a) {
                fprintf(stderr, "ledgerd: --to is before --from\n");
                return -1;
        }
        zone_local_to_utc(c->timezone, a, 0, from);
        zone_local_to_utc(c->timezone, b + 1, 0, to);
        return 0;
}

static void print_owner_names(const struct reminder *r, FILE *out, size_t width) {
        char names[512] = "";
        size_t len = 0;

        for (size_t i = 0; i < r->n_owners && len < sizeof names; i++)
                len += (size_t) snprintf(names + len, sizeof names - len, "%s%s", i ? "、" : "",
                                         r->owners[i]->name);
        text_pad(out, names, width);
}

static void print_row(const struct config *c, const struct reminder *r) {
        const struct milestone *m = r->milestone;
        char when[32], due[DATE_ISO_LEN], offset[16];

        zone_format_local(c->timezone, r->at, when, sizeof when);
        date_format_iso(m->due, due);
        offset_format(&r->offset, offset, sizeof offset);
        printf("%-17s %-10s %-4s ", when, reminder_kind_name(r->kind), offset);
        if (c->n_ledgers > 1)
                printf("%s/", m->task->ledger->id);
        text_pad(stdout, m->id, 7);
        printf(" %s  ", due);
        print_owner_names(r, stdout, 24);
        printf(" %s%s%s\n", m->task->item[0] ? m->task->item : m->task->category,
               m->label[0] ? " · " : "", m->label);
}

static void print_table(const struct config *c, const struct schedule *s) {
        printf("%-17s %-10s %-4s %-7s %-10s  ", "WHEN", "KIND", "LEAD", "ID", "DUE");
        text_pad(stdout, "OWNERS", 24);
        printf(" TASK\n");
        for (size_t i = 0; i < s->n_reminders; i++)
                print_row(c, &s->reminders[i]);
        printf("%zu reminders\n", s->n_reminders);
}

static json_object *reminder_json(const struct config *c, const struct reminder *r) {
        const struct milestone *m = r->milestone;
        json_object *o = json_object_new_object(), *owners = json_object_new_array();
        char when[32], due[DATE_ISO_LEN], offset[16];

        zone_format_local(c->timezone, r->at, when, sizeof when);
        date_format_iso(m->due, due);
        offset_format(&r->offset, offset, sizeof offset);
        for (size_t i = 0; i < r->n_owners; i++)
                json_object_array_add(owners, json_object_new_string(r->owners[i]->id));
        json_object_object_add(o, "at", json_object_new_int64((int64_t) r->at));
        json_object_object_add(o, "local", json_object_new_string(when));
        json_object_object_add(o, "kind", json_object_new_string(reminder_kind_name(r->kind)));
        json_object_object_add(o, "offset", json_object_new_string(offset));
        json_object_object_add(o, "ledger", json_object_new_string(m->task->ledger->id));
        json_object_object_add(o, "milestone", json_object_new_string(m->id));
        json_object_object_add(o, "task", json_object_new_string(m->task->id));
        json_object_object_add(o, "label", json_object_new_string(m->label));
        json_object_object_add(o, "due", json_object_new_string(due));
        json_object_object_add(o, "owners", owners);
        json_object_object_add(o, "item", json_object_new_string(m->task->item));
        return o;
}

static void print_json(const struct config *c, const struct schedule *s) {
        json_object *list = json_object_new_array_ext((int) s->n_reminders);

        for (size_t i = 0; i < s->n_reminders; i++)
                json_object_array_add(list, reminder_json(c, &s->reminders[i]));
        puts(json_object_to_json_string_ext(list, JSON_C_TO_STRING_PRETTY |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(list);
}

int command_print_schedule(const struct config *c, const struct options *o) {
        struct schedule_input in = { .config = c };
        struct schedule s = {};

        if (window(c, o, &in.from, &in.to) < 0)
                return 2;
        if (schedule_build(&in, &s) < 0) {
                fprintf(stderr, "ledgerd: cannot build the schedule: out of memory\n");
                return EXIT_FAILURE;
        }
        if (o->json)
                print_json(c, &s);
        else
                print_table(c, &s);
        schedule_free(&s);
        return EXIT_SUCCESS;
}
