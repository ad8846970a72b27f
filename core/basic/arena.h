/* SPDX-License-Identifier: MIT */
#pragma once

/* A bump allocator for strings that live exactly as long as their owner (a
 * ledger's texts): one malloc per 64 KB instead of one per string, no
 * per-string overhead, and one free for all. A ledger of 100,000 tasks holds
 * 600,000 strings. */

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
