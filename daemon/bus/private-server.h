/* SPDX-License-Identifier: MIT */
#pragma once

/* A peer-to-peer D-Bus socket in the runtime directory, so ledgerctl works
 * where no bus daemon runs, as systemctl reaches systemd over
 * /run/systemd/private. Created 0660 for the daemon's user and the admin
 * group; each connection gets the same bus object. */

#include <systemd/sd-bus.h>

struct manager;
struct private_server;

int private_server_start(struct manager *m, struct private_server **out);
void private_server_free(struct private_server *ps);
void private_server_foreach(struct private_server *ps, void (*fn)(sd_bus *bus, void *userdata),
                            void *userdata);
