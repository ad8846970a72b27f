/* SPDX-License-Identifier: MIT */
#pragma once

/* The reading methods of the bus object: anyone local may call them. */

#include <systemd/sd-bus.h>

struct manager;
struct ledger;
struct task;
struct milestone;

/* The milestone (or undated task, *ms NULL) a call names; otherwise an
 * InvalidArgs (ambiguous) or NotFound error. */
int bus_find(struct manager *m, const char *name, const struct ledger **l, const struct task **t,
             const struct milestone **ms, sd_bus_error *error);

int bus_method_list_milestones(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_preview(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int bus_method_why(sd_bus_message *msg, void *userdata, sd_bus_error *error);
