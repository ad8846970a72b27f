/* SPDX-License-Identifier: MIT */
/* ledgerctl deliveries: the delivery log, newest first; and send-test: a
 * test message now, with the peer's answer. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/strv.h"
#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "display.h"
#include "milestone.h"
#include "pager.h"
#include "timefmt.h"

/* A test waits for every target's answer: up to delivery.timeout each. */
#define SEND_TEST_WAIT_USEC (300ULL * 1000000)

struct item {
        const char *ledger, *milestone, *kind, *offset;
};

/* One entry of the reply; strings point into it. */
struct entry {
        int64_t id, code;
        const char *key, *target, *status, *via, *reason, *answer;
        uint64_t at, next_try, finished;
        int late;
        uint32_t tries, part, parts, steps;
        struct item *items;
        size_t n_items;
};

static int read_items(sd_bus_message *m, struct entry *e) {
        struct item it;
        int r = sd_bus_message_enter_container(m, 'a', "(ssss)");

        while (r >= 0 && (r = sd_bus_message_read(m, "(ssss)", &it.ledger, &it.milestone, &it.kind,
                                                  &it.offset)) > 0) {
                struct item *grown = realloc(e->items, (e->n_items + 1) * sizeof *grown);

                if (!grown)
                        return -ENOMEM;
                e->items = grown;
                e->items[e->n_items++] = it;
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* 1 with *e filled, 0 at the end of the array. */
static int read_entry(sd_bus_message *m, struct entry *e) {
        int r = sd_bus_message_enter_container(m, 'r', "xsstbsuttsxssa(ssss)uuu");

        *e = (struct entry) {};
        if (r <= 0)
                return r;
        r = sd_bus_message_read(m, "xsstbsuttsxss", &e->id, &e->key, &e->target, &e->at, &e->late,
                                &e->status, &e->tries, &e->next_try, &e->finished, &e->via, &e->code,
                                &e->reason, &e->answer);
        if (r >= 0)
                r = read_items(m, e);
        if (r >= 0)
                r = sd_bus_message_read(m, "uuu", &e->part, &e->parts, &e->steps);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

static json_object *entry_json(const struct entry *e, const char *tz) {
        json_object *o = json_object_new_object(), *items = json_object_new_array();

        json_object_object_add(o, "id", json_object_new_int64(e->id));
        json_object_object_add(o, "key", json_object_new_string(e->key));
        json_object_object_add(o, "target", json_object_new_string(e->target));
        json_object_object_add(o, "at", ctl_json_time(tz, e->at));
        json_object_object_add(o, "late", json_object_new_boolean(e->late));
        json_object_object_add(o, "status", json_object_new_string(e->status));
        json_object_object_add(o, "tries", json_object_new_int64(e->tries));
        json_object_object_add(o, "next_try", ctl_json_time(tz, e->next_try));
        json_object_object_add(o, "finished", ctl_json_time(tz, e->finished));
        json_object_object_add(o, "via", json_object_new_string(e->via));
        json_object_object_add(o, "code", json_object_new_int64(e->code));
        json_object_object_add(o, "reason", json_object_new_string(e->reason));
        json_object_object_add(o, "answer", json_object_new_string(e->answer));
        for (size_t i = 0; i < e->n_items; i++) {
                json_object *it = json_object_new_object();

                json_object_object_add(it, "ledger", json_object_new_string(e->items[i].ledger));
                json_object_object_add(it, "milestone", json_object_new_string(e->items[i].milestone));
                json_object_object_add(it, "kind", json_object_new_string(e->items[i].kind));
                json_object_object_add(it, "offset", json_object_new_string(e->items[i].offset));
                json_object_array_add(items, it);
        }
        json_object_object_add(o, "items", items);
        json_object_object_add(o, "part", json_object_new_int64(e->part));
        json_object_object_add(o, "parts", json_object_new_int64(e->parts));
        json_object_object_add(o, "steps", json_object_new_int64(e->steps));
        return o;
}

static const char *status_colour(const char *status) {
        if (strcmp(status, "failed") == 0 || strcmp(status, "missed") == 0)
                return COLUMNS_RED;
        if (strcmp(status, "pending") == 0)
                return COLUMNS_YELLOW;
        return "";
}

/* "15.1 due, 16 overdue"; a part of a split digest says which: "2/3: 15.1 due" */
static char *items_text(const struct entry *e) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);

        if (!f)
                return NULL;
        if (e->parts > 1)
                fprintf(f, "%u/%u: ", e->part, e->parts);
        for (size_t i = 0; i < e->n_items; i++)
                fprintf(f, "%s%s %s", i ? ", " : "", e->items[i].milestone, e->items[i].kind);
        return fclose(f) == 0 ? s : NULL;
}

static int add_row(struct columns *t, const struct entry *e, const char *tz) {
        char at[TIMEFMT_LEN] = "", tries[16], *what = items_text(e);
        const char *note = *e->reason ? e->reason : e->answer;
        const char *cells[6] = { at, e->status, tries, e->target, what, note };
        int r;

        timefmt_local(tz, (time_t) (e->at / 1000000), at);
        snprintf(tries, sizeof tries, "%u%s", e->tries, e->late ? " late" : "");
        r = columns_add(t, cells);
        if (r >= 0)
                columns_colour(t, 1, status_colour(e->status));
        free(what);
        return r;
}

static int print_reply(sd_bus_message *reply, const struct ctl_options *o) {
        static const char *const headers[] = { "AT", "STATUS", "TRIES", "TARGET", "REMINDERS", "ANSWER" };
        const char *tz = ctl_timezone(&o->bus);
        struct columns t;
        struct entry e;
        size_t n = 0;
        int r = sd_bus_message_enter_container(reply, 'a', BUS_DELIVERY);

        columns_init(&t, 6, headers);
        columns_cuttable(&t, 3);
        columns_cuttable(&t, 4);
        columns_cuttable(&t, 5);
        pager_open(o->no_pager);
        if (o->json)
                fputs("[", stdout);
        while (r >= 0 && (r = read_entry(reply, &e)) > 0) {
                if (o->json) {
                        json_object *j = entry_json(&e, tz);

                        fputs(n ? ",\n" : "\n", stdout);
                        fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                                        JSON_C_TO_STRING_NOSLASHESCAPE),
                              stdout);
                        json_object_put(j);
                } else
                        r = add_row(&t, &e, tz);
                free(e.items);
                n++;
        }
        if (o->json)
                fputs("\n]\n", stdout);
        else if (r >= 0 && n == 0)
                printf("No deliveries.\n");
        else if (r >= 0)
                columns_print(&t, stdout, columns_use_colour(stdout), columns_terminal_width(stdout));
        columns_free(&t);
        return r;
}

static int append_filter(sd_bus_message *m, const struct ctl_bus_options *o) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");

        if (r >= 0 && o->delivery_status)
                r = sd_bus_message_append(m, "{sv}", "status", "s", o->delivery_status);
        if (r >= 0 && o->target)
                r = sd_bus_message_append(m, "{sv}", "target", "s", o->target);
        if (r >= 0 && o->milestone)
                r = sd_bus_message_append(m, "{sv}", "milestone", "s", o->milestone);
        if (r >= 0 && o->limit)
                r = sd_bus_message_append(m, "{sv}", "limit", "u", o->limit);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

int verb_deliveries(int argc, char **argv, const struct ctl_options *o) {
        sd_bus_message *m = NULL, *reply = NULL;
        struct ctl_bus b;
        int r = ctl_bus_open(&o->bus, &b);

        (void) argc, (void) argv;
        if (r != CTL_EXIT_OK)
                return r;
        r = ctl_bus_new_call(&b, "ListDeliveries", &m);
        if (r >= 0)
                r = append_filter(m, &o->bus);
        if (r < 0) {
                fprintf(stderr, "ledgerctl: cannot build the call: %s\n", strerror(-r));
                r = CTL_EXIT_FAILURE;
        } else
                r = ctl_bus_send(&b, m, &reply);
        if (r == CTL_EXIT_OK && print_reply(reply, o) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent a list I cannot read\n");
                r = CTL_EXIT_FAILURE;
        }
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        ctl_bus_close(&b);
        return r;
}

static int print_test(sd_bus_message *reply, bool json, int *delivered) {
        char **lines = NULL;
        int r = sd_bus_message_read(reply, "b", delivered);

        if (r >= 0)
                r = sd_bus_message_read_strv(reply, &lines);
        if (r < 0)
                return r;
        if (json) {
                json_object *o = json_object_new_object();

                json_object_object_add(o, "delivered", json_object_new_boolean(*delivered));
                json_object_object_add(o, "targets", ctl_json_strv(lines));
                ctl_json_print(o);
        } else
                /* Each peer's answer, in its own words: escaped. */
                for (size_t i = 0; lines[i]; i++)
                        display_wrap(stdout, lines[i], 0, 2, columns_terminal_width(stdout));
        strv_free(lines);
        return 0;
}

int verb_send_test(int argc, char **argv, const struct ctl_options *o) {
        sd_bus_message *m = NULL, *reply = NULL;
        struct ctl_bus b;
        int delivered = 0, r = ctl_bus_open(&o->bus, &b);

        (void) argc;
        if (r != CTL_EXIT_OK)
                return r;
        r = ctl_bus_new_call(&b, "SendTest", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[1]);
        if (r < 0) {
                fprintf(stderr, "ledgerctl: cannot build the call: %s\n", strerror(-r));
                r = CTL_EXIT_FAILURE;
        } else
                r = ctl_bus_send_wait(&b, m, SEND_TEST_WAIT_USEC, &reply);
        if (r == CTL_EXIT_OK && print_test(reply, o->json, &delivered) < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent an answer I cannot read\n");
                r = CTL_EXIT_FAILURE;
        }
        if (r == CTL_EXIT_OK && !delivered)
                r = CTL_EXIT_FAILURE;
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        ctl_bus_close(&b);
        return r;
}
