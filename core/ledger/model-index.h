/* SPDX-License-Identifier: MIT */
#pragma once

/* Lookups by id in O(1): hash tables of pointers, made once a
 * configuration is read (conf_load() calls config_index_build()), so that
 * a burst of thousands of messages, each naming its channel, owners and
 * milestones, does not walk every list for each. A configuration built by
 * hand (unit tests) has no index, and the lookups of model.h walk the
 * lists instead: the answers are the same. */

#include "ledger/model.h"

/* Builds c's index and each ledger's; 0 or -ENOMEM (then none). */
int config_index_build(struct config *c);
void config_index_free(struct config *c);

/* The owners of c alone, by id and by name, for reading its ledgers before
 * c is whole and has its index: c's owners must not move meanwhile. 0 or
 * -ENOMEM. */
struct owner_index;
int owner_index_build(const struct config *c, struct owner_index **out);
void owner_index_free(struct owner_index *x);
/* As config_find_owner(): by id first, then by name; NULL when neither. */
const struct owner *owner_index_find(const struct owner_index *x, const char *id_or_name);

/* The lookups of model.h when c (or l) has an index: NULL when not found. */
const struct channel *index_find_channel(const struct config *c, const char *id);
const struct owner *index_find_owner(const struct config *c, const char *id_or_name);
const struct ledger *index_find_ledger(const struct config *c, const char *id);
const struct milestone *index_find_milestone(const struct ledger *l, const char *id);
const struct task *index_find_task(const struct ledger *l, const char *id);
