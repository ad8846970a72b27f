/* SPDX-License-Identifier: MIT */
#pragma once

/* ledgerctl's side of the D-Bus API of core/busapi/busapi.h: reaching ledgerd (its
 * private socket, the system bus, the user bus or a given address), calling
 * it, and turning its errors into the exit codes of ledgerctl(1). */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "ledgerctl.h"

#define CTL_RUNTIME_DIR "/run/ledgerd"

struct ctl_bus {
        const struct ctl_bus_options *options; /* as connected with */
        sd_bus *bus;
        bool direct;   /* peer to peer (the private socket): no bus, no destination */
        char *where;   /* "the private socket /run/ledgerd/private", "the system bus" */
        char *skipped; /* why the default private socket was passed over, or NULL */
        char *failure; /* why ctl_bus_connect() failed */
};

/* Connects as the options say: --address, --user, --system, or the private
 * socket in the runtime directory and then the system bus. 0 or -errno;
 * ctl_bus_unreachable_message() then says what was tried. */
int ctl_bus_connect(const struct ctl_bus_options *o, struct ctl_bus *b);
/* The same, or an exit status after a message on stderr (and b closed). */
int ctl_bus_open(const struct ctl_bus_options *o, struct ctl_bus *b);
void ctl_bus_close(struct ctl_bus *b);

/* A new call of a method of org.ledgerd.Ledger1, to append arguments to. */
int ctl_bus_new_call(struct ctl_bus *b, const char *member, sd_bus_message **m);
/* Sends it; 0, or an exit status after printing the daemon's message. */
int ctl_bus_send(struct ctl_bus *b, sd_bus_message *m, sd_bus_message **reply);
/* The same, waiting up to usec for the answer (0: sd-bus's 25 s). */
int ctl_bus_send_wait(struct ctl_bus *b, sd_bus_message *m, uint64_t usec, sd_bus_message **reply);
/* Both, for arguments of fixed types. */
int ctl_bus_method(struct ctl_bus *b, const char *member, sd_bus_message **reply,
                   const char *types, ...);
/* All properties (org.freedesktop.DBus.Properties.GetAll), printing nothing:
 * 0 or -errno with e set. */
int ctl_bus_get_all(struct ctl_bus *b, sd_bus_message **reply, sd_bus_error *e);

/* The exit status for a failed call: CTL_EXIT_ACCESS_DENIED, CTL_EXIT_NOT_FOUND
 * or CTL_EXIT_FAILURE. */
int ctl_bus_exit_status(const sd_bus_error *e, int r);
/* Whether a failure means that ledgerd could not be reached at all. */
bool ctl_bus_unreachable(const sd_bus_error *e, int r);
/* "cannot reach ledgerd: …", with every place that was tried; free it. */
char *ctl_bus_unreachable_message(const struct ctl_bus *b, const sd_bus_error *e, int r);
/* What to try then, by what failed (r: the -errno of the failure): up to
 * CTL_HINTS_MAX sentences, static, the rest of hints NULL. */
#define CTL_HINTS_MAX 3
void ctl_bus_hints(const struct ctl_bus_options *o, int r, const char *hints[CTL_HINTS_MAX + 1]);
/* The message and the hints on stderr. */
void ctl_bus_print_unreachable(const struct ctl_bus_options *o, const char *message, int r);

/* The zone times are read and shown in. */
const char *ctl_timezone(const struct ctl_bus_options *o);
