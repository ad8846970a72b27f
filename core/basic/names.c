/* SPDX-License-Identifier: MIT */
#include "basic/names.h"

#include <errno.h>
#include <string.h>

const char *names_get(const char *const *table, size_t n, int value, const char *fallback) {
        if (value < 0 || (size_t) value >= n || !table[value])
                return fallback;
        return table[value];
}

int names_find(const char *const *table, size_t n, const char *name) {
        for (size_t i = 0; name && i < n; i++)
                if (table[i] && strcmp(table[i], name) == 0)
                        return (int) i;
        return -EINVAL;
}
