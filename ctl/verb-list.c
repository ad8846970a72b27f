/* SPDX-License-Identifier: MIT */
/* The verbs that read: list, show, why and preview. Each asks ledgerd once
 * (list: once per status asked for) and prints a table or JSON. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/strv.h"
#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "ledger/date.h"
#include "milestone.h"
#include "timefmt.h"
#include "ledger/zone.h"

/* Preview's window when --to is not given. */
#define PREVIEW_DEFAULT_DAYS 30

static void statuses_of(unsigned bits, const char *out[6]) {
        size_t n = 0;

        if (bits & CTL_STATUS_OVERDUE)
                out[n++] = BUS_STATUS_OVERDUE;
        if (bits & CTL_STATUS_UNDATED) {
                /* A phrase not understood, or standing work, names no date either. */
                out[n++] = BUS_STATUS_UNDATED;
                out[n++] = BUS_STATUS_UNKNOWN;
                out[n++] = BUS_STATUS_ONGOING;
        }
        if (bits & CTL_STATUS_DONE)
                out[n++] = BUS_STATUS_DONE;
        out[n] = NULL;
}

/* The JSON array one element at a time: 100,000 milestones as one tree
 * would cost a second in page faults alone (issue 3: list --json <= 2 s). */
static void print_json_array(const struct ctl_milestones *list, const char *tz) {
        fputs("[", stdout);
        for (size_t i = 0; i < list->n; i++) {
                json_object *m = ctl_milestone_json(&list->v[i], tz);

                fputs(i ? ",\n" : "\n", stdout);
                fputs(json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE),
                      stdout);
                json_object_put(m);
        }
        fputs("\n]\n", stdout);
}

static void print_list(const struct ctl_milestones *list, const struct ctl_options *o) {
        if (o->json)
                print_json_array(list, ctl_timezone(&o->bus));
        else if (list->n == 0)
                printf("No milestones.\n");
        else
                ctl_milestones_table(list, ctl_milestones_several_ledgers(list), stdout);
}

int verb_list(int argc, char **argv, const struct ctl_options *o) {
        struct ctl_milestones list = {};
        struct ctl_bus b;
        const char *statuses[6];
        int r = ctl_bus_open(&o->bus, &b);

        (void) argc, (void) argv;
        if (r != CTL_EXIT_OK)
                return r;
        statuses_of(o->bus.statuses, statuses);
        r = ctl_milestones_fetch(&b, &o->bus, statuses, &list);
        if (r == CTL_EXIT_OK) {
                ctl_milestones_sort(&list);
                print_list(&list, o);
        }
        ctl_milestones_free(&list);
        ctl_bus_close(&b);
        return r;
}

/* ---- show ------------------------------------------------------------------- */

struct details {
        const char *keys[16], *values[16];
        size_t n;
};

static const char *detail(const struct details *d, const char *key) {
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->keys[i], key) == 0)
                        return d->values[i];
        return "";
}

static int read_details(sd_bus_message *m, struct details *d) {
        const char *k, *v;
        int r = sd_bus_message_enter_container(m, 'a', "{ss}");

        while (r >= 0 && (r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0)
                if (d->n < sizeof d->keys / sizeof *d->keys) {
                        d->keys[d->n] = k;
                        d->values[d->n++] = v;
                }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* "   Label: value", labels right-aligned as systemctl status does. */
static void field(const char *label, const char *value) {
        if (value && *value)
                printf("%14s: %s\n", label, value);
}

static void print_done(const struct ctl_milestone *ms, const char *tz) {
        char when[TIMEFMT_LEN], *line = NULL;

        if (!ms->done_at || timefmt_local(tz, (time_t) (ms->done_at / 1000000), when) < 0)
                return;
        if (asprintf(&line, "%s by %s%s%s", when, *ms->done_by ? ms->done_by : "?",
                     *ms->note ? ": " : "", ms->note) >= 0)
                field("Done", line);
        free(line);
}

static int print_history(sd_bus_message *m, const char *tz, json_object *json) {
        uint64_t when;
        const char *action, *user, *note, *via, *address;
        char at[TIMEFMT_LEN];
        bool first = true;
        int r = sd_bus_message_enter_container(m, 'a', BUS_HISTORY);

        while (r >= 0 && (r = sd_bus_message_read(m, BUS_HISTORY, &when, &action, &user, &note, &via,
                                                  &address)) > 0) {
                bool link = strcmp(via, "link") == 0;

                if (json) {
                        json_object *h = json_object_new_object();

                        json_object_object_add(h, "when", ctl_json_time(tz, when));
                        json_object_object_add(h, "action", json_object_new_string(action));
                        json_object_object_add(h, "user", json_object_new_string(user));
                        json_object_object_add(h, "note", json_object_new_string(note));
                        json_object_object_add(h, "via", json_object_new_string(via));
                        json_object_object_add(h, "address", json_object_new_string(address));
                        json_object_array_add(json, h);
                        continue;
                }
                if (timefmt_local(tz, (time_t) (when / 1000000), at) < 0)
                        at[0] = '\0';
                printf("%14s  %s  %-7s %s%s%s%s%s\n", first ? "History:" : "", at, action, user,
                       link ? " via link from " : "", link ? address : "", *note ? "  " : "", note);
                first = false;
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static void print_show(const struct ctl_milestone *ms, const struct details *d, const char *tz) {
        char *owners = strv_join(ms->owners, "、"), *ledger = NULL, *due_text = NULL;
        day_t due;

        printf("%s%s%s — %s\n", ms->id, *ms->label ? " · " : "", ms->label, ms->item);
        if (asprintf(&ledger, "%s (%s)", ms->ledger, detail(d, "ledger_title")) >= 0)
                field("Ledger", ledger);
        field("Status", ms->status);
        if (*ms->due && date_parse_iso(ms->due, &due) == 0 &&
            asprintf(&due_text, "%s %s", ms->due, date_weekday_zh(due)) >= 0)
                field("Due", due_text);
        field("Owners", owners);
        field("Deadline", detail(d, "deadline"));
        field("Reading", detail(d, "reading"));
        field("Category", detail(d, "category"));
        field("Detail", detail(d, "detail"));
        print_done(ms, tz);
        if (!ms->done_at)
                field("Note", ms->note);
        field("Snoozed until", detail(d, "snoozed_until"));
        free(owners);
        free(ledger);
        free(due_text);
}

static json_object *details_json(const struct details *d) {
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < d->n; i++)
                json_object_object_add(o, d->keys[i], json_object_new_string(d->values[i]));
        return o;
}

static int show_reply(sd_bus_message *reply, const char *id, const struct ctl_options *o) {
        const char *tz = ctl_timezone(&o->bus);
        struct ctl_milestone ms = {};
        struct details d = {};
        json_object *json = NULL, *history = NULL;
        int r = ctl_milestone_read(reply, &ms);

        (void) id; /* the reply names it */
        if (r >= 0)
                r = read_details(reply, &d);
        if (r >= 0 && o->json)
                history = json_object_new_array();
        else if (r >= 0)
                print_show(&ms, &d, tz);
        if (r >= 0)
                r = print_history(reply, tz, history);
        if (r >= 0 && o->json) {
                json = json_object_new_object();
                json_object_object_add(json, "milestone", ctl_milestone_json(&ms, tz));
                json_object_object_add(json, "details", details_json(&d));
                json_object_object_add(json, "history", json_object_get(history));
                ctl_json_print(json);
        }
        json_object_put(history);
        strv_free(ms.owners);
        return r;
}

/* Asks ledgerd's method member about the milestone id and shows the answer
 * with show (0 or -errno): show and why. */
static int ask_about(const struct ctl_options *o, const char *member, const char *id,
                     int (*show)(sd_bus_message *reply, const char *id,
                                 const struct ctl_options *o)) {
        sd_bus_message *reply = NULL;
        struct ctl_bus b;
        int r = ctl_bus_open(&o->bus, &b);

        if (r == CTL_EXIT_OK)
                r = ctl_bus_method(&b, member, &reply, "s", id);
        if (r == CTL_EXIT_OK && show(reply, id, o) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent an answer I cannot read\n");
                r = CTL_EXIT_FAILURE;
        }
        sd_bus_message_unref(reply);
        ctl_bus_close(&b);
        return r;
}

int verb_show(int argc, char **argv, const struct ctl_options *o) {
        (void) argc;
        return ask_about(o, "Describe", argv[1], show_reply);
}

/* ---- why -------------------------------------------------------------------- */

static int why_reply(sd_bus_message *reply, const char *id, const struct ctl_options *options) {
        bool json = options->json;
        json_object *o = NULL, *lines = json ? json_object_new_array() : NULL;
        const char *line;
        int r = sd_bus_message_enter_container(reply, 'a', "s");

        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &line)) > 0) {
                if (json)
                        json_object_array_add(lines, json_object_new_string(line));
                else
                        printf("%s\n", line);
        }
        if (r >= 0 && json) {
                o = json_object_new_object();
                json_object_object_add(o, "id", json_object_new_string(id));
                json_object_object_add(o, "lines", json_object_get(lines));
                ctl_json_print(o);
        }
        json_object_put(lines);
        return r;
}

int verb_why(int argc, char **argv, const struct ctl_options *o) {
        (void) argc;
        return ask_about(o, "Why", argv[1], why_reply);
}

/* ---- preview ---------------------------------------------------------------- */

/* --from (default now) and --to (inclusive day; default 30 days on). */
static int preview_window(const struct ctl_bus_options *o, time_t *from, time_t *to) {
        const char *tz = ctl_timezone(o);

        *from = time(NULL);
        if (o->from && zone_parse_time(tz, o->from, from) < 0) {
                fprintf(stderr, "ledgerctl: --from: \"%s\" is not YYYY-MM-DD or "
                        "YYYY-MM-DDTHH:MM\n", o->from);
                return -EINVAL;
        }
        *to = *from + (time_t) PREVIEW_DEFAULT_DAYS * 86400;
        if (o->to && timefmt_parse_end(tz, o->to, to) < 0) {
                fprintf(stderr, "ledgerctl: --to: \"%s\" is not YYYY-MM-DD or "
                        "YYYY-MM-DDTHH:MM\n", o->to);
                return -EINVAL;
        }
        if (*to <= *from) {
                fprintf(stderr, "ledgerctl: preview: --to must come after --from\n");
                return -EINVAL;
        }
        return 0;
}

struct reminder {
        uint64_t at;
        const char *kind, *offset, *ledger, *milestone;
        char **owners;
};

static int read_reminder(sd_bus_message *m, struct reminder *rm) {
        int r = sd_bus_message_enter_container(m, 'r', "tssssas");

        if (r <= 0)
                return r;
        r = sd_bus_message_read(m, "tssss", &rm->at, &rm->kind, &rm->offset, &rm->ledger,
                                &rm->milestone);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &rm->owners);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

static json_object *reminder_json(const struct reminder *rm, const char *tz) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "at", ctl_json_time(tz, rm->at));
        json_object_object_add(o, "kind", json_object_new_string(rm->kind));
        json_object_object_add(o, "offset", json_object_new_string(rm->offset));
        json_object_object_add(o, "ledger", json_object_new_string(rm->ledger));
        json_object_object_add(o, "milestone", json_object_new_string(rm->milestone));
        json_object_object_add(o, "owners", ctl_json_strv(rm->owners));
        return o;
}

static int reminder_row(struct columns *t, const struct reminder *rm, const char *tz) {
        char at[TIMEFMT_LEN], *owners = strv_join(rm->owners, "、");
        int r;

        if (!owners)
                return -ENOMEM;
        if (timefmt_local(tz, (time_t) (rm->at / 1000000), at) < 0)
                at[0] = '\0';
        r = columns_add(t, (const char *const[]) { at, rm->kind, rm->offset, rm->milestone,
                                                   rm->ledger, owners });
        free(owners);
        return r;
}

static int preview_reply(sd_bus_message *reply, const struct ctl_options *o) {
        static const char *const headers[] = { "WHEN", "KIND", "OFFSET", "ID", "LEDGER", "OWNERS" };
        const char *tz = ctl_timezone(&o->bus);
        json_object *a = o->json ? json_object_new_array() : NULL;
        struct columns t;
        struct reminder rm = {};
        int r = sd_bus_message_enter_container(reply, 'a', BUS_REMINDER);

        columns_init(&t, 6, headers);
        while (r >= 0 && (r = read_reminder(reply, &rm)) > 0) {
                if (a)
                        json_object_array_add(a, reminder_json(&rm, tz));
                else
                        r = reminder_row(&t, &rm, tz);
                strv_free(rm.owners);
                rm.owners = NULL;
        }
        if (r >= 0 && a)
                ctl_json_print(json_object_get(a));
        else if (r >= 0 && t.n_rows == 0)
                printf("No reminders in this window.\n");
        else if (r >= 0)
                columns_print(&t, stdout, columns_use_colour(stdout), columns_terminal_width(stdout));
        json_object_put(a);
        columns_free(&t);
        return r;
}

int verb_preview(int argc, char **argv, const struct ctl_options *o) {
        sd_bus_message *reply = NULL;
        struct ctl_bus b;
        time_t from, to;
        int r;

        (void) argc, (void) argv;
        if (preview_window(&o->bus, &from, &to) < 0)
                return CTL_EXIT_USAGE;
        r = ctl_bus_open(&o->bus, &b);
        if (r == CTL_EXIT_OK)
                r = ctl_bus_method(&b, "Preview", &reply, "tt", (uint64_t) from * 1000000,
                                   (uint64_t) to * 1000000);
        if (r == CTL_EXIT_OK && preview_reply(reply, o) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent an answer I cannot read\n");
                r = CTL_EXIT_FAILURE;
        }
        sd_bus_message_unref(reply);
        ctl_bus_close(&b);
        return r;
}
