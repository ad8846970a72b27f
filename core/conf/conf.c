/* SPDX-License-Identifier: MIT */
/* ledgerd.conf: the settings, the channels and the owners here; the feed,
 * delivery, reminder, holiday and ledger parts each in a file of its own. */

#include "conf/conf.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"
#include "conf/conf-internal.h"
#include "ledger/model-index.h"
#include "ledger/zone.h"
#include "notify/mail.h"

/* ---- channels ---------------------------------------------------------------------- */

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

/* A channel, and its format as written until it is known. */
struct channel_read {
        struct channel ch;
        const char *format;
};

/* After secret_file, as ever: its problems are reported first. */
static int check_format(const struct conftable_value *v) {
        struct channel_read *chr = v->target;

        if (channel_format_from_name(chr->format, &chr->ch.format) == 0)
                return 0;
        confread_error(v->cr, conftable_setting(v, "format"),
                       "channel %s: unknown format \"%s\" (json, slack, wecom, dingtalk, feishu)",
                       chr->ch.id, chr->format);
        return -EINVAL;
}

/* Once the format is known: the default is what the platform takes. */
static int check_rate_limit(const struct conftable_value *v) {
        struct channel *ch = &((struct channel_read *) v->target)->ch;
        int platform = channel_platform_limits[ch->format];

        if (!v->setting) {
                ch->rate_limit = channel_rate_limits[ch->format];
                return 0;
        }
        if (ch->rate_limit < 0) {
                confread_error(v->cr, v->setting, "channel %s: 'rate_limit' is messages per "
                               "minute, 0 for no limit, not %d", ch->id, ch->rate_limit);
                return -EINVAL;
        }
        if (platform > 0 && (ch->rate_limit == 0 || ch->rate_limit > platform))
                confread_warning(v->cr, v->setting, "channel %s: %s takes at most %d messages a "
                                 "minute and throttles or refuses more", ch->id,
                                 channel_format_name(ch->format), platform);
        return 0;
}

/* Checked here, not by three days of retries: an address libcurl reads as
 * http:// or https:// with a host. Last, so that the channel's other
 * problems are said too. */
static int check_url(const struct conftable_value *v) {
        static const char *const schemes[] = { "http", "https", NULL };
        const struct channel *ch = &((struct channel_read *) v->target)->ch;
        const config_setting_t *s = conftable_setting(v, "url");
        const char *reason = NULL;
        char shown[256];
        int r = conf_url_check(ch->url, schemes, &reason);

        conf_url_shown(ch->url, shown, sizeof shown);
        if (r == -EPROTONOSUPPORT)
                confread_error(v->cr, s, "channel \"%s\": url \"%s\" is not an http:// or "
                               "https:// address", ch->id, shown);
        else if (r == -EDESTADDRREQ)
                confread_error(v->cr, s, "channel \"%s\": url \"%s\" names no host: write "
                               "https://HOST[:PORT]/PATH", ch->id, shown);
        else if (r == -EINVAL)
                confread_error(v->cr, s, "channel \"%s\": url \"%s\" is not an address libcurl "
                               "can send to: %s", ch->id, shown, reason);
        return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

#define CHANNEL(field) offsetof(struct channel_read, ch.field)

static const struct conftable_key channel_keys[] = {
        CONFTABLE_KEY("id", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = CHANNEL(id), .max = CONF_ID_MAX, .check = conf_check_id),
        CONFTABLE_KEY("format", CONFTABLE_TEXT, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = offsetof(struct channel_read, format)),
        CONFTABLE_KEY("url", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = CHANNEL(url)),
        CONFTABLE_KEY("secret_file", CONFTABLE_STRING, .offset = CHANNEL(secret_file),
                      .check = conf_check_secret),
        CONFTABLE_DO(check_format),
        CONFTABLE_KEY("rate_limit", CONFTABLE_INT,
                      .flags = CONFTABLE_AFTER | CONFTABLE_CHECK_ABSENT,
                      .offset = CHANNEL(rate_limit), .check = check_rate_limit),
        /* 1 for a peer that needs its messages one after the other. */
        CONFTABLE_KEY("parallel", CONFTABLE_INT, .offset = CHANNEL(parallel), .min = 1,
                      .max = DELIVERY_PARALLEL_MAX, .range = "1 to 64"),
        CONFTABLE_DO(check_url),
};
static const struct conftable channel_table = { .what = "channel", CONFTABLE_KEYS(channel_keys) };

/* Every channel takes its place, read or not, so that owners find those
 * that are. */
static int read_channels(const struct conftable_value *v) {
        struct config *c = v->cr->config;
        int r = 0;

        if (!v->setting)
                return 0;
        if (confread_expect_groups(v->cr, v->key->key, v->setting) < 0)
                return -EINVAL;
        c->channels = calloc((size_t) config_setting_length(v->setting) + 1, sizeof *c->channels);
        if (!c->channels)
                return -ENOMEM;
        for (int i = 0; i < config_setting_length(v->setting); i++) {
                const config_setting_t *g = config_setting_get_elem(v->setting, (unsigned) i);
                struct channel_read chr = { .ch.source = confread_source(v->cr, g) };
                int k = conftable_read(v->cr, &channel_table, g, &chr);

                c->channels[c->n_channels] = chr.ch;
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        r = -EINVAL;
                else if (config_find_channel(c, chr.ch.id)) {
                        confread_error(v->cr, g, "duplicate channel id \"%s\"", chr.ch.id);
                        r = -EINVAL;
                }
                c->n_channels++;
        }
        return r;
}

/* ---- owners ------------------------------------------------------------------------ */

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

static int check_owner_unique(const struct conftable_value *v) {
        const struct owner *o = v->target;

        if (!owner_taken(v->cr->config, (size_t) (o - v->cr->config->owners), o))
                return 0;
        confread_error(v->cr, v->group, "duplicate owner: id \"%s\" or name \"%s\" is taken",
                       o->id, o->name);
        return -EINVAL;
}

/* Checked here, not when the first reminder is due. */
static int check_emails(const struct conftable_value *v) {
        const struct owner *o = v->target;
        int r = 0;

        for (size_t i = 0; i < o->n_emails; i++)
                if (!mail_address_valid(o->emails[i])) {
                        confread_error(v->cr, v->setting,
                                       "owner %s: \"%s\" is not an e-mail address such as "
                                       "\"name@example.org\" (ASCII, no spaces or "
                                       "<>,;\"()[]\\)", o->id, o->emails[i]);
                        r = -EINVAL;
                }
        return r;
}

/* An id Feishu gives: ASCII letters, digits, '_' and '-'. */
static int check_feishu_id(const struct conftable_value *v) {
        const struct owner *o = v->target;
        const char *id = o->feishu_user_id;

        if (*id && strlen(id) <= 64 && strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                  "0123456789_-") == strlen(id))
                return 0;
        confread_error(v->cr, v->setting, "owner %s: 'feishu_user_id' \"%s\" is not a Feishu id "
                       "such as \"ou_7d8a6e6df7621556ce0d21922b676706\"", o->id, id);
        return -EINVAL;
}

/* Feishu's bots mention by user id only: mobiles are no use there. */
static int check_feishu_mentions(const struct conftable_value *v) {
        const struct owner *o = v->target;

        for (size_t i = 0; o->n_mobiles > 0 && !o->feishu_user_id && i < o->n_channels; i++)
                if (o->channels[i]->format == CHANNEL_FEISHU)
                        confread_warning(v->cr, v->group, "owner %s: Feishu channel %s cannot "
                                         "@mention a mobile number: set 'feishu_user_id' (the "
                                         "person's open_id) to have %s mentioned there", o->id,
                                         o->channels[i]->id, o->name);
        return 0;
}

/* Channel ids into the channels; those before a non-string still are. */
static int read_owner_channels(const struct conftable_value *v) {
        struct owner *o = v->target;
        char **ids = NULL;
        size_t n = 0;
        int k = confread_strings(v->cr, v->key->key, v->setting, &ids, &n);
        int r = k < 0 ? k : 0;

        o->channels = calloc(n + 1, sizeof *o->channels);
        for (size_t i = 0; o->channels && i < n; i++) {
                const struct channel *ch = config_find_channel(v->cr->config, ids[i]);

                if (!ch) {
                        confread_error(v->cr, v->setting, "owner %s: no channel \"%s\" is defined",
                                       o->id, ids[i]);
                        r = -EINVAL;
                } else
                        o->channels[o->n_channels++] = ch;
        }
        strv_free(ids);
        return o->channels ? r : -ENOMEM;
}

/* The override may name other owners: read once every owner is. A group of
 * the wrong type is reported, but has never counted as the owner's failure:
 * what follows is read all the same. */
static int read_owner_reminders(const struct conftable_value *v) {
        struct owner *o = v->target;

        if (!v->setting || confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_GROUP) < 0)
                return 0;
        return conf_policy_read(v->cr, v->setting, &o->policy);
}

#define OWNER(field) offsetof(struct owner, field)

/* The contacts go in a chain: once one is wrong, the rest is not read. */
static const struct conftable_key owner_keys[] = {
        CONFTABLE_KEY("id", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = OWNER(id), .max = CONF_ID_MAX, .check = conf_check_id),
        CONFTABLE_KEY("name", CONFTABLE_STRING, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .offset = OWNER(name)),
        CONFTABLE_DO(check_owner_unique),
        CONFTABLE_KEY("email", CONFTABLE_STRINGS, .flags = CONFTABLE_STOP, .offset = OWNER(emails),
                      .count_offset = OWNER(n_emails), .check = check_emails),
        CONFTABLE_KEY("mobile", CONFTABLE_STRINGS, .flags = CONFTABLE_STOP,
                      .offset = OWNER(mobiles), .count_offset = OWNER(n_mobiles)),
        CONFTABLE_KEY("feishu_user_id", CONFTABLE_STRING, .flags = CONFTABLE_STOP,
                      .offset = OWNER(feishu_user_id), .check = check_feishu_id),
        CONFTABLE_KEY("channels", CONFTABLE_CUSTOM, .flags = CONFTABLE_STOP,
                      .read = read_owner_channels),
        CONFTABLE_DO(check_feishu_mentions),
        CONFTABLE_KEY("reminders", CONFTABLE_CUSTOM, .flags = CONFTABLE_SECOND,
                      .read = read_owner_reminders),
        CONFTABLE_KEY("feed_slug", CONFTABLE_STRING, .flags = CONFTABLE_CHECK_ABSENT,
                      .offset = OWNER(feed_slug), .check = conf_feed_check_slug),
        CONFTABLE_KEY("feed_token", CONFTABLE_STRING, .offset = OWNER(feed_token),
                      .check = conf_feed_check_token),
};
static const struct conftable owner_table = { .what = "owner", CONFTABLE_KEYS(owner_keys) };

/* Every owner, then the slugs across them, then the overrides, which may
 * name any owner: none of those if any owner is wrong. */
static int read_owners(const struct conftable_value *v) {
        struct config *c = v->cr->config;
        const config_setting_t *list = v->setting;
        int r = 0;

        if (confread_expect_groups(v->cr, v->key->key, list) < 0)
                return -EINVAL;
        c->owners = calloc((size_t) config_setting_length(list) + 1, sizeof *c->owners);
        if (!c->owners)
                return -ENOMEM;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);

                c->owners[i].source = confread_source(v->cr, g);
                if (conftable_read_first(v->cr, &owner_table, g, &c->owners[i]) < 0)
                        r = -EINVAL;
                c->n_owners++;
        }
        if (r < 0)
                return r;
        if (conf_feed_check_slugs(v->cr, list) < 0)
                return -EINVAL;
        for (size_t i = 0; i < c->n_owners; i++)
                if (conftable_read_second(v->cr, &owner_table,
                                          config_setting_get_elem(list, (unsigned) i),
                                          &c->owners[i]) < 0)
                        r = -EINVAL;
        return r;
}

/* ---- ledgerd.conf ------------------------------------------------------------------- */

static int check_zone(const struct conftable_value *v) {
        const struct config *c = v->target;
        const config_setting_t *s = conftable_setting(v, "timezone");

        if (zone_check(c->timezone) == 0)
                return 0;
        confread_error(v->cr, s ? s : v->group,
                       "unknown time zone \"%s\" (an Olson name such as Asia/Shanghai)",
                       c->timezone);
        return -EINVAL;
}

/* The built-in defaults fill whatever the file leaves out. */
static int read_defaults(const struct conftable_value *v) {
        struct config *c = v->target;
        struct policy given;

        conf_policy_defaults(&c->defaults);
        if (!v->setting)
                return 0;
        if (confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_GROUP) < 0 ||
            conf_policy_read(v->cr, v->setting, &given) < 0)
                return -EINVAL;
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

static int read_holiday_file(const struct conftable_value *v, const char *name) {
        struct config *c = v->target;
        char *path = confread_resolve_path(c->path, name);
        int r = 0;

        if (!path)
                return -ENOMEM;
        if (confread_check_file(v->cr, v->setting, v->key->key, path) < 0 ||
            conf_holidays_load(v->cr, path, c->calendar) < 0)
                r = -EINVAL;
        free(path);
        return r;
}

/* The calendar is there even without a file: weekends are days off. */
static int read_holiday_files(const struct conftable_value *v) {
        struct config *c = v->target;

        c->calendar = workdays_new();
        return c->calendar ? conftable_each_string(v, read_holiday_file) : -ENOMEM;
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

/* Each of paths made relative to the configuration's directory, in place. */
static int resolve_paths(const char *base, char **paths, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char *path = confread_resolve_path(base, paths[i]);

                if (!path)
                        return -ENOMEM;
                free(paths[i]);
                paths[i] = path;
        }
        return 0;
}

static int read_ledger_files(const struct conftable_value *v) {
        struct config *c = v->target;
        char **paths = NULL;
        size_t n = 0;
        int r = confread_strings(v->cr, v->key->key, v->setting, &paths, &n) == 1 ? 0 : -EINVAL;

        c->ledgers = calloc(n + 1, sizeof *c->ledgers);
        if (!c->ledgers || resolve_paths(c->path, paths, n) < 0)
                r = -ENOMEM;
        else {
                int loaded = conf_ledger_files_load(v->cr, v->setting, v->key->key, paths, n,
                                                    c->ledgers);

                c->n_ledgers = n;
                if (loaded < 0)
                        r = loaded;
        }
        strv_free(paths);
        return r < 0 ? r : check_ledger_ids(v->cr);
}

static int warn_uncovered_years(const struct conftable_value *v) {
        const struct config *c = v->target;

        for (size_t i = 0; i < c->n_ledgers; i++)
                if (!workdays_covers(c->calendar, c->ledgers[i].year))
                        diag_add(v->cr->diags, DIAG_WARNING, c->ledgers[i].source.file,
                                 c->ledgers[i].source.line,
                                 "no holiday calendar covers %d: only weekends count as days "
                                 "off, so reminders may fall on public holidays",
                                 c->ledgers[i].year);
        return 0;
}

#define CONFIG(field) offsetof(struct config, field)

/* In the order of reading: the settings, then what the owners name
 * (channels), the owners, and in the second pass what names the owners
 * (reminders, ledgers). A mistake in the settings, the feed or the channels
 * leaves those after it in that chain unread, and one in the owners, the
 * second pass. Of keys as near a typo, ledgers is suggested before owners. */
static const struct conftable_key main_keys[] = {
        CONFTABLE_KEY("timezone", CONFTABLE_STRING, .offset = CONFIG(timezone),
                      .def = "Asia/Shanghai"),
        CONFTABLE_KEY("state_directory", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = CONFIG(state_directory), .def = "/var/lib/ledgerd"),
        CONFTABLE_KEY("runtime_directory", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = CONFIG(runtime_directory), .def = "/run/ledgerd"),
        CONFTABLE_KEY("admin_group", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = CONFIG(admin_group), .def = "ledgerd-admin"),
        CONFTABLE_DO(check_zone, .flags = CONFTABLE_AFTER),
        CONFTABLE_KEY("feed", CONFTABLE_GROUP, .flags = CONFTABLE_AFTER, .offset = CONFIG(feed),
                      .table = &conf_feed_table),
        CONFTABLE_KEY("channels", CONFTABLE_CUSTOM, .flags = CONFTABLE_AFTER,
                      .read = read_channels),
        CONFTABLE_KEY("delivery", CONFTABLE_GROUP, .offset = CONFIG(delivery),
                      .table = &conf_delivery_table),
        CONFTABLE_KEY("reminders", CONFTABLE_CUSTOM, .flags = CONFTABLE_SECOND,
                      .read = read_defaults),
        CONFTABLE_KEY("holidays", CONFTABLE_CUSTOM, .flags = CONFTABLE_SECOND | CONFTABLE_AFTER,
                      .read = read_holiday_files),
        CONFTABLE_KEY("ledgers", CONFTABLE_CUSTOM, .flags = CONFTABLE_SECOND | CONFTABLE_REQUIRED,
                      .read = read_ledger_files),
        CONFTABLE_KEY("owners", CONFTABLE_CUSTOM, .flags = CONFTABLE_REQUIRED | CONFTABLE_STOP,
                      .read = read_owners),
        CONFTABLE_DO(warn_uncovered_years, .flags = CONFTABLE_SECOND | CONFTABLE_IF_ALL_OK),
};
static const struct conftable main_table = { .what = "ledgerd.conf", CONFTABLE_KEYS(main_keys) };

int conf_load(const char *path, struct config **out, struct diagnostics *diags) {
        return conf_reload(path, NULL, out, diags);
}

int conf_reload(const char *path, const struct config *previous, struct config **out,
                struct diagnostics *diags) {
        struct confread cr = { .diags = diags, .previous = previous };
        size_t errors_before = diags->n_errors;
        config_t cfg;
        int r;

        *out = NULL;
        cr.config = calloc(1, sizeof *cr.config);
        if (cr.config)
                cr.config->refs = 1;
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
                r = conftable_read(&cr, &main_table, config_root_setting(&cfg), cr.config);
        conf_ledger_load_done(&cr);
        config_destroy(&cfg);
        /* libconfig's freed tree leaves the heap in thousands of small holes,
         * which slow every later allocation (the feed renderer makes many):
         * give them back once. */
        malloc_trim(0);
        if (r >= 0 && diags->n_errors == errors_before)
                r = config_index_build(cr.config);
        if (r < 0 || diags->n_errors > errors_before) {
                config_free(cr.config);
                return r < 0 ? r : -EINVAL;
        }
        *out = cr.config;
        return 0;
}
