/* SPDX-License-Identifier: MIT */
#pragma once

/* The delivery part of the bus object: the log, its counts, and send-test. */

#include <systemd/sd-bus.h>

/* PendingDeliveries and FailedDeliveries. */
int bus_property_deliveries(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error);
int bus_method_list_deliveries(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* Needs root or the admin group: it sends messages to real people. */
int bus_method_send_test(sd_bus_message *msg, void *userdata, sd_bus_error *error);
