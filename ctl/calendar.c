/* SPDX-License-Identifier: MIT */
#include "calendar.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/diag.h"
#include "ledger/workdays.h"

int ctl_calendar_load(const struct ctl_options *o, const char *verb, struct ctl_calendar *cal) {
        struct diagnostics d = { 0 };
        int r;

        memset(cal, 0, sizeof *cal);
        cal->config_path = o->config;
        if (!cal->config_path && access(CTL_CONFIG, R_OK) == 0)
                cal->config_path = CTL_CONFIG;
        if (!cal->config_path)
                return 0;
        r = conf_load_holidays(cal->config_path, &cal->config, &cal->files, &cal->n_files, &d);
        diag_print(&d, stderr);
        diag_clear(&d);
        if (r < 0) {
                fprintf(stderr, "ledgerctl %s: %s: holiday calendars not read%s%s\n", verb,
                        cal->config_path, r == -ENOMEM ? ": " : "",
                        r == -ENOMEM ? strerror(-r) : "");
                return CTL_EXIT_FAILURE;
        }
        return 0;
}

void ctl_calendar_free(struct ctl_calendar *cal) {
        conf_holiday_files_free(cal->files, cal->n_files);
        config_free(cal->config);
        memset(cal, 0, sizeof *cal);
}

const struct workdays *ctl_calendar_days(const struct ctl_calendar *cal) {
        return cal->config ? cal->config->calendar : NULL;
}
