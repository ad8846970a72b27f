/* SPDX-License-Identifier: MIT */
#pragma once

/* The parts of conf_load(), one file each. */

#include "conf/confread.h"
#include "conf/conftable.h"
#include "ledger/workdays.h"

/* A "reminders = { … }" group into a policy override: only the fields given
 * get their has_* set. Owners must be loaded already (escalate_to). */
int conf_policy_read(struct confread *cr, const config_setting_t *group, struct policy *out);
/* The built-in defaults: 09:00, 14d 7d 3d 1d 0d before, 1wd 3wd 7wd after. */
void conf_policy_defaults(struct policy *out);

/* One ledger file. Owners must be loaded already. */
int conf_ledger_load(struct confread *cr, const char *path, struct ledger *out);
/* The ledger files at paths (resolved), named by the setting ref of key,
 * into ledgers[0..n), by several threads (conf-ledger-files.c); messages in
 * the files' order. Owners must be loaded already. 0, -EINVAL (reported) or
 * -ENOMEM. */
int conf_ledger_files_load(struct confread *cr, const config_setting_t *ref, const char *key,
                           char **paths, size_t n, struct ledger *ledgers);
/* At most this many threads read ledger files, the caller's included; 1:
 * the caller alone. For tests, which compare the two. */
extern size_t conf_ledger_threads;
/* Frees what the ledgers' reading kept for the load (cr->phrases). */
void conf_ledger_load_done(struct confread *cr);
/* Frees what l holds, not l (config-free.c): config_free() for each ledger,
 * and a ledger read in slices that is to be read whole after all. */
void conf_ledger_free(struct ledger *l);

/* One holiday calendar file into w: an iCalendar file (.ics) by
 * conf_holidays_load_ics(), else the libconfig format of cn-2025.conf. */
int conf_holidays_load(struct confread *cr, const char *path, struct workdays *w);
/* An iCalendar file of all-day events, told apart by their text: 休/放假 a
 * day off, 班/上班 a make-up working day. Errors name file and line. */
int conf_holidays_load_ics(struct confread *cr, const char *path, struct workdays *w);

/* The "feed" group (conf-feed.c); an owner's feed_slug (its id by default)
 * and feed_token, checks for the owners' table. */
extern const struct conftable conf_feed_table;
int conf_feed_check_slug(const struct conftable_value *v);
int conf_feed_check_token(const struct conftable_value *v);
/* Once every owner is read: slugs unique (ignoring case), none "ledger". */
int conf_feed_check_slugs(struct confread *cr, const config_setting_t *owners);

/* The "delivery" group (conf-delivery.c): durations, the SMTP server and the
 * message templates, with defaults for everything left out. */
extern const struct conftable conf_delivery_table;

/* Checks for STRING and TEXT keys (conftable.h, conf-check.c), with what
 * they do to the value.
 * conf_check_id: an id people type (confread_id_valid()), of at most the
 * key's max characters.
 * conf_check_secret: a setting that names a secret (secret.h):
 * "credential:NAME" as it is, a path resolved against the configuration's
 * directory; its file looked at (secret_check()), never read here; an
 * invalid name is not kept.
 * conf_check_path: the key's path resolved against the configuration's
 * directory; "" is refused with empty_message, not kept.
 * 0, -EINVAL (reported) or -ENOMEM. */
int conf_check_id(const struct conftable_value *v);
int conf_check_secret(const struct conftable_value *v);
int conf_check_path(const struct conftable_value *v, const char *empty_message);

/* url as libcurl, which sends to it, reads it, for one of schemes (lower
 * case, NULL-terminated): 0; -EPROTONOSUPPORT when it does not start with
 * one of them and "://"; -EDESTADDRREQ when it names no host (libcurl reads
 * http:///x as the host "x": that is a host left out too); -EINVAL when
 * libcurl cannot read it, *reason saying why; -ENOMEM. */
int conf_url_check(const char *url, const char *const *schemes, const char **reason);
/* url for a message, into buf: webhook addresses hold their token in the
 * path or the query, and the first message of a refused reload is on the
 * bus for every local user to read. scheme://host and "/…" when "://" is
 * there; else the text up to a '?', cut to a few dozen bytes. */
const char *conf_url_shown(const char *url, char *buf, size_t size);
