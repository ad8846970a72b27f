/* SPDX-License-Identifier: MIT */
#pragma once

/* The ledger as ledgerd understands it: owners (the responsible units),
 * ledgers, tasks and the milestones derived from each task's deadline phrase.
 * conf_load() builds it; config_free() frees all of it. Every string and
 * array below is owned by the struct that holds it.
 *
 * The model knows nothing of what it does not describe: the message
 * templates it holds are notify/message.h's, behind a pointer, and
 * config_free() is conf/conf.h's, above both. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "basic/diag.h"
#include "ledger/date.h"
#include "ledger/when.h"

struct workdays;
struct config_index; /* model-index.h */
struct ledger_index;

#define POLICY_MAX_OFFSETS 16

enum offset_unit {
        OFFSET_DAYS,     /* "14d": calendar days */
        OFFSET_WORKDAYS, /* "3wd": working days, from the holiday calendars */
};

/* A distance from a due date: "14d", "3wd", "0d" (the day itself). */
struct offset {
        int amount; /* >= 0 */
        enum offset_unit unit;
};

/* Where a setting came from, for messages ("conf/ledgerd.conf:42"). */
struct source {
        const char *file; /* borrowed from struct config's file list */
        int line;
};

/* When and how often to remind. Overrides (per owner, per task) set only
 * some fields; policy_resolve() in schedule.h merges them. */
struct policy {
        bool has_leads, has_overdue, has_time, has_escalation;
        struct offset leads[POLICY_MAX_OFFSETS]; /* before the due date */
        size_t n_leads;
        struct offset overdue[POLICY_MAX_OFFSETS]; /* after a missed one */
        size_t n_overdue;
        int minute_of_day; /* local time of every reminder, 0…1439 */
        const struct owner *escalate_to; /* NULL: no escalation */
        struct offset escalate_after;
};

enum channel_format {
        CHANNEL_JSON,
        CHANNEL_SLACK,
        CHANNEL_WECOM,
        CHANNEL_DINGTALK,
        CHANNEL_FEISHU,
};

/* A webhook endpoint, defined once and used by owners by name. */
struct channel {
        char *id;
        enum channel_format format;
        char *url;
        char *secret_file; /* NULL when the endpoint needs no secret; a path, or
                            * "credential:NAME" (secret.h); read when sending starts */
        int rate_limit;    /* messages per minute, queued beyond it; 0: no limit */
        int parallel;      /* transfers at once to its host; 0: delivery.parallel */
        struct source source;
};

struct owner {
        char *id;   /* ASCII slug for paths and commands: "czj" */
        char *name; /* as the ledger writes it: "县财政局" */
        char **emails;
        size_t n_emails;
        char **mobiles; /* to @mention in WeCom and DingTalk groups */
        size_t n_mobiles;
        char *feishu_user_id; /* to @mention in Feishu groups (an open_id or user_id); NULL: none */
        const struct channel **channels;
        size_t n_channels;
        struct policy policy; /* override; all has_* false when none */
        char *feed_slug;  /* the owner's feed is /<slug>.ics; the id unless set */
        char *feed_token; /* NULL: public; else the feed is /<token>/<slug>.ics only */
        struct source source;
};

enum milestone_origin {
        MILESTONE_FROM_PHRASE, /* read from the deadline phrase */
        MILESTONE_EXPLICIT,    /* a date written in the task's dates list */
};

struct task;

struct milestone {
        char *id;    /* "15" for a task's only milestone, else "15.1", "15.2" */
        char *label; /* "单位自评", "第1次" or "" */
        char *note;  /* what the phrase says beside the date: "报送县财政局"; "" when none */
        day_t due;
        enum milestone_origin origin;
        const struct task *task;
};

struct task {
        char *id; /* "15", "34b": short ASCII, unique in its ledger */
        char *category;
        char *item;
        char *detail;
        char *deadline; /* the phrase, verbatim; "" when the ledger has none */
        const struct owner **owners;
        size_t n_owners;
        enum when_kind when;   /* how the phrase was read */
        char *when_reason;     /* why undated, ongoing or not understood; NULL when dated */
        bool dates_override; /* explicit dates replace the phrase's dates */
        struct milestone *milestones; /* phrase dates first, then explicit ones */
        size_t n_milestones;
        struct policy *policy; /* override; NULL when none (most tasks: saves 300 B each) */
        const struct ledger *ledger;
        struct source source;
};

struct arena;

struct ledger {
        /* Its tasks' texts, owner lists and milestones live here and go with
         * the ledger. */
        struct arena *strings;
        char *id; /* "yuli-2025": part of every UID, so keep it stable */
        char *title;
        char *reply_to; /* the bureau's contact: Reply-To of its reminder e-mail; NULL: none */
        int year;
        struct task *tasks;
        size_t n_tasks;
        struct source source;
        struct ledger_index *index; /* model-index.h; NULL: none */
        /* How it was read, for a reload to take it unread when its file did
         * not change (conf-ledger-files.c): from its file alone (no
         * @include, so the file's digest says all it came from), and the
         * warnings reading it gave, to be said again. */
        bool self_contained;
        struct diagnostics said;
};

struct feed_settings {
        char *name;    /* X-WR-CALNAME / NAME */
        char *refresh; /* RFC 5545 duration: "PT6H" */
        char **listen; /* HTTP: "127.0.0.1:8080", "[::1]:8080"; none: no server of its own */
        size_t n_listen;
        char *base_url;  /* "https://feeds.example.org", no trailing '/'; NULL: the first
                          * address served, "http://127.0.0.1:8080" */
        char *directory; /* feeds are also written here (absolute); NULL: not */
};

/* How e-mail leaves: libcurl SMTP when url is set, else a Maildir outbox
 * under the state directory. */
struct smtp_settings {
        char *url;          /* "smtp://host:587" or "smtps://host:465"; NULL: the outbox */
        bool tls_required;  /* STARTTLS required (smtp://); false only with tls = "none" */
        char *from;         /* the envelope and From address; "ledgerd@localhost" by default */
        char *from_name;    /* From's display name; NULL: none */
        char *user;         /* AUTH; NULL: none */
        char *password_file; /* a path or "credential:NAME" (secret.h); NULL: none */
        char *password;     /* inline, only with allow_inline_password = true; NULL: none */
        char *ca_file;      /* trust this CA; NULL: the system store */
};

struct message_templates; /* notify/message.h: the model only holds them */

/* What one file of the configuration held when it was read: a SHA-256 of
 * the bytes parsed, so that what a reload changed can be told file by file
 * (the feeds render again only what depends on a changed file), and their
 * length, so that a file of another length is known to have changed
 * without being read. */
enum file_digest_state {
        FILE_DIGEST_NONE,  /* not read by the loader: unknown */
        FILE_DIGEST_SET,
        FILE_DIGEST_MIXED, /* read twice, with different bytes: unknown */
};

struct file_digest {
        enum file_digest_state state;
        uint8_t sha256[32];
        size_t size;
};

#define DELIVERY_PARALLEL_MAX 64

struct delivery_settings {
        long catch_up; /* seconds: a reminder missed while down is still sent this late */
        long give_up;  /* seconds after the first try: retrying stops */
        long timeout;  /* seconds: one try */
        /* Transfers at once to one peer (the SMTP server, a webhook host): a
         * crash doubles at most this many messages per peer. 1 to
         * DELIVERY_PARALLEL_MAX. */
        int parallel;
        struct smtp_settings smtp;
        /* Never NULL after conf_load(): the configured templates with the built-in
         * ones (message_defaults()) where unset. It and its strings are owned. */
        struct message_templates *templates;
};

struct config {
        unsigned refs; /* conf/conf.h: config_ref(), config_unref() */
        char *path;
        char *timezone; /* Olson name, "Asia/Shanghai" */
        char *state_directory;
        char *runtime_directory;
        char *admin_group; /* may mark done, reopen, snooze and reload, besides root */
        struct feed_settings feed;
        struct delivery_settings delivery;
        struct policy defaults; /* every has_* true after loading */
        struct channel *channels;
        size_t n_channels;
        struct owner *owners;
        size_t n_owners;
        struct ledger *ledgers;
        size_t n_ledgers;
        size_t n_ledgers_copied; /* of them, copied unread from the one reloaded (conf_reload()) */
        struct workdays *calendar;
        char **files; /* every file read, for struct source */
        size_t n_files;
        struct file_digest *file_digests; /* files[i]'s: n_files of them, or NULL */
        struct config_index *index; /* model-index.h; NULL: none */
};

const struct owner *config_find_owner(const struct config *c, const char *id_or_name);
const struct channel *config_find_channel(const struct config *c, const char *id);
const struct ledger *config_find_ledger(const struct config *c, const char *id);
/* The milestone a person names: "ID" (unambiguous across ledgers) or
 * "LEDGER/ID"; an undated task by its task id (then *milestone is NULL).
 * 0, -ENOENT, or -EADDRINUSE when the short id is in more than one ledger. */
int config_find_named(const struct config *c, const char *name, const struct ledger **ledger,
                      const struct task **task, const struct milestone **milestone);
const struct task *ledger_find_task(const struct ledger *l, const char *id);
const struct milestone *ledger_find_milestone(const struct ledger *l, const char *id);
bool task_has_owner(const struct task *t, const struct owner *o);
/* Whether every owner of t has a private feed (feed_token): then its
 * milestones are in no feed that can be read without a token. */
bool task_is_private(const struct task *t);
/* Dated milestones in all of c's ledgers. */
size_t config_count_milestones(const struct config *c);
/* from, as read into a configuration whose owners are from_owners, copied
 * into one whose owners are to_owners: the same owners in the same order
 * (both read from the same files). The copy shares nothing with from and
 * has no index; its source is file (interned in its configuration). 0 or
 * -ENOMEM, to then partly filled, for conf_ledger_free(). (model-copy.c) */
int ledger_copy(const struct ledger *from, const struct owner *from_owners,
                const struct owner *to_owners, const char *file, struct ledger *to);

const char *channel_format_name(enum channel_format f);
int channel_format_from_name(const char *name, enum channel_format *out);

/* "14d", "3wd", "0d" → 0, or -EINVAL. */
int offset_parse(const char *s, struct offset *out);
void offset_format(const struct offset *o, char *buf, size_t size);
/* By amount, then unit (days before working days): < 0, 0 or > 0. */
int offset_cmp(const struct offset *a, const struct offset *b);
