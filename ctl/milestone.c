/* SPDX-License-Identifier: MIT */
#include "milestone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/greedy.h"
#include "basic/strv.h"
#include "busapi/busapi.h"
#include "timefmt.h"

int ctl_milestone_read(sd_bus_message *m, struct ctl_milestone *ms) {
        int r = sd_bus_message_enter_container(m, 'r', "sssssssasxss");

        if (r <= 0)
                return r;
        *ms = (struct ctl_milestone) {};
        r = sd_bus_message_read(m, "sssssss", &ms->ledger, &ms->id, &ms->task, &ms->label,
                                &ms->item, &ms->due, &ms->status);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &ms->owners);
        if (r >= 0)
                r = sd_bus_message_read(m, "xss", &ms->done_at, &ms->done_by, &ms->note);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                strv_free(ms->owners);
                ms->owners = NULL;
                return r;
        }
        return 1;
}

static int push(struct ctl_milestones *list, const struct ctl_milestone *ms) {
        if (GREEDY_REALLOC(list->v, list->allocated, list->n + 1) < 0)
                return -ENOMEM;
        list->v[list->n++] = *ms;
        return 0;
}

int ctl_milestones_take(struct ctl_milestones *list, sd_bus_message *reply) {
        struct ctl_milestone ms;
        int r;

        if (list->n_replies == CTL_REPLIES_MAX)
                return -E2BIG;
        list->replies[list->n_replies++] = sd_bus_message_ref(reply);
        r = sd_bus_message_enter_container(reply, 'a', BUS_MILESTONE);
        while (r >= 0 && (r = ctl_milestone_read(reply, &ms)) > 0)
                if ((r = push(list, &ms)) < 0)
                        strv_free(ms.owners);
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        return r;
}

void ctl_milestones_free(struct ctl_milestones *list) {
        for (size_t i = 0; i < list->n; i++)
                strv_free(list->v[i].owners);
        free(list->v);
        for (size_t i = 0; i < list->n_replies; i++)
                sd_bus_message_unref(list->replies[i]);
        *list = (struct ctl_milestones) {};
}

static int append_filter(sd_bus_message *m, const struct ctl_bus_options *o, const char *status,
                         bool due_within) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");

        if (r >= 0 && o->owner)
                r = sd_bus_message_append(m, "{sv}", "owner", "s", o->owner);
        if (r >= 0 && o->ledger)
                r = sd_bus_message_append(m, "{sv}", "ledger", "s", o->ledger);
        if (r >= 0 && status)
                r = sd_bus_message_append(m, "{sv}", "status", "s", status);
        if (r >= 0 && due_within)
                r = sd_bus_message_append(m, "{sv}", "due_within", "t",
                                          (uint64_t) o->due_within * 86400 * 1000000);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

static int fetch_one(struct ctl_bus *b, const struct ctl_bus_options *o, const char *status,
                     bool due_within, struct ctl_milestones *list) {
        sd_bus_message *m = NULL, *reply = NULL;
        int r = ctl_bus_new_call(b, "ListMilestones", &m);

        if (r >= 0)
                r = append_filter(m, o, status, due_within);
        if (r < 0) {
                sd_bus_message_unref(m);
                fprintf(stderr, "ledgerctl: cannot build the call: %s\n", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        r = ctl_bus_send(b, m, &reply);
        sd_bus_message_unref(m);
        if (r != CTL_EXIT_OK)
                return r;
        r = ctl_milestones_take(list, reply);
        sd_bus_message_unref(reply);
        if (r < 0) {
                fprintf(stderr, "ledgerctl: ledgerd sent a list I cannot read: %s\n", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        return CTL_EXIT_OK;
}

/* The daemon's filters intersect; ledgerctl's status options and
 * --due-within each add a set: one call for each. */
int ctl_milestones_fetch(struct ctl_bus *b, const struct ctl_bus_options *o,
                         const char *const *statuses, struct ctl_milestones *list) {
        bool any_status = statuses && statuses[0];
        int r = CTL_EXIT_OK;

        if (!any_status || o->has_due_within)
                r = fetch_one(b, o, NULL, o->has_due_within, list);
        for (size_t i = 0; r == CTL_EXIT_OK && any_status && statuses[i]; i++)
                r = fetch_one(b, o, statuses[i], false, list);
        return r;
}

static int compare(const void *a, const void *b) {
        const struct ctl_milestone *x = a, *y = b;
        int r;

        /* ISO dates sort as text; undated ("") last. */
        if (!*x->due != !*y->due)
                return *x->due ? -1 : 1;
        r = strcmp(x->due, y->due);
        if (r == 0)
                r = strcmp(x->ledger, y->ledger);
        return r ? r : strverscmp(x->id, y->id);
}

void ctl_milestones_sort(struct ctl_milestones *list) {
        if (list->n > 1)
                qsort(list->v, list->n, sizeof *list->v, compare);
}

bool ctl_milestones_several_ledgers(const struct ctl_milestones *list) {
        for (size_t i = 1; i < list->n; i++)
                if (strcmp(list->v[i].ledger, list->v[0].ledger) != 0)
                        return true;
        return false;
}

void ctl_milestone_name(const struct ctl_milestone *ms, bool qualify, char *buf, size_t size) {
        snprintf(buf, size, "%s%s%s", qualify ? ms->ledger : "", qualify ? "/" : "", ms->id);
}

const char *ctl_status_colour(const char *status) {
        if (strcmp(status, BUS_STATUS_OVERDUE) == 0 || strcmp(status, BUS_STATUS_UNKNOWN) == 0)
                return COLUMNS_RED;
        if (strcmp(status, BUS_STATUS_DUE_SOON) == 0)
                return COLUMNS_YELLOW;
        if (strcmp(status, BUS_STATUS_DONE) == 0)
                return COLUMNS_GREEN;
        if (strcmp(status, BUS_STATUS_UNDATED) == 0 || strcmp(status, BUS_STATUS_ONGOING) == 0)
                return COLUMNS_GREY;
        return "";
}

static int table_row(struct columns *t, const struct ctl_milestone *ms, bool qualify) {
        char name[256], *owners = strv_join(ms->owners, "、"), *item = NULL;
        int r;

        ctl_milestone_name(ms, qualify, name, sizeof name);
        if (!owners || asprintf(&item, "%s%s%s", ms->item, *ms->label ? " · " : "", ms->label) < 0) {
                free(owners);
                return -ENOMEM;
        }
        r = columns_add(t, (const char *const[]) { name, *ms->due ? ms->due : "-", ms->status,
                                                   owners, item });
        if (r >= 0)
                columns_colour(t, 2, ctl_status_colour(ms->status));
        free(owners);
        free(item);
        return r;
}

int ctl_milestones_table(const struct ctl_milestones *list, bool qualify, FILE *out) {
        static const char *const headers[] = { "ID", "DUE", "STATUS", "OWNERS", "ITEM" };
        struct columns t;
        int r = 0;

        columns_init(&t, 5, headers);
        columns_cuttable(&t, 3);
        columns_cuttable(&t, 4);
        for (size_t i = 0; r >= 0 && i < list->n; i++)
                r = table_row(&t, &list->v[i], qualify);
        if (r >= 0)
                columns_print(&t, out, columns_use_colour(out), columns_terminal_width(out));
        columns_free(&t);
        return r;
}

json_object *ctl_json_time(const char *tz, uint64_t usec) {
        char buf[TIMEFMT_LEN];

        if (usec == 0 || timefmt_iso(tz, (time_t) (usec / 1000000), buf) < 0)
                return NULL;
        return json_object_new_string(buf);
}

json_object *ctl_json_strv(char *const *v) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

json_object *ctl_milestone_json(const struct ctl_milestone *ms, const char *tz) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "ledger", json_object_new_string(ms->ledger));
        json_object_object_add(o, "id", json_object_new_string(ms->id));
        json_object_object_add(o, "task", json_object_new_string(ms->task));
        json_object_object_add(o, "label", json_object_new_string(ms->label));
        json_object_object_add(o, "item", json_object_new_string(ms->item));
        json_object_object_add(o, "due", *ms->due ? json_object_new_string(ms->due) : NULL);
        json_object_object_add(o, "status", json_object_new_string(ms->status));
        json_object_object_add(o, "owners", ctl_json_strv(ms->owners));
        json_object_object_add(o, "done_at", ctl_json_time(tz, (uint64_t) ms->done_at));
        json_object_object_add(o, "done_by", ms->done_at ? json_object_new_string(ms->done_by) : NULL);
        json_object_object_add(o, "note", json_object_new_string(ms->note));
        return o;
}

void ctl_json_print(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}
