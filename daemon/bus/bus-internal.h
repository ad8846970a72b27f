/* SPDX-License-Identifier: MIT */
#pragma once

/* What the files of the bus object share: the handle, its authorization,
 * and the reading of a{sv} filters. */

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "bus/bus.h"

struct ledger;
struct milestone;
struct private_server;
struct task;

struct bus {
        sd_event *event;
        const struct service_clock *clock;
        struct manager *manager;
        struct marks *marks;
        struct courier *courier;
        struct feeds *feeds;
        struct state *state;
        const struct health *health;
        struct web *web;
        enum bus_choice choice;
        sd_bus *bus; /* the system or user bus; NULL for none */
        struct private_server *private_server;
        gid_t admin_gid; /* the configured admin group; (gid_t) -1 when it does not exist */
};

/* Lets root and the admin group through, with their uid and user name (to
 * free); an AccessDenied error for anyone else. what: "mark milestones done". */
int bus_authorize(sd_bus_message *msg, struct bus *b, const char *what, uid_t *uid, char **user,
                  sd_bus_error *error);

/* The milestone (or undated task, *ms NULL) a call names; otherwise an
 * InvalidArgs (ambiguous) or NotFound error. */
int bus_find(struct bus *b, const char *name, const struct ledger **l, const struct task **t,
             const struct milestone **ms, sd_bus_error *error);

/* Reads an a{sv} filter: calls entry for each key, with the message at its
 * variant; entry reads the variant (bus_read_variant()) or sets an error. */
typedef int (*bus_filter_entry_fn)(sd_bus_message *msg, const char *key, void *filter,
                                   sd_bus_error *error);
int bus_read_filter(sd_bus_message *msg, bus_filter_entry_fn entry, void *filter,
                    sd_bus_error *error);
/* Reads the variant of filter key as one value of type ("s", "t", "u");
 * otherwise an InvalidArgs error: filter "key" takes what. */
int bus_read_variant(sd_bus_message *msg, const char *key, const char *type, void *value,
                     const char *what, sd_bus_error *error);

/* Replies to call with what fill appends to the reply, inside an array of
 * array_type when that is not NULL. 0 or -errno (nothing sent then). */
typedef int (*bus_fill_fn)(sd_bus_message *reply, void *userdata);
int bus_reply(sd_bus_message *call, const char *array_type, bus_fill_fn fill, void *userdata);

/* Adds the object to one connection (the bus, or a private peer). */
int bus_add_object(struct bus *b, sd_bus *connection);

/* The methods and properties of bus-milestones.c and bus-deliveries.c. */
int bus_method_list_milestones(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_preview(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_why(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* PendingDeliveries and FailedDeliveries. */
int bus_property_deliveries(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error);
int bus_method_list_deliveries(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* Needs root or the admin group: it sends messages to real people. */
int bus_method_send_test(sd_bus_message *msg, void *userdata, sd_bus_error *error);
