/* SPDX-License-Identifier: MIT */
/* ledgerctl: asks ledgerd, or answers offline, verb by verb. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "conf/confread.h"
#include "ledgerctl.h"

static const struct verb verbs[] = {
        { "status", 0, 0, verb_status, "          what is done, overdue, due soon; the daemon's state" },
        { "list", 0, 0, verb_list, "          milestones (--owner, --ledger, --overdue, --due-within …)" },
        { "show", 1, 1, verb_show, "ID        one milestone: details and history" },
        { "why", 1, 1, verb_why, "ID        why a milestone has which reminders" },
        { "preview", 0, 0, verb_preview, "          the reminders to come (--from DATE, --to DATE)" },
        { "done", 1, 1, verb_done, "ID        mark a milestone done (--note TEXT)" },
        { "reopen", 1, 1, verb_reopen, "ID        undo done (--note TEXT)" },
        { "snooze", 2, 2, verb_snooze, "ID UNTIL  no reminders until YYYY-MM-DD[THH:MM] or +Nd" },
        { "reload", 0, 0, verb_reload, "          make ledgerd read its configuration again" },
        { "deliveries", 0, 0, verb_deliveries, "          the delivery log (--status, --target, --milestone, --limit)" },
        { "send-test", 1, 1, verb_send_test, "OWNER|CHANNEL  send a test message now; print the answer" },
        { "deadline", 1, -1, verb_deadline, "PHRASE…   how ledgerd reads deadline phrases (offline)" },
        { "holidays", 0, 0, verb_holidays, "          the days off and make-up working days known (--year)" },
        { "import", 1, 1, verb_import, "FILE      a 台账 table (TSV or CSV) as a ledger file, on stdout" },
        { "rollover", 1, 1, verb_rollover, "LEDGER    the ledger for the year --to YEAR, on stdout" },
};

static void usage(FILE *out) {
        fprintf(out, "Usage: ledgerctl [--json] [--year YEAR] [--id ID] [--to YEAR] [--config CONF] "
                "VERB [ARG…]\n\n"
                "Verbs:\n");
        for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
                fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].help);
        fprintf(out, "\nOptions:\n"
                "      --json         machine-readable output\n"
                "      --year YEAR    the ledger year phrases belong to (default: this year;\n"
                "                     import: the year its title names)\n"
                "      --id ID        import: the ledger's id (default: from the file name)\n"
                "      --to YEAR      rollover: the year to write the ledger for\n"
                "      --config CONF  deadline, holidays, rollover: the holiday calendars CONF\n"
                "                     names (default: " CTL_CONFIG " if there)\n"
                "  -h, --help, --version\n");
        ctl_bus_usage(out);
}

static const struct option long_options[] = {
        { "json", no_argument, NULL, 'j' },
        { "year", required_argument, NULL, 'y' },
        { "id", required_argument, NULL, 'i' },
        { "to", required_argument, NULL, 't' },
        { "config", required_argument, NULL, 'c' },
        CTL_BUS_LONG_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

static int parse_year(const char *option, const char *s, int *year) {
        char *end;
        long v = strtol(s, &end, 10);

        if (end == s || *end || v < 1970 || v > 9998) {
                fprintf(stderr, "ledgerctl: %s: \"%s\" is not a year such as 2025\n", option, s);
                return -1;
        }
        *year = (int) v;
        return 0;
}

/* Returns 1 to go on, 0 to exit successfully (help, version), -1 on a usage error.
 * Options may stand anywhere, as in systemctl; "--" ends them. */
static int parse_argv(int argc, char **argv, struct ctl_options *o) {
        int c;

        while ((c = getopt_long(argc, argv, "h", long_options, NULL)) >= 0) {
                if (c == 'j')
                        o->json = true;
                else if (c == 'y' || c == 't') {
                        /* --to is rollover's YEAR, or (not all digits) preview's DATE */
                        if (c == 't')
                                o->bus.to = optarg;
                        if ((c == 'y' || optarg[strspn(optarg, "0123456789")] == '\0') &&
                            parse_year(c == 'y' ? "--year" : "--to", optarg,
                                       c == 'y' ? &o->year : &o->to) < 0)
                                return -1;
                } else if (c >= CTL_OPT_ADDRESS) {
                        if (ctl_bus_option(c, optarg, o) < 0)
                                return -1;
                } else if (c == 'i') {
                        if (!confread_id_valid(optarg, CONF_LEDGER_ID_MAX)) {
                                fprintf(stderr, "ledgerctl: --id: \"%s\" is not an id: 1 to %d "
                                        "ASCII letters, digits, '_' or '-'\n", optarg,
                                        CONF_LEDGER_ID_MAX);
                                return -1;
                        }
                        o->id = optarg;
                } else if (c == 'c') {
                        o->config = optarg;
                } else if (c == 'h') {
                        usage(stdout);
                        return 0;
                } else if (c == 'V') {
                        printf("ledgerctl %s\n", LEDGERD_VERSION);
                        return 0;
                } else {
                        usage(stderr);
                        return -1;
                }
        }
        return 1;
}

static const struct verb *find_verb(const char *name) {
        for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

static int dispatch(int argc, char **argv, const struct ctl_options *o) {
        const struct verb *v;
        int n;

        if (argc < 1) {
                usage(stderr);
                return CTL_EXIT_USAGE;
        }
        v = find_verb(argv[0]);
        if (!v) {
                fprintf(stderr, "ledgerctl: unknown verb '%s' (see ledgerctl --help)\n", argv[0]);
                return CTL_EXIT_USAGE;
        }
        n = argc - 1;
        if (n < v->min_args || (v->max_args >= 0 && n > v->max_args)) {
                fprintf(stderr, "ledgerctl %s: wrong number of arguments; usage: ledgerctl %s %s\n",
                        v->name, v->name, v->help);
                return CTL_EXIT_USAGE;
        }
        return v->run(argc, argv, o);
}

int main(int argc, char **argv) {
        struct ctl_options o = {};
        int r = parse_argv(argc, argv, &o);

        if (r <= 0)
                return r == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
        return dispatch(argc - optind, argv + optind, &o);
}
