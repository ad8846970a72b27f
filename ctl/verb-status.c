/* SPDX-License-Identifier: MIT */
/* ledgerctl status: at a glance, as systemctl status shows a unit: whether
 * ledgerd is there and well (degraded, and why), what it follows, what is
 * done, overdue, due soon and still undated, the next deadlines and the
 * next reminder, where the feeds are served. */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/greedy.h"
#include "basic/strv.h"
#include "basic/text.h"
#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "display.h"
#include "milestone.h"
#include "pager.h"
#include "timefmt.h"

#define NEXT_DEADLINES 5
#define LEDGERS_SHOWN 16

struct ledger_entry {
        const char *id, *title;
        int year;
};

/* What keeps the service from its work (Problems): a part, since when. */
struct problem {
        const char *part, *reason;
        uint64_t since;
};

/* Strings point into the GetAll reply. */
struct props {
        const char *version, *config_path;
        struct ledger_entry ledgers[LEDGERS_SHOWN];
        size_t n_ledgers; /* all of them, even past LEDGERS_SHOWN */
        unsigned counts[7];
        uint64_t next_reminder;
        int reload_ok;
        uint64_t reload_when;
        const char *reload_message;
        char **feed_urls, **feed_addresses;
        unsigned orphans, pending, failed;
        struct problem *problems; /* NULL when none (or an older ledgerd) */
        size_t n_problems, allocated;
};

static int read_ledgers(sd_bus_message *m, struct props *p) {
        struct ledger_entry l;
        int r = sd_bus_message_enter_container(m, 'v', "a(ssi)");

        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "(ssi)");
        while (r >= 0 && (r = sd_bus_message_read(m, "(ssi)", &l.id, &l.title, &l.year)) > 0)
                if (p->n_ledgers++ < LEDGERS_SHOWN)
                        p->ledgers[p->n_ledgers - 1] = l;
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int read_counts(sd_bus_message *m, unsigned *c) {
        return sd_bus_message_read(m, "v", BUS_COUNTS, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5],
                                   &c[6], &c[7]);
}

static int read_strv(sd_bus_message *m, char ***out) {
        int r = sd_bus_message_enter_container(m, 'v', "as");

        if (r >= 0)
                r = sd_bus_message_read_strv(m, out);
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int read_problems(sd_bus_message *m, struct props *p) {
        struct problem x;
        int r = sd_bus_message_enter_container(m, 'v', "a(sts)");

        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "(sts)");
        while (r >= 0 && (r = sd_bus_message_read(m, "(sts)", &x.part, &x.since, &x.reason)) > 0) {
                if (GREEDY_REALLOC(p->problems, p->allocated, p->n_problems + 1) < 0)
                        return -ENOMEM;
                p->problems[p->n_problems++] = x;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* One property; those this ledgerctl does not know are skipped, so a newer
 * ledgerd may add more. */
static int read_property(sd_bus_message *m, const char *name, struct props *p) {
        if (strcmp(name, "Version") == 0)
                return sd_bus_message_read(m, "v", "s", &p->version);
        if (strcmp(name, "ConfigPath") == 0)
                return sd_bus_message_read(m, "v", "s", &p->config_path);
        if (strcmp(name, "Ledgers") == 0)
                return read_ledgers(m, p);
        if (strcmp(name, "Counts") == 0)
                return read_counts(m, p->counts);
        if (strcmp(name, "NextReminder") == 0)
                return sd_bus_message_read(m, "v", "t", &p->next_reminder);
        if (strcmp(name, "LastReload") == 0)
                return sd_bus_message_read(m, "v", "(bts)", &p->reload_ok, &p->reload_when,
                                           &p->reload_message);
        if (strcmp(name, "FeedURLs") == 0)
                return read_strv(m, &p->feed_urls);
        if (strcmp(name, "FeedAddresses") == 0)
                return read_strv(m, &p->feed_addresses);
        if (strcmp(name, "Problems") == 0)
                return read_problems(m, p);
        if (strcmp(name, "OrphanedMarks") == 0)
                return sd_bus_message_read(m, "v", "u", &p->orphans);
        if (strcmp(name, "PendingDeliveries") == 0)
                return sd_bus_message_read(m, "v", "u", &p->pending);
        if (strcmp(name, "FailedDeliveries") == 0)
                return sd_bus_message_read(m, "v", "u", &p->failed);
        return sd_bus_message_skip(m, "v");
}

static int read_props(sd_bus_message *m, struct props *p) {
        const char *name;
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");

        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = read_property(m, name, p);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : (p->version && p->config_path ? 0 : -EBADMSG);
}

/* ---- text ------------------------------------------------------------------- */

/* A field of ledgerd's words (escaped), wrapped to the terminal. */
static void field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(const char *label, const char *fmt, ...) {
        va_list ap;
        char *value;

        va_start(ap, fmt);
        value = text_vformat(fmt, ap);
        va_end(ap);
        if (value)
                display_field(stdout, label, value, columns_terminal_width(stdout));
        free(value);
}

static bool degraded(const struct props *p) {
        return p->n_problems > 0;
}

static void print_header(const struct props *p, const struct ctl_bus *b, bool colour) {
        const char *dot = !colour            ? ""
                          : degraded(p)      ? COLUMNS_RED
                          : p->reload_ok     ? COLUMNS_GREEN
                                             : COLUMNS_YELLOW;
        char *version = display_escape(p->version, false), *where = display_escape(b->where, false);
        char *line = NULL;

        if (version && where &&
            asprintf(&line, "%s●%s ledgerd %s — %s%s, reached on %s", dot, colour ? COLUMNS_RESET : "",
                     version, degraded(p) ? "degraded" : "running",
                     p->reload_ok ? "" : " (the last reload was refused)", where) >= 0)
                display_wrap_coloured(stdout, line, 0, 2, columns_terminal_width(stdout));
        free(line);
        free(version);
        free(where);
}

/* "State: degraded — reminders: cannot record … (since …)", in red on a
 * terminal, a line for each part that has a problem. */
static void print_state(const struct props *p, const char *tz, bool colour) {
        if (!degraded(p)) {
                field("State", "running");
                return;
        }
        for (size_t i = 0; i < p->n_problems; i++) {
                const struct problem *x = &p->problems[i];
                char since[TIMEFMT_LEN] = "", *part = display_escape(x->part, false),
                     *reason = display_escape(x->reason, false), *line = NULL;

                if (x->since)
                        timefmt_local(tz, (time_t) (x->since / 1000000), since);
                if (part && reason &&
                    asprintf(&line, "%s%s%s: %s%s%s%s%s", colour ? COLUMNS_RED : "",
                             i ? "" : "degraded — ", part, reason, *since ? " (since " : "", since,
                             *since ? ")" : "", colour ? COLUMNS_RESET : "") >= 0) {
                        /* The label on the first only; the others under it. */
                        printf("%*s%s ", DISPLAY_LABEL_WIDTH, i ? "" : "State", i ? " " : ":");
                        display_wrap_coloured(stdout, line, DISPLAY_VALUE_COLUMN,
                                              DISPLAY_VALUE_COLUMN, columns_terminal_width(stdout));
                }
                free(line);
                free(part);
                free(reason);
        }
}

static void print_ledgers(const struct props *p) {
        for (size_t i = 0; i < p->n_ledgers && i < LEDGERS_SHOWN; i++) {
                char *line = NULL;

                if (asprintf(&line, "%s  %s (%d)", p->ledgers[i].id, p->ledgers[i].title,
                             p->ledgers[i].year) < 0)
                        continue;
                /* One field a ledger, the label on the first only. */
                printf("%*s%s ", DISPLAY_LABEL_WIDTH, i ? "" : "Ledgers", i ? " " : ":");
                display_wrap(stdout, line, DISPLAY_VALUE_COLUMN, DISPLAY_VALUE_COLUMN,
                             columns_terminal_width(stdout));
                free(line);
        }
        if (p->n_ledgers > LEDGERS_SHOWN)
                printf("%*s  … and %zu more\n", DISPLAY_LABEL_WIDTH, "", p->n_ledgers - LEDGERS_SHOWN);
        if (p->n_ledgers == 0)
                field("Ledgers", "none");
}

static void print_time_field(const char *label, const char *tz, uint64_t usec, const char *none) {
        char when[TIMEFMT_LEN];

        if (usec == 0 || timefmt_local(tz, (time_t) (usec / 1000000), when) < 0)
                field(label, "%s", none);
        else
                field(label, "%s", when);
}

static void print_counts(const unsigned *c, bool colour) {
        const char *red = colour && c[BUS_COUNTS_OVERDUE] ? COLUMNS_RED : "";
        const char *yellow = colour && c[BUS_COUNTS_DUE_SOON] ? COLUMNS_YELLOW : "";
        const char *reset = colour ? COLUMNS_RESET : "";
        char *line = NULL;

        if (asprintf(&line, "%u dated: %u done, %s%u overdue%s, %s%u due within 7 days%s, "
                     "%u upcoming", c[BUS_COUNTS_MILESTONES], c[BUS_COUNTS_DONE], red,
                     c[BUS_COUNTS_OVERDUE], *red ? reset : "", yellow, c[BUS_COUNTS_DUE_SOON],
                     *yellow ? reset : "", c[BUS_COUNTS_UPCOMING]) >= 0)
                display_field_coloured(stdout, "Milestones", line, columns_terminal_width(stdout));
        free(line);
        field("Undated", "%u task%s without a date, %u not understood, %u ongoing (standing "
              "work)", c[BUS_COUNTS_UNDATED], c[BUS_COUNTS_UNDATED] == 1 ? "" : "s",
              c[BUS_COUNTS_UNKNOWN], c[BUS_COUNTS_ONGOING]);
}

static void print_feeds(const struct props *p) {
        char *addresses = p->feed_addresses && p->feed_addresses[0]
                                  ? strv_join(p->feed_addresses, ", ") : NULL;

        field("Feeds", "%s", addresses ? addresses : "not served over HTTP");
        free(addresses);
}

static void print_text(const struct props *p, const struct ctl_bus *b,
                       const struct ctl_milestones *next, const char *tz) {
        bool colour = columns_use_colour(stdout);
        char when[TIMEFMT_LEN] = "";

        print_header(p, b, colour);
        print_state(p, tz, colour);
        field("Config", "%s", p->config_path);
        print_ledgers(p);
        print_counts(p->counts, colour);
        print_time_field("Next reminder", tz, p->next_reminder, "none planned");
        if (p->reload_when)
                timefmt_local(tz, (time_t) (p->reload_when / 1000000), when);
        field("Last reload", "%s%s%s%s%s", p->reload_ok ? "ok" : "refused", *when ? ", " : "", when,
              *p->reload_message ? ": " : "", p->reload_message);
        field("Orphaned marks", "%u", p->orphans);
        field("Deliveries", "%u pending, %u failed", p->pending, p->failed);
        print_feeds(p);
        printf("\nNext deadlines:\n");
        if (next->n == 0)
                printf("  none\n");
        else
                ctl_milestones_table(next, p->n_ledgers > 1, stdout);
}

/* ---- JSON ------------------------------------------------------------------- */

static json_object *counts_json(const unsigned *c) {
        static const char *const names[] = { "milestones", "done", "overdue", "due_soon",
                                             "upcoming", "undated", "unknown", "ongoing" };
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < BUS_COUNTS_MAX; i++)
                json_object_object_add(o, names[i], json_object_new_int64(c[i]));
        return o;
}

static json_object *ledgers_json(const struct props *p) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < p->n_ledgers && i < LEDGERS_SHOWN; i++) {
                json_object *l = json_object_new_object();

                json_object_object_add(l, "id", json_object_new_string(p->ledgers[i].id));
                json_object_object_add(l, "title", json_object_new_string(p->ledgers[i].title));
                json_object_object_add(l, "year", json_object_new_int(p->ledgers[i].year));
                json_object_array_add(a, l);
        }
        return a;
}

static json_object *reload_json(const struct props *p, const char *tz) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "ok", json_object_new_boolean(p->reload_ok));
        json_object_object_add(o, "when", ctl_json_time(tz, p->reload_when));
        json_object_object_add(o, "message", json_object_new_string(p->reload_message));
        return o;
}

static json_object *problems_json(const struct props *p, const char *tz) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < p->n_problems; i++) {
                json_object *x = json_object_new_object();

                json_object_object_add(x, "part", json_object_new_string(p->problems[i].part));
                json_object_object_add(x, "since", ctl_json_time(tz, p->problems[i].since));
                json_object_object_add(x, "reason", json_object_new_string(p->problems[i].reason));
                json_object_array_add(a, x);
        }
        return a;
}

static void print_json(const struct props *p, const struct ctl_bus *b,
                       const struct ctl_milestones *next, const char *tz) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();

        for (size_t i = 0; i < next->n; i++)
                json_object_array_add(a, ctl_milestone_json(&next->v[i], tz));
        json_object_object_add(o, "daemon", json_object_new_string("running"));
        json_object_object_add(o, "state", json_object_new_string(degraded(p) ? "degraded"
                                                                               : "running"));
        json_object_object_add(o, "problems", problems_json(p, tz));
        json_object_object_add(o, "connection", json_object_new_string(b->where));
        json_object_object_add(o, "version", json_object_new_string(p->version));
        json_object_object_add(o, "config_path", json_object_new_string(p->config_path));
        json_object_object_add(o, "ledgers", ledgers_json(p));
        json_object_object_add(o, "counts", counts_json(p->counts));
        json_object_object_add(o, "next_deadlines", a);
        json_object_object_add(o, "next_reminder", ctl_json_time(tz, p->next_reminder));
        json_object_object_add(o, "last_reload", reload_json(p, tz));
        json_object_object_add(o, "orphaned_marks", json_object_new_int64(p->orphans));
        json_object_object_add(o, "pending_deliveries", json_object_new_int64(p->pending));
        json_object_object_add(o, "failed_deliveries", json_object_new_int64(p->failed));
        json_object_object_add(o, "feed_urls", ctl_json_strv(p->feed_urls));
        json_object_object_add(o, "feed_addresses", ctl_json_strv(p->feed_addresses));
        ctl_json_print(o);
}

/* ---- the verb --------------------------------------------------------------- */

/* ledgerd not there is an answer too: say so, where it was looked for, and
 * what to try. */
static int print_unreachable(const struct ctl_bus *b, const struct ctl_bus_options *options,
                             const sd_bus_error *e, int r, bool json) {
        char *msg = ctl_bus_unreachable_message(b, e, r);
        const char *hints[CTL_HINTS_MAX + 1];
        bool colour = !json && columns_use_colour(stdout);

        ctl_bus_hints(options, r, hints);
        if (json) {
                json_object *o = json_object_new_object(), *h = json_object_new_array();

                for (size_t i = 0; hints[i]; i++)
                        json_object_array_add(h, json_object_new_string(hints[i]));
                json_object_object_add(o, "daemon", json_object_new_string("unreachable"));
                json_object_object_add(o, "error", json_object_new_string(msg ? msg : ""));
                json_object_object_add(o, "hints", h);
                ctl_json_print(o);
        } else {
                printf("%s●%s ledgerd — not reachable\n   ", colour ? COLUMNS_RED : "",
                       colour ? COLUMNS_RESET : "");
                display_wrap(stdout, msg ? msg : strerror(-r), 3, 3, columns_terminal_width(stdout));
                for (size_t i = 0; hints[i]; i++) {
                        printf("   ");
                        display_wrap(stdout, hints[i], 3, 3, columns_terminal_width(stdout));
                }
        }
        free(msg);
        /* Not allowed to open the private socket is no absence: say so as such. */
        return r == -EACCES || r == -EPERM ? CTL_EXIT_ACCESS_DENIED : CTL_EXIT_FAILURE;
}

/* The next deadlines: not done, not past, the earliest first. */
static int fetch_next(struct ctl_bus *b, struct ctl_milestones *next) {
        static const char *const statuses[] = { BUS_STATUS_DUE_SOON, BUS_STATUS_UPCOMING, NULL };
        const struct ctl_bus_options none = {};
        int r = ctl_milestones_fetch(b, &none, statuses, next);

        if (r == CTL_EXIT_OK) {
                ctl_milestones_sort(next);
                for (size_t i = NEXT_DEADLINES; i < next->n; i++) {
                        free(next->v[i].owners);
                        next->v[i].owners = NULL;
                }
                if (next->n > NEXT_DEADLINES)
                        next->n = NEXT_DEADLINES;
        }
        return r;
}

static int status(struct ctl_bus *b, const struct ctl_options *o) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        struct ctl_milestones next = {};
        struct props p = {};
        int r = ctl_bus_get_all(b, &reply, &e);

        if (r < 0 && ctl_bus_unreachable(&e, r))
                r = print_unreachable(b, &o->bus, &e, r, o->json);
        else if (r < 0) {
                fprintf(stderr, "ledgerctl: %s\n", e.message ? e.message : strerror(-r));
                r = ctl_bus_exit_status(&e, r);
        } else if (read_props(reply, &p) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd's properties are not as expected\n");
                r = CTL_EXIT_FAILURE;
        } else if ((r = fetch_next(b, &next)) == CTL_EXIT_OK) {
                pager_open(o->no_pager);
                if (o->json)
                        print_json(&p, b, &next, ctl_timezone(&o->bus));
                else
                        print_text(&p, b, &next, ctl_timezone(&o->bus));
        }
        ctl_milestones_free(&next);
        strv_free(p.feed_urls);
        strv_free(p.feed_addresses);
        free(p.problems);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);
        return r;
}

int verb_status(int argc, char **argv, const struct ctl_options *o) {
        struct ctl_bus b;
        int r = ctl_bus_connect(&o->bus, &b);

        (void) argc, (void) argv;
        r = r < 0 ? print_unreachable(&b, &o->bus, NULL, r, o->json) : status(&b, o);
        ctl_bus_close(&b);
        return r;
}
