/* SPDX-License-Identifier: MIT */
/* The bus object. Every method goes: read the arguments, validate them
 * (InvalidArgs), authorize the sender from its credentials (AccessDenied),
 * change state, reply. */

#include "bus/bus.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus-deliveries.h"
#include "bus/bus-milestones.h"
#include "courier/courier.h"
#include "busapi/busapi.h"
#include "feeds/feeds.h"
#include "log.h"
#include "manager.h"
#include "marks.h"
#include "bus/private-server.h"

/* ---- properties ------------------------------------------------------------- */

static int property_version(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) userdata, (void) error;
        return sd_bus_message_append(reply, "s", LEDGERD_VERSION);
}

static int property_config_path(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        struct manager *m = userdata;

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "s", m->config_path);
}

static int property_timezone(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        struct manager *m = userdata;

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "s", m->config->timezone);
}

static int property_ledgers(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        struct manager *m = userdata;
        int r = sd_bus_message_open_container(reply, 'a', "(ssi)");

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        for (size_t i = 0; r >= 0 && i < m->config->n_ledgers; i++)
                r = sd_bus_message_append(reply, "(ssi)", m->config->ledgers[i].id,
                                          m->config->ledgers[i].title, m->config->ledgers[i].year);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_counts(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error) {
        unsigned c[7];

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        manager_counts(userdata, c);
        return sd_bus_message_append(reply, BUS_COUNTS, c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
}

static int property_next_reminder(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "t", (uint64_t) manager_next_reminder(userdata) * 1000000);
}

static int property_last_reload(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        const struct reload_result *lr = &((struct manager *) userdata)->last_reload;

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "(bts)", lr->ok, (uint64_t) lr->when * 1000000,
                                     lr->message ? lr->message : "");
}

/* Private feeds are listed with "<token>" for their secret: everyone may
 * read this property. */
static int property_feed_urls(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        char **urls = feeds_urls(userdata);
        int r = urls ? sd_bus_message_append_strv(reply, urls) : -ENOMEM;

        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        for (size_t i = 0; urls && urls[i]; i++)
                free(urls[i]);
        free(urls);
        return r;
}

static int property_orphans(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "u", marks_orphans(userdata));
}

/* ---- authorization ---------------------------------------------------------- */

static bool in_group(sd_bus_creds *creds, gid_t gid) {
        const gid_t *gids;
        gid_t egid;
        int n;

        if (gid == (gid_t) -1)
                return false;
        if (sd_bus_creds_get_egid(creds, &egid) >= 0 && egid == gid)
                return true;
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        for (int i = 0; i < n; i++)
                if (gids[i] == gid)
                        return true;
        return false;
}

/* Root or the admin group, from the sender's credentials on every call.
 * Fills *uid and the user's name (free it). */
int bus_authorize(sd_bus_message *msg, struct manager *m, const char *what, uid_t *uid,
                     char **user, sd_bus_error *error) {
        sd_bus_creds *creds = NULL;
        struct passwd pw, *found = NULL;
        char buf[1024];
        int r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
                                                       SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
                                                       SD_BUS_CREDS_AUGMENT, &creds);

        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, uid);
        if (r < 0) {
                sd_bus_creds_unref(creds);
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        "cannot tell who is asking");
        }
        if (*uid != 0 && !in_group(creds, m->admin_gid)) {
                sd_bus_creds_unref(creds);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "only root and members of group %s may %s",
                                         m->config->admin_group, what);
        }
        sd_bus_creds_unref(creds);
        getpwuid_r(*uid, &pw, buf, sizeof buf, &found);
        *user = strdup(found ? found->pw_name : "");
        return *user ? 0 : -ENOMEM;
}

/* ---- changing methods ------------------------------------------------------- */

/* The milestone (or undated task) a call names; an error reply otherwise. */
static int resolve(struct manager *m, const char *name, const struct ledger **l, const char **id,
                   sd_bus_error *error) {
        const struct task *t;
        const struct milestone *ms;
        int r = bus_find(m, name, l, &t, &ms, error);

        if (r < 0)
                return r;
        *id = ms ? ms->id : t->id;
        return 0;
}

static int record(sd_bus_message *msg, struct manager *m, enum mark_action action,
                  const char *name, const char *note, time_t until, sd_bus_error *error) {
        static const char *const verbs[] = { "mark milestones done", "reopen milestones",
                                             "snooze milestones" };
        static const char *const signals[] = { "MilestoneDone", "MilestoneReopened", NULL };
        const struct ledger *l;
        const char *id;
        char *user = NULL;
        uid_t uid;
        int r;

        if (strlen(note) > 4096)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the note is over 4096 bytes");
        r = resolve(m, name, &l, &id, error);
        if (r >= 0)
                r = bus_authorize(msg, m, verbs[action], &uid, &user, error);
        if (r >= 0) {
                r = marks_record(m, action, l->id, id, uid, user, note, until);
                if (r == -EALREADY)
                        r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s/%s is %s",
                                              l->id, id, action == MARK_DONE ? "done already"
                                                                             : "not done");
        }
        if (r >= 0 && signals[action])
                bus_emit_mark(m, signals[action], l->id, id, user, note);
        if (r >= 0 && action == MARK_DONE)
                courier_milestone_done(m, l->id, id);
        if (r >= 0)
                r = manager_replan(m);
        free(user);
        if (r < 0 && !sd_bus_error_is_set(error))
                return sd_bus_error_set_errnof(error, -r, "cannot record it in the state database: %s",
                                               strerror(-r));
        return r < 0 ? r : sd_bus_reply_method_return(msg, NULL);
}

static int method_mark_done(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *note;
        int r = sd_bus_message_read(msg, "ss", &name, &note);

        return r < 0 ? r : record(msg, userdata, MARK_DONE, name, note, 0, error);
}

static int method_reopen(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *note;
        int r = sd_bus_message_read(msg, "ss", &name, &note);

        return r < 0 ? r : record(msg, userdata, MARK_REOPEN, name, note, 0, error);
}

static int method_snooze(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *note;
        uint64_t until;
        int r = sd_bus_message_read(msg, "sts", &name, &until, &note);

        if (r < 0)
                return r;
        if (until / 1000000 <= (uint64_t) manager_now(userdata) || until / 1000000 > INT64_MAX / 2)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "snooze until a time in the future (microseconds since the epoch)");
        return record(msg, userdata, MARK_SNOOZE, name, note, (time_t) (until / 1000000), error);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct manager *m = userdata;
        char *user = NULL;
        uid_t uid;
        int r = bus_authorize(msg, m, "reload", &uid, &user, error);

        free(user);
        if (r < 0)
                return r;
        if (manager_reload(m) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "the new configuration was refused, the old one stays: %s",
                                         m->last_reload.message ? m->last_reload.message : "");
        return sd_bus_reply_method_return(msg, NULL);
}

/* ---- the vtable ------------------------------------------------------------- */

static const sd_bus_vtable ledger_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ConfigPath", "s", property_config_path, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Timezone", "s", property_timezone, 0, 0),
        SD_BUS_PROPERTY("Ledgers", "a(ssi)", property_ledgers, 0, 0),
        SD_BUS_PROPERTY("Counts", BUS_COUNTS, property_counts, 0, 0),
        SD_BUS_PROPERTY("NextReminder", "t", property_next_reminder, 0, 0),
        SD_BUS_PROPERTY("LastReload", "(bts)", property_last_reload, 0, 0),
        SD_BUS_PROPERTY("FeedURLs", "as", property_feed_urls, 0, 0),
        SD_BUS_PROPERTY("OrphanedMarks", "u", property_orphans, 0, 0),
        SD_BUS_PROPERTY("PendingDeliveries", "u", bus_property_deliveries, 0, 0),
        SD_BUS_PROPERTY("FailedDeliveries", "u", bus_property_deliveries, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("ListMilestones", SD_BUS_ARGS("a{sv}", filter),
                                SD_BUS_RESULT("a" BUS_MILESTONE, milestones),
                                bus_method_list_milestones, 0),
        SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_ARGS("s", id),
                                SD_BUS_RESULT(BUS_MILESTONE, milestone, "a{ss}", details,
                                              "a(tsss)", history),
                                bus_method_describe, 0),
        SD_BUS_METHOD_WITH_ARGS("Preview", SD_BUS_ARGS("t", from, "t", to),
                                SD_BUS_RESULT("a" BUS_REMINDER, reminders), bus_method_preview, 0),
        SD_BUS_METHOD_WITH_ARGS("Why", SD_BUS_ARGS("s", id), SD_BUS_RESULT("as", lines),
                                bus_method_why, 0),
        SD_BUS_METHOD_WITH_ARGS("ListDeliveries", SD_BUS_ARGS("a{sv}", filter),
                                SD_BUS_RESULT("a" BUS_DELIVERY, deliveries),
                                bus_method_list_deliveries, 0),
        SD_BUS_METHOD_WITH_ARGS("SendTest", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("b", delivered, "as", lines), bus_method_send_test,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("MarkDone", SD_BUS_ARGS("s", id, "s", note), SD_BUS_NO_RESULT,
                                method_mark_done, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reopen", SD_BUS_ARGS("s", id, "s", note), SD_BUS_NO_RESULT,
                                method_reopen, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Snooze", SD_BUS_ARGS("s", id, "t", until, "s", note),
                                SD_BUS_NO_RESULT, method_snooze, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("MilestoneDone", SD_BUS_ARGS("s", ledger, "s", id, "s", user, "s", note), 0),
        SD_BUS_SIGNAL_WITH_ARGS("MilestoneReopened",
                                SD_BUS_ARGS("s", ledger, "s", id, "s", user, "s", note), 0),
        SD_BUS_SIGNAL_WITH_ARGS("Reloaded", SD_BUS_ARGS("b", ok, "s", message), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ReminderSent",
                                SD_BUS_ARGS("s", ledger, "s", id, "s", kind, "s", recipient), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ReminderFailed",
                                SD_BUS_ARGS("s", ledger, "s", id, "s", recipient, "s", reason), 0),
        SD_BUS_VTABLE_END,
};

int bus_add_object(struct manager *m, sd_bus *bus) {
        int r = sd_bus_add_object_vtable(bus, NULL, BUS_PATH, BUS_INTERFACE, ledger_vtable, m);

        return r < 0 ? log_error_errno(r, "cannot add the bus object") : 0;
}

/* ---- signals to every connection ------------------------------------------- */

struct emit {
        const char *member;
        const char *types;
        const char *a, *b, *c, *d;
        int ok;
};

static void emit_one(sd_bus *bus, void *userdata) {
        const struct emit *e = userdata;

        if (strcmp(e->types, "bs") == 0)
                sd_bus_emit_signal(bus, BUS_PATH, BUS_INTERFACE, e->member, "bs", e->ok, e->a);
        else
                sd_bus_emit_signal(bus, BUS_PATH, BUS_INTERFACE, e->member, "ssss", e->a, e->b,
                                   e->c, e->d);
}

static void emit_all(struct manager *m, const struct emit *e) {
        if (m->bus)
                emit_one(m->bus, (void *) e);
        private_server_foreach(m->private_server, emit_one, (void *) e);
}

void bus_emit_reloaded(struct manager *m) {
        struct emit e = { "Reloaded", "bs", m->last_reload.message ? m->last_reload.message : "",
                          .ok = m->last_reload.ok };

        emit_all(m, &e);
}

void bus_emit_mark(struct manager *m, const char *member, const char *ledger, const char *id,
                   const char *user, const char *note) {
        struct emit e = { member, "ssss", ledger, id, user, note, .ok = 0 };

        emit_all(m, &e);
}

void bus_emit_reminder(struct manager *m, const char *ledger, const char *id, const char *kind,
                       const char *target, const char *reason) {
        struct emit sent = { "ReminderSent", "ssss", ledger, id, kind, target, .ok = 0 };
        struct emit failed = { "ReminderFailed", "ssss", ledger, id, target, reason, .ok = 0 };

        emit_all(m, reason ? &failed : &sent);
}

/* ---- setup ------------------------------------------------------------------ */

static int connect_bus(struct manager *m) {
        int r = m->bus_choice == BUS_USER ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        const char *which = m->bus_choice == BUS_USER ? "user" : "system";

        if (r < 0) {
                /* The private socket still serves ledgerctl: warn, do not fail. */
                log_warning_errno(r, "no %s bus (%s): serving on the private socket only", which,
                                  strerror(-r));
                m->bus = NULL;
                return 0;
        }
        r = bus_add_object(m, m->bus);
        if (r >= 0)
                r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r < 0) {
                log_warning_errno(r, "cannot take the name %s on the %s bus (%s): serving on the "
                                  "private socket only", BUS_NAME, which, strerror(-r));
                m->bus = sd_bus_flush_close_unref(m->bus);
                return 0;
        }
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        return r < 0 ? log_error_errno(r, "cannot attach the bus to the event loop") : 0;
}

int bus_setup(struct manager *m) {
        int r = 0;

        if (m->bus_choice != BUS_NONE)
                r = connect_bus(m);
        if (r >= 0)
                r = private_server_start(m, &m->private_server);
        return r;
}

void bus_done(struct manager *m) {
        private_server_free(m->private_server);
        m->private_server = NULL;
        m->bus = sd_bus_flush_close_unref(m->bus);
}
