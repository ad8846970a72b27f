/* SPDX-License-Identifier: MIT */
/* The "delivery" group: how late a missed reminder is still sent, how long a
 * failed one is retried, the SMTP server (none: a Maildir outbox), and the
 * message templates. Every setting has a default, so the group may be left
 * out. Secrets are named here and their files looked at, not read: the
 * service reads them when it starts sending (secret.h), so that --check
 * needs no permission to read them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf-internal.h"
#include "notify/mail.h"
#include "notify/message.h"

#define HOUR 3600L
#define DURATION_MAX (366 * 24 * HOUR)

/* ---- smtp -------------------------------------------------------------------------- */

/* What the smtp table reads into: the settings, and whether the file allows
 * a password written in it, which only the reading needs. */
struct smtp_read {
        struct smtp_settings smtp;
        bool allow_inline_password;
};

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

/* The text first, for the messages people know; then as libcurl, which
 * sends to it, reads it. */
static int check_url(const struct conftable_value *v) {
        static const char *const schemes[] = { "smtp", "smtps", NULL };
        const char *problem = smtp_url_problem(conftable_text(v)), *reason = NULL;
        int r = problem ? -EINVAL : conf_url_check(conftable_text(v), schemes, &reason);

        if (r == -ENOMEM)
                return r;
        if (r == -EDESTADDRREQ)
                problem = "must name a host: smtp://HOST[:PORT]";
        else if (r == -EPROTONOSUPPORT)
                problem = "must start with smtp:// (STARTTLS) or smtps:// (TLS from the start)";
        if (r == 0)
                return 0;
        /* Not repeated: it might hold a password. */
        if (problem)
                confread_error(v->cr, v->setting, "smtp 'url' %s", problem);
        else
                confread_error(v->cr, v->setting, "smtp 'url' is not an address libcurl can "
                               "send to: %s", reason);
        return -EINVAL;
}

/* "required" (STARTTLS with smtp://) or "none", into a bool. */
static int read_tls(const struct conftable_value *v) {
        struct smtp_settings *s = &((struct smtp_read *) v->target)->smtp;
        const char *tls = v->key->def;
        int r = 0;

        s->tls_required = true;
        if (v->setting && confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_STRING) < 0)
                r = -EINVAL;
        else if (v->setting)
                tls = config_setting_get_string(v->setting);
        if (r == 0 && strcmp(tls, "none") == 0)
                s->tls_required = false;
        else if (r == 0 && strcmp(tls, "required") != 0) {
                confread_error(v->cr, v->setting, "smtp 'tls' must be \"required\" (STARTTLS) or "
                               "\"none\", not \"%s\"", tls);
                r = -EINVAL;
        }
        if (!s->tls_required && s->url && strncmp(s->url, "smtps://", 8) == 0) {
                confread_error(v->cr, v->setting,
                               "smtp 'tls' = \"none\" contradicts 'url' smtps://, which is TLS "
                               "from the start: use smtp:// or drop 'tls'");
                r = -EINVAL;
        }
        return r;
}

/* Required with a server; an address either way. */
static int check_from(const struct conftable_value *v) {
        const struct smtp_settings *s = &((const struct smtp_read *) v->target)->smtp;

        if (!v->setting && s->url) {
                confread_error(v->cr, v->group, "missing '%s'", v->key->key);
                return -EINVAL;
        }
        if (!v->setting || mail_address_valid(s->from))
                return 0;
        confread_error(v->cr, v->setting,
                       "smtp 'from' must be an e-mail address such as \"ledgerd@example.org\" "
                       "(ASCII, no spaces or <>,;\"()[]\\), not \"%s\"", s->from);
        return -EINVAL;
}

static int check_from_name(const struct conftable_value *v) {
        for (const char *p = conftable_text(v); *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                        confread_error(v->cr, v->setting,
                                       "smtp 'from_name' must be one line without control "
                                       "characters");
                        return -EINVAL;
                }
        return 0;
}

/* An inline password only when the file says it means it: ledgerd.conf is
 * often readable by every member of the admin group, or by everyone. */
static int check_password(const struct conftable_value *v) {
        const struct smtp_read *sr = v->target;
        const struct smtp_settings *s = &sr->smtp;
        const config_setting_t *pw = conftable_setting(v, "password");
        int r = 0;

        if (s->password && !sr->allow_inline_password) {
                /* The message does not repeat the password. */
                confread_error(v->cr, pw, "smtp 'password' in the configuration file is refused: "
                               "put it in a file only ledgerd can read and name it with "
                               "password_file = \"/etc/ledgerd/secrets/smtp\" (or "
                               "\"credential:smtp\" for a systemd credential), or set "
                               "allow_inline_password = true");
                r = -EINVAL;
        }
        if (s->password && sr->allow_inline_password && !s->password[0]) {
                confread_error(v->cr, pw, "smtp 'password' is empty");
                r = -EINVAL;
        }
        if (s->password && s->password_file) {
                confread_error(v->cr, pw, "smtp: give 'password' or 'password_file', not both");
                r = -EINVAL;
        }
        if ((s->password || s->password_file) && !s->user) {
                confread_error(v->cr, pw ? pw : conftable_setting(v, "password_file"),
                               "smtp: a password needs a 'user' to log in as");
                r = -EINVAL;
        }
        if (s->user && !s->password && !s->password_file) {
                confread_error(v->cr, conftable_setting(v, "user"),
                               "smtp 'user' needs 'password_file' (or 'password')");
                r = -EINVAL;
        }
        return r;
}

static int check_ca_file(const struct conftable_value *v) {
        return conf_check_path(v, "smtp 'ca_file' must name a file, not \"\"");
}

/* Settings that mean nothing without a server: the outbox takes the mail. */
static int warn_unused(const struct conftable_value *v) {
        static const char *const keys[] = { "tls", "user", "password_file", "password", "ca_file" };
        const char *state = v->cr->config->state_directory;

        if (((const struct smtp_read *) v->target)->smtp.url)
                return 0;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
                if (conftable_setting(v, keys[i]))
                        confread_warning(v->cr, conftable_setting(v, keys[i]),
                                         "smtp '%s' has no effect without 'url': messages go to "
                                         "the outbox, %s/outbox", keys[i],
                                         state ? state : "the state directory");
        return 0;
}

static int warn_clear_text(const struct conftable_value *v) {
        const struct smtp_settings *s = &((const struct smtp_read *) v->target)->smtp;

        if (s->url && !s->tls_required && (s->password || s->password_file))
                confread_warning(v->cr, conftable_setting(v, "tls"),
                                 "smtp 'tls' = \"none\": the password crosses the network in "
                                 "clear text");
        return 0;
}

#define SMTP(field) offsetof(struct smtp_read, smtp.field)

/* Each key on its own, so that one run reports every problem; the password
 * settings go together, and only once they read are they checked together. */
static const struct conftable_key smtp_keys[] = {
        CONFTABLE_KEY("url", CONFTABLE_STRING, .offset = SMTP(url), .check = check_url),
        CONFTABLE_KEY("tls", CONFTABLE_CUSTOM, .def = "required", .read = read_tls),
        CONFTABLE_KEY("from", CONFTABLE_STRING, .flags = CONFTABLE_CHECK_ABSENT,
                      .offset = SMTP(from), .def = "ledgerd@localhost", .check = check_from),
        CONFTABLE_KEY("from_name", CONFTABLE_STRING, .flags = CONFTABLE_AFTER_READ,
                      .offset = SMTP(from_name), .check = check_from_name),
        CONFTABLE_KEY("user", CONFTABLE_STRING, .offset = SMTP(user)),
        CONFTABLE_KEY("allow_inline_password", CONFTABLE_BOOL, .flags = CONFTABLE_AFTER,
                      .offset = offsetof(struct smtp_read, allow_inline_password),
                      .def = "false"),
        CONFTABLE_KEY("password", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = SMTP(password)),
        CONFTABLE_KEY("password_file", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = SMTP(password_file), .check = conf_check_secret),
        CONFTABLE_DO(check_password, .flags = CONFTABLE_AFTER),
        CONFTABLE_KEY("ca_file", CONFTABLE_STRING, .offset = SMTP(ca_file),
                      .check = check_ca_file),
        CONFTABLE_DO(warn_unused, .flags = CONFTABLE_IF_ALL_OK),
        CONFTABLE_DO(warn_clear_text, .flags = CONFTABLE_IF_ALL_OK),
};
static const struct conftable smtp_table = { .what = "smtp", CONFTABLE_KEYS(smtp_keys) };

/* Through struct smtp_read, whose extra field has no place in the model. */
static int read_smtp(const struct conftable_value *v) {
        struct smtp_read sr = { 0 };
        int r;

        if (v->setting && confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_GROUP) < 0)
                return -EINVAL;
        r = v->setting ? conftable_read(v->cr, &smtp_table, v->setting, &sr)
                       : conftable_defaults(v->cr, &smtp_table, &sr);
        ((struct delivery_settings *) v->target)->smtp = sr.smtp;
        return r;
}

/* ---- templates ------------------------------------------------------------------- */

/* One template, named for the message as "due.subject" or "footer". */
static int check_template(const struct conftable_value *v, const char *what) {
        char bad[64];

        if (message_template_check(conftable_text(v), bad, sizeof bad) == 0)
                return 0;
        if (strcmp(bad, "{") == 0)
                confread_error(v->cr, v->setting,
                               "template %s: a '{' is not closed (write \"{{\" for a brace)", what);
        else
                confread_error(v->cr, v->setting, "template %s: unknown placeholder %s (see "
                               "ledgerd.conf(5) for the list)", what, bad);
        return -EINVAL;
}

static int check_top_template(const struct conftable_value *v) {
        return check_template(v, v->key->key);
}

/* In a kind's group, whose table is named for the kind. */
static int check_kind_template(const struct conftable_value *v) {
        char what[64];

        snprintf(what, sizeof what, "%s.%s", v->run->table->what, v->key->key);
        return check_template(v, what);
}

/* Every template the file leaves out, field by field, is the built-in text. */
static const void *templates_defaults(void) {
        return message_defaults();
}

static const struct conftable_key kind_keys[] = {
        CONFTABLE_KEY("subject", CONFTABLE_STRING,
                      .offset = offsetof(struct message_template, subject),
                      .check = check_kind_template),
        CONFTABLE_KEY("body", CONFTABLE_STRING, .offset = offsetof(struct message_template, body),
                      .check = check_kind_template),
};

/* One table per kind of reminder, named for its key: "unknown key 'x' in
 * due", "template due.subject: …". */
#define KIND(k, name)                                                                         \
        CONFTABLE_KEY(name, CONFTABLE_GROUP,                                                  \
                      .offset = offsetof(struct message_templates, kinds[k]),                 \
                      .table = &(const struct conftable) { .what = name,                      \
                                                          CONFTABLE_KEYS(kind_keys) })

static const struct conftable_key templates_keys[] = {
        KIND(REMINDER_UPCOMING, "upcoming"),
        KIND(REMINDER_DUE_TODAY, "due"),
        KIND(REMINDER_OVERDUE, "overdue"),
        KIND(REMINDER_ESCALATION, "escalation"),
        CONFTABLE_KEY("digest_subject", CONFTABLE_STRING,
                      .offset = offsetof(struct message_templates, digest_subject),
                      .check = check_top_template),
        CONFTABLE_KEY("footer", CONFTABLE_STRING, .flags = CONFTABLE_AFTER,
                      .offset = offsetof(struct message_templates, footer),
                      .check = check_top_template),
};
static const struct conftable templates_table = {
        .what = "templates", CONFTABLE_KEYS(templates_keys), .defaults = templates_defaults,
};

/* Allocated even when absent or wrong (reported): the service always has
 * templates to write with. */
static int read_templates(const struct conftable_value *v) {
        struct delivery_settings *d = v->target;
        bool wrong = v->setting &&
                     confread_expect(v->cr, v->key->key, v->setting, CONFIG_TYPE_GROUP) < 0;
        int r;

        d->templates = calloc(1, sizeof *d->templates);
        if (!d->templates)
                return -ENOMEM;
        r = v->setting && !wrong
                    ? conftable_read(v->cr, &templates_table, v->setting, d->templates)
                    : conftable_defaults(v->cr, &templates_table, d->templates);
        return wrong && r == 0 ? -EINVAL : r;
}

/* ---- the group ------------------------------------------------------------------- */

#define DELIVERY(field) offsetof(struct delivery_settings, field)

static const struct conftable_key delivery_keys[] = {
        CONFTABLE_KEY("catch_up", CONFTABLE_DURATION, .offset = DELIVERY(catch_up), .def = "3d",
                      .min = 0, .max = DURATION_MAX, .range = "0s to 366d"),
        CONFTABLE_KEY("give_up", CONFTABLE_DURATION, .offset = DELIVERY(give_up), .def = "3d",
                      .min = 0, .max = DURATION_MAX, .range = "0s to 366d"),
        CONFTABLE_KEY("timeout", CONFTABLE_DURATION, .offset = DELIVERY(timeout), .def = "30s",
                      .min = 1, .max = HOUR, .range = "1s to 1h"),
        CONFTABLE_KEY("parallel", CONFTABLE_INT, .offset = DELIVERY(parallel), .def = "4",
                      .min = 1, .max = DELIVERY_PARALLEL_MAX, .range = "1 to 64"),
        CONFTABLE_KEY("smtp", CONFTABLE_CUSTOM, .read = read_smtp),
        CONFTABLE_KEY("templates", CONFTABLE_CUSTOM, .read = read_templates),
};
const struct conftable conf_delivery_table = { .what = "delivery", CONFTABLE_KEYS(delivery_keys) };
