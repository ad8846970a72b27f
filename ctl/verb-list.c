/* SPDX-License-Identifier: MIT */
/* The verbs that read: list, show, why and preview. Each asks ledgerd once
 * (list: once per status asked for; preview: its milestones too, for their
 * items) and prints a table, fields or JSON, through the pager on a
 * terminal, wrapped or cut to its width. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/strv.h"
#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "display.h"
#include "ledger/date.h"
#include "milestone.h"
#include "pager.h"
#include "timefmt.h"
#include "ledger/zone.h"
#include "why.h"

/* Preview's window when --to is not given, and the longest ledgerd plans. */
#define PREVIEW_DEFAULT_DAYS 30
#define PREVIEW_MAX_DAYS 400

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
        pager_open(o->no_pager);
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

/* "   Label: value", labels right-aligned as systemctl status does, the
 * value escaped and wrapped to the terminal. */
static void field(const char *label, const char *value) {
        display_field(stdout, label, value, columns_terminal_width(stdout));
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

static void history_json(json_object *json, const char *tz, uint64_t when, const char *action,
                         const char *user, const char *note, const char *via, const char *address) {
        json_object *h = json_object_new_object();

        json_object_object_add(h, "when", ctl_json_time(tz, when));
        json_object_object_add(h, "action", json_object_new_string(action));
        json_object_object_add(h, "user", json_object_new_string(user));
        json_object_object_add(h, "note", json_object_new_string(note));
        json_object_object_add(h, "via", json_object_new_string(via));
        json_object_object_add(h, "address", json_object_new_string(address));
        json_object_array_add(json, h);
}

/* link_from: the client's address when the mark came through a reminder's
 * link; NULL over the bus. */
static void history_line(bool first, const char *tz, uint64_t when, const char *action,
                         const char *user, const char *note, const char *link_from) {
        char at[TIMEFMT_LEN], *line = NULL;

        if (timefmt_local(tz, (time_t) (when / 1000000), at) < 0)
                at[0] = '\0';
        if (asprintf(&line, "%s  %-7s %s%s%s%s%s", at, action, user, link_from ? " via link from " : "",
                     link_from ? link_from : "", *note ? "  " : "", note) < 0)
                return;
        printf("%*s  ", DISPLAY_LABEL_WIDTH, first ? "History:" : "");
        display_wrap(stdout, line, DISPLAY_VALUE_COLUMN, DISPLAY_VALUE_COLUMN,
                     columns_terminal_width(stdout));
        free(line);
}

static int print_history(sd_bus_message *m, const char *tz, json_object *json) {
        uint64_t when;
        const char *action, *user, *note, *via, *address;
        bool first = true;
        int r = sd_bus_message_enter_container(m, 'a', BUS_HISTORY);

        while (r >= 0 && (r = sd_bus_message_read(m, BUS_HISTORY, &when, &action, &user, &note, &via,
                                                  &address)) > 0) {
                bool link = strcmp(via, "link") == 0;

                if (json)
                        history_json(json, tz, when, action, user, note, via, address);
                else
                        history_line(first, tz, when, action, user, note, link ? address : NULL);
                first = false;
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static void print_show(const struct ctl_milestone *ms, const struct details *d, const char *tz) {
        char *owners = strv_join(ms->owners, "、"), *ledger = NULL, *due_text = NULL, *title = NULL;
        day_t due;

        if (asprintf(&title, "%s%s%s — %s", ms->id, *ms->label ? " · " : "", ms->label, ms->item) >= 0)
                display_wrap(stdout, title, 0, 2, columns_terminal_width(stdout));
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
        free(title);
}

static json_object *details_json(const struct details *d) {
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < d->n; i++)
                json_object_object_add(o, d->keys[i], json_object_new_string(d->values[i]));
        return o;
}

static int show_reply(sd_bus_message *reply, const char *id, const struct ctl_options *o,
                      struct ctl_bus *b) {
        const char *tz = ctl_timezone(&o->bus);
        struct ctl_milestone ms = {};
        struct details d = {};
        json_object *json = NULL, *history = NULL;
        int r = ctl_milestone_read(reply, &ms);

        (void) id, (void) b; /* the reply names it */
        if (r >= 0)
                r = read_details(reply, &d);
        if (r >= 0)
                pager_open(o->no_pager);
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
                                 const struct ctl_options *o, struct ctl_bus *b)) {
        sd_bus_message *reply = NULL;
        struct ctl_bus b;
        int r = ctl_bus_open(&o->bus, &b);

        if (r == CTL_EXIT_OK)
                r = ctl_bus_method(&b, member, &reply, "s", id);
        if (r == CTL_EXIT_OK && show(reply, id, o, &b) < 0) {
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

/* ledgerd's zone, in which Why writes its times; ours when it does not say. */
static char *daemon_timezone(struct ctl_bus *b, const struct ctl_options *o) {
        char *tz = NULL;

        if (sd_bus_get_property_string(b->bus, b->direct ? NULL : BUS_NAME, BUS_PATH, BUS_INTERFACE,
                                       "Timezone", NULL, &tz) < 0)
                tz = strdup(ctl_timezone(&o->bus));
        return tz;
}

/* A line of Why, wrapped; a reminder the holidays moved says from where. */
static void why_line(const char *line, day_t due) {
        struct why_reminder rm;
        char *moved = NULL;
        day_t from;

        if (why_parse_reminder(line, due, &rm) == 0 && why_reminder_moved(&rm) &&
            date_parse_iso(rm.nominal, &from) == 0)
                /* "… (planned)" → "… (planned; moved from 2025-10-07 周二, a day off)" */
                if (asprintf(&moved, "%.*s; moved from %s %s, a day off)", (int) strlen(line) - 1,
                             line, rm.nominal, date_weekday_zh(from)) < 0)
                        moved = NULL;
        display_wrap(stdout, moved ? moved : line, 0, 2, columns_terminal_width(stdout));
        free(rm.state);
        free(moved);
}

static void why_text(char *const *lines) {
        char date[DATE_ISO_LEN] = "";
        const char *is_due = lines[0] ? strstr(lines[0], " is due ") : NULL;
        day_t due = 0;

        if (is_due && sscanf(is_due, " is due %10s", date) == 1)
                date_parse_iso(date, &due);
        for (size_t i = 0; lines[i]; i++)
                why_line(lines[i], due);
}

static int why_reply(sd_bus_message *reply, const char *id, const struct ctl_options *o,
                     struct ctl_bus *b) {
        char **lines = NULL, *tz = NULL;
        int r = sd_bus_message_read_strv(reply, &lines);

        if (r < 0)
                return r;
        pager_open(o->no_pager);
        if (o->json && (tz = daemon_timezone(b, o)))
                ctl_json_print(why_json(id, lines, tz));
        else if (!o->json)
                why_text(lines);
        else
                r = -ENOMEM;
        free(tz);
        strv_free(lines);
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
        if (*to - *from > (time_t) PREVIEW_MAX_DAYS * 86400) {
                fprintf(stderr, "ledgerctl: preview: the window may span at most %d days\n",
                        PREVIEW_MAX_DAYS);
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

/* The milestones, by ledger and id, to find a reminder's item. */
static int by_ledger_id(const void *a, const void *b) {
        const struct ctl_milestone *x = a, *y = b;
        int r = strcmp(x->ledger, y->ledger);

        return r ? r : strcmp(x->id, y->id);
}

static const struct ctl_milestone *find_milestone(const struct ctl_milestones *all,
                                                  const struct reminder *rm) {
        struct ctl_milestone key = { .ledger = rm->ledger, .id = rm->milestone };

        return all->n ? bsearch(&key, all->v, all->n, sizeof key, by_ledger_id) : NULL;
}

/* "项目支出绩效评价 · 部门评价", as list shows it. */
static char *item_of(const struct ctl_milestone *ms) {
        char *s = NULL;

        if (!ms)
                return strdup("");
        return asprintf(&s, "%s%s%s", ms->item, *ms->label ? " · " : "", ms->label) < 0 ? NULL : s;
}

static json_object *reminder_json(const struct reminder *rm, const struct ctl_milestone *ms,
                                  const char *tz) {
        json_object *o = json_object_new_object();
        char *item = item_of(ms);

        json_object_object_add(o, "at", ctl_json_time(tz, rm->at));
        json_object_object_add(o, "kind", json_object_new_string(rm->kind));
        json_object_object_add(o, "offset", json_object_new_string(rm->offset));
        json_object_object_add(o, "ledger", json_object_new_string(rm->ledger));
        json_object_object_add(o, "milestone", json_object_new_string(rm->milestone));
        json_object_object_add(o, "item", json_object_new_string(item ? item : ""));
        json_object_object_add(o, "owners", ctl_json_strv(rm->owners));
        free(item);
        return o;
}

static int reminder_row(struct columns *t, const struct reminder *rm, const struct ctl_milestone *ms,
                        bool qualify, const char *tz) {
        char at[TIMEFMT_LEN], name[256], *owners = strv_join(rm->owners, "、"), *item = item_of(ms);
        int r = -ENOMEM;

        if (timefmt_local(tz, (time_t) (rm->at / 1000000), at) < 0)
                at[0] = '\0';
        snprintf(name, sizeof name, "%s%s%s", qualify ? rm->ledger : "", qualify ? "/" : "",
                 rm->milestone);
        if (owners && item)
                r = columns_add(t, (const char *const[]) { at, rm->kind, rm->offset, name, item,
                                                           owners });
        free(owners);
        free(item);
        return r;
}

static void preview_table_init(struct columns *t) {
        static const char *const headers[] = { "WHEN", "KIND", "OFFSET", "ID", "ITEM", "OWNERS" };

        columns_init(t, 6, headers);
        columns_cuttable(t, 4);
        columns_cuttable(t, 5);
}

static int preview_reply(sd_bus_message *reply, const struct ctl_milestones *all,
                         const struct ctl_options *o) {
        const char *tz = ctl_timezone(&o->bus);
        json_object *a = o->json ? json_object_new_array() : NULL;
        bool qualify = ctl_milestones_several_ledgers(all);
        struct columns t;
        struct reminder rm = {};
        int r = sd_bus_message_enter_container(reply, 'a', BUS_REMINDER);

        preview_table_init(&t);
        while (r >= 0 && (r = read_reminder(reply, &rm)) > 0) {
                const struct ctl_milestone *ms = find_milestone(all, &rm);

                if (a)
                        json_object_array_add(a, reminder_json(&rm, ms, tz));
                else
                        r = reminder_row(&t, &rm, ms, qualify, tz);
                strv_free(rm.owners);
                rm.owners = NULL;
        }
        if (r >= 0)
                pager_open(o->no_pager);
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

/* Every milestone, sorted to be found by ledger and id. */
static int fetch_all(struct ctl_bus *b, struct ctl_milestones *all) {
        const struct ctl_bus_options none = {};
        int r = ctl_milestones_fetch(b, &none, NULL, all);

        if (r == CTL_EXIT_OK && all->n > 1)
                qsort(all->v, all->n, sizeof *all->v, by_ledger_id);
        return r;
}

int verb_preview(int argc, char **argv, const struct ctl_options *o) {
        struct ctl_milestones all = {};
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
        if (r == CTL_EXIT_OK)
                r = fetch_all(&b, &all);
        if (r == CTL_EXIT_OK && preview_reply(reply, &all, o) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent an answer I cannot read\n");
                r = CTL_EXIT_FAILURE;
        }
        ctl_milestones_free(&all);
        sd_bus_message_unref(reply);
        ctl_bus_close(&b);
        return r;
}
