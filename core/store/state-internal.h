/* SPDX-License-Identifier: MIT */
#pragma once

/* What the modules that keep their tables in the state database (the
 * delivery log, deliveries.c) share with state.c: its connection, so that
 * everything lives in one file with one writer, and its error and
 * transaction helpers, so that their failures read like state.c's own and
 * show in state_last_error(). Not for the daemon or ledgerctl. */

#include <sqlite3.h>
#include <stdbool.h>

#include "store/state.h"

/* The connection of st, with extended result codes and a busy timeout. */
sqlite3 *state_database(struct state *st);

/* Records a message for state_last_error() and returns r. */
int state_fail(struct state *st, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records SQLite's failure rc while doing what, and returns it as -errno. */
int state_fail_sqlite(struct state *st, int rc, const char *doing);

/* A prepared statement for sql, which must be a string literal: its
 * address names it, and the statement is kept for the next call with it.
 * Give it back with state_statement_release(), which resets it (or finalizes one
 * that could not be kept). 0 or -errno. */
int state_statement(struct state *st, const char *sql, sqlite3_stmt **out);
void state_statement_release(struct state *st, sqlite3_stmt *s);

/* synchronous = FULL (true, the default: each commit waits for the disk)
 * or NORMAL (false), outside a transaction. 0 or -errno. */
int state_set_synchronous(struct state *st, bool full);

/* BEGIN IMMEDIATE: the write lock is taken at once. */
int state_begin(struct state *st);
/* Rolls back when the commit fails. */
int state_commit(struct state *st);
/* Rolls back, and returns r. */
int state_rollback(struct state *st, int r);
