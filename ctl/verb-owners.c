/* SPDX-License-Identifier: MIT */
/* ledgerctl owners: the owners (the units responsible) and the channels of
 * ledgerd's configuration, by id and name: what --owner and send-test take,
 * and what bash completion offers. The bus has no such list; the
 * configuration file has, and it is read here: the one ledgerd runs on
 * (its ConfigPath) when it answers, else the installed one. Feed tokens and
 * channel addresses are secrets and never shown. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "bus-client.h"
#include "busapi/busapi.h"
#include "columns.h"
#include "conf/conf.h"
#include "milestone.h"
#include "pager.h"

#define DEFAULT_CONFIG "/etc/ledgerd/ledgerd.conf"

/* The configuration ledgerd runs on, into *path (free it); the installed
 * one when ledgerd does not answer and no connection was asked for. 0, or an
 * exit status after a message. */
static int config_path(const struct ctl_bus_options *o, char **path) {
        bool asked = o->address || o->runtime_dir || o->transport != CTL_TRANSPORT_DEFAULT;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        struct ctl_bus b;
        int r;

        *path = NULL;
        if (asked && (r = ctl_bus_open(o, &b)) != CTL_EXIT_OK)
                return r;
        r = asked ? 0 : ctl_bus_connect(o, &b);
        if (r >= 0)
                r = sd_bus_get_property_string(b.bus, b.direct ? NULL : BUS_NAME, BUS_PATH,
                                               BUS_INTERFACE, "ConfigPath", &e, path);
        ctl_bus_close(&b);
        if (r < 0 && asked) {
                fprintf(stderr, "ledgerctl owners: cannot ask ledgerd for its configuration: %s\n",
                        e.message ? e.message : strerror(-r));
                r = ctl_bus_exit_status(&e, r);
        } else if (r < 0)
                r = (*path = strdup(DEFAULT_CONFIG)) ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
        else
                r = CTL_EXIT_OK;
        sd_bus_error_free(&e);
        return r;
}

static int load(const char *path, struct config **c) {
        struct diagnostics d = {};
        int r = conf_load(path, c, &d);

        if (r < 0 && d.n_errors == 0)
                fprintf(stderr, "ledgerctl owners: %s: %s\n", path, strerror(-r));
        else if (r < 0)
                diag_print(&d, stderr);
        if (r == -EACCES)
                fprintf(stderr, "Hint: it is readable by root and the service only: run as root.\n");
        diag_clear(&d);
        return r < 0 ? (r == -EACCES ? CTL_EXIT_ACCESS_DENIED : CTL_EXIT_FAILURE) : CTL_EXIT_OK;
}

static char **channel_ids(const struct owner *w) {
        char **v = NULL;
        size_t n = 0;

        for (size_t i = 0; i < w->n_channels; i++)
                if (strv_push(&v, &n, w->channels[i]->id) < 0) {
                        strv_free(v);
                        return NULL;
                }
        return v;
}

/* Who sends to a channel: the ids of the owners that name it. */
static char **channel_users(const struct config *c, const struct channel *ch) {
        char **v = NULL;
        size_t n = 0;

        for (size_t i = 0; i < c->n_owners; i++)
                for (size_t k = 0; k < c->owners[i].n_channels; k++)
                        if (c->owners[i].channels[k] == ch && strv_push(&v, &n, c->owners[i].id) < 0) {
                                strv_free(v);
                                return NULL;
                        }
        return v;
}

static const char *feed_of(const struct owner *w) {
        return w->feed_token ? "private" : w->feed_slug;
}

static void print_json(const struct config *c, const char *path) {
        json_object *o = json_object_new_object(), *owners = json_object_new_array(),
                    *channels = json_object_new_array();

        for (size_t i = 0; i < c->n_owners; i++) {
                const struct owner *w = &c->owners[i];
                json_object *x = json_object_new_object();
                char **ids = channel_ids(w);

                json_object_object_add(x, "id", json_object_new_string(w->id));
                json_object_object_add(x, "name", json_object_new_string(w->name));
                json_object_object_add(x, "email", ctl_json_strv(w->emails));
                json_object_object_add(x, "channels", ctl_json_strv(ids));
                json_object_object_add(x, "feed", json_object_new_string(feed_of(w)));
                json_object_array_add(owners, x);
                strv_free(ids);
        }
        for (size_t i = 0; i < c->n_channels; i++) {
                json_object *x = json_object_new_object();
                char **users = channel_users(c, &c->channels[i]);

                json_object_object_add(x, "id", json_object_new_string(c->channels[i].id));
                json_object_object_add(x, "format",
                                       json_object_new_string(channel_format_name(c->channels[i].format)));
                json_object_object_add(x, "owners", ctl_json_strv(users));
                json_object_array_add(channels, x);
                strv_free(users);
        }
        json_object_object_add(o, "config_path", json_object_new_string(path));
        json_object_object_add(o, "owners", owners);
        json_object_object_add(o, "channels", channels);
        ctl_json_print(o);
}

static int owner_row(struct columns *t, const struct owner *w) {
        char **ids = channel_ids(w);
        char *emails = strv_join(w->emails, ", "), *chans = ids ? strv_join(ids, ", ") : NULL;
        int r = emails && (chans || !ids)
                        ? columns_add(t, (const char *const[]) { w->id, w->name, emails,
                                                                 chans ? chans : "", feed_of(w) })
                        : -ENOMEM;

        free(emails);
        free(chans);
        strv_free(ids);
        return r;
}

static int channel_row(struct columns *t, const struct config *c, const struct channel *ch) {
        char **users = channel_users(c, ch);
        char *joined = users ? strv_join(users, ", ") : NULL;
        int r = columns_add(t, (const char *const[]) { ch->id, channel_format_name(ch->format),
                                                       joined ? joined : "" });

        free(joined);
        strv_free(users);
        return r;
}

static int print_text(const struct config *c) {
        static const char *const owner_headers[] = { "ID", "NAME", "E-MAIL", "CHANNELS", "FEED" };
        static const char *const channel_headers[] = { "CHANNEL", "FORMAT", "OWNERS" };
        bool colour = columns_use_colour(stdout);
        size_t width = columns_terminal_width(stdout);
        struct columns t;
        int r = 0;

        columns_init(&t, 5, owner_headers);
        columns_cuttable(&t, 1);
        columns_cuttable(&t, 2);
        columns_cuttable(&t, 3);
        for (size_t i = 0; r >= 0 && i < c->n_owners; i++)
                r = owner_row(&t, &c->owners[i]);
        if (r >= 0)
                columns_print(&t, stdout, colour, width);
        columns_free(&t);
        if (r < 0 || c->n_channels == 0)
                return r;
        columns_init(&t, 3, channel_headers);
        columns_cuttable(&t, 2);
        for (size_t i = 0; r >= 0 && i < c->n_channels; i++)
                r = channel_row(&t, c, &c->channels[i]);
        if (r >= 0) {
                putchar('\n');
                columns_print(&t, stdout, colour, width);
        }
        columns_free(&t);
        return r;
}

int verb_owners(int argc, char **argv, const struct ctl_options *o) {
        struct config *c = NULL;
        char *path = NULL;
        int r = config_path(&o->bus, &path);

        (void) argc, (void) argv;
        if (r == CTL_EXIT_OK)
                r = load(path, &c);
        if (r == CTL_EXIT_OK) {
                pager_open(o->no_pager);
                if (o->json)
                        print_json(c, path);
                else if (print_text(c) < 0) {
                        fprintf(stderr, "ledgerctl owners: %s\n", strerror(ENOMEM));
                        r = CTL_EXIT_FAILURE;
                }
        }
        config_free(c);
        free(path);
        return r;
}
