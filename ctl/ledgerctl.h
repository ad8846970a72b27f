/* SPDX-License-Identifier: MIT */
#pragma once

/* ledgerctl: a table of verbs. Exit codes are part of the interface:
 * scripts rely on them (documented in ledgerctl(1)). */

#include <stdbool.h>

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILURE = 1,   /* includes: a phrase not understood */
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_NOT_FOUND = 4,
        CTL_EXIT_ACCESS_DENIED = 5,
};

struct ctl_options {
        bool json;
        int year; /* --year; 0: the current year */
};

struct verb {
        const char *name;
        int min_args, max_args; /* -1: any number */
        int (*run)(int argc, char **argv, const struct ctl_options *o);
        const char *help;
};

int verb_deadline(int argc, char **argv, const struct ctl_options *o);
