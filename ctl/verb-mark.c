/* SPDX-License-Identifier: MIT */
/* The verbs that change state: done, reopen, snooze and reload. ledgerd
 * decides who may (root and the admin group); ledgerctl only asks, and
 * passes on its refusal as exit status 5. Success is silent, as in
 * systemctl, except where ledgerctl worked something out (snooze's end). */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "display.h"
#include "timefmt.h"

static int call(const struct ctl_options *o, const char *member, sd_bus_message **reply,
                const char *types, const char *id, uint64_t until) {
        const char *note = o->bus.note ? o->bus.note : "";
        struct ctl_bus b;
        int r = ctl_bus_open(&o->bus, &b);

        if (r != CTL_EXIT_OK)
                return r;
        if (strcmp(types, "ss") == 0)
                r = ctl_bus_method(&b, member, reply, types, id, note);
        else
                r = ctl_bus_method(&b, member, reply, types, id, until, note);
        ctl_bus_close(&b);
        return r;
}

int verb_done(int argc, char **argv, const struct ctl_options *o) {
        (void) argc;
        return call(o, "MarkDone", NULL, "ss", argv[1], 0);
}

int verb_reopen(int argc, char **argv, const struct ctl_options *o) {
        (void) argc;
        return call(o, "Reopen", NULL, "ss", argv[1], 0);
}

int verb_snooze(int argc, char **argv, const struct ctl_options *o) {
        const char *tz = ctl_timezone(&o->bus);
        char shown[TIMEFMT_LEN];
        time_t until;
        int r;

        (void) argc;
        if (timefmt_parse_until(tz, argv[2], time(NULL), &until) < 0) {
                fprintf(stderr, "ledgerctl snooze: \"%s\" is not a time: write YYYY-MM-DD, "
                        "YYYY-MM-DDTHH:MM (%s) or +Nd (days from now)\n", argv[2], tz);
                return CTL_EXIT_USAGE;
        }
        if (until <= time(NULL)) {
                fprintf(stderr, "ledgerctl snooze: \"%s\" is not in the future (%s)\n", argv[2], tz);
                return CTL_EXIT_USAGE;
        }
        r = call(o, "Snooze", NULL, "sts", argv[1], (uint64_t) until * 1000000);
        if (r == CTL_EXIT_OK && timefmt_local(tz, until, shown) == 0)
                printf("%s: no reminders until %s (%s)\n", argv[1], shown, tz);
        return r;
}

/* What the reload changed, as ledgerd logged it; nothing when it cannot say. */
static void print_last_reload(struct ctl_bus *b) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *message;
        uint64_t when;
        int ok;

        if (sd_bus_get_property(b->bus, b->direct ? NULL : BUS_NAME, BUS_PATH, BUS_INTERFACE,
                                "LastReload", &e, &reply, "(bts)") >= 0 &&
            sd_bus_message_read(reply, "(bts)", &ok, &when, &message) > 0 && *message)
                display_wrap(stdout, message, 0, 2, columns_terminal_width(stdout));
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);
}

int verb_reload(int argc, char **argv, const struct ctl_options *o) {
        struct ctl_bus b;
        int r = ctl_bus_open(&o->bus, &b);

        (void) argc, (void) argv;
        if (r == CTL_EXIT_OK)
                r = ctl_bus_method(&b, "Reload", NULL, NULL);
        if (r == CTL_EXIT_OK)
                print_last_reload(&b);
        ctl_bus_close(&b);
        return r;
}
