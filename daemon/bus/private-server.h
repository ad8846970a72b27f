/* SPDX-License-Identifier: MIT */
#pragma once

/* A peer-to-peer D-Bus socket in the runtime directory, so ledgerctl works
 * where no bus daemon runs, as systemctl reaches systemd over
 * /run/systemd/private. Created 0660 for the daemon's user and the admin
 * group; each connection gets the bus object through add_object. */

#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

struct private_server;

struct private_server_setup {
        sd_event *event;
        const char *directory; /* the runtime directory; created when missing */
        const char *group;     /* the admin group's name, for messages */
        /* Called for each new connection, before it starts: 0 or -errno. */
        int (*add_object)(sd_bus *connection, void *userdata);
        void *userdata;
};

/* gid: the admin group's, or (gid_t) -1 when there is none. */
int private_server_start(const struct private_server_setup *setup, gid_t gid,
                         struct private_server **out);
void private_server_free(struct private_server *ps);
void private_server_foreach(struct private_server *ps, void (*fn)(sd_bus *bus, void *userdata),
                            void *userdata);
