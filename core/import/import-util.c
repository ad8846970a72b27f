/* SPDX-License-Identifier: MIT */
/* Joined strings, for the importer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import-internal.h"

char *str_join(char *a, const char *sep, const char *b) {
        char *out;

        if (!a)
                return strdup(b);
        if (asprintf(&out, "%s%s%s", a, sep, b) < 0)
                out = NULL;
        free(a);
        return out;
}
