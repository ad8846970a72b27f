/* SPDX-License-Identifier: MIT */
#pragma once

/* The words for the values of an enum (the configuration's, the bus's, the
 * logs'), kept in one table indexed by the enum with designated
 * initializers, so that each list is written once and read both ways. */

#include <stddef.h>

#define NAMES_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* table[value] when value is in the table (n entries) and has a name, else
 * fallback: an enum value that came from outside may be anything. */
const char *names_get(const char *const *table, size_t n, int value, const char *fallback);
/* The value whose name is name, or -EINVAL. */
int names_find(const char *const *table, size_t n, const char *name);

/* The two lookups an enum's table is read with, defined once here rather
 * than written out beside every table (systemd's DEFINE_STRING_TABLE_LOOKUP):
 *   const char *func(type v)                     names_get() with fallback
 *   int func(const char *name, type *out)        0, or -EINVAL (out untouched) */
#define NAMES_DEFINE_GET(func, type, table, fallback) \
        const char *func(type v) { \
                return names_get(table, NAMES_COUNT(table), (int) v, fallback); \
        }
#define NAMES_DEFINE_FIND(func, type, table) \
        int func(const char *name, type *out) { \
                int v = names_find(table, NAMES_COUNT(table), name); \
\
                if (v < 0) \
                        return v; \
                *out = (type) v; \
                return 0; \
        }
