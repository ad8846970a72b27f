/* SPDX-License-Identifier: MIT */
/* Reaching ledgerd. By default, as systemctl reaches systemd: the private
 * socket first (it works where no bus daemon runs, and for root and the
 * admin group it is the shortest way), then the system bus, which everyone
 * may use to read. */

#include "bus-client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/lasterror.h"
#include "busapi/busapi.h"
#include "display.h"
#include "timefmt.h"

const char *ctl_timezone(const struct ctl_bus_options *o) {
        return o->timezone ? o->timezone : CTL_TIMEZONE;
}

/* "unix:path=…", the path percent-encoded by libcurl: D-Bus addresses
 * reserve ',', ';', '=' and '%', and any byte may be escaped. */
static char *unix_address(const char *path) {
        char *escaped = curl_easy_escape(NULL, path, 0), *a = NULL;

        if (escaped && asprintf(&a, "unix:path=%s", escaped) < 0)
                a = NULL;
        curl_free(escaped);
        return a;
}

static int open_address(const char *address, bool client, sd_bus **out) {
        sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);

        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, client);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *out = bus;
        return 0;
}

/* --address: ledgerd's private socket answers a property peer to peer; a
 * bus daemon's driver (a message without destination is for it) has no such
 * object: then the address is a bus, to join with Hello. */
static int connect_given(struct ctl_bus *b, const char *given) {
        char *address = given[0] == '/' ? unix_address(given) : strdup(given);
        int r = address ? open_address(address, false, &b->bus) : -ENOMEM;

        if (r >= 0) {
                r = sd_bus_call_method(b->bus, NULL, BUS_PATH, "org.freedesktop.DBus.Properties",
                                       "Get", NULL, NULL, "ss", BUS_INTERFACE, "Version");
                b->direct = r >= 0;
                if (r < 0)
                        b->bus = sd_bus_flush_close_unref(b->bus);
                if (r < 0)
                        r = open_address(address, true, &b->bus);
        }
        if (r >= 0 && asprintf(&b->where, "%s", given) < 0)
                r = -ENOMEM;
        free(address);
        return r < 0 ? last_error_set(&b->failure, r, "%s: %s", given, strerror(-r)) : 0;
}

static int connect_private(struct ctl_bus *b, const char *runtime_dir) {
        char *path = NULL, *address = NULL;
        int r = asprintf(&path, "%s/%s", runtime_dir, BUS_PRIVATE_SOCKET) < 0 ? -ENOMEM : 0;

        if (r >= 0)
                r = (address = unix_address(path)) ? 0 : -ENOMEM;
        if (r >= 0)
                r = open_address(address, false, &b->bus);
        if (r >= 0) {
                b->direct = true;
                if (asprintf(&b->where, "the private socket %s", path) < 0)
                        r = -ENOMEM;
        } else
                last_error_set(&b->failure, r, "the private socket %s: %s",
                               path ? path : runtime_dir, strerror(-r));
        free(address);
        free(path);
        return r;
}

static int connect_bus(struct ctl_bus *b, bool user) {
        const char *name = user ? "the user bus" : "the system bus";
        int r = user ? sd_bus_open_user(&b->bus) : sd_bus_open_system(&b->bus);

        if (r < 0)
                return last_error_set(&b->failure, r, "%s: %s", name, strerror(-r));
        b->where = strdup(name);
        return b->where ? 0 : -ENOMEM;
}

int ctl_bus_connect(const struct ctl_bus_options *o, struct ctl_bus *b) {
        int r;

        *b = (struct ctl_bus) { .options = o };
        if (o->address)
                return connect_given(b, o->address);
        if (o->transport != CTL_TRANSPORT_DEFAULT)
                return connect_bus(b, o->transport == CTL_TRANSPORT_USER);
        r = connect_private(b, o->runtime_dir ? o->runtime_dir : CTL_RUNTIME_DIR);
        if (r >= 0 || o->runtime_dir)
                return r;
        /* Not there, or not for this user (0660 for the admin group): the bus. */
        b->skipped = b->failure;
        b->failure = NULL;
        r = connect_bus(b, false);
        if (r < 0)
                last_error_set(&b->failure, r, "%s; %s", b->skipped, b->failure);
        return r;
}

void ctl_bus_hints(const struct ctl_bus_options *o, int r, const char *hints[CTL_HINTS_MAX + 1]) {
        size_t n = 0;

        if (r == -EACCES || r == -EPERM) {
                hints[n++] = "The private socket is for root and the members of group ledgerd-admin: "
                             "run as root, or join the group (usermod -aG ledgerd-admin NAME, then "
                             "log in again).";
                if (o->runtime_dir || o->address)
                        hints[n++] = "Anyone may read over the system bus: leave out --runtime-dir "
                                     "and --address.";
        } else if (o->runtime_dir || o->address) {
                hints[n++] = "Is ledgerd running there? make demo's ledgerd serves var/run/private "
                             "in the clone: run ledgerctl from there, with --runtime-dir var/run.";
                hints[n++] = "The installed service: leave out --runtime-dir and --address; see "
                             "systemctl status ledgerd.";
        } else {
                hints[n++] = "Is the service running? Try systemctl status ledgerd, and its log, "
                             "journalctl -u ledgerd.";
                hints[n++] = "Started by make demo instead? Then, in the clone: build/ledgerctl "
                             "--runtime-dir var/run …";
        }
        hints[n] = NULL;
}

void ctl_bus_print_unreachable(const struct ctl_bus_options *o, const char *message, int r) {
        const char *hints[CTL_HINTS_MAX + 1];

        fprintf(stderr, "ledgerctl: %s\n", message);
        ctl_bus_hints(o, r, hints);
        for (size_t i = 0; hints[i]; i++)
                fprintf(stderr, "Hint: %s\n", hints[i]);
}

int ctl_bus_open(const struct ctl_bus_options *o, struct ctl_bus *b) {
        char *message = NULL;
        int r = ctl_bus_connect(o, b);

        if (r >= 0)
                return CTL_EXIT_OK;
        message = ctl_bus_unreachable_message(b, NULL, r);
        ctl_bus_print_unreachable(o, message ? message : strerror(-r), r);
        free(message);
        ctl_bus_close(b);
        return r == -EACCES || r == -EPERM ? CTL_EXIT_ACCESS_DENIED : CTL_EXIT_FAILURE;
}

void ctl_bus_close(struct ctl_bus *b) {
        sd_bus_flush_close_unref(b->bus);
        free(b->where);
        free(b->skipped);
        free(b->failure);
        *b = (struct ctl_bus) {};
}

/* Whether the failure is this process's own (sd-bus names it
 * "System.Error.ECONNRESET"), not an error that came over the bus. */
static bool local_error(const sd_bus_error *e) {
        return !e || !sd_bus_error_is_set(e) || strncmp(e->name, "System.Error.", 13) == 0;
}

/* By the error's name when it came over the bus: sd-bus maps several names to
 * one errno (org.freedesktop.DBus.Error.Failed is EACCES too). */
int ctl_bus_exit_status(const sd_bus_error *e, int r) {
        if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
                return CTL_EXIT_ACCESS_DENIED;
        if (sd_bus_error_has_name(e, BUS_ERROR_NOT_FOUND))
                return CTL_EXIT_NOT_FOUND;
        if (local_error(e) && (r == -EACCES || r == -EPERM))
                return CTL_EXIT_ACCESS_DENIED;
        return CTL_EXIT_FAILURE;
}

bool ctl_bus_unreachable(const sd_bus_error *e, int r) {
        if (!local_error(e))
                return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                       sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
                       sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
                       sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED);
        return r == -ENOTCONN || r == -ECONNRESET || r == -ECONNREFUSED || r == -ENOENT ||
               r == -EPIPE || r == -ETIMEDOUT || r == -ESRCH || r == -EHOSTDOWN;
}

char *ctl_bus_unreachable_message(const struct ctl_bus *b, const sd_bus_error *e, int r) {
        const char *why = e && e->message ? e->message : strerror(-r);
        char *s = NULL;
        int n;

        if (!b->bus)
                n = asprintf(&s, "cannot reach ledgerd: %s", b->failure ? b->failure : why);
        else
                n = asprintf(&s, "cannot reach ledgerd: %s%s%s: %s", b->skipped ? b->skipped : "",
                             b->skipped ? "; " : "", b->where, why);
        return n < 0 ? NULL : s;
}

/* The daemon's message says what was wrong ("no milestone or undated task
 * \"9.9\""); when ledgerd was not there at all, say where it was looked for. */
static int report(struct ctl_bus *b, const sd_bus_error *e, int r) {
        char *msg = ctl_bus_unreachable(e, r) ? ctl_bus_unreachable_message(b, e, r) : NULL;
        char *shown;

        if (msg)
                ctl_bus_print_unreachable(b->options, msg, r);
        else {
                /* ledgerd's words may quote what a peer or a person wrote. */
                shown = display_escape(e->message ? e->message : strerror(-r), false);
                fprintf(stderr, "ledgerctl: %s\n", shown ? shown : strerror(-r));
                free(shown);
        }
        free(msg);
        return ctl_bus_exit_status(e, r);
}

int ctl_bus_new_call(struct ctl_bus *b, const char *member, sd_bus_message **m) {
        return sd_bus_message_new_method_call(b->bus, m, b->direct ? NULL : BUS_NAME, BUS_PATH,
                                              BUS_INTERFACE, member);
}

int ctl_bus_send(struct ctl_bus *b, sd_bus_message *m, sd_bus_message **reply) {
        return ctl_bus_send_wait(b, m, 0, reply);
}

int ctl_bus_send_wait(struct ctl_bus *b, sd_bus_message *m, uint64_t usec, sd_bus_message **reply) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call(b->bus, m, usec, &e, reply);

        if (r >= 0)
                return CTL_EXIT_OK;
        r = report(b, &e, r);
        sd_bus_error_free(&e);
        return r;
}

int ctl_bus_method(struct ctl_bus *b, const char *member, sd_bus_message **reply,
                   const char *types, ...) {
        sd_bus_message *m = NULL;
        va_list ap;
        int r = ctl_bus_new_call(b, member, &m);

        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r < 0) {
                sd_bus_message_unref(m);
                fprintf(stderr, "ledgerctl: cannot build the call %s: %s\n", member, strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        r = ctl_bus_send(b, m, reply);
        sd_bus_message_unref(m);
        return r;
}

int ctl_bus_get_all(struct ctl_bus *b, sd_bus_message **reply, sd_bus_error *e) {
        return sd_bus_call_method(b->bus, b->direct ? NULL : BUS_NAME, BUS_PATH,
                                  "org.freedesktop.DBus.Properties", "GetAll", e, reply, "s",
                                  BUS_INTERFACE);
}
