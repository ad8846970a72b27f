/* SPDX-License-Identifier: MIT */
/* The bus object. Every method goes: read the arguments, validate them
 * (InvalidArgs), authorize the sender from its credentials (AccessDenied),
 * change state, reply. */

#include "bus/bus.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/strv.h"
#include "bus/bus-internal.h"
#include "bus/private-server.h"
#include "busapi/busapi.h"
#include "common/clock.h"
#include "feeds/feeds.h"
#include "common/health.h"
#include "ledger/model.h"
#include "common/log.h"
#include "manager/manager.h"
#include "marks/status.h"
#include "web/web.h"

/* ---- properties ------------------------------------------------------------- */

/* Every property getter has this signature; most use only reply and the bus. */
#define PROPERTY(name)                                                                          \
        static int name(sd_bus *bus, const char *path, const char *interface,                  \
                        const char *property, sd_bus_message *reply, void *userdata,           \
                        sd_bus_error *error)
#define UNUSED_PROPERTY_ARGS (void) bus, (void) path, (void) interface, (void) property, (void) error

PROPERTY(property_version) {
        UNUSED_PROPERTY_ARGS;
        (void) userdata;
        return sd_bus_message_append(reply, "s", LEDGERD_VERSION);
}

PROPERTY(property_config_path) {
        struct bus *b = userdata;

        UNUSED_PROPERTY_ARGS;
        return sd_bus_message_append(reply, "s", manager_config_path(b->manager));
}

PROPERTY(property_timezone) {
        struct bus *b = userdata;

        UNUSED_PROPERTY_ARGS;
        return sd_bus_message_append(reply, "s", manager_config(b->manager)->timezone);
}

PROPERTY(property_ledgers) {
        const struct config *c = manager_config(((struct bus *) userdata)->manager);
        int r = sd_bus_message_open_container(reply, 'a', "(ssi)");

        UNUSED_PROPERTY_ARGS;
        for (size_t i = 0; r >= 0 && i < c->n_ledgers; i++)
                r = sd_bus_message_append(reply, "(ssi)", c->ledgers[i].id, c->ledgers[i].title,
                                          c->ledgers[i].year);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

PROPERTY(property_counts) {
        struct bus *b = userdata;
        const struct config *c = manager_config(b->manager);
        unsigned n[BUS_COUNTS_MAX];

        UNUSED_PROPERTY_ARGS;
        status_count(c, b->marks, clock_today(b->clock, c->timezone), n);
        return sd_bus_message_append(reply, BUS_COUNTS, n[0], n[1], n[2], n[3], n[4], n[5], n[6],
                                     n[7]);
}

PROPERTY(property_next_reminder) {
        struct bus *b = userdata;

        UNUSED_PROPERTY_ARGS;
        return sd_bus_message_append(reply, "t", (uint64_t) manager_next_reminder(b->manager) * 1000000);
}

PROPERTY(property_last_reload) {
        const struct reload_result *lr = manager_last_reload(((struct bus *) userdata)->manager);

        UNUSED_PROPERTY_ARGS;
        return sd_bus_message_append(reply, "(bts)", lr->ok, (uint64_t) lr->when * 1000000,
                                     lr->message ? lr->message : "");
}

/* Private feeds are listed with "<token>" for their secret: everyone may
 * read this property. */
PROPERTY(property_feed_urls) {
        char **urls = feeds_urls(((struct bus *) userdata)->feeds);
        int r = urls ? sd_bus_message_append_strv(reply, urls) : -ENOMEM;

        UNUSED_PROPERTY_ARGS;
        strv_free(urls);
        return r;
}

/* What keeps the service from its work now: (part, since, reason). */
PROPERTY(property_problems) {
        const struct health *h = ((struct bus *) userdata)->health;
        int r = sd_bus_message_open_container(reply, 'a', "(sts)");

        UNUSED_PROPERTY_ARGS;
        for (size_t i = 0; r >= 0 && h && i < HEALTH_PART_MAX; i++)
                if (h->problems[i].reason)
                        r = sd_bus_message_append(reply, "(sts)", health_part_name(i),
                                                  (uint64_t) h->problems[i].since * 1000000,
                                                  h->problems[i].reason);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* What the HTTP server listens on: empty when it serves nothing. */
PROPERTY(property_feed_addresses) {
        const struct feeds *f = ((struct bus *) userdata)->feeds;
        int r = sd_bus_message_open_container(reply, 'a', "s");
        const char *a;

        UNUSED_PROPERTY_ARGS;
        for (size_t i = 0; r >= 0 && (a = feeds_address(f, i)); i++)
                r = sd_bus_message_append(reply, "s", a);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

PROPERTY(property_orphans) {
        UNUSED_PROPERTY_ARGS;
        return sd_bus_message_append(reply, "u", marks_orphans(((struct bus *) userdata)->marks));
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

/* Root or the admin group, from the sender's credentials on every call. */
int bus_authorize(sd_bus_message *msg, struct bus *b, const char *what, uid_t *uid, char **user,
                  sd_bus_error *error) {
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
        if (*uid != 0 && !in_group(creds, b->admin_gid)) {
                sd_bus_creds_unref(creds);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "only root and members of group %s may %s",
                                         manager_config(b->manager)->admin_group, what);
        }
        sd_bus_creds_unref(creds);
        getpwuid_r(*uid, &pw, buf, sizeof buf, &found);
        *user = strdup(found ? found->pw_name : "");
        return *user ? 0 : -ENOMEM;
}

static void resolve_admin_group(struct bus *b) {
        const char *name = manager_config(b->manager)->admin_group;
        struct group *g = getgrnam(name);

        b->admin_gid = g ? g->gr_gid : (gid_t) -1;
        if (!g)
                log_notice("admin group \"%s\" does not exist: only root may change state", name);
}

void bus_config_changed(struct bus *b) {
        resolve_admin_group(b);
}

/* ---- filters and lookups ---------------------------------------------------- */

int bus_read_filter(sd_bus_message *msg, bus_filter_entry_fn entry, void *filter,
                    sd_bus_error *error) {
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");

        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(msg, "s", &key);
                if (r >= 0)
                        r = entry(msg, key, filter, error);
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

int bus_read_variant(sd_bus_message *msg, const char *key, const char *type, void *value,
                     const char *what, sd_bus_error *error) {
        if (sd_bus_message_read(msg, "v", type, value) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "filter \"%s\" takes %s",
                                         key, what);
        return 0;
}

int bus_reply(sd_bus_message *call, const char *array_type, bus_fill_fn fill, void *userdata) {
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(call, &reply);

        if (r >= 0 && array_type)
                r = sd_bus_message_open_container(reply, 'a', array_type);
        if (r >= 0)
                r = fill(reply, userdata);
        if (r >= 0 && array_type)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

int bus_find(struct bus *b, const char *name, const struct ledger **l, const struct task **t,
             const struct milestone **ms, sd_bus_error *error) {
        int r = config_find_named(manager_config(b->manager), name, l, t, ms);

        if (r == -EADDRINUSE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "\"%s\" is in more than one ledger: write LEDGER/%s", name, name);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "no milestone or undated task \"%s\"",
                                         name);
        return 0;
}

/* ---- changing methods ------------------------------------------------------- */

/* The milestone (or undated task) a call names; an error reply otherwise. */
static int resolve(struct bus *b, const char *name, const struct ledger **l, const char **id,
                   sd_bus_error *error) {
        const struct task *t;
        const struct milestone *ms;
        int r = bus_find(b, name, l, &t, &ms, error);

        if (r < 0)
                return r;
        *id = ms ? ms->id : t->id;
        return 0;
}

static int record(sd_bus_message *msg, struct bus *b, enum state_action action, const char *name,
                  const char *note, time_t until, sd_bus_error *error) {
        static const char *const verbs[] = { "mark milestones done", "reopen milestones",
                                             "snooze milestones" };
        const struct ledger *l;
        const char *id;
        char *user = NULL;
        uid_t uid;
        int r;

        if (strlen(note) > 4096)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the note is over 4096 bytes");
        r = resolve(b, name, &l, &id, error);
        if (r >= 0)
                r = bus_authorize(msg, b, verbs[action], &uid, &user, error);
        if (r >= 0) {
                r = manager_mark(b->manager, action, l->id, id,
                                 &(struct state_author) { .uid = uid, .user = user }, note, until);
                if (r == -EALREADY)
                        r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s/%s is %s",
                                              l->id, id, action == STATE_DONE ? "done already"
                                                                             : "not done");
        }
        free(user);
        if (r < 0 && !sd_bus_error_is_set(error))
                return sd_bus_error_set_errnof(error, -r, "cannot record it in the state database: %s",
                                               strerror(-r));
        return r < 0 ? r : sd_bus_reply_method_return(msg, NULL);
}

static int method_mark_done(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *note;
        int r = sd_bus_message_read(msg, "ss", &name, &note);

        return r < 0 ? r : record(msg, userdata, STATE_DONE, name, note, 0, error);
}

static int method_reopen(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name, *note;
        int r = sd_bus_message_read(msg, "ss", &name, &note);

        return r < 0 ? r : record(msg, userdata, STATE_REOPENED, name, note, 0, error);
}

static int method_snooze(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        const char *name, *note;
        uint64_t until;
        int r = sd_bus_message_read(msg, "sts", &name, &until, &note);

        if (r < 0)
                return r;
        if (until / 1000000 <= (uint64_t) clock_now(b->clock) || until / 1000000 > INT64_MAX / 2)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "snooze until a time in the future (microseconds since the epoch)");
        return record(msg, b, STATE_SNOOZED, name, note, (time_t) (until / 1000000), error);
}

/* The call is answered when the new configuration is read: in force, or
 * refused with the old one kept. */
static void on_reloaded(const struct reload_result *result, void *userdata) {
        sd_bus_message *call = userdata;

        if (result->ok)
                sd_bus_reply_method_return(call, NULL);
        else
                sd_bus_reply_method_errorf(call, SD_BUS_ERROR_FAILED,
                                           "the new configuration was refused, the old one stays: %s",
                                           result->message ? result->message : "");
        sd_bus_message_unref(call);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        char *user = NULL;
        uid_t uid;
        int r = bus_authorize(msg, b, "reload", &uid, &user, error);

        free(user);
        if (r < 0)
                return r;
        r = manager_reload(b->manager, on_reloaded, sd_bus_message_ref(msg));
        if (r < 0) {
                sd_bus_message_unref(msg);
                return sd_bus_error_set_errnof(error, -r, "cannot reload: %s", strerror(-r));
        }
        return 1; /* answered by on_reloaded */
}

/* A new key for the links of reminders: every link sent so far stops
 * working (links that went where they should not). */
static int method_rotate_link_key(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        struct bus *b = userdata;
        char *user = NULL;
        uid_t uid;
        int r = bus_authorize(msg, b, "rotate the key of links", &uid, &user, error);

        if (r >= 0)
                log_notice("the key of links rotated by %s (uid %u)", user, (unsigned) uid);
        free(user);
        if (r < 0)
                return r;
        if (!b->web)
                return sd_bus_error_set(error, SD_BUS_ERROR_NOT_SUPPORTED, "this service has no links");
        r = web_rotate_key(b->web);
        if (r < 0)
                return sd_bus_error_set_errnof(error, -r, "cannot write a new key: %s", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}

/* ---- the vtable ------------------------------------------------------------- */

/* Reading methods are UNPRIVILEGED: sd-bus lets every local user call them
 * on the system bus (without it, only callers with CAP_SYS_ADMIN). The
 * changing ones are too, and authorize each call themselves
 * (bus_authorize()): one rule for the bus and the private socket. */
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
        SD_BUS_PROPERTY("FeedAddresses", "as", property_feed_addresses, 0, 0),
        SD_BUS_PROPERTY("OrphanedMarks", "u", property_orphans, 0, 0),
        SD_BUS_PROPERTY("PendingDeliveries", "u", bus_property_deliveries, 0, 0),
        SD_BUS_PROPERTY("FailedDeliveries", "u", bus_property_deliveries, 0, 0),
        SD_BUS_PROPERTY("Problems", "a(sts)", property_problems, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("ListMilestones", SD_BUS_ARGS("a{sv}", filter),
                                SD_BUS_RESULT("a" BUS_MILESTONE, milestones),
                                bus_method_list_milestones, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_ARGS("s", id),
                                SD_BUS_RESULT(BUS_MILESTONE, milestone, "a{ss}", details,
                                              "a" BUS_HISTORY, history),
                                bus_method_describe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Preview", SD_BUS_ARGS("t", from, "t", to),
                                SD_BUS_RESULT("a" BUS_REMINDER, reminders), bus_method_preview,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Why", SD_BUS_ARGS("s", id), SD_BUS_RESULT("as", lines),
                                bus_method_why, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListDeliveries", SD_BUS_ARGS("a{sv}", filter),
                                SD_BUS_RESULT("a" BUS_DELIVERY, deliveries),
                                bus_method_list_deliveries, SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_METHOD_WITH_ARGS("RotateLinkKey", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_rotate_link_key, SD_BUS_VTABLE_UNPRIVILEGED),
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

int bus_add_object(struct bus *b, sd_bus *connection) {
        int r = sd_bus_add_object_vtable(connection, NULL, BUS_PATH, BUS_INTERFACE, ledger_vtable, b);

        return r < 0 ? log_error_errno(r, "cannot add the bus object: %m") : 0;
}

/* ---- signals to every connection ------------------------------------------- */

struct emit {
        const char *member;
        const char *types;
        const char *a, *b, *c, *d;
        int ok;
};

static void emit_one(sd_bus *connection, void *userdata) {
        const struct emit *e = userdata;

        if (strcmp(e->types, "bs") == 0)
                sd_bus_emit_signal(connection, BUS_PATH, BUS_INTERFACE, e->member, "bs", e->ok, e->a);
        else
                sd_bus_emit_signal(connection, BUS_PATH, BUS_INTERFACE, e->member, "ssss", e->a, e->b,
                                   e->c, e->d);
}

static void emit_all(struct bus *b, const struct emit *e) {
        if (b->bus)
                emit_one(b->bus, (void *) e);
        private_server_foreach(b->private_server, emit_one, (void *) e);
}

void bus_emit_reloaded(struct bus *b, const struct reload_result *r) {
        struct emit e = { "Reloaded", "bs", r->message ? r->message : "", .ok = r->ok };

        emit_all(b, &e);
}

static void emit_problems_changed(sd_bus *connection, void *userdata) {
        (void) userdata;
        sd_bus_emit_properties_changed(connection, BUS_PATH, BUS_INTERFACE, "Problems", NULL);
}

void bus_emit_problems(struct bus *b) {
        if (b->bus)
                emit_problems_changed(b->bus, NULL);
        private_server_foreach(b->private_server, emit_problems_changed, NULL);
}

void bus_emit_mark(struct bus *b, enum state_action action, const char *ledger, const char *id,
                   const char *user, const char *note) {
        static const char *const members[] = {
                [STATE_DONE] = "MilestoneDone", [STATE_REOPENED] = "MilestoneReopened", [STATE_SNOOZED] = NULL,
        };
        struct emit e = { members[action], "ssss", ledger, id, user, note, .ok = 0 };

        if (e.member)
                emit_all(b, &e);
}

void bus_emit_reminder(struct bus *b, const char *ledger, const char *id, const char *kind,
                       const char *target, const char *reason) {
        struct emit sent = { "ReminderSent", "ssss", ledger, id, kind, target, .ok = 0 };
        struct emit failed = { "ReminderFailed", "ssss", ledger, id, target, reason, .ok = 0 };

        emit_all(b, reason ? &failed : &sent);
}

/* ---- setup ------------------------------------------------------------------ */

static int connect_bus(struct bus *b) {
        const char *which = b->choice == BUS_USER ? "user" : "system";
        int r = b->choice == BUS_USER ? sd_bus_open_user(&b->bus) : sd_bus_open_system(&b->bus);

        if (r < 0) {
                /* The private socket still serves ledgerctl: warn, do not fail. */
                log_warning_errno(r, "no %s bus (%m): serving on the private socket only", which);
                b->bus = NULL;
                return 0;
        }
        r = bus_add_object(b, b->bus);
        if (r >= 0)
                r = sd_bus_request_name(b->bus, BUS_NAME, 0);
        if (r < 0) {
                log_warning_errno(r, "cannot take the name %s on the %s bus (%m): serving on the "
                                  "private socket only", BUS_NAME, which);
                b->bus = sd_bus_flush_close_unref(b->bus);
                return 0;
        }
        r = sd_bus_attach_event(b->bus, b->event, SD_EVENT_PRIORITY_NORMAL);
        return r < 0 ? log_error_errno(r, "cannot attach the bus to the event loop: %m") : 0;
}

static int add_peer_object(sd_bus *connection, void *userdata) {
        return bus_add_object(userdata, connection);
}

DEFINE_CLEANUP_FUNC(struct bus, bus_free)

int bus_new(const struct bus_setup *setup, struct bus **out) {
        _cleanup_(bus_freep) struct bus *b = calloc(1, sizeof *b);
        const struct private_server_setup ps = {
                .event = setup->event,
                .directory = manager_runtime_directory(setup->manager),
                .group = manager_config(setup->manager)->admin_group,
                .add_object = add_peer_object,
                .userdata = b,
        };
        int r;

        if (!b)
                return log_oom();
        *b = (struct bus) {
                .event = setup->event, .clock = setup->clock, .manager = setup->manager,
                .marks = setup->marks, .courier = setup->courier, .feeds = setup->feeds,
                .state = setup->state, .health = setup->health, .web = setup->web,
                .choice = setup->choice,
        };
        resolve_admin_group(b);
        r = b->choice != BUS_NONE ? connect_bus(b) : 0;
        if (r >= 0)
                r = private_server_start(&ps, b->admin_gid, &b->private_server);
        if (r < 0)
                return r;
        *out = TAKE_PTR(b);
        return 0;
}

void bus_free(struct bus *b) {
        if (!b)
                return;
        private_server_free(b->private_server);
        sd_bus_flush_close_unref(b->bus);
        free(b);
}
