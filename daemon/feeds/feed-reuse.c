/* SPDX-License-Identifier: MIT */
/* Why an owner's feed may be carried over unrendered. Its bytes are a
 * function of: the configuration outside the ledger files (the main file
 * and what it includes: settings, owners, policies, the feed's name; the
 * holiday files), the tasks of that owner, which live in ledgers, the marks
 * (compared by the caller) and the event revisions in state.db, which change
 * only when an event's content does, that is when one of the above does.
 * ics_render() reads no clock. So the feed is the same when:
 *
 *  - both configurations read the same files in the same order, and each
 *    file's bytes, as parsed, are the same (config->file_digests);
 *  - except for files that are the top-level file of exactly one ledger in
 *    both (its "ledger" group is in it: ledger->source), of a ledger in
 *    which the owner has no task, in the old configuration or the new. Such
 *    a file holds nothing but that ledger: any other key at its top, or a
 *    ledger group anywhere else, is an error that refuses the whole
 *    configuration, and two ledgers from one file have the same id, also
 *    refused. A file included into a ledger's group is no top-level file:
 *    when it changed, everything renders;
 *  - and the owner is there in both, with the same id, name, slug and
 *    token, so that its document has the same path.
 *
 * Anything else, a file added, one without a known digest (read twice with
 * different bytes, or not read by the loader), renders every feed. */
#include "feeds/feed-reuse.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ledger/model.h"

static bool same_string(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_digest(const struct file_digest *a, const struct file_digest *b) {
        return a->state == FILE_DIGEST_SET && b->state == FILE_DIGEST_SET &&
               memcmp(a->sha256, b->sha256, sizeof a->sha256) == 0;
}

static bool same_file_list(const struct config *old, const struct config *fresh) {
        if (old->n_files != fresh->n_files || !old->file_digests || !fresh->file_digests)
                return false;
        for (size_t i = 0; i < old->n_files; i++)
                if (strcmp(old->files[i], fresh->files[i]) != 0)
                        return false;
        return true;
}

/* The one ledger of c whose group is in file, or NULL: none, or several. */
static const struct ledger *ledger_of_file(const struct config *c, const char *file) {
        const struct ledger *found = NULL;

        for (size_t i = 0; i < c->n_ledgers; i++) {
                if (!c->ledgers[i].source.file || strcmp(c->ledgers[i].source.file, file) != 0)
                        continue;
                if (found)
                        return NULL;
                found = &c->ledgers[i];
        }
        return found;
}

/* The position of o in c's owners, or -1 when it is not one of them. */
static ssize_t owner_index(const struct config *c, const struct owner *o) {
        uintptr_t at = (uintptr_t) o, first = (uintptr_t) c->owners;

        if (at < first || (at - first) % sizeof *o != 0 || (at - first) / sizeof *o >= c->n_owners)
                return -1;
        return (ssize_t) ((at - first) / sizeof *o);
}

/* Sets touched[i] for each owner i of c with a task in l. false when a task
 * names an owner that is not c's (then nothing can be told). */
static bool mark_owners(const struct config *c, const struct ledger *l, bool *touched) {
        for (size_t i = 0; i < l->n_tasks; i++)
                for (size_t k = 0; k < l->tasks[i].n_owners; k++) {
                        ssize_t o = owner_index(c, l->tasks[i].owners[k]);

                        if (o < 0)
                                return false;
                        touched[o] = true;
                }
        return true;
}

/* Whether file i of the two configurations (same_file_list()) changed; if
 * so, its ledger in each, NULL when it is not one ledger's own. */
static bool file_changed(const struct config *old, const struct config *fresh, size_t i,
                         const struct ledger **lo, const struct ledger **lf) {
        if (same_digest(&old->file_digests[i], &fresh->file_digests[i]))
                return false;
        *lo = ledger_of_file(old, old->files[i]);
        *lf = ledger_of_file(fresh, fresh->files[i]);
        return true;
}

/* Marks, in each configuration, the owners of the ledgers whose files
 * changed. false when a changed file is not one ledger's own in both. */
static bool changed_ledgers(const struct config *old, const struct config *fresh,
                            bool *touched_old, bool *touched_fresh) {
        for (size_t i = 0; i < old->n_files; i++) {
                const struct ledger *lo, *lf;

                if (file_changed(old, fresh, i, &lo, &lf) &&
                    (!lo || !lf || !mark_owners(old, lo, touched_old) ||
                     !mark_owners(fresh, lf, touched_fresh)))
                        return false;
        }
        return true;
}

static bool same_owner(const struct owner *a, const struct owner *b) {
        return same_string(a->id, b->id) && same_string(a->name, b->name) &&
               same_string(a->feed_slug, b->feed_slug) && same_string(a->feed_token, b->feed_token);
}

int feed_reuse_owners(const struct config *old, const struct config *fresh, bool *reuse) {
        bool *touched_old, *touched_fresh;
        int r = 0;

        memset(reuse, 0, fresh->n_owners * sizeof *reuse);
        if (!old || !same_file_list(old, fresh))
                return 0;
        touched_old = calloc(old->n_owners + 1, sizeof *touched_old);
        touched_fresh = calloc(fresh->n_owners + 1, sizeof *touched_fresh);
        if (!touched_old || !touched_fresh)
                r = -ENOMEM;
        else if (changed_ledgers(old, fresh, touched_old, touched_fresh))
                for (size_t i = 0; i < fresh->n_owners; i++) {
                        /* by id, or by name when no id matches: then the ids differ */
                        const struct owner *o = config_find_owner(old, fresh->owners[i].id);

                        reuse[i] = o && same_owner(o, &fresh->owners[i]) &&
                                   !touched_old[owner_index(old, o)] && !touched_fresh[i];
                }
        free(touched_old);
        free(touched_fresh);
        return r;
}

/* The same reasoning, ledger by ledger: a ledger's events in the feed of
 * everyone read that ledger, the configuration outside the ledger files,
 * the marks and the revisions, and nothing of any other ledger. */
void feed_reuse_ledgers(const struct config *old, const struct config *fresh, bool *reuse) {
        const struct ledger *lo, *lf;

        memset(reuse, 0, fresh->n_ledgers * sizeof *reuse);
        if (!old || !same_file_list(old, fresh) || old->n_ledgers != fresh->n_ledgers)
                return;
        for (size_t i = 0; i < fresh->n_ledgers; i++)
                reuse[i] = same_string(old->ledgers[i].id, fresh->ledgers[i].id);
        for (size_t i = 0; i < old->n_files; i++) {
                if (!file_changed(old, fresh, i, &lo, &lf))
                        continue;
                if (!lo || !lf || lo - old->ledgers != lf - fresh->ledgers) {
                        memset(reuse, 0, fresh->n_ledgers * sizeof *reuse);
                        return;
                }
                reuse[lf - fresh->ledgers] = false;
        }
}
