/* SPDX-License-Identifier: MIT */
/* The "delivery" group: how late a missed reminder is still sent, how long a
 * failed one is retried, the SMTP server (none: a Maildir outbox), and the
 * message templates. Every setting has a default, so the group may be left
 * out. Secrets are only named here: the service reads them when it starts
 * sending (secret.h), so that --check works without access to them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "notify/mail.h"
#include "notify/message.h"
#include "notify/secret.h"

#define MINUTE 60L
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define DURATION_MAX (366 * DAY)
#define DEFAULT_FROM "ledgerd@localhost"

static const char *const delivery_keys[] = {
        "catch_up", "give_up", "timeout", "smtp", "templates", NULL,
};
static const char *const smtp_keys[] = {
        "url", "tls", "from", "from_name", "user", "password_file", "password",
        "allow_inline_password", "ca_file", NULL,
};
static const char *const templates_keys[] = {
        "upcoming", "due", "overdue", "escalation", "digest_subject", "footer", NULL,
};
static const char *const template_keys[] = { "subject", "body", NULL };

/* ---- durations ---------------------------------------------------------------- */

/* "30s", "15m", "12h", "3d" → seconds; nothing else, not even "1h30m": a
 * number and one unit read the same to everyone. */
static int duration_parse(const char *s, long *out) {
        long n = 0, unit;
        const char *p = s;

        for (; *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (*p - '0');
                if (n > DURATION_MAX)
                        return -ERANGE;
        }
        if (p == s || p[0] == '\0' || p[1] != '\0')
                return -EINVAL;
        switch (*p) {
        case 's': unit = 1; break;
        case 'm': unit = MINUTE; break;
        case 'h': unit = HOUR; break;
        case 'd': unit = DAY; break;
        default: return -EINVAL;
        }
        if (n > DURATION_MAX / unit)
                return -ERANGE;
        *out = n * unit;
        return 0;
}

/* The duration key of g into *out (left alone when absent), min…max seconds;
 * the range's words are for the message. */
static int read_duration(struct confread *cr, const config_setting_t *g, const char *key,
                         long min, long max, const char *range, long *out) {
        char *s = NULL;
        long v = 0;
        int k = confread_string(cr, g, key, false, &s), r = 0, p;

        if (k <= 0)
                return k;
        p = duration_parse(s, &v);
        if (p == -EINVAL) {
                confread_error(cr, config_setting_get_member(g, key),
                               "'%s' must be a duration: a whole number and s, m, h or d, such "
                               "as \"30s\", \"15m\", \"12h\" or \"3d\"; not \"%s\"", key, s);
                r = -EINVAL;
        } else if (p < 0 || v < min || v > max) {
                confread_error(cr, config_setting_get_member(g, key), "'%s' must be %s, not \"%s\"",
                               key, range, s);
                r = -EINVAL;
        } else
                *out = v;
        free(s);
        return r;
}

/* ---- smtp -------------------------------------------------------------------------- */

/* smtp:// or smtps://, a host, maybe a port and a path (libcurl's EHLO
 * name); no user or password, which have settings of their own. */
static const char *smtp_url_problem(const char *url) {
        size_t scheme = strncmp(url, "smtp://", 7) == 0    ? 7
                        : strncmp(url, "smtps://", 8) == 0 ? 8
                                                           : 0;
        size_t authority;

        if (scheme == 0)
                return "must start with smtp:// (STARTTLS) or smtps:// (TLS from the start)";
        for (const char *p = url; *p; p++)
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f ||
                    strchr("\"'<>\\`", *p))
                        return "must hold no spaces, quotes, <> or characters beyond ASCII";
        authority = strcspn(url + scheme, "/?#");
        if (memchr(url + scheme, '@', authority))
                return "must not hold a user or password: set 'user' and 'password_file'";
        if (authority == 0 || url[scheme] == ':')
                return "must name a host: smtp://HOST[:PORT]";
        return NULL;
}

static int read_url(struct confread *cr, const config_setting_t *g, struct smtp_settings *s) {
        int k = confread_string(cr, g, "url", false, &s->url);
        const char *problem;

        if (k <= 0)
                return k;
        problem = smtp_url_problem(s->url);
        if (problem) {
                /* Not repeated: it might hold a password. */
                confread_error(cr, config_setting_get_member(g, "url"), "smtp 'url' %s", problem);
                return -EINVAL;
        }
        return 0;
}

static int read_tls(struct confread *cr, const config_setting_t *g, struct smtp_settings *s) {
        char *tls = NULL;
        int k = confread_string(cr, g, "tls", false, &tls), r = k < 0 ? -EINVAL : 0;

        s->tls_required = true;
        if (k == 1 && strcmp(tls, "none") == 0)
                s->tls_required = false;
        else if (k == 1 && strcmp(tls, "required") != 0) {
                confread_error(cr, config_setting_get_member(g, "tls"),
                               "smtp 'tls' must be \"required\" (STARTTLS) or \"none\", not \"%s\"",
                               tls);
                r = -EINVAL;
        }
        if (!s->tls_required && s->url && strncmp(s->url, "smtps://", 8) == 0) {
                confread_error(cr, config_setting_get_member(g, "tls"),
                               "smtp 'tls' = \"none\" contradicts 'url' smtps://, which is TLS "
                               "from the start: use smtp:// or drop 'tls'");
                r = -EINVAL;
        }
        free(tls);
        return r;
}

static bool has_controls(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static int read_from(struct confread *cr, const config_setting_t *g, struct smtp_settings *s) {
        int k = confread_string(cr, g, "from", s->url != NULL, &s->from), r = 0;

        if (k < 0)
                return -EINVAL;
        if (k == 0 && !(s->from = strdup(DEFAULT_FROM)))
                return -ENOMEM;
        if (k == 0 && s->url)
                r = -EINVAL; /* reported: required with a server */
        if (k == 1 && !mail_address_valid(s->from)) {
                confread_error(cr, config_setting_get_member(g, "from"),
                               "smtp 'from' must be an e-mail address such as "
                               "\"ledgerd@example.org\" (ASCII, no spaces or <>,;\"()[]\\), not "
                               "\"%s\"", s->from);
                r = -EINVAL;
        }
        k = confread_string(cr, g, "from_name", false, &s->from_name);
        if (k < 0)
                return -EINVAL;
        if (k == 1 && has_controls(s->from_name)) {
                confread_error(cr, config_setting_get_member(g, "from_name"),
                               "smtp 'from_name' must be one line without control characters");
                r = -EINVAL;
        }
        return r;
}

/* An inline password only when the file says it means it: ledgerd.conf is
 * often readable by every member of the admin group, or by everyone. */
static int read_password(struct confread *cr, const config_setting_t *g, struct smtp_settings *s) {
        const config_setting_t *pw = config_setting_get_member(g, "password");
        bool allow = false;
        int r = 0;

        if (confread_bool(cr, g, "allow_inline_password", false, &allow) < 0 ||
            confread_string(cr, g, "password", false, &s->password) < 0 ||
            conf_read_secret(cr, g, "password_file", &s->password_file) < 0)
                return -EINVAL;
        if (s->password && !allow) {
                /* The message does not repeat the password. */
                confread_error(cr, pw, "smtp 'password' in the configuration file is refused: put "
                               "it in a file only ledgerd can read and name it with "
                               "password_file = \"/etc/ledgerd/secrets/smtp\" (or "
                               "\"credential:smtp\" for a systemd credential), or set "
                               "allow_inline_password = true");
                r = -EINVAL;
        }
        if (s->password && allow && !s->password[0]) {
                confread_error(cr, pw, "smtp 'password' is empty");
                r = -EINVAL;
        }
        if (s->password && s->password_file) {
                confread_error(cr, pw, "smtp: give 'password' or 'password_file', not both");
                r = -EINVAL;
        }
        if ((s->password || s->password_file) && !s->user) {
                confread_error(cr, pw ? pw : config_setting_get_member(g, "password_file"),
                               "smtp: a password needs a 'user' to log in as");
                r = -EINVAL;
        }
        if (s->user && !s->password && !s->password_file) {
                confread_error(cr, config_setting_get_member(g, "user"),
                               "smtp 'user' needs 'password_file' (or 'password')");
                r = -EINVAL;
        }
        return r;
}

/* Settings that mean nothing without a server: the outbox takes the mail. */
static void warn_unused(struct confread *cr, const config_setting_t *g) {
        static const char *const keys[] = { "tls", "user", "password_file", "password", "ca_file" };

        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
                if (config_setting_get_member(g, keys[i]))
                        confread_warning(cr, config_setting_get_member(g, keys[i]),
                                         "smtp '%s' has no effect without 'url': messages go to "
                                         "the outbox, %s/outbox", keys[i],
                                         cr->config->state_directory ? cr->config->state_directory
                                                                    : "the state directory");
}

static int read_ca_file(struct confread *cr, const config_setting_t *g, struct smtp_settings *s) {
        char *given = NULL;
        int k = confread_string(cr, g, "ca_file", false, &given);

        if (k <= 0)
                return k;
        if (!given[0]) {
                confread_error(cr, config_setting_get_member(g, "ca_file"),
                               "smtp 'ca_file' must name a file, not \"\"");
                free(given);
                return -EINVAL;
        }
        s->ca_file = confread_resolve_path(cr->config->path, given);
        free(given);
        return s->ca_file ? 0 : -ENOMEM;
}

/* d: the delivery group, or NULL. */
static int read_smtp(struct confread *cr, const config_setting_t *d, struct smtp_settings *s) {
        const config_setting_t *g = NULL;
        int k = d ? confread_group(cr, d, "smtp", false, &g) : 0, r = 0;

        s->tls_required = true;
        if (k < 0)
                return -EINVAL;
        if (k == 0)
                return (s->from = strdup(DEFAULT_FROM)) ? 0 : -ENOMEM;
        if (!confread_known_keys(cr, g, "smtp", smtp_keys))
                r = -EINVAL;
        /* Each on its own, so that one run reports every problem. */
        if (read_url(cr, g, s) < 0)
                r = -EINVAL;
        if (read_tls(cr, g, s) < 0)
                r = -EINVAL;
        if (read_from(cr, g, s) < 0)
                r = -EINVAL;
        if (confread_string(cr, g, "user", false, &s->user) < 0 || read_password(cr, g, s) < 0)
                r = -EINVAL;
        if (read_ca_file(cr, g, s) < 0)
                r = -EINVAL;
        if (r == 0 && !s->url)
                warn_unused(cr, g);
        if (r == 0 && s->url && !s->tls_required && (s->password || s->password_file))
                confread_warning(cr, config_setting_get_member(g, "tls"),
                                 "smtp 'tls' = \"none\": the password crosses the network in "
                                 "clear text");
        return r;
}

/* ---- templates ------------------------------------------------------------------- */

/* One template string: the given one if it checks, else the default. */
static int read_template(struct confread *cr, const config_setting_t *g, const char *key,
                         const char *what, const char *fallback, const char **out) {
        char *s = NULL, bad[64];
        int k = g ? confread_string(cr, g, key, false, &s) : 0;

        if (k < 0)
                return -EINVAL;
        if (k == 0)
                return (*out = strdup(fallback)) ? 0 : -ENOMEM;
        *out = s;
        if (message_template_check(s, bad, sizeof bad) == 0)
                return 0;
        if (strcmp(bad, "{") == 0)
                confread_error(cr, config_setting_get_member(g, key),
                               "template %s: a '{' is not closed (write \"{{\" for a brace)", what);
        else
                confread_error(cr, config_setting_get_member(g, key),
                               "template %s: unknown placeholder %s (see ledgerd.conf(5) for the "
                               "list)", what, bad);
        return -EINVAL;
}

static int read_kind(struct confread *cr, const config_setting_t *templates, enum reminder_kind kind,
                     struct message_template *out) {
        const struct message_template *fallback = &message_defaults()->kinds[kind];
        const char *name = reminder_kind_name(kind);
        const config_setting_t *g = NULL;
        char what[64];
        int r = 0;

        if (templates && confread_group(cr, templates, name, false, &g) < 0)
                return -EINVAL;
        if (g && !confread_known_keys(cr, g, name, template_keys))
                r = -EINVAL;
        snprintf(what, sizeof what, "%s.subject", name);
        if (read_template(cr, g, "subject", what, fallback->subject, &out->subject) < 0)
                r = -EINVAL;
        snprintf(what, sizeof what, "%s.body", name);
        if (read_template(cr, g, "body", what, fallback->body, &out->body) < 0)
                r = -EINVAL;
        return r;
}

/* Field by field: what the file leaves out is the built-in Chinese text.
 * d: the delivery group, or NULL. */
static int read_templates(struct confread *cr, const config_setting_t *d,
                          struct message_templates *t) {
        const struct message_templates *defaults = message_defaults();
        const config_setting_t *g = NULL;
        int r = 0;

        if (d && confread_group(cr, d, "templates", false, &g) < 0)
                r = -EINVAL;
        if (g && !confread_known_keys(cr, g, "templates", templates_keys))
                r = -EINVAL;
        for (int k = 0; k < MESSAGE_KINDS; k++)
                if (read_kind(cr, g, (enum reminder_kind) k, &t->kinds[k]) < 0)
                        r = -EINVAL;
        if (read_template(cr, g, "digest_subject", "digest_subject", defaults->digest_subject,
                          &t->digest_subject) < 0 ||
            read_template(cr, g, "footer", "footer", defaults->footer, &t->footer) < 0)
                r = -EINVAL;
        return r;
}

/* ---- the group ------------------------------------------------------------------- */

int conf_delivery_read(struct confread *cr, const config_setting_t *root) {
        struct delivery_settings *d = &cr->config->delivery;
        const config_setting_t *g = NULL;
        int r = 0;

        d->catch_up = 3 * DAY;
        d->give_up = 3 * DAY;
        d->timeout = 30;
        d->templates = calloc(1, sizeof *d->templates);
        if (!d->templates)
                return -ENOMEM;
        /* Without the group (or with a wrong one, reported), the defaults. */
        if (confread_group(cr, root, "delivery", false, &g) < 0)
                r = -EINVAL;
        if (g && !confread_known_keys(cr, g, "delivery", delivery_keys))
                r = -EINVAL;
        if (g && read_duration(cr, g, "catch_up", 0, DURATION_MAX, "0s to 366d", &d->catch_up) < 0)
                r = -EINVAL;
        if (g && read_duration(cr, g, "give_up", 0, DURATION_MAX, "0s to 366d", &d->give_up) < 0)
                r = -EINVAL;
        if (g && read_duration(cr, g, "timeout", 1, HOUR, "1s to 1h", &d->timeout) < 0)
                r = -EINVAL;
        if (read_smtp(cr, g, &d->smtp) < 0)
                r = -EINVAL;
        if (read_templates(cr, g, d->templates) < 0)
                r = -EINVAL;
        return r;
}

/* ---- secrets --------------------------------------------------------------------- */

int conf_read_secret(struct confread *cr, const config_setting_t *g, const char *key, char **out) {
        char *given = NULL;
        int k = confread_string(cr, g, key, false, &given);

        if (k <= 0)
                return k;
        if (!secret_spec_valid(given)) {
                confread_error(cr, config_setting_get_member(g, key),
                               "'%s' must name a file, or a systemd credential as "
                               "\"credential:NAME\" (NAME without '/'), not \"%s\"", key, given);
                free(given);
                return -EINVAL;
        }
        if (strncmp(given, SECRET_CREDENTIAL_PREFIX, strlen(SECRET_CREDENTIAL_PREFIX)) == 0) {
                *out = given;
                return 1;
        }
        *out = confread_resolve_path(cr->config->path, given);
        free(given);
        return *out ? 1 : -ENOMEM;
}
