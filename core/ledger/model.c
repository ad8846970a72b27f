/* SPDX-License-Identifier: MIT */
#include "ledger/model.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/strv.h"
#include "notify/message.h"
#include "ledger/workdays.h"

/* Its texts, owners and milestones are in the ledger's arena. */
static void task_free(struct task *t) {
        free(t->policy);
}

static void ledger_free(struct ledger *l) {
        for (size_t i = 0; i < l->n_tasks; i++)
                task_free(&l->tasks[i]);
        free(l->tasks);
        arena_free(l->strings);
        free(l->id);
        free(l->title);
}

static void owner_free(struct owner *o) {
        free(o->id);
        free(o->name);
        strv_free_n(o->emails, o->n_emails);
        strv_free_n(o->mobiles, o->n_mobiles);
        free(o->channels);
        free(o->feed_slug);
        free(o->feed_token);
}

/* Every string of the templates is owned, the defaults' copies too. */
static void templates_free(struct message_templates *t) {
        if (!t)
                return;
        for (size_t i = 0; i < MESSAGE_KINDS; i++) {
                free((char *) t->kinds[i].subject);
                free((char *) t->kinds[i].body);
        }
        free((char *) t->digest_subject);
        free((char *) t->footer);
        free(t);
}

static void delivery_free(struct delivery_settings *d) {
        free(d->smtp.url);
        free(d->smtp.from);
        free(d->smtp.from_name);
        free(d->smtp.user);
        free(d->smtp.password_file);
        if (d->smtp.password) /* a secret: not left behind in freed memory */
                explicit_bzero(d->smtp.password, strlen(d->smtp.password));
        free(d->smtp.password);
        free(d->smtp.ca_file);
        templates_free(d->templates);
}

void config_free(struct config *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_ledgers; i++)
                ledger_free(&c->ledgers[i]);
        free(c->ledgers);
        for (size_t i = 0; i < c->n_owners; i++)
                owner_free(&c->owners[i]);
        free(c->owners);
        for (size_t i = 0; i < c->n_channels; i++) {
                free(c->channels[i].id);
                free(c->channels[i].url);
                free(c->channels[i].secret_file);
        }
        free(c->channels);
        workdays_free(c->calendar);
        strv_free_n(c->files, c->n_files);
        free(c->path);
        free(c->timezone);
        free(c->state_directory);
        free(c->runtime_directory);
        free(c->admin_group);
        free(c->feed.name);
        free(c->feed.refresh);
        strv_free_n(c->feed.listen, c->feed.n_listen);
        free(c->feed.base_url);
        free(c->feed.directory);
        delivery_free(&c->delivery);
        free(c);
}

const struct owner *config_find_owner(const struct config *c, const char *id_or_name) {
        for (size_t i = 0; i < c->n_owners; i++)
                if (strcmp(c->owners[i].id, id_or_name) == 0 ||
                    strcmp(c->owners[i].name, id_or_name) == 0)
                        return &c->owners[i];
        return NULL;
}

const struct channel *config_find_channel(const struct config *c, const char *id) {
        for (size_t i = 0; i < c->n_channels; i++)
                if (c->channels[i].id && strcmp(c->channels[i].id, id) == 0)
                        return &c->channels[i];
        return NULL;
}

const struct ledger *config_find_ledger(const struct config *c, const char *id) {
        for (size_t i = 0; i < c->n_ledgers; i++)
                if (strcmp(c->ledgers[i].id, id) == 0)
                        return &c->ledgers[i];
        return NULL;
}

const struct task *ledger_find_task(const struct ledger *l, const char *id) {
        for (size_t i = 0; i < l->n_tasks; i++)
                if (strcmp(l->tasks[i].id, id) == 0)
                        return &l->tasks[i];
        return NULL;
}

const struct milestone *ledger_find_milestone(const struct ledger *l, const char *id) {
        for (size_t i = 0; i < l->n_tasks; i++)
                for (size_t j = 0; j < l->tasks[i].n_milestones; j++)
                        if (strcmp(l->tasks[i].milestones[j].id, id) == 0)
                                return &l->tasks[i].milestones[j];
        return NULL;
}

bool task_has_owner(const struct task *t, const struct owner *o) {
        for (size_t i = 0; i < t->n_owners; i++)
                if (t->owners[i] == o)
                        return true;
        return false;
}

static const char *const channel_format_names[] = {
        [CHANNEL_JSON] = "json",         [CHANNEL_SLACK] = "slack",
        [CHANNEL_WECOM] = "wecom",       [CHANNEL_DINGTALK] = "dingtalk",
        [CHANNEL_FEISHU] = "feishu",
};

const char *channel_format_name(enum channel_format f) {
        return channel_format_names[f];
}

int channel_format_from_name(const char *name, enum channel_format *out) {
        for (size_t i = 0; i < sizeof channel_format_names / sizeof *channel_format_names; i++)
                if (strcmp(channel_format_names[i], name) == 0) {
                        *out = (enum channel_format) i;
                        return 0;
                }
        return -EINVAL;
}

int offset_parse(const char *s, struct offset *out) {
        char *end;
        long n;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        n = strtol(s, &end, 10);
        if (n < 0 || n > 366)
                return -EINVAL;
        if (strcmp(end, "d") == 0)
                out->unit = OFFSET_DAYS;
        else if (strcmp(end, "wd") == 0)
                out->unit = OFFSET_WORKDAYS;
        else
                return -EINVAL;
        out->amount = (int) n;
        return 0;
}

void offset_format(const struct offset *o, char *buf, size_t size) {
        snprintf(buf, size, "%d%s", o->amount, o->unit == OFFSET_WORKDAYS ? "wd" : "d");
}

size_t config_count_milestones(const struct config *c) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_ledgers; i++)
                for (size_t k = 0; k < c->ledgers[i].n_tasks; k++)
                        n += c->ledgers[i].tasks[k].n_milestones;
        return n;
}
