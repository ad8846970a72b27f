/* SPDX-License-Identifier: MIT */
#pragma once

/* The org.ledgerd.Ledger1 object (busapi/busapi.h), on the system or user
 * bus and on every connection of the private socket. */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "marks/marks.h"

struct bus;
struct courier;
struct feeds;
struct health;
struct manager;
struct reload_result;
struct service_clock;
struct state;
struct web;

enum bus_choice { BUS_SYSTEM, BUS_USER, BUS_NONE };

/* What the bus object shows and asks for. The pointers must outlive it. */
struct bus_setup {
        sd_event *event;
        const struct service_clock *clock;
        struct manager *manager; /* the configuration, reloads, marks, the plan */
        struct marks *marks;
        struct courier *courier; /* send-test */
        struct feeds *feeds;     /* FeedURLs */
        struct state *state;     /* the delivery log */
        const struct health *health; /* Problems */
        struct web *web;         /* RotateLinkKey */
        enum bus_choice choice;
};

/* Connects to the chosen bus (if any; none is only a warning), takes the
 * name, and opens the private socket in the runtime directory. */
int bus_new(const struct bus_setup *setup, struct bus **out);
void bus_free(struct bus *b);

/* After a reload: the admin group is looked up again. */
void bus_config_changed(struct bus *b);

void bus_emit_reloaded(struct bus *b, const struct reload_result *r);
/* PropertiesChanged of Problems: the service became degraded, or well. */
void bus_emit_problems(struct bus *b);
/* ReminderSent when reason is NULL, else ReminderFailed. */
void bus_emit_reminder(struct bus *b, const char *ledger, const char *id, const char *kind,
                       const char *target, const char *reason);
/* MilestoneDone or MilestoneReopened; nothing for a snooze. */
void bus_emit_mark(struct bus *b, enum state_action action, const char *ledger, const char *id,
                   const char *user, const char *note);
