/* SPDX-License-Identifier: MIT */
#pragma once

/* The little that ledgerd's worker threads share. */

#include <pthread.h>
#include <stddef.h>

/* The processors this process may run on (its affinity), at least 1. */
size_t threads_cpus(void);

/* pthread_create() with every signal blocked in the new thread: signals are
 * the main thread's to handle (sd-event's signalfd needs them blocked
 * everywhere else). 0 or -errno. */
int threads_start(pthread_t *thread, void *(*fn)(void *), void *arg);
