/* SPDX-License-Identifier: MIT */
#include "bus/bus-deliveries.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-milestones.h"
#include "bus/bus.h"
#include "busapi/busapi.h"
#include "courier/courier.h"
#include "store/deliveries.h"
#include "manager.h"

/* The longest list one call returns. */
#define LIST_MAX 10000

int bus_property_deliveries(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        struct manager *m = userdata;
        enum delivery_status s = strcmp(property, "FailedDeliveries") == 0 ? DELIVERY_FAILED
                                                                            : DELIVERY_PENDING;
        unsigned n = 0;
        int r;

        (void) bus, (void) path, (void) interface;
        r = m->state ? deliveries_count(m->state, s, &n) : 0;
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot read the delivery log: %s",
                                         state_last_error(m->state));
        return sd_bus_message_append(reply, "u", n);
}

/* ---- ListDeliveries -------------------------------------------------------------- */

struct list_filter {
        struct delivery_filter f;
        const char *status;
};

static int read_entry(sd_bus_message *msg, struct manager *m, struct list_filter *lf,
                      sd_bus_error *error) {
        const char *key, *s = NULL;
        uint32_t limit;
        int r = sd_bus_message_read(msg, "s", &key);

        if (r < 0)
                return r;
        if (strcmp(key, "limit") == 0) {
                if (sd_bus_message_read(msg, "v", "u", &limit) < 0 || limit == 0 || limit > LIST_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "filter \"limit\" takes a count (u) from 1 to %d",
                                                 LIST_MAX);
                lf->f.limit = limit;
                return 0;
        }
        if (strcmp(key, "status") != 0 && strcmp(key, "target") != 0 && strcmp(key, "milestone") != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown filter \"%s\" (status, target, milestone, limit)", key);
        if (sd_bus_message_read(msg, "v", "s", &s) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "filter \"%s\" takes a string",
                                         key);
        if (strcmp(key, "status") == 0) {
                enum delivery_status st;

                if (delivery_status_from_name(s, &st) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "unknown status \"%s\" (pending, sent, failed, "
                                                 "cancelled, missed)", s);
                lf->f.status = (int) st;
        } else if (strcmp(key, "target") == 0)
                lf->f.target = s;
        else {
                const struct ledger *l;
                const struct task *t;
                const struct milestone *ms;

                r = bus_find(m, s, &l, &t, &ms, error);
                if (r < 0)
                        return r;
                lf->f.ledger = l->id;
                lf->f.milestone = ms ? ms->id : t->id;
        }
        return 0;
}

static int read_list_filter(sd_bus_message *msg, struct manager *m, struct list_filter *lf,
                            sd_bus_error *error) {
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");

        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                r = read_entry(msg, m, lf, error);
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

static uint64_t usec(time_t t) {
        return t > 0 ? (uint64_t) t * 1000000 : 0;
}

static int append_delivery(const struct delivery *d, void *userdata) {
        sd_bus_message *reply = userdata;
        int r = sd_bus_message_open_container(reply, 'r', "xsstbsuttsxssa(ssss)");

        if (r >= 0)
                r = sd_bus_message_append(reply, "xsstbsuttsxss", d->id, d->key, d->target, usec(d->at),
                                          d->late, delivery_status_name(d->status), d->tries,
                                          usec(d->status == DELIVERY_PENDING ? d->next_try : 0),
                                          usec(d->finished), d->via, (int64_t) d->code, d->reason,
                                          d->answer);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssss)");
        for (size_t i = 0; r >= 0 && i < d->n_items; i++)
                r = sd_bus_message_append(reply, "(ssss)", d->items[i].ledger, d->items[i].milestone,
                                          d->items[i].kind, d->items[i].offset);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

int bus_method_list_deliveries(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        struct list_filter lf = { .f = { .status = -1 } };
        sd_bus_message *reply = NULL;
        int r = read_list_filter(msg, m, &lf, error);

        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', BUS_DELIVERY);
        if (r >= 0) {
                r = deliveries_list(m->state, &lf.f, append_delivery, reply);
                if (r < 0 && !sd_bus_error_is_set(error))
                        sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot read the delivery log: %s",
                                          state_last_error(m->state));
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* ---- SendTest ------------------------------------------------------------------- */

/* The call is answered when every try has ended: the courier calls back. */
static void on_test_done(bool all_delivered, char **lines, size_t n, void *userdata) {
        sd_bus_message *call = userdata, *reply = NULL;
        int r = sd_bus_message_new_method_return(call, &reply);

        if (r >= 0)
                r = sd_bus_message_append(reply, "b", all_delivered);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "s", lines[i] ? lines[i] : "(out of memory)");
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call);
}

int bus_method_send_test(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        const char *name;
        char *user = NULL;
        uid_t uid;
        int r = sd_bus_message_read(msg, "s", &name);

        if (r < 0)
                return r;
        r = bus_authorize(msg, m, "send test messages", &uid, &user, error);
        free(user);
        if (r < 0)
                return r;
        r = courier_send_test(m, name, on_test_done, sd_bus_message_ref(msg));
        if (r >= 0)
                return 1; /* answered by on_test_done */
        sd_bus_message_unref(msg);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no owner or channel \"%s\"", name);
        if (r == -ENODATA)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s has no e-mail address and no channel", name);
        return sd_bus_error_set_errnof(error, -r, "cannot send: %s", strerror(-r));
}
