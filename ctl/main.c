/* SPDX-License-Identifier: MIT */
/* ledgerctl: asks ledgerd, or answers offline, verb by verb. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerctl.h"

#ifndef LEDGERD_VERSION
#define LEDGERD_VERSION "0.1"
#endif

static const struct verb verbs[] = {
        { "deadline", 1, -1, verb_deadline, "PHRASE…   how ledgerd reads deadline phrases (offline)" },
};

static void usage(FILE *out) {
        fprintf(out, "Usage: ledgerctl [--json] [--year YEAR] VERB [ARG…]\n\nVerbs:\n");
        for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
                fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].help);
        fprintf(out, "\nOptions:\n"
                "      --json         machine-readable output\n"
                "      --year YEAR    the ledger year phrases belong to (default: this year)\n"
                "  -h, --help, --version\n");
}

static const struct option long_options[] = {
        { "json", no_argument, NULL, 'j' },
        { "year", required_argument, NULL, 'y' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

static int parse_year(const char *s, int *year) {
        char *end;
        long v = strtol(s, &end, 10);

        if (end == s || *end || v < 1970 || v > 9998) {
                fprintf(stderr, "ledgerctl: --year: \"%s\" is not a year such as 2025\n", s);
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
                else if (c == 'y') {
                        if (parse_year(optarg, &o->year) < 0)
                                return -1;
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
