/* SPDX-License-Identifier: MIT */
/* The "feed" group and the feed side of each owner: the calendars' name and
 * refresh, where the feeds are served, under which links, and which owners'
 * feeds need a secret token. */

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "basic/text.h"
#include "conf/conf-internal.h"
#include "http/netaddr.h"

#define SLUG_MAX 64
#define TOKEN_MIN 16
#define TOKEN_MAX 128

/* RFC 5545 durations only: "PT6H", "P1D". "P6H" is a classic mistake. */
static int check_refresh(const struct conftable_value *v) {
        const char *refresh = conftable_text(v);
        struct icaldurationtype d = icaldurationtype_from_string(refresh);

        if (!icaldurationtype_is_bad_duration(d) && icaldurationtype_as_int(d) > 0)
                return 0;
        confread_error(v->cr, v->setting,
                       "'refresh' must be an iCalendar duration such as \"PT6H\", not \"%s\"",
                       refresh);
        return -EINVAL;
}

static bool listen_taken(char **listen, size_t upto, const char *s) {
        for (size_t i = 0; i < upto; i++)
                if (strcmp(listen[i], s) == 0)
                        return true;
        return false;
}

static int check_listen(const struct conftable_value *v) {
        const struct feed_settings *f = v->target;
        int r = 0;

        for (size_t i = 0; i < f->n_listen; i++) {
                struct sockaddr_storage ss;
                socklen_t len;

                if (netaddr_parse(f->listen[i], &ss, &len) < 0) {
                        confread_error(v->cr, v->setting, "'listen': \"%s\" is not ADDRESS:PORT "
                                       "such as \"127.0.0.1:8080\" or \"[::1]:8080\" (numeric "
                                       "addresses only)", f->listen[i]);
                        r = -EINVAL;
                } else if (listen_taken(f->listen, i, f->listen[i])) {
                        confread_error(v->cr, v->setting, "'listen': \"%s\" is given twice",
                                       f->listen[i]);
                        r = -EINVAL;
                }
        }
        return r;
}

/* http:// or https://, then a host and maybe a path; nothing that would
 * need escaping in a link. A trailing '/' is dropped. */
static bool base_url_valid(char *url) {
        size_t n = strlen(url);
        size_t scheme = strncmp(url, "https://", 8) == 0  ? 8
                        : strncmp(url, "http://", 7) == 0 ? 7
                                                          : 0;

        if (scheme == 0 || n == scheme)
                return false;
        for (const char *p = url; *p; p++)
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f ||
                    strchr("\"'<>\\`", *p))
                        return false;
        while (n > scheme && url[n - 1] == '/')
                url[--n] = '\0';
        return n > scheme && url[scheme] != '/';
}

/* Without base_url, the links name the first address served, which is
 * known only once the sockets are (systemd may pass others than listen). */
static int check_base_url(const struct conftable_value *v) {
        struct feed_settings *f = v->target;
        struct sockaddr_storage ss;
        socklen_t len;

        if (v->setting && !base_url_valid(f->base_url)) {
                confread_error(v->cr, v->setting,
                               "'base_url' must be http://HOST[:PORT][/PATH] or https://…, with "
                               "no spaces, quotes or <>, not \"%s\"", f->base_url);
                return -EINVAL;
        }
        if (!v->setting && f->n_listen > 0 && netaddr_parse(f->listen[0], &ss, &len) == 0 &&
            netaddr_is_wildcard((struct sockaddr *) &ss))
                confread_warning(v->cr, conftable_setting(v, "listen"),
                                 "'listen': \"%s\" is every address and no 'base_url' is set: "
                                 "the feed links name an address no client can reach; set "
                                 "base_url = \"http://HOST:PORT\"", f->listen[0]);
        return 0;
}

static int check_directory(const struct conftable_value *v) {
        return conf_check_path(v, "'directory' must name a directory, not \"\"");
}

#define FEED(field) offsetof(struct feed_settings, field)

/* An unknown key stops the group: nothing of a feed half understood is
 * served. A name or refresh of the wrong type stops it too. */
static const struct conftable_key feed_keys[] = {
        CONFTABLE_KEY("name", CONFTABLE_STRING, .flags = CONFTABLE_STOP_UNREAD,
                      .offset = FEED(name), .def = "ledgerd 台账"),
        CONFTABLE_KEY("refresh", CONFTABLE_STRING, .flags = CONFTABLE_STOP_UNREAD,
                      .offset = FEED(refresh), .def = "PT6H", .check = check_refresh),
        CONFTABLE_KEY("listen", CONFTABLE_STRINGS, .offset = FEED(listen),
                      .count_offset = FEED(n_listen), .check = check_listen),
        CONFTABLE_KEY("base_url", CONFTABLE_STRING, .flags = CONFTABLE_CHECK_ABSENT,
                      .offset = FEED(base_url), .check = check_base_url),
        CONFTABLE_KEY("directory", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = FEED(directory), .check = check_directory),
};
const struct conftable conf_feed_table = {
        .what = "feed", CONFTABLE_KEYS(feed_keys), .stop_on_unknown = true,
};

/* A path segment that reads well and needs no escaping: letters, digits,
 * '.', '_', '-', and no leading '.' (no "..", no hidden files). */
static bool slug_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= SLUG_MAX && s[0] != '.' && text_ascii_word(s, "._-");
}

int conf_feed_check_slug(const struct conftable_value *v) {
        struct owner *o = v->target;

        if (!v->setting)
                return (o->feed_slug = strdup(o->id)) ? 0 : -ENOMEM;
        if (slug_valid(o->feed_slug))
                return 0;
        confread_error(v->cr, v->setting,
                       "owner %s: 'feed_slug' must be 1 to %d ASCII letters, digits, '.', '_' or "
                       "'-', not starting with '.', not \"%s\"", o->id, SLUG_MAX, o->feed_slug);
        return -EINVAL;
}

static bool token_valid(const char *s) {
        size_t n = strlen(s);

        return n >= TOKEN_MIN && n <= TOKEN_MAX && text_ascii_word(s, "_-");
}

int conf_feed_check_token(const struct conftable_value *v) {
        const struct owner *o = v->target;

        if (token_valid(o->feed_token))
                return 0;
        /* The message does not repeat the token: it is a secret. */
        confread_error(v->cr, v->setting,
                       "owner %s: 'feed_token' must be %d to %d ASCII letters, digits, '_' or "
                       "'-', such as the output of: head -c 24 /dev/urandom | base64 | tr '+/' "
                       "'-_'", o->id, TOKEN_MIN, TOKEN_MAX);
        return -EINVAL;
}

/* Where to point a message about owner i's slug. */
static const config_setting_t *slug_setting(const config_setting_t *owners, size_t i) {
        const config_setting_t *g = config_setting_get_elem(owners, (unsigned) i);
        const config_setting_t *s = config_setting_get_member(g, "feed_slug");

        return s ? s : g;
}

/* Slugs differ ignoring case, so that the files of a feed directory do not
 * collide on a case-insensitive file system; "ledger" is the feed of all. */
int conf_feed_check_slugs(struct confread *cr, const config_setting_t *owners) {
        const struct config *c = cr->config;
        int r = 0;

        for (size_t i = 0; i < c->n_owners; i++) {
                const struct owner *o = &c->owners[i];

                if (!o->feed_slug)
                        continue;
                if (strcasecmp(o->feed_slug, "ledger") == 0) {
                        confread_error(cr, slug_setting(owners, i),
                                       "owner %s: the feed address /%s.ics is the feed of every "
                                       "milestone: set another 'feed_slug'", o->id, o->feed_slug);
                        r = -EINVAL;
                }
                for (size_t j = 0; j < i; j++) {
                        const char *other = c->owners[j].feed_slug;

                        if (!other || strcasecmp(other, o->feed_slug) != 0)
                                continue;
                        confread_error(cr, slug_setting(owners, i),
                                       "owner %s: feed slug \"%s\" is owner %s's already (slugs "
                                       "must differ, ignoring case)", o->id, o->feed_slug,
                                       c->owners[j].id);
                        r = -EINVAL;
                }
        }
        return r;
}
