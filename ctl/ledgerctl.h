/* SPDX-License-Identifier: MIT */
#pragma once

/* ledgerctl: a table of verbs. Exit codes are part of the interface:
 * scripts rely on them (documented in ledgerctl(1)). */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILURE = 1,   /* includes: a phrase not understood */
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_NOT_FOUND = 4,
        CTL_EXIT_ACCESS_DENIED = 5,
};

enum ctl_transport { CTL_TRANSPORT_DEFAULT, CTL_TRANSPORT_SYSTEM, CTL_TRANSPORT_USER };

/* list filters; several ask for the union. Undated includes "not understood". */
enum { CTL_STATUS_OVERDUE = 1 << 0, CTL_STATUS_UNDATED = 1 << 1, CTL_STATUS_DONE = 1 << 2 };

/* What the verbs that ask ledgerd take (ctl/bus-options.c). */
struct ctl_bus_options {
        const char *address;     /* --address: a bus, or the private socket */
        int transport;           /* enum ctl_transport */
        const char *runtime_dir; /* --runtime-dir; NULL: /run/ledgerd, then the system bus */
        const char *timezone;    /* --timezone; NULL: CTL_TIMEZONE */
        const char *owner, *ledger, *note; /* --owner, --ledger, --note */
        const char *from, *to;   /* preview: --from, --to as given */
        unsigned statuses;       /* list: CTL_STATUS_* bits; 0: all */
        bool has_due_within;
        unsigned due_within;     /* --due-within DAYS */
        /* deliveries: --status, --target, --milestone, --limit (0: the daemon's default) */
        const char *delivery_status, *target, *milestone;
        unsigned limit;
};

/* How many CTL_TAKES_* bits there are (below): a name is kept for each. */
#define CTL_TAKES_BITS 13

struct ctl_options {
        bool json;
        bool no_pager;  /* --no-pager */
        unsigned given; /* CTL_TAKES_* of the options on the command line */
        const char *given_names[CTL_TAKES_BITS]; /* the first of each, by bit, for a message */
        int year;       /* --year; 0: the current year (import: the title's) */
        const char *id; /* --id: the imported ledger's id; NULL: from the file name */
        int to;         /* --to: the year rollover writes; 0: not given */
        const char *config; /* --config: whose holiday calendars deadline, holidays and
                             * rollover read; NULL: the installed one, if any */
        struct ctl_bus_options bus; /* the verbs that ask ledgerd */
};

/* getopt codes of the options in ctl_bus_options, past any character. */
enum {
        CTL_OPT_ADDRESS = 0x100, CTL_OPT_USER, CTL_OPT_SYSTEM, CTL_OPT_RUNTIME_DIR,
        CTL_OPT_TIMEZONE, CTL_OPT_OWNER, CTL_OPT_LEDGER, CTL_OPT_NOTE, CTL_OPT_FROM,
        CTL_OPT_OVERDUE, CTL_OPT_UNDATED, CTL_OPT_DONE, CTL_OPT_DUE_WITHIN,
        CTL_OPT_STATUS, CTL_OPT_TARGET, CTL_OPT_MILESTONE, CTL_OPT_LIMIT, CTL_OPT_NO_PAGER,
};

/* Which options a verb takes: any other is a usage error (exit 2), not
 * silently ignored. --help, --version and --no-pager go with every verb. */
enum {
        CTL_TAKES_JSON = 1 << 0,
        CTL_TAKES_YEAR = 1 << 1,
        CTL_TAKES_ID = 1 << 2,
        CTL_TAKES_TO = 1 << 3,       /* rollover's year, preview's date */
        CTL_TAKES_CONNECT = 1 << 4,  /* --address, --system, --user, --runtime-dir, --timezone */
        CTL_TAKES_OWNER = 1 << 5,
        CTL_TAKES_LEDGER = 1 << 6,
        CTL_TAKES_NOTE = 1 << 7,
        CTL_TAKES_FROM = 1 << 8,
        CTL_TAKES_STATUSES = 1 << 9, /* --overdue, --undated, --done */
        CTL_TAKES_DUE_WITHIN = 1 << 10,
        CTL_TAKES_DELIVERY = 1 << 11, /* --status, --target, --milestone, --limit */
        CTL_TAKES_CONFIG = 1 << 12,   /* the holiday calendars of a configuration */
};
_Static_assert(CTL_TAKES_CONFIG < 1 << CTL_TAKES_BITS, "a name for every option bit");


#define CTL_BUS_LONG_OPTIONS                                                  \
        { "address", required_argument, NULL, CTL_OPT_ADDRESS },              \
        { "user", no_argument, NULL, CTL_OPT_USER },                          \
        { "system", no_argument, NULL, CTL_OPT_SYSTEM },                      \
        { "runtime-dir", required_argument, NULL, CTL_OPT_RUNTIME_DIR },      \
        { "timezone", required_argument, NULL, CTL_OPT_TIMEZONE },            \
        { "owner", required_argument, NULL, CTL_OPT_OWNER },                  \
        { "ledger", required_argument, NULL, CTL_OPT_LEDGER },                \
        { "note", required_argument, NULL, CTL_OPT_NOTE },                    \
        { "from", required_argument, NULL, CTL_OPT_FROM },                    \
        { "overdue", no_argument, NULL, CTL_OPT_OVERDUE },                    \
        { "undated", no_argument, NULL, CTL_OPT_UNDATED },                    \
        { "done", no_argument, NULL, CTL_OPT_DONE },                          \
        { "due-within", required_argument, NULL, CTL_OPT_DUE_WITHIN },        \
        { "status", required_argument, NULL, CTL_OPT_STATUS },                \
        { "target", required_argument, NULL, CTL_OPT_TARGET },                \
        { "milestone", required_argument, NULL, CTL_OPT_MILESTONE },          \
        { "limit", required_argument, NULL, CTL_OPT_LIMIT },                  \
        { "no-pager", no_argument, NULL, CTL_OPT_NO_PAGER }

/* One of the options above: 0, or -1 after a usage message. */
int ctl_bus_option(int c, const char *arg, struct ctl_options *o);
/* Their lines of ledgerctl --help. */
void ctl_bus_usage(FILE *out);

struct verb {
        const char *name;
        int min_args, max_args; /* -1: any number */
        int (*run)(int argc, char **argv, const struct ctl_options *o);
        const char *help;
        unsigned takes; /* CTL_TAKES_*; 0: not checked */
};

int verb_deadline(int argc, char **argv, const struct ctl_options *o);
int verb_status(int argc, char **argv, const struct ctl_options *o);
int verb_list(int argc, char **argv, const struct ctl_options *o);
int verb_show(int argc, char **argv, const struct ctl_options *o);
int verb_why(int argc, char **argv, const struct ctl_options *o);
int verb_preview(int argc, char **argv, const struct ctl_options *o);
int verb_done(int argc, char **argv, const struct ctl_options *o);
int verb_reopen(int argc, char **argv, const struct ctl_options *o);
int verb_snooze(int argc, char **argv, const struct ctl_options *o);
int verb_reload(int argc, char **argv, const struct ctl_options *o);
int verb_deliveries(int argc, char **argv, const struct ctl_options *o);
int verb_send_test(int argc, char **argv, const struct ctl_options *o);
int verb_owners(int argc, char **argv, const struct ctl_options *o);
int verb_import(int argc, char **argv, const struct ctl_options *o);
int verb_rollover(int argc, char **argv, const struct ctl_options *o);
int verb_holidays(int argc, char **argv, const struct ctl_options *o);
