/* SPDX-License-Identifier: MIT */
#pragma once

/* The holiday calendars ledgerctl reads offline (deadline, holidays,
 * rollover): those the configuration of --config names, by default the
 * installed one when there is one, else none. */

#include <stddef.h>

#include "conf/conf.h"
#include "ledgerctl.h"

/* Where ledgerd's configuration is installed. */
#define CTL_CONFIG "/etc/ledgerd/ledgerd.conf"

struct ctl_calendar {
        const char *config_path; /* NULL: none was read */
        struct config *config;   /* path, files and the merged calendar; NULL: none */
        struct conf_holiday_file *files;
        size_t n_files;
};

/* 0 with *cal filled (nothing read when there is no configuration), or
 * CTL_EXIT_FAILURE after printing the problems. */
int ctl_calendar_load(const struct ctl_options *o, const char *verb, struct ctl_calendar *cal);
void ctl_calendar_free(struct ctl_calendar *cal);
/* The merged calendar; NULL when none was read. */
const struct workdays *ctl_calendar_days(const struct ctl_calendar *cal);
