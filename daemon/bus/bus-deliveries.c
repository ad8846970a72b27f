/* SPDX-License-Identifier: MIT */
/* The delivery part of the bus object: the log, its counts, and send-test. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-internal.h"
#include "busapi/busapi.h"
#include "courier/courier.h"
#include "ledger/model.h"
#include "store/deliveries.h"

/* The longest list one call returns. */
#define LIST_MAX 10000
#define LIMIT_TAKES "a count (u) from 1 to 10000"

int bus_property_deliveries(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        struct bus *b = userdata;
        enum delivery_status s = strcmp(property, "FailedDeliveries") == 0 ? DELIVERY_FAILED
                                                                            : DELIVERY_PENDING;
        unsigned n = 0;
        int r;

        (void) bus, (void) path, (void) interface;
        r = deliveries_count(b->state, s, &n);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot read the delivery log: %s",
                                         state_last_error(b->state));
        return sd_bus_message_append(reply, "u", n);
}

/* ---- ListDeliveries -------------------------------------------------------------- */

struct list_filter {
        struct bus *bus;
        struct delivery_filter f;
        bool log_failed; /* reading the log failed, not sending the reply */
};

static int read_entry(sd_bus_message *msg, const char *key, void *filter, sd_bus_error *error) {
        struct list_filter *lf = filter;
        const char *s = NULL;
        uint32_t limit;
        int r;

        if (strcmp(key, "limit") == 0) {
                r = bus_read_variant(msg, key, "u", &limit, LIMIT_TAKES, error);
                if (r < 0)
                        return r;
                if (limit == 0 || limit > LIST_MAX)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "filter \"limit\" takes " LIMIT_TAKES);
                lf->f.limit = limit;
                return 0;
        }
        if (strcmp(key, "status") != 0 && strcmp(key, "target") != 0 && strcmp(key, "milestone") != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "unknown filter \"%s\" (status, target, milestone, limit)", key);
        r = bus_read_variant(msg, key, "s", &s, "a string", error);
        if (r < 0)
                return r;
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

                r = bus_find(lf->bus, s, &l, &t, &ms, error);
                if (r < 0)
                        return r;
                lf->f.ledger = l->id;
                lf->f.milestone = ms ? ms->id : t->id;
        }
        return 0;
}

static uint64_t usec(time_t t) {
        return t > 0 ? (uint64_t) t * 1000000 : 0;
}

static int append_delivery(const struct delivery *d, void *userdata) {
        sd_bus_message *reply = userdata;
        int r = sd_bus_message_open_container(reply, 'r', "xsstbsuttsxssa(ssss)uuu");

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
        if (r >= 0)
                r = sd_bus_message_append(reply, "uuu", d->part, d->parts, d->steps);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int fill_deliveries(sd_bus_message *reply, void *userdata) {
        struct list_filter *lf = userdata;
        int r = deliveries_list(lf->bus->state, &lf->f, append_delivery, reply);

        lf->log_failed = r < 0;
        return r;
}

int bus_method_list_deliveries(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        struct list_filter lf = { .bus = b, .f = { .status = -1 } };
        int r = bus_read_filter(msg, read_entry, &lf, error);

        if (r < 0)
                return r;
        r = bus_reply(msg, BUS_DELIVERY, fill_deliveries, &lf);
        if (lf.log_failed)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot read the delivery log: %s",
                                         state_last_error(b->state));
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
        struct bus *b = userdata;
        const char *name;
        char *user = NULL;
        uid_t uid;
        int r = sd_bus_message_read(msg, "s", &name);

        if (r < 0)
                return r;
        r = bus_authorize(msg, b, "send test messages", &uid, &user, error);
        free(user);
        if (r < 0)
                return r;
        r = courier_send_test(b->courier, name, on_test_done, sd_bus_message_ref(msg));
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
