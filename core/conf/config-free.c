/* SPDX-License-Identifier: MIT */
/* config_free() lives with conf_load(), which builds what it frees, above
 * the modules whose parts a configuration holds: the ledgers and the
 * calendar are ledger/'s, the message templates notify/'s, and notify/
 * depends on ledger/, not the other way round. */
#include "conf/conf.h"
#include "ledger/model-index.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "basic/arena.h"
#include "basic/strv.h"
#include "conf/conf-internal.h"
#include "ledger/workdays.h"
#include "notify/message.h"

/* A task's texts, owners and milestones are in the ledger's arena. A
 * ledger whose tasks could not be allocated has n_tasks but no tasks. */
void conf_ledger_free(struct ledger *l) {
        for (size_t i = 0; l->tasks && i < l->n_tasks; i++)
                free(l->tasks[i].policy);
        free(l->tasks);
        arena_free(l->strings);
        free(l->id);
        free(l->title);
        free(l->reply_to);
        diag_clear(&l->said);
}

static void owner_free(struct owner *o) {
        free(o->id);
        free(o->name);
        strv_free_n(o->emails, o->n_emails);
        strv_free_n(o->mobiles, o->n_mobiles);
        free(o->feishu_user_id);
        free(o->channels);
        free(o->feed_slug);
        free(o->feed_token);
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
        message_templates_free(d->templates);
}

void config_free(struct config *c) {
        if (!c)
                return;
        config_index_free(c);
        for (size_t i = 0; i < c->n_ledgers; i++)
                conf_ledger_free(&c->ledgers[i]);
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
        free(c->file_digests);
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

const struct config *config_ref(const struct config *c) {
        if (c)
                ((struct config *) c)->refs++;
        return c;
}

/* A configuration is the daemon's largest allocation, read on another
 * thread than the one that lets it go: its pages would stay in that
 * thread's malloc arena, and resident memory would grow by one ledger at
 * every reload. Given back once the last holder is done. */
void config_unref(const struct config *c) {
        if (c && --((struct config *) c)->refs == 0) {
                config_free((struct config *) c);
                malloc_trim(0);
        }
}
