/* SPDX-License-Identifier: MIT */
/* ledgerctl: asks ledgerd, or answers offline, verb by verb. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "conf/confread.h"
#include "ledgerctl.h"
#include "pager.h"

/* What the verbs take besides their arguments. */
#define BUS CTL_TAKES_CONNECT
#define READ (CTL_TAKES_CONNECT | CTL_TAKES_JSON)
#define MARK (CTL_TAKES_CONNECT | CTL_TAKES_NOTE)

static const struct verb verbs[] = {
        { "status", 0, 0, verb_status, "          what is done, overdue, due soon; the daemon's state", READ },
        { "list", 0, 0, verb_list, "          milestones (--owner, --ledger, --overdue, --due-within …)",
          READ | CTL_TAKES_OWNER | CTL_TAKES_LEDGER | CTL_TAKES_STATUSES | CTL_TAKES_DUE_WITHIN },
        { "show", 1, 1, verb_show, "ID        one milestone: details and history", READ },
        { "why", 1, 1, verb_why, "ID        why a milestone has which reminders", READ },
        { "preview", 0, 0, verb_preview, "          the reminders to come (--from DATE, --to DATE)",
          READ | CTL_TAKES_FROM | CTL_TAKES_TO },
        { "done", 1, 1, verb_done, "ID        mark a milestone done (--note TEXT)", MARK },
        { "reopen", 1, 1, verb_reopen, "ID        undo done (--note TEXT)", MARK },
        { "snooze", 2, 2, verb_snooze, "ID UNTIL  no reminders until YYYY-MM-DD[THH:MM] or +Nd", MARK },
        { "reload", 0, 0, verb_reload, "          make ledgerd read its configuration again", BUS },
        { "deliveries", 0, 0, verb_deliveries, "          the delivery log (--status, --target, --milestone, --limit)",
          READ | CTL_TAKES_DELIVERY },
        { "send-test", 1, 1, verb_send_test, "OWNER|CHANNEL  send a test message now; print the answer",
          BUS | CTL_TAKES_JSON },
        { "owners", 0, 0, verb_owners, "          the owners and channels of ledgerd's configuration", READ },
        { "deadline", 1, -1, verb_deadline, "PHRASE…   how ledgerd reads deadline phrases (offline)",
          CTL_TAKES_JSON | CTL_TAKES_YEAR | CTL_TAKES_CONFIG },
        { "holidays", 0, 0, verb_holidays, "          the days off and make-up working days known (--year)",
          CTL_TAKES_JSON | CTL_TAKES_YEAR | CTL_TAKES_CONFIG },
        { "import", 1, 1, verb_import, "FILE      a 台账 table (TSV or CSV) as a ledger file, on stdout",
          CTL_TAKES_YEAR | CTL_TAKES_ID },
        { "rollover", 1, 1, verb_rollover, "LEDGER    the ledger for the year --to YEAR, on stdout",
          CTL_TAKES_TO | CTL_TAKES_CONFIG },
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

/* The CTL_TAKES_* bit of an option, by its getopt code; 0 for help, version
 * and --no-pager, which every verb takes (as systemctl's do). */
static unsigned option_bit(int c) {
        switch (c) {
        case 'j': return CTL_TAKES_JSON;
        case 'y': return CTL_TAKES_YEAR;
        case 'i': return CTL_TAKES_ID;
        case 't': return CTL_TAKES_TO;
        case 'c': return CTL_TAKES_CONFIG;
        case CTL_OPT_ADDRESS: case CTL_OPT_USER: case CTL_OPT_SYSTEM: case CTL_OPT_RUNTIME_DIR:
        case CTL_OPT_TIMEZONE: return CTL_TAKES_CONNECT;
        case CTL_OPT_OWNER: return CTL_TAKES_OWNER;
        case CTL_OPT_LEDGER: return CTL_TAKES_LEDGER;
        case CTL_OPT_NOTE: return CTL_TAKES_NOTE;
        case CTL_OPT_FROM: return CTL_TAKES_FROM;
        case CTL_OPT_OVERDUE: case CTL_OPT_UNDATED: case CTL_OPT_DONE: return CTL_TAKES_STATUSES;
        case CTL_OPT_DUE_WITHIN: return CTL_TAKES_DUE_WITHIN;
        case CTL_OPT_STATUS: case CTL_OPT_TARGET: case CTL_OPT_MILESTONE: case CTL_OPT_LIMIT:
                return CTL_TAKES_DELIVERY;
        default: return 0;
        }
}

/* Remembers that the option was given, and its name for a message. */
static void note_given(struct ctl_options *o, int c, int index) {
        unsigned bit = option_bit(c);
        int i = bit ? __builtin_ctz(bit) : -1;

        if (i < 0 || (o->given & bit))
                return;
        o->given |= bit;
        o->given_names[i] = index >= 0 ? long_options[index].name : "?";
}

/* Returns 1 to go on, 0 to exit successfully (help, version), -1 on a usage error.
 * Options may stand anywhere, as in systemctl; "--" ends them. */
static int parse_argv(int argc, char **argv, struct ctl_options *o) {
        int c, index = -1;

        while ((c = getopt_long(argc, argv, "h", long_options, &index)) >= 0) {
                note_given(o, c, index);
                index = -1;
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

/* The length of the arguments a verb's help names first ("ID UNTIL"), up
 * to the gap before what it does. */
static int help_args(const char *help) {
        const char *gap = strstr(help, "  ");

        return gap ? (int) (gap - help) : (int) strlen(help);
}

/* Whether the verb takes every option given; if not, says which it does not. */
static bool takes_given(const struct verb *v, const struct ctl_options *o) {
        unsigned extra = v->takes ? o->given & ~v->takes : 0;

        if (!extra)
                return true;
        fprintf(stderr, "ledgerctl %s: --%s is not an option of %s (see ledgerctl --help)\n",
                v->name, o->given_names[__builtin_ctz(extra)], v->name);
        return false;
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
                int args = help_args(v->help);

                fprintf(stderr, "ledgerctl %s: wrong number of arguments; usage: ledgerctl %s%s%.*s\n",
                        v->name, v->name, args ? " " : "", args, v->help);
                return CTL_EXIT_USAGE;
        }
        if (!takes_given(v, o))
                return CTL_EXIT_USAGE;
        return v->run(argc, argv, o);
}

int main(int argc, char **argv) {
        struct ctl_options o = {};
        int r = parse_argv(argc, argv, &o);

        if (r <= 0)
                return r == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
        r = dispatch(argc - optind, argv + optind, &o);
        pager_close();
        return r;
}
