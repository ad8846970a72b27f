/* SPDX-License-Identifier: MIT */
/* Growing lists of strings and joined strings, for the importer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import-internal.h"

int strv_push(char ***list, size_t *n, const char *s) {
        char **l = realloc(*list, (*n + 2) * sizeof *l);
        char *copy = strdup(s);

        if (l)
                *list = l;
        if (!l || !copy) {
                free(copy);
                return -ENOMEM;
        }
        l[(*n)++] = copy;
        l[*n] = NULL;
        return 0;
}

bool strv_contains(char *const *list, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

void strv_free(char **list, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(list[i]);
        free(list);
}

char *str_join(char *a, const char *sep, const char *b) {
        char *out;

        if (!a)
                return strdup(b);
        if (asprintf(&out, "%s%s%s", a, sep, b) < 0)
                out = NULL;
        free(a);
        return out;
}
