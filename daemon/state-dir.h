/* SPDX-License-Identifier: MIT */
#pragma once

/* The state directory belongs to one service at a time, and its history is
 * told apart from a loss.
 *
 * A lock (flock(2) on <dir>/lock, which holds the owner's PID) is taken at
 * start and held for the process's life: a second ledgerd on the same
 * directory, say a manual run beside the service, exits at once naming the
 * first one's PID, before it touches anything.
 *
 * <dir>/state.id is written once the state database has been used for the
 * first time. When it is there but state.db is missing, empty or has never
 * handled a reminder, the state vanished (a disk replaced, a file deleted):
 * starting afresh would forget every done mark and send recent reminders
 * again, so the service refuses unless told to accept it. */

#include <stdbool.h>
#include <time.h>

/* 0 and *fd (keep it open), or -EBUSY when another process holds it (its
 * PID logged), or -errno. */
int state_dir_lock(const char *dir, int *fd);

enum state_history {
        STATE_HISTORY_FIRST,    /* never used: a first start */
        STATE_HISTORY_KNOWN,    /* used before, and the database is there */
        STATE_HISTORY_VANISHED, /* used before, and the database is gone */
};

/* Before the database is opened: whether it was used before (state.id) and
 * whether state.db is missing or empty. */
enum state_history state_dir_examine(const char *dir);

/* After the database is opened: vanished when it was used before but the
 * database never handled a reminder. handled_until: the database's. */
enum state_history state_dir_examine_database(const char *dir, time_t handled_until);

/* Writes state.id (once): the database is in use since when. 0 or -errno. */
int state_dir_mark_used(const char *dir, time_t when);
