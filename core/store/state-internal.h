/* SPDX-License-Identifier: MIT */
#pragma once

/* What the modules that keep their tables in the state database (the
 * delivery log, deliveries.c) share with state.c: its connection, so that
 * everything lives in one file with one writer, and its error and
 * transaction helpers, so that their failures read like state.c's own and
 * show in state_last_error(). Not for the daemon or ledgerctl. */

#include <sqlite3.h>

#include "store/state.h"

/* The connection of st, with extended result codes and a busy timeout. */
sqlite3 *state_database(struct state *st);

/* Records a message for state_last_error() and returns r. */
int state_fail(struct state *st, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records SQLite's failure rc while doing what, and returns it as -errno. */
int state_fail_sqlite(struct state *st, int rc, const char *doing);

/* BEGIN IMMEDIATE: the write lock is taken at once. */
int state_begin(struct state *st);
/* Rolls back when the commit fails. */
int state_commit(struct state *st);
/* Rolls back, and returns r. */
int state_rollback(struct state *st, int r);
