/* SPDX-License-Identifier: MIT */
/* The options of the verbs that ask ledgerd: where to reach it, the time
 * zone times are read and shown in, and list's filters. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerctl.h"
#include "ledger/zone.h"

/* Longer than any ledger year: a typo such as 7000 is refused, not obeyed. */
#define DUE_WITHIN_MAX 3660

/* The most deliveries one listing asks for (the daemon's limit too). */
#define LIMIT_MAX 10000

static int parse_count(const char *option, const char *what, const char *s, long min, long max,
                       unsigned *out) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end || v < min || v > max) {
                fprintf(stderr, "ledgerctl: %s: \"%s\" is not a number of %s from %ld to %ld\n",
                        option, s, what, min, max);
                return -1;
        }
        *out = (unsigned) v;
        return 0;
}

static int set_transport(struct ctl_bus_options *b, int transport) {
        if (b->transport != CTL_TRANSPORT_DEFAULT && b->transport != transport) {
                fprintf(stderr, "ledgerctl: choose one of --user and --system\n");
                return -1;
        }
        b->transport = transport;
        return 0;
}

/* The statuses of the delivery log, checked here: a typo is a usage error
 * (exit 2) before any call. */
static int set_delivery_status(struct ctl_bus_options *b, const char *status) {
        static const char *const known[] = { "pending", "sent", "failed", "cancelled", "missed" };

        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
                if (strcmp(status, known[i]) == 0) {
                        b->delivery_status = status;
                        return 0;
                }
        fprintf(stderr, "ledgerctl: --status: \"%s\" is not one of pending, sent, failed, "
                "cancelled, missed\n", status);
        return -1;
}

static int set_timezone(struct ctl_bus_options *b, const char *tz) {
        if (zone_check(tz) < 0) {
                fprintf(stderr, "ledgerctl: --timezone: \"%s\" is not a time zone such as "
                        "Asia/Shanghai\n", tz);
                return -1;
        }
        b->timezone = tz;
        return 0;
}

int ctl_bus_option(int c, const char *arg, struct ctl_options *o) {
        struct ctl_bus_options *b = &o->bus;

        switch (c) {
        case CTL_OPT_ADDRESS: b->address = arg; return 0;
        case CTL_OPT_USER: return set_transport(b, CTL_TRANSPORT_USER);
        case CTL_OPT_SYSTEM: return set_transport(b, CTL_TRANSPORT_SYSTEM);
        case CTL_OPT_RUNTIME_DIR: b->runtime_dir = arg; return 0;
        case CTL_OPT_TIMEZONE: return set_timezone(b, arg);
        case CTL_OPT_OWNER: b->owner = arg; return 0;
        case CTL_OPT_LEDGER: b->ledger = arg; return 0;
        case CTL_OPT_NOTE: b->note = arg; return 0;
        case CTL_OPT_FROM: b->from = arg; return 0;
        case CTL_OPT_OVERDUE: b->statuses |= CTL_STATUS_OVERDUE; return 0;
        case CTL_OPT_UNDATED: b->statuses |= CTL_STATUS_UNDATED; return 0;
        case CTL_OPT_DONE: b->statuses |= CTL_STATUS_DONE; return 0;
        case CTL_OPT_DUE_WITHIN:
                b->has_due_within = true;
                return parse_count("--due-within", "days", arg, 0, DUE_WITHIN_MAX, &b->due_within);
        case CTL_OPT_STATUS: return set_delivery_status(b, arg);
        case CTL_OPT_TARGET: b->target = arg; return 0;
        case CTL_OPT_MILESTONE: b->milestone = arg; return 0;
        case CTL_OPT_LIMIT: return parse_count("--limit", "deliveries", arg, 1, LIMIT_MAX, &b->limit);
        case CTL_OPT_NO_PAGER: o->no_pager = true; return 0;
        default:
                return -1;
        }
}

void ctl_bus_usage(FILE *out) {
        fprintf(out,
                "\nOptions of the verbs that ask ledgerd (status … owners):\n"
                "      --address ADDR     a D-Bus address (a bus, or ledgerd's private socket)\n"
                "      --system           the system bus\n"
                "      --user             the user bus (ledgerd --user)\n"
                "      --runtime-dir DIR  the private socket DIR/private (default /run/ledgerd,\n"
                "                         then the system bus)\n"
                "      --timezone ZONE    read and show times in ZONE (default Asia/Shanghai)\n"
                "      --owner ID|NAME, --ledger ID, --overdue, --undated, --done,\n"
                "      --due-within DAYS  list: filters (several status options: any of them)\n"
                "      --status S, --target T, --milestone ID, --limit N\n"
                "                         deliveries: filters (S: pending, sent, failed,\n"
                "                         cancelled, missed; T: part of the target)\n"
                "      --note TEXT        done, reopen, snooze: a note kept with the mark\n"
                "      --from DATE        preview: the window's start (default: now), and\n"
                "      --to DATE          its last day (default: 30 days on; at most 400 days)\n"
                "      --no-pager         do not page long output on a terminal ($PAGER, else\n"
                "                         less -FRSXK)\n");
}
