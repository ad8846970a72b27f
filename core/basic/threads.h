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

/* The calling thread, and the threads it starts, give way to the event
 * loop's: bulk work (reading a large configuration, rendering the feeds)
 * must never make the service slow to answer. */
#define THREADS_BACKGROUND_NICE 5
void threads_yield_to_loop(void);
