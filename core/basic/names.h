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
