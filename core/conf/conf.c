/* SPDX-License-Identifier: MIT */
#include "conf/conf.h"

#include <errno.h>
#include <libical/ical.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "notify/mail.h"
#include "ledger/zone.h"

static const char *const main_keys[] = {
        "timezone", "state_directory", "runtime_directory", "admin_group", "ledgers", "holidays",
        "reminders", "feed", "delivery", "channels", "owners", NULL,
};
static const char *const feed_keys[] = {
        "name", "refresh", "listen", "base_url", "directory", NULL,
};
static const char *const channel_keys[] = {
        "id", "format", "url", "secret_file", "rate_limit", NULL,
};

/* Messages a minute each kind of endpoint takes (webhooks.md): the default
 * rate_limit, and more than that is warned about. 0: no known limit. */
static const int channel_rate_limits[] = {
        [CHANNEL_JSON] = 0,      [CHANNEL_SLACK] = 60,    [CHANNEL_WECOM] = 20,
        [CHANNEL_DINGTALK] = 20, [CHANNEL_FEISHU] = 20,
};
/* What the platform itself allows: Feishu takes about 100 a minute. */
static const int channel_platform_limits[] = {
        [CHANNEL_JSON] = 0,      [CHANNEL_SLACK] = 60,    [CHANNEL_WECOM] = 20,
        [CHANNEL_DINGTALK] = 20, [CHANNEL_FEISHU] = 100,
};
static const char *const owner_keys[] = {
        "id", "name", "email", "mobile", "channels", "reminders", "feed_slug", "feed_token", NULL,
};

/* A string setting with a built-in default. */
static int read_setting(struct confread *cr, const config_setting_t *g, const char *key,
                        const char *fallback, char **out) {
        int k = confread_string(cr, g, key, false, out);

        if (k == 0)
                *out = strdup(fallback);
        if (k < 0)
                return k;
        return *out ? 0 : -ENOMEM;
}

static int read_settings(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        int r = 0;

        if (read_setting(cr, root, "timezone", "Asia/Shanghai", &c->timezone) < 0 ||
            read_setting(cr, root, "state_directory", "/var/lib/ledgerd", &c->state_directory) < 0 ||
            read_setting(cr, root, "runtime_directory", "/run/ledgerd", &c->runtime_directory) < 0 ||
            read_setting(cr, root, "admin_group", "ledgerd-admin", &c->admin_group) < 0)
                return -EINVAL;
        if (zone_check(c->timezone) < 0) {
                confread_error(cr, config_setting_get_member(root, "timezone"),
                               "unknown time zone \"%s\" (an Olson name such as Asia/Shanghai)",
                               c->timezone);
                r = -EINVAL;
        }
        return r;
}

/* RFC 5545 durations only: "PT6H", "P1D". "P6H" is a classic mistake. */
static bool duration_valid(const char *s) {
        struct icaldurationtype d = icaldurationtype_from_string(s);

        return !icaldurationtype_is_bad_duration(d) && icaldurationtype_as_int(d) > 0;
}

static int read_feed(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        const config_setting_t *g;
        int k = confread_group(cr, root, "feed", false, &g), r = 0;

        if (k == 0) {
                c->feed.name = strdup("ledgerd 台账");
                c->feed.refresh = strdup("PT6H");
                return c->feed.name && c->feed.refresh ? 0 : -ENOMEM;
        }
        if (k < 0 || !confread_known_keys(cr, g, "feed", feed_keys))
                return -EINVAL;
        if (read_setting(cr, g, "name", "ledgerd 台账", &c->feed.name) < 0 ||
            read_setting(cr, g, "refresh", "PT6H", &c->feed.refresh) < 0)
                return -EINVAL;
        if (!duration_valid(c->feed.refresh)) {
                confread_error(cr, config_setting_get_member(g, "refresh"),
                               "'refresh' must be an iCalendar duration such as \"PT6H\", not "
                               "\"%s\"", c->feed.refresh);
                r = -EINVAL;
        }
        return conf_feed_read_http(cr, g, &c->feed) < 0 ? -EINVAL : r;
}

/* Once the format is known: the default is what the platform takes. */
static int read_rate_limit(struct confread *cr, const config_setting_t *g, struct channel *ch) {
        const config_setting_t *s = config_setting_get_member(g, "rate_limit");
        int k = confread_int(cr, g, "rate_limit", false, &ch->rate_limit);
        int platform = channel_platform_limits[ch->format];

        if (k < 0)
                return -EINVAL;
        if (k == 0) {
                ch->rate_limit = channel_rate_limits[ch->format];
                return 0;
        }
        if (ch->rate_limit < 0) {
                confread_error(cr, s, "channel %s: 'rate_limit' is messages per minute, 0 for no "
                               "limit, not %d", ch->id, ch->rate_limit);
                return -EINVAL;
        }
        if (platform > 0 && (ch->rate_limit == 0 || ch->rate_limit > platform))
                confread_warning(cr, s, "channel %s: %s takes at most %d messages a minute and "
                                 "throttles or refuses more", ch->id,
                                 channel_format_name(ch->format), platform);
        return 0;
}

static int read_channel(struct confread *cr, const config_setting_t *g, struct channel *ch) {
        char *format = NULL;
        int r = 0;

        ch->source = confread_source(cr, g);
        if (!confread_known_keys(cr, g, "channel", channel_keys))
                r = -EINVAL;
        if (confread_id(cr, g, "id", CONF_ID_MAX, &ch->id) <= 0 || confread_string(cr, g, "format", true, &format) <= 0 ||
            confread_string(cr, g, "url", true, &ch->url) <= 0) {
                free(format);
                return -EINVAL;
        }
        if (conf_read_secret(cr, g, "secret_file", &ch->secret_file) < 0)
                r = -EINVAL;
        if (channel_format_from_name(format, &ch->format) < 0) {
                confread_error(cr, config_setting_get_member(g, "format"),
                               "channel %s: unknown format \"%s\" (json, slack, wecom, dingtalk, "
                               "feishu)", ch->id, format);
                r = -EINVAL;
        } else if (read_rate_limit(cr, g, ch) < 0)
                r = -EINVAL;
        free(format);
        return r;
}

static int read_channels(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        const config_setting_t *list;
        int k = confread_list(cr, root, "channels", false, &list), r = 0;

        if (k <= 0)
                return k;
        c->channels = calloc((size_t) config_setting_length(list) + 1, sizeof *c->channels);
        if (!c->channels)
                return -ENOMEM;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                struct channel *ch = &c->channels[c->n_channels];

                if (read_channel(cr, g, ch) < 0)
                        r = -EINVAL;
                else if (config_find_channel(c, ch->id)) {
                        confread_error(cr, g, "duplicate channel id \"%s\"", ch->id);
                        r = -EINVAL;
                }
                c->n_channels++;
        }
        return r;
}

static int read_owner_channels(struct confread *cr, const config_setting_t *g, struct owner *o) {
        char **ids = NULL;
        size_t n = 0;
        int k = confread_strings(cr, g, "channels", false, &ids, &n), r = k < 0 ? k : 0;

        o->channels = calloc(n + 1, sizeof *o->channels);
        for (size_t i = 0; o->channels && i < n; i++) {
                const struct channel *ch = config_find_channel(cr->config, ids[i]);

                if (!ch) {
                        confread_error(cr, config_setting_get_member(g, "channels"),
                                       "owner %s: no channel \"%s\" is defined", o->id, ids[i]);
                        r = -EINVAL;
                } else
                        o->channels[o->n_channels++] = ch;
        }
        for (size_t i = 0; i < n; i++)
                free(ids[i]);
        free(ids);
        return o->channels ? r : -ENOMEM;
}

/* Checked here, not when the first reminder is due. */
static int check_emails(struct confread *cr, const config_setting_t *g, const struct owner *o) {
        int r = 0;

        for (size_t i = 0; i < o->n_emails; i++)
                if (!mail_address_valid(o->emails[i])) {
                        confread_error(cr, config_setting_get_member(g, "email"),
                                       "owner %s: \"%s\" is not an e-mail address such as "
                                       "\"name@example.org\" (ASCII, no spaces or "
                                       "<>,;\"()[]\\)", o->id, o->emails[i]);
                        r = -EINVAL;
                }
        return r;
}

static bool owner_taken(const struct config *c, size_t upto, const struct owner *o) {
        for (size_t i = 0; i < upto; i++) {
                const struct owner *other = &c->owners[i];

                /* An owner before whose id or name could not be read (reported)
                 * takes neither. */
                if ((other->id && strcmp(other->id, o->id) == 0) ||
                    (other->name && strcmp(other->name, o->name) == 0))
                        return true;
        }
        return false;
}

/* Everything but the reminders override, which may name other owners. */
static int read_owner(struct confread *cr, const config_setting_t *g, size_t i) {
        struct owner *o = &cr->config->owners[i];
        int r = 0;

        o->source = confread_source(cr, g);
        if (!confread_known_keys(cr, g, "owner", owner_keys))
                r = -EINVAL;
        if (confread_id(cr, g, "id", CONF_ID_MAX, &o->id) <= 0 || confread_string(cr, g, "name", true, &o->name) <= 0)
                return -EINVAL;
        if (owner_taken(cr->config, i, o)) {
                confread_error(cr, g, "duplicate owner: id \"%s\" or name \"%s\" is taken", o->id,
                               o->name);
                r = -EINVAL;
        }
        if (confread_strings(cr, g, "email", false, &o->emails, &o->n_emails) < 0 ||
            check_emails(cr, g, o) < 0 ||
            confread_strings(cr, g, "mobile", false, &o->mobiles, &o->n_mobiles) < 0 ||
            read_owner_channels(cr, g, o) < 0 || conf_feed_read_owner(cr, g, o) < 0)
                r = -EINVAL;
        return r;
}

static int read_owners(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        const config_setting_t *list, *g;
        int r = 0;

        if (confread_list(cr, root, "owners", true, &list) <= 0)
                return -EINVAL;
        c->owners = calloc((size_t) config_setting_length(list) + 1, sizeof *c->owners);
        if (!c->owners)
                return -ENOMEM;
        for (int i = 0; i < config_setting_length(list); i++) {
                if (read_owner(cr, config_setting_get_elem(list, (unsigned) i), (size_t) i) < 0)
                        r = -EINVAL;
                c->n_owners++;
        }
        if (r < 0)
                return r;
        if (conf_feed_check_slugs(cr, list) < 0)
                return -EINVAL;
        for (size_t i = 0; i < c->n_owners; i++) {
                g = config_setting_get_elem(list, (unsigned) i);
                if (confread_group(cr, g, "reminders", false, &g) == 1 &&
                    conf_policy_read(cr, g, &c->owners[i].policy) < 0)
                        r = -EINVAL;
        }
        return r;
}

static int read_defaults(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        const config_setting_t *g;
        struct policy given;
        int k = confread_group(cr, root, "reminders", false, &g);

        conf_policy_defaults(&c->defaults);
        if (k <= 0)
                return k;
        if (conf_policy_read(cr, g, &given) < 0)
                return -EINVAL;
        /* The built-in defaults fill whatever the file leaves out. */
        if (given.has_time)
                c->defaults.minute_of_day = given.minute_of_day;
        if (given.has_leads) {
                memcpy(c->defaults.leads, given.leads, sizeof given.leads);
                c->defaults.n_leads = given.n_leads;
        }
        if (given.has_overdue) {
                memcpy(c->defaults.overdue, given.overdue, sizeof given.overdue);
                c->defaults.n_overdue = given.n_overdue;
        }
        c->defaults.escalate_to = given.escalate_to;
        c->defaults.escalate_after = given.escalate_after;
        return 0;
}

static int read_holiday_files(struct confread *cr, const config_setting_t *root) {
        char **paths = NULL;
        size_t n = 0;
        int k = confread_strings(cr, root, "holidays", false, &paths, &n), r = k < 0 ? k : 0;

        cr->config->calendar = workdays_new();
        if (!cr->config->calendar)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                char *path = confread_resolve_path(cr->config->path, paths[i]);

                if (!path || conf_holidays_load(cr, path, cr->config->calendar) < 0)
                        r = -EINVAL;
                free(path);
        }
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
        return r;
}

static int check_ledger_ids(struct confread *cr) {
        const struct config *c = cr->config;
        int r = 0;

        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t j = 0; j < i; j++)
                        if (c->ledgers[i].id && c->ledgers[j].id &&
                            strcmp(c->ledgers[i].id, c->ledgers[j].id) == 0) {
                                diag_add(cr->diags, DIAG_ERROR, c->ledgers[i].source.file,
                                         c->ledgers[i].source.line,
                                         "duplicate ledger id \"%s\" (also in %s)",
                                         c->ledgers[i].id, c->ledgers[j].source.file);
                                r = -EINVAL;
                        }
        return r;
}

/* Ledgers last: their tasks name owners, and their years want holidays. */
static int read_ledger_files(struct confread *cr, const config_setting_t *root) {
        struct config *c = cr->config;
        char **paths = NULL;
        size_t n = 0;
        int k = confread_strings(cr, root, "ledgers", true, &paths, &n), r = k == 1 ? 0 : -EINVAL;

        c->ledgers = calloc(n + 1, sizeof *c->ledgers);
        if (!c->ledgers)
                r = -ENOMEM;
        for (size_t i = 0; c->ledgers && i < n; i++) {
                char *path = confread_resolve_path(c->path, paths[i]);

                if (!path || conf_ledger_load(cr, path, &c->ledgers[c->n_ledgers++]) < 0)
                        r = -EINVAL;
                free(path);
        }
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
        return r < 0 ? r : check_ledger_ids(cr);
}

static void warn_uncovered_years(struct confread *cr) {
        const struct config *c = cr->config;

        for (size_t i = 0; i < c->n_ledgers; i++)
                if (!workdays_covers(c->calendar, c->ledgers[i].year))
                        diag_add(cr->diags, DIAG_WARNING, c->ledgers[i].source.file,
                                 c->ledgers[i].source.line,
                                 "no holiday calendar covers %d: only weekends count as days "
                                 "off, so reminders may fall on public holidays",
                                 c->ledgers[i].year);
}

static int read_main(struct confread *cr, const config_setting_t *root) {
        int r = 0;

        if (!confread_known_keys(cr, root, "ledgerd.conf", main_keys))
                r = -EINVAL;
        if (read_settings(cr, root) < 0 || read_feed(cr, root) < 0 || read_channels(cr, root) < 0)
                r = -EINVAL;
        if (conf_delivery_read(cr, root) < 0)
                r = -EINVAL;
        /* Owners, defaults and ledgers refer to each other in that order. */
        if (read_owners(cr, root) < 0)
                return -EINVAL;
        if (read_defaults(cr, root) < 0 || read_holiday_files(cr, root) < 0)
                r = -EINVAL;
        if (read_ledger_files(cr, root) < 0)
                r = -EINVAL;
        if (r == 0)
                warn_uncovered_years(cr);
        return r;
}

int conf_load(const char *path, struct config **out, struct diagnostics *diags) {
        struct confread cr = { .diags = diags };
        size_t errors_before = diags->n_errors;
        config_t cfg;
        int r;

        *out = NULL;
        cr.config = calloc(1, sizeof *cr.config);
        if (!cr.config)
                return -ENOMEM;
        cr.config->path = strdup(path);
        if (!cr.config->path) {
                config_free(cr.config);
                return -ENOMEM;
        }
        config_init(&cfg);
        r = confread_file(&cr, &cfg, path);
        if (r == 0)
                r = read_main(&cr, config_root_setting(&cfg));
        config_destroy(&cfg);
        /* libconfig's freed tree leaves the heap in thousands of small holes,
         * which slow every later allocation (the feed renderer makes many):
         * give them back once. */
        malloc_trim(0);
        if (r < 0 || diags->n_errors > errors_before) {
                config_free(cr.config);
                return r < 0 ? r : -EINVAL;
        }
        *out = cr.config;
        return 0;
}
