/* SPDX-License-Identifier: MIT */
#pragma once

/* What the ledgerd command line asks for, and the commands that answer it
 * without running the service: --check, --print-schedule, --print-ics. */

#include <stdbool.h>
#include <time.h>

#include "bus/bus.h"
#include "conf/conf.h"

enum action {
        ACTION_SERVICE, /* no action flag: run the service */
        ACTION_CHECK,
        ACTION_PRINT_SCHEDULE,
        ACTION_PRINT_ICS,
};

struct options {
        const char *config_path;
        const char *state_directory; /* NULL: the configuration's */
        const char *runtime_directory; /* NULL: the configuration's */
        enum bus_choice bus;
        enum action action;
        bool action_given;
        const char *now_arg; /* --now, read in the configured time zone */
        time_t now;          /* the real time, or --now for previews and tests */
        const char *from; /* --from DATE, unparsed until the zone is known */
        const char *to;   /* --to DATE, inclusive */
        bool json;
        const char *owner;  /* --owner ID|NAME */
        const char *output; /* --output FILE; NULL: stdout */
        bool accept_new_state; /* start with an empty state where one was lost */
};

/* Each returns a process exit status. */
int service_run(const struct options *o);
int command_check(const struct config *c, const struct options *o);
int command_print_schedule(const struct config *c, const struct options *o);
int command_print_ics(const struct config *c, const struct options *o);
