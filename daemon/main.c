/* SPDX-License-Identifier: MIT */
/* ledgerd: reads the ledger, and answers --check, --print-schedule and
 * --print-ics. run() is the story: parse the command line, load and validate
 * the whole configuration, then do what was asked. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerd.h"
#include "ledger/zone.h"
#include "common/log.h"

#ifndef LEDGERD_CONFIG
#define LEDGERD_CONFIG "/etc/ledgerd/ledgerd.conf"
#endif

static void usage(FILE *out) {
        fprintf(out,
                "Usage: ledgerd [-c CONF] [--user|--no-bus] [--state-dir DIR] [--runtime-dir DIR]\n"
                "       ledgerd [-c CONF] --check\n"
                "       ledgerd [-c CONF] --print-schedule [--from DATE] [--to DATE] [--json]\n"
                "       ledgerd [-c CONF] --print-ics [--owner ID|NAME] [-o FILE]\n"
                "\n"
                "Without an action, runs the service in the foreground (systemd: Type=notify).\n"
                "\n"
                "  -c, --config FILE     configuration (default %s)\n"
                "      --user            serve on the user bus instead of the system bus\n"
                "      --no-bus          serve on the private socket only\n"
                "      --runtime-dir DIR where the private socket goes (default: from CONF)\n"
                "      --check           load everything, say how each deadline was read\n"
                "      --print-schedule  the reminder plan; --from/--to YYYY-MM-DD (inclusive)\n"
                "      --print-ics       the iCalendar feed, of one owner with --owner\n"
                "  -o, --output FILE     write there (atomically) instead of stdout\n"
                "      --state-dir DIR   state database directory (default: from CONF)\n"
                "      --now TIME        act as if it were TIME: YYYY-MM-DD[THH:MM] local, or @EPOCH\n"
                "      --accept-new-state  start afresh where the state database was lost\n"
                "      --json            machine-readable output\n"
                "  -h, --help, --version\n",
                LEDGERD_CONFIG);
}

enum {
        OPT_CHECK = 256, OPT_PRINT_SCHEDULE, OPT_PRINT_ICS, OPT_FROM, OPT_TO, OPT_JSON,
        OPT_OWNER, OPT_STATE_DIR, OPT_NOW, OPT_VERSION, OPT_RUNTIME_DIR, OPT_USER, OPT_NO_BUS,
        OPT_ACCEPT_NEW_STATE,
};

static const struct option long_options[] = {
        { "config", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "check", no_argument, NULL, OPT_CHECK },
        { "print-schedule", no_argument, NULL, OPT_PRINT_SCHEDULE },
        { "print-ics", no_argument, NULL, OPT_PRINT_ICS },
        { "from", required_argument, NULL, OPT_FROM },
        { "to", required_argument, NULL, OPT_TO },
        { "json", no_argument, NULL, OPT_JSON },
        { "owner", required_argument, NULL, OPT_OWNER },
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "now", required_argument, NULL, OPT_NOW },
        { "version", no_argument, NULL, OPT_VERSION },
        { "runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR },
        { "user", no_argument, NULL, OPT_USER },
        { "no-bus", no_argument, NULL, OPT_NO_BUS },
        { "accept-new-state", no_argument, NULL, OPT_ACCEPT_NEW_STATE },
        {}
};

static int set_action(struct options *o, enum action a) {
        if (o->action_given && o->action != a) {
                fprintf(stderr, "ledgerd: choose one of --check, --print-schedule, --print-ics\n");
                return -EINVAL;
        }
        o->action = a;
        o->action_given = true;
        return 0;
}

static int parse_option(int c, struct options *o) {
        switch (c) {
        case 'c': o->config_path = optarg; return 0;
        case 'o': o->output = optarg; return 0;
        case OPT_CHECK: return set_action(o, ACTION_CHECK);
        case OPT_PRINT_SCHEDULE: return set_action(o, ACTION_PRINT_SCHEDULE);
        case OPT_PRINT_ICS: return set_action(o, ACTION_PRINT_ICS);
        case OPT_FROM: o->from = optarg; return 0;
        case OPT_TO: o->to = optarg; return 0;
        case OPT_JSON: o->json = true; return 0;
        case OPT_OWNER: o->owner = optarg; return 0;
        case OPT_STATE_DIR: o->state_directory = optarg; return 0;
        case OPT_NOW: o->now_arg = optarg; return 0;
        case OPT_RUNTIME_DIR: o->runtime_directory = optarg; return 0;
        case OPT_USER: o->bus = BUS_USER; return 0;
        case OPT_NO_BUS: o->bus = BUS_NONE; return 0;
        case OPT_ACCEPT_NEW_STATE: o->accept_new_state = true; return 0;
        default: usage(stderr); return -EINVAL;
        }
}

/* Returns 1 to go on, 0 to exit successfully (help, version), -EINVAL. */
static int parse_argv(int argc, char **argv, struct options *o) {
        int c;

        while ((c = getopt_long(argc, argv, "c:o:h", long_options, NULL)) >= 0) {
                if (c == 'h') {
                        usage(stdout);
                        return 0;
                }
                if (c == OPT_VERSION) {
                        printf("ledgerd %s\n", LEDGERD_VERSION);
                        return 0;
                }
                if (parse_option(c, o) < 0)
                        return -EINVAL;
        }
        if (optind < argc) {
                fprintf(stderr, "ledgerd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* --now is read in the configured time zone, so only after loading. */
static int resolve_now(const struct config *c, struct options *o) {
        if (!o->now_arg) {
                o->now = time(NULL);
                return 0;
        }
        if (zone_parse_time(c->timezone, o->now_arg, &o->now) < 0) {
                fprintf(stderr, "ledgerd: --now: \"%s\" is not YYYY-MM-DD, YYYY-MM-DDTHH:MM or "
                        "@EPOCH\n", o->now_arg);
                return -EINVAL;
        }
        return 0;
}

static int load(const char *path, struct config **c) {
        struct diagnostics d = {};
        int r = conf_load(path, c, &d);

        diag_print(&d, stderr);
        if (r < 0)
                fprintf(stderr, "ledgerd: %s: configuration not loaded (%zu error%s)\n", path,
                        d.n_errors, d.n_errors == 1 ? "" : "s");
        diag_clear(&d);
        return r;
}

static int run(int argc, char **argv) {
        struct options o = { .config_path = LEDGERD_CONFIG };
        struct config *c = NULL;
        int r = parse_argv(argc, argv, &o), status;

        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : 2;
        if (o.action == ACTION_SERVICE)
                return service_run(&o);
        if (load(o.config_path, &c) < 0)
                return EXIT_FAILURE;
        if (resolve_now(c, &o) < 0) {
                config_free(c);
                return 2;
        }
        switch (o.action) {
        case ACTION_CHECK: status = command_check(c, &o); break;
        case ACTION_PRINT_SCHEDULE: status = command_print_schedule(c, &o); break;
        default: status = command_print_ics(c, &o); break;
        }
        config_free(c);
        return status;
}

int main(int argc, char **argv) {
        log_setup();
        return run(argc, argv);
}
