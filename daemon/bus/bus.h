/* SPDX-License-Identifier: MIT */
#pragma once

/* The org.ledgerd.Ledger1 object, on the system or user bus and on every
 * connection of the private socket. */

#include <systemd/sd-bus.h>
#include <sys/types.h>

struct manager;

/* Connects to the chosen bus (if any), takes the name, and opens the
 * private socket. */
int bus_setup(struct manager *m);
void bus_done(struct manager *m);
/* Adds the object to one connection (the bus, or a private peer). */
int bus_add_object(struct manager *m, sd_bus *bus);

/* Lets root and the admin group through, with their uid and user name (to
 * free); an AccessDenied error for anyone else. what: "mark milestones done". */
int bus_authorize(sd_bus_message *msg, struct manager *m, const char *what, uid_t *uid,
                  char **user, sd_bus_error *error);

void bus_emit_reloaded(struct manager *m);
/* ReminderSent when reason is NULL, else ReminderFailed. */
void bus_emit_reminder(struct manager *m, const char *ledger, const char *id, const char *kind,
                       const char *target, const char *reason);
void bus_emit_mark(struct manager *m, const char *member, const char *ledger, const char *id,
                   const char *user, const char *note);
